#!/bin/sh
# t_assist_conns: tcpcopy -C 4 (four control connections to one intercept)
# in the advanced architecture.  The assistant's intercept must report 4
# tcpcopy connections, the replies must arrive on every one of them (each
# session's on the connection its hash picks), the target must log exactly
# what the online host did, and nothing may reach the client.  Then one of
# the four connections is killed (ss -K on the assistant, if the kernel
# allows it): tcpcopy must reconnect it and the requests made afterwards
# must all reach the target too.

TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/e2e/lib.sh"
trap cleanup EXIT INT TERM

e2e_require nginx curl wrk redis-server redis-benchmark
e2e_require_daemons
check "topology up (one L2 segment, target routes clients via assistant)" \
    topo_up_assist || bail "topology"
count_from_target "$NS_CLI"
servers_up nginx redis
assist_intercept_up 80 6379
ICP_ADDR=$AST_IP TCPCOPY_ARGS="-C 4" TCPCOPY_READY=4 start_or_bail tcpcopy \
    "tcpcopy -C 4 connected to the assistant's intercept" \
    tcpcopy_start tcpcopy "$NS_ONL" "$TGT_IP" 80 6379
_four() {
    [ "$(conn_count "$NS_AST" "sport = :$CTL_PORT")" = 4 ]
}
check "intercept has 4 established control connections" wait_until 10 _four
_icp_four() {
    [ "$(grep -o ' conns=[0-9]*' "$W/intercept.log" | tail -n 1)" = \
      " conns=4" ]
}
check "intercept's ledger reports conns=4" wait_until 10 _icp_four

wrk_replayed tgt "/conns/$S/" 2 "target logged every request (-C 4)" "-c 16"
redis_bench_replayed "target saw every SET (-C 4)" -n 20000 -c 10

# Every connection carried replies: the sessions hash over all four.  With
# the 26 sessions above alone, one connection would get none once in ~500
# runs (4 * 0.75^26); 40 short connections more make it ~1 in 40 million.
check_gets 40 conns-hash
access_settle onl
wait_access tgt "$(access_count onl)" 30 10
said=$(grep -cF ": ready replies=" "$W/tcpcopy.log")
ledger_dump tcpcopy "$TCPCOPY_PID"
# the per-connection lines come only with SIGUSR1's ledger (the periodic
# line may be what made the log grow)
wait_until 5 _said_n "$W/tcpcopy.log" ': ready replies=' $((said + 4))
grep 'intercept .*#[0-9]*: ' "$W/tcpcopy.log" | tail -n 4 | sed 's/^/#   /'
busy=0
for k in 0 1 2 3; do
    r=$(grep "#$k: ready replies=" "$W/tcpcopy.log" | tail -n 1 |
        sed 's/.*replies=\([0-9]*\).*/\1/')
    [ "${r:-0}" -gt 0 ] && busy=$((busy + 1))
done
check "replies arrived on all 4 connections ($busy)" [ "$busy" = 4 ]

# One connection killed under tcpcopy: it reconnects by itself.
victim=$(nsx "$NS_AST" ss -Htn state established "sport = :$CTL_PORT" |
         awk 'NR == 1 { print $4 }')
vport=${victim##*:}
said=$(grep -cF 'reconnecting' "$W/tcpcopy.log")
if [ -n "$vport" ] &&
        nsx "$NS_AST" ss -K "sport = :$CTL_PORT" "dport = :$vport" \
            > /dev/null 2>&1 &&
        wait_until 10 _said_n "$W/tcpcopy.log" reconnecting $((said + 1)); then
    ok "one control connection killed (ss -K)"
    check "tcpcopy reconnected it (4 again)" wait_until 20 _four
    before=$(access_count onl)
    gets 40 conns-after > /dev/null
    access_settle onl "$((before + 40))"
    wait_access tgt "$(access_count onl)" 30 10
    assert_same_requests onl tgt "every request after the reconnect"
else
    log "ss -K not available here: the reconnect of one connection is" \
        "not tested"
fi

assert_no_leak
ledger_dump intercept "$INTERCEPT_PID"
delivered=$(ledger_max "$W/intercept.log" 'delivered')
log "intercept delivered $delivered reply headers"
daemon_stop tcpcopy "$TCPCOPY_PID"
daemon_stop intercept "$INTERCEPT_PID"
t_done
