#!/bin/sh
# t_memory: -m 16 with 10,000 client connections open at once: tcpcopy
# stays under the bound, evicts idle sessions or refuses new ones, counts
# each, and keeps replaying.

TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/e2e/lib.sh"
trap cleanup EXIT INT TERM

N=10000
[ -n "$PYTHON" ] || t_skip "missing tools: python3"
TCPCOPY_ARGS="-m 16" http_replay_up curl

e2e_bg "$NS_CLI" "$W/conns.log" timeout 300 "$PYTHON" \
    "$TOP/tests/e2e/conns.py" http "$ONL_IP" 80 "$N" --pre 1 --post 0 \
    --tag mem --ready "$W/mem.ready" --go "$W/mem.go" --wait 120
py=$BG_PID
check "$N client connections open, one request each" \
    wait_until 120 test -f "$W/mem.ready"
sleep 3 # the replay settles; idle sessions age past the eviction delay

# more traffic while the bound is reached: new sessions still get room
gets 20 after > /dev/null
wait_count 30 8 20 sh -c "grep -c '|GET /after/' '$W/tgt/access.log'"
after=$(grep -c '|GET /after/' "$W/tgt/access.log")

hwm=$(awk '$1 == "VmHWM:" {print $2}' "/proc/$TCPCOPY_PID/status")
ledger_dump tcpcopy "$TCPCOPY_PID"
evicted=$(ledger_max "$W/tcpcopy.log" 'memory')
refused=$(ledger_max "$W/tcpcopy.log" 'no_room')
log "tcpcopy peak RSS $hwm kB; evicted $evicted, refused $refused;" \
    "target got $(grep -c '|GET /mem/' "$W/tgt/access.log") of $N" \
    "and $after of 20 later requests"
check "tcpcopy stayed under -m 16 (peak RSS $hwm kB <= 16384)" \
    [ "${hwm:-999999}" -le 16384 ]
check "evictions or refusals are counted ($evicted evicted, $refused refused)" \
    [ $((evicted + refused)) -gt 0 ]
check "requests after the bound was reached still replayed ($after of 20)" \
    [ "$after" = 20 ]
check "tcpcopy still running" proc_alive "$TCPCOPY_PID"

touch "$W/mem.go"
wait_until 60 _proc_gone "$py"
daemon_stop tcpcopy "$TCPCOPY_PID"
daemon_stop intercept "$INTERCEPT_PID"
t_done
