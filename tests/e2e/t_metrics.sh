#!/bin/sh
# t_metrics: --metrics on both daemons.  Scrapes tcpcopy's and intercept's
# Prometheus endpoints (inside their namespaces) before and after 10 GETs:
# the counters move by what the ledger says; /other answers 404; a client
# that connects and sends nothing does not block a scrape.

TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/e2e/lib.sh"
trap cleanup EXIT INT TERM

TCPCOPY_ARGS="$TCPCOPY_ARGS --metrics 127.0.0.1:9101" \
INTERCEPT_ARGS="$INTERCEPT_ARGS --metrics 127.0.0.1:9102" http_replay_up curl

# metric NS PORT NAME_AND_LABELS: the value of that sample, or -1.
metric() {
    _v=$(nsx "$1" curl -s --max-time 5 "http://127.0.0.1:$2/metrics" |
         awk -v k="$3" '$1 == k { print $2; exit }')
    echo "${_v:--1}"
}

SENT='tcpcopy_client_bytes_total{stage="sent"}'
ACKED='tcpcopy_client_bytes_total{stage="acked"}'
DROP='intercept_verdicts_total{verdict="drop"}'
nsx "$NS_ONL" curl -s --max-time 5 http://127.0.0.1:9101/metrics \
    > "$W/tc.prom"
nsx "$NS_TGT" curl -s --max-time 5 http://127.0.0.1:9102/metrics \
    > "$W/icp.prom"
log "tcpcopy exposes $(grep -vc '^#' "$W/tc.prom") samples, intercept $(grep -vc '^#' "$W/icp.prom")"
check "tcpcopy /metrics: sessions_ended_total by reason, bytes by stage" \
    sh -c "grep -q '^tcpcopy_sessions_ended_total{reason=\"normal\"} ' '$W/tc.prom' &&
           grep -q '^# TYPE tcpcopy_client_bytes_total counter' '$W/tc.prom' &&
           grep -q '^tcpcopy_sessions_open 0' '$W/tc.prom' &&
           grep -q '^tcpcopy_intercepts_ready 1' '$W/tc.prom'"
check "intercept /metrics: verdicts, kernel drops, held replies" \
    sh -c "grep -q '^intercept_verdicts_total{verdict=\"drop\"} ' '$W/icp.prom' &&
           grep -q '^intercept_kernel_drops_total{where=\"queue_full\"} ' '$W/icp.prom' &&
           grep -q '^intercept_held_replies ' '$W/icp.prom'"
s0=$(metric "$NS_ONL" 9101 "$SENT")
d0=$(metric "$NS_TGT" 9102 "$DROP")

# An idle connection holds a slot, not the loop.
nsx "$NS_ONL" "$PYTHON" -c 'import socket, time
s = socket.create_connection(("127.0.0.1", 9101)); time.sleep(3)' &
E2E_PIDS="$E2E_PIDS $!"

check_gets 10 metrics
access_settle onl 10
wait_access tgt 10 20 8

_acked_settled() {
    [ "$(metric "$NS_ONL" 9101 "$ACKED")" -ge "$(metric "$NS_ONL" 9101 "$SENT")" ]
}
wait_until 5 _acked_settled
s1=$(metric "$NS_ONL" 9101 "$SENT")
a1=$(metric "$NS_ONL" 9101 "$ACKED")
d1=$(metric "$NS_TGT" 9102 "$DROP")
log "tcpcopy bytes sent $s0 -> $s1 (acked $a1); intercept drops $d0 -> $d1"
check "tcpcopy bytes sent grew, all acked ($s0 -> $s1, acked $a1)" \
    sh -c "[ $s1 -gt $s0 ] && [ $a1 = $s1 ]"
check "intercept drop verdicts grew ($d0 -> $d1)" [ "$d1" -gt "$d0" ]
ledger_dump tcpcopy "$TCPCOPY_PID"
lsent=$(grep 'ledger:' "$W/tcpcopy.log" | tail -n 1 |
        sed -n 's/.*client bytes captured=[0-9]* sent=\([0-9]*\).*/\1/p')
check "metrics agree with the ledger line (sent $s1 = $lsent)" \
    [ "$s1" = "$lsent" ]

code=$(nsx "$NS_ONL" curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
       http://127.0.0.1:9101/)
check "tcpcopy / answers 404 ($code)" [ "$code" = 404 ]
code=$(nsx "$NS_TGT" curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
       -X POST http://127.0.0.1:9102/metrics)
check "intercept POST answers 405 ($code)" [ "$code" = 405 ]

daemon_stop tcpcopy "$TCPCOPY_PID"
daemon_stop intercept "$INTERCEPT_PID"
t_done
