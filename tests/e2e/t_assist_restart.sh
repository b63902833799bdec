#!/bin/sh
# t_assist_restart: the advanced architecture (intercept -i on an
# assistant the target routes its client replies to) with intercept
# stopped for about a second during paced short-connection traffic and
# started again.  tcpcopy must reconnect and re-announce its routes; every
# request made after it reconnected must reach the target; and the
# requests lost while intercept was away must show in tcpcopy's ledger
# (the control link went down, its routes were not delivered, and each
# lost request's session ended abnormally), never silently.

TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/e2e/lib.sh"
trap cleanup EXIT INT TERM

FILTER='tcp and src port 80'

e2e_require nginx wrk
e2e_require_daemons
check "topology up (one L2 segment, target routes clients via assistant)" \
    topo_up_assist || bail "topology"
count_from_target "$NS_CLI"
nginx_start "$NS_ONL" onl && nginx_start "$NS_TGT" tgt ||
    bail "nginx on online host and target"
ok "nginx on online host and target"
if ! intercept_pcap_start intercept "$NS_AST" "$FILTER"; then
    show_log intercept
    bail "intercept (pcap input) listens on the assistant"
fi
ok "intercept (pcap input) listens on the assistant"
if ! ICP_ADDR=$AST_IP tcpcopy_start tcpcopy "$NS_ONL" "$TGT_IP" 80; then
    show_log tcpcopy
    bail "tcpcopy connected to the assistant's intercept"
fi
ok "tcpcopy connected to the assistant's intercept"

# About 4 x 1000/20 = 200 requests/s, one connection each, for 10 s.
wrk_lua "$W/close.lua" "/ar/$S/" 20 close
e2e_bg "$NS_CLI" "$W/wrk.out" timeout 40 wrk -c 4 -t 1 -d 10s \
    --timeout 2s -s "$W/close.lua" "http://$ONL_IP/"
wrk_pid=$BG_PID
wait_count 10 5 300 access_count onl || log "load slower than expected"

t_down=$(now_s)
proc_stop "$INTERCEPT_PID" TERM 10
wait "$INTERCEPT_PID"
log "intercept stopped (exit $?) at $t_down, online had $(access_count onl)"
# The outage itself: intercept stays away this long on purpose.
sleep 1
intercept_pcap_start intercept2 "$NS_AST" "$FILTER" ||
    bail "intercept restarted on the assistant"
t_up=$(now_s)
ok "intercept restarted on the assistant"
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
    "target got every request made after tcpcopy reconnected"
requests onl 0 "$(add_s "$t_down" -0.5)" > "$W/before.onl"
assert_subset "$W/before.onl" "$W/all.tgt" \
    "target got every request made before intercept stopped"
lost=$(comm -23 "$W/all.onl" "$W/all.tgt" | wc -l)
outage=$(requests onl "$t_down" "$after" | wc -l)
log "FIGURES: online $n, target $t, lost $lost ($(pct "$lost" "$n")%);" \
    "outage window $(add_s "$after" "-$t_down") s: $outage requests online"

leaked=$(from_target_count "$NS_CLI")
check "no packet of the target reached the client ($leaked)" \
    [ "$leaked" = 0 ]
daemon_stop tcpcopy "$TCPCOPY_PID" 20
daemon_stop intercept2 "$INTERCEPT_PID"

# The loss is in the final ledger: the link went down, and every lost
# request (one a connection here) ended a session abnormally.
final=$(grep 'ledger (final)' "$W/tcpcopy.log" | tail -n 1)
_key() {
    echo "$final" | grep -oE "[ |]$1=[0-9]+" | head -n 1 | cut -d= -f2
}
down=$(_key down)
unsent=$(_key unsent)
abnormal=0
for k in target_rst refused syn_timeout retrans_limit idle seq_gap \
         port_reuse memory shutdown; do
    v=$(_key "$k")
    abnormal=$((abnormal + ${v:-0}))
done
log "tcpcopy final ledger: ctl down=$down unsent=$unsent," \
    "sessions ended abnormally=$abnormal; requests lost=$lost"
check "the outage is in tcpcopy's ledger (ctl down=$down)" \
    [ "${down:-0}" -ge 1 ]
check "routes of sessions begun meanwhile counted unsent ($unsent)" \
    [ "${unsent:-0}" -ge 1 ]
check "every lost request is counted ($abnormal abnormal ends >= $lost)" \
    [ "$abnormal" -ge "$lost" ]
t_done
