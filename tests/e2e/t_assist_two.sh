#!/bin/sh
# t_assist_two: two assistants.  The target routes replies to 10.77.1.0/25
# via assistant 1 and to 10.77.1.128/25 via assistant 2; each runs
# intercept with the pcap input; tcpcopy uses -s AST1,AST2.  Clients from
# both halves (10.77.1.2 and 10.77.1.200): the target must log every
# request, and each intercept must have delivered replies.

TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/e2e/lib.sh"
trap cleanup EXIT INT TERM

e2e_require nginx curl
e2e_require_daemons
check "topology up (two assistants, replies split by route)" \
    topo_up_assist two || bail "topology"
ip -n "$NS_CLI" addr add 10.77.1.200/24 dev eth0 || bail "second client address"
count_from_target "$NS_CLI"
servers_up nginx

for a in 1 2; do
    ns=$NS_AST
    [ $a = 2 ] && ns=$NS_AST2
    start_or_bail "intercept$a" "intercept $a (pcap input) listens" \
        intercept_pcap_start "intercept$a" "$ns" 'tcp and src port 80'
    eval "ICP_PID$a=\$INTERCEPT_PID"
done
ok "intercept on both assistants"
ICP_ADDR="$AST_IP,$AST2_IP" TCPCOPY_READY=2 up_or_bail tcpcopy \
    "tcpcopy -s $AST_IP,$AST2_IP connected" \
    tcpcopy_start tcpcopy "$NS_ONL" "$TGT_IP" 80

good=0
for i in $(seq 1 20); do
    for src in "$CLI_IP" 10.77.1.200; do
        code=$(nsx "$NS_CLI" curl -s -o /dev/null -w '%{http_code}' \
               --interface "$src" --max-time 5 \
               "http://$ONL_IP/two/$S/$src/$i")
        [ "$code" = 200 ] && good=$((good + 1))
    done
done
check "40 GETs from both client halves answered online ($good)" \
    [ "$good" = 40 ]
access_settle onl 40
wait_access tgt "$(access_count onl)" 20 8
assert_same_requests onl tgt "target logged every request (two assistants)"
assert_no_leak

daemon_stop tcpcopy "$TCPCOPY_PID"
daemon_stop intercept1 "$ICP_PID1"
daemon_stop intercept2 "$ICP_PID2"
# the final ledgers: every reply header each assistant delivered
d1=$(ledger_max "$W/intercept1.log" ' delivered')
d2=$(ledger_max "$W/intercept2.log" ' delivered')
log "replies delivered: assistant 1 $d1, assistant 2 $d2"
check "both assistants delivered replies ($d1, $d2)" \
    [ "$d1" -gt 0 -a "$d2" -gt 0 ]
t_done
