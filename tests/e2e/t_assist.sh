#!/bin/sh
# t_assist: the advanced architecture.  Client, online host, target and an
# assistant share one L2 segment; the target runs nothing of ours and
# routes the client network via the assistant, whose intercept captures
# the replies with libpcap (-i eth0 -F 'tcp and (src port 80 or 6379)')
# and whose kernel discards them (ip_forward=0).  tcpcopy on the online
# host uses -s ASSISTANT.  curl, wrk and redis-benchmark from the client:
# the target must receive exactly what the online host did, and no packet
# of the target may reach the client.

TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/e2e/lib.sh"
trap cleanup EXIT INT TERM

e2e_require nginx curl wrk redis-server redis-cli redis-benchmark
e2e_require_daemons
check "topology up (one L2 segment, target routes clients via assistant)" \
    topo_up_assist || bail "topology"
check "assistant does not forward" \
    [ "$(nsx "$NS_AST" sysctl -n net.ipv4.ip_forward)" = 0 ]
count_from_target "$NS_CLI"
servers_up nginx redis
assist_replay_up "" 80 6379

check_gets 20 assist
# Paced (2 ms between requests per connection): this test is about the
# architecture, t_http_keepalive and the benchmark about full speed.
wrk_replayed tgt "/assist-ka/$S/" 2 \
    "target logged every request (via assistant)"
redis_bench_replayed "target saw every SET (via assistant)" -n 20000 -c 10

assert_no_leak

code=$(nsx "$NS_CLI" curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
       "http://$ONL_IP/assist/$S/after")
check "client's own connections to online still fine ($code)" \
    [ "$code" = 200 ]

ledger_dump intercept "$INTERCEPT_PID"
delivered=$(ledger_max "$W/intercept.log" 'delivered')
log "intercept delivered $delivered reply headers"
check "intercept delivered reply headers ($delivered)" [ "$delivered" -gt 0 ]
check "intercept still running" proc_alive "$INTERCEPT_PID"
daemon_stop tcpcopy "$TCPCOPY_PID"
daemon_stop intercept "$INTERCEPT_PID"
t_done
