#!/bin/sh
# t_controls: the traffic controls do exactly what they say, as the
# target's access log shows: -n 3 delivers three times online's requests;
# -r 50 replays half the sessions, the same half on two runs; -c makes the
# target see the mapped client addresses; -M 576 still delivers a 1 MB POST
# intact.

TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/e2e/lib.sh"
trap cleanup EXIT INT TERM

e2e_require nginx curl wrk
[ -n "$PYTHON" ] || t_skip "missing tools: python3"
e2e_require_daemons
check "topology up" topo_up || bail "topology"
servers_up nginx
# -c maps clients into 10.77.9.0/24: the target needs a route back to it
ip -n "$NS_TGT" route add 10.77.9.0/24 via "$ONL_TGT_IP"
replay_up 80

# tc_restart NAME ARGS...: tcpcopy again, with other controls.
tc_restart() {
    _tn=$1
    shift
    proc_stop "$TCPCOPY_PID" TERM 10
    wait "$TCPCOPY_PID" 2> /dev/null
    TCPCOPY_ARGS="$*" tcpcopy_start "$_tn" "$NS_ONL" "$TGT_IP" 80 ||
        bail "tcpcopy $*"
}

# tagged NAME TAG: requests of one phase in NAME's access log.
tagged() {
    grep -c "|GET /$2/" "$W/$1/access.log" 2> /dev/null || true
}

# ---- -n 3: short connections and keep-alive
tc_restart tcpcopy-n3 -n 3
gets 20 n3 > /dev/null
# paced (5 ms a request a connection): this is about exactness, and the
# target must absorb three times what online serves on a loaded machine
wrk_lua "$W/n3.lua" "/n3/ka" 5
nsx "$NS_CLI" timeout 30 wrk -c 4 -t 1 -d 2s --timeout 2s -s "$W/n3.lua" \
    "http://$ONL_IP/" > /dev/null 2>&1
access_settle onl
on=$(tagged onl n3)
wait_count 60 10 $((on * 3)) tagged tgt n3
tg=$(tagged tgt n3)
log "-n 3: online $on requests, target $tg"
check "-n 3 delivers exactly three times online's requests ($on x 3 = $tg)" \
    [ "$tg" = $((on * 3)) -a "$on" -gt 20 ]
odd=$(awk -F'|' '$5 ~ /^GET \/n3\// { print $5 }' "$W/tgt/access.log" |
      sort | uniq -c | awk '$1 != 3' | wc -l)
check "-n 3: every request exactly three times on the target" [ "$odd" = 0 ]
# the ledger line after these requests, within its 1 s interval
check "-n 3: the ledger reports the multiple delivered (3.00x)" \
    wait_until 10 grep -q "copies=3 delivered=3.00x" "$W/tcpcopy-n3.log"

# ---- -r 50: the same client endpoints twice
tc_restart tcpcopy-r50 -r 50
for run in r1 r2; do
    nsx "$NS_CLI" "$PYTHON" "$TOP/tests/e2e/ports.py" "$CLI_IP" "$ONL_IP" 80 \
        21000 600 "$run" > "$W/$run.out" 2>&1
    log "$run: $(tail -n 1 "$W/$run.out")"
done
access_settle onl
access_settle tgt # the sampled sessions replayed
# a session delayed by a retransmission may outlast that 1 s of quiet: the
# second run's sessions are the first run's, so wait for as many
wait_count 30 5 "$(tagged tgt r1)" tagged tgt r2
for run in r1 r2; do
    awk -F'|' -v t="GET /$run/" 'index($5, t) == 1 {
        split($5, a, "/"); split(a[3], b, " "); print b[1] }' \
        "$W/tgt/access.log" | sort -n > "$W/$run.ports"
done
n1=$(wc -l < "$W/r1.ports")
n2=$(wc -l < "$W/r2.ports")
o1=$(tagged onl r1)
log "-r 50: online $o1 sessions a run; target $n1 then $n2"
check "-r 50 replays 50 % +/- 3 points ($n1 of $o1)" \
    [ "$o1" = 600 -a "$n1" -ge 282 -a "$n1" -le 318 ]
check "-r 50 picks the same sessions on both runs" \
    cmp -s "$W/r1.ports" "$W/r2.ports"

# ---- -c: the target sees mapped client addresses
tc_restart tcpcopy-c -c 10.77.9.0/24
gets 10 cmap > /dev/null
wait_count 30 8 10 tagged tgt cmap
addrs=$(awk -F'|' '$5 ~ /^GET \/cmap\// { split($2, a, ":"); print a[1] }' \
        "$W/tgt/access.log" | sort -u)
log "-c: target saw clients $(echo $addrs)"
check "-c: all 10 requests arrived from 10.77.9.0/24" \
    sh -c "[ $(tagged tgt cmap) = 10 ] &&
           echo '$addrs' | grep -qv '^10\.77\.9\.' && exit 1 || exit 0"

# ---- -M 576: small segments, a 1 MB body intact
tc_restart tcpcopy-m576 -M 576
check_post_1mb "m576-$S"
access_settle onl
wait_count 30 8 1 sh -c "grep -c 'POST /post/m576' '$W/tgt/access.log'"
# the only POST of this script
assert_same_posts \
    "-M 576: the 1 MB POST reached the target whole (same length, 200)"
proc_stop "$TCPCOPY_PID" TERM 10
segs=$(ledger_max "$W/tcpcopy-m576.log" 'segs sent')
check "-M 576: at least 1048576 / 536 segments were sent ($segs)" \
    [ "$segs" -ge 1956 ]

check "intercept still running" proc_alive "$INTERCEPT_PID"
daemon_stop intercept "$INTERCEPT_PID"
t_done
