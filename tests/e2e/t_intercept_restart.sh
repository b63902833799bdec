#!/bin/sh
# t_intercept_restart: paced short-connection traffic runs while intercept
# is stopped for about a second and started again.  tcpcopy must survive
# and reconnect; every request sent after it reconnected must reach the
# target.  The loss during the outage is reported as a figure.

TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/e2e/lib.sh"
trap cleanup EXIT INT TERM

e2e_require nginx wrk
e2e_require_daemons
check "topology up" topo_up || bail "topology"
nginx_start "$NS_ONL" onl && nginx_start "$NS_TGT" tgt ||
    bail "nginx on online host and target"
ok "nginx on online host and target"
replay_up 80

# About 4 x 1000/20 = 200 requests/s, one connection each, for 10 s.
wrk_lua "$W/close.lua" "/ir/$S/" 20 close
e2e_bg "$NS_CLI" "$W/wrk.out" timeout 40 wrk -c 4 -t 1 -d 10s \
    --timeout 2s -s "$W/close.lua" "http://$ONL_IP/"
wrk_pid=$BG_PID
wait_count 10 5 300 access_count onl || log "load slower than expected"

t_down=$(now_s)
proc_stop "$INTERCEPT_PID" TERM 10
wait "$INTERCEPT_PID"
log "intercept stopped (exit $?) at $t_down, online had $(access_count onl)"
show_log intercept 6
# The outage itself: intercept stays away this long on purpose.
sleep 1
intercept_start intercept2 || bail "intercept restarted"
t_up=$(now_s)
ok "intercept restarted"
if wait_until 20 _has_conn "$NS_ONL" "dport = :$CTL_PORT"; then
    t_conn=$(now_s)
    ok "tcpcopy reconnected to the new intercept"
else
    t_conn=$(now_s)
    not_ok "tcpcopy reconnected to the new intercept within 20 s"
fi
log "intercept down $t_down, up $t_up, tcpcopy reconnected $t_conn"
check "tcpcopy survived the intercept restart" proc_alive "$TCPCOPY_PID"

wait_until 40 _proc_gone "$wrk_pid"
wait "$wrk_pid"
wrc=$?
sed 's/^/#   /' "$W/wrk.out"
access_settle onl
n=$(access_count onl)
if [ "$wrc" = 0 ] && [ "$n" -gt 500 ]; then
    ok "load ran across the restart (online $n requests)"
else
    not_ok "load ran across the restart (wrk exit $wrc, online $n)"
fi

wait_access tgt "$n" 60 10
t=$(access_count tgt)
# Margin: sessions that began before tcpcopy reconnected may still be
# mid-handshake; 1 s is far longer than one request takes here.
after=$(add_s "$t_conn" 1.0)
requests onl "$after" > "$W/after.onl"
requests tgt > "$W/all.tgt"
requests onl > "$W/all.onl"
assert_subset "$W/after.onl" "$W/all.tgt" \
    "target got every request sent after tcpcopy reconnected"
# Requests that ended well before intercept went away must all be there.
requests onl 0 "$(add_s "$t_down" -0.5)" > "$W/before.onl"
lost=$(comm -23 "$W/all.onl" "$W/all.tgt" | wc -l)
outage=$(requests onl "$t_down" "$after" | wc -l)
lost_outage=$(requests onl "$t_down" "$after" | comm -23 - "$W/all.tgt" |
              wc -l)
log "FIGURES: online $n, target $t, lost $lost ($(pct "$lost" "$n")%);" \
    "outage window $(add_s "$after" "-$t_down") s: $outage requests online," \
    "$lost_outage lost ($(pct "$lost_outage" "$outage")%)"
assert_subset "$W/before.onl" "$W/all.tgt" \
    "target got every request sent before intercept stopped"

daemon_stop tcpcopy "$TCPCOPY_PID" 20
daemon_stop intercept2 "$INTERCEPT_PID"
t_done
