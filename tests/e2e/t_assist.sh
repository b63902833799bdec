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
nginx_start "$NS_ONL" onl || bail "nginx on online host"
nginx_start "$NS_TGT" tgt || bail "nginx on target"
redis_start "$NS_ONL" ronl || bail "redis on online host"
redis_start "$NS_TGT" rtgt || bail "redis on target"
redis_reset ronl && redis_reset rtgt
ok "nginx and redis on online host and target"

if ! intercept_pcap_start intercept "$NS_AST" \
        'tcp and (src port 80 or src port 6379)'; then
    show_log intercept
    bail "intercept (pcap input) listens on the assistant"
fi
ok "intercept (pcap input) listens on the assistant"
if ! ICP_ADDR=$AST_IP tcpcopy_start tcpcopy "$NS_ONL" "$TGT_IP" 80 6379
then
    show_log tcpcopy
    bail "tcpcopy connected to the assistant's intercept"
fi
ok "tcpcopy connected to the assistant's intercept"

good=0
for i in $(seq 1 20); do
    code=$(nsx "$NS_CLI" curl -s -o /dev/null -w '%{http_code}' \
           --max-time 5 "http://$ONL_IP/assist/$S/$i")
    [ "$code" = 200 ] && good=$((good + 1))
done
check "20 GETs answered online ($good)" [ "$good" = 20 ]

# Paced (2 ms between requests per connection): this test is about the
# architecture, t_http_keepalive and the benchmark about full speed.
wrk_lua "$W/uniq.lua" "/assist-ka/$S/" 2
nsx "$NS_CLI" timeout 30 wrk -c 8 -t 2 -d 3s --timeout 2s -s "$W/uniq.lua" \
    "http://$ONL_IP/" > "$W/wrk.out" 2>&1
rc=$?
grep -E 'Requests/sec|requests in' "$W/wrk.out" | sed 's/^/#   /'
access_settle onl
n=$(access_count onl)
check "wrk ran (exit $rc, online logged $n requests)" \
    [ "$rc" = 0 -a "$n" -gt 100 ]
wait_access tgt "$n" 60 10
assert_same_requests onl tgt "target logged every request (via assistant)"

nsx "$NS_CLI" timeout 120 redis-benchmark -h "$ONL_IP" -p 6379 -t set \
    -r 100000 -c 10 -n 20000 -q > "$W/bench.out" 2>&1
check "redis-benchmark -n 20000 -c 10" [ $? = 0 ]
wait_redis ronl rtgt set 60
assert_same_redis ronl rtgt set "target saw every SET (via assistant)"

leaked=$(from_target_count "$NS_CLI")
check "no packet of the target reached the client ($leaked)" \
    [ "$leaked" = 0 ]
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
