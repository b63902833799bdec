#!/bin/sh
# t_assist_pcap: the advanced architecture with tcpcopy's libpcap capture
# (-i eth0) and datalink send (-o eth0, next hop MAC from the neighbour
# table) on the online host; intercept on the assistant (pcap input).
# curl GETs, a 1 MB POST, paced wrk and pipelined redis-benchmark (also
# while tcpcopy is stopped): the target must receive exactly what the
# online host did, nothing of the target may reach the client, and the
# segments must really have gone out at the datalink layer (the IP-socket
# fallback is used only while the target's MAC is unknown).

TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/e2e/lib.sh"
trap cleanup EXIT INT TERM

e2e_require nginx curl wrk redis-server redis-cli redis-benchmark
e2e_require_daemons
check "topology up (one L2 segment)" topo_up_assist || bail "topology"
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
if ! ICP_ADDR=$AST_IP TCPCOPY_ARGS="-i eth0 -o eth0 $TCPCOPY_ARGS" \
        tcpcopy_start tcpcopy "$NS_ONL" "$TGT_IP" 80 6379; then
    show_log tcpcopy
    bail "tcpcopy -i eth0 -o eth0 connected to the assistant's intercept"
fi
ok "tcpcopy -i eth0 -o eth0 connected to the assistant's intercept"

good=0
for i in $(seq 1 20); do
    code=$(nsx "$NS_CLI" curl -s -o /dev/null -w '%{http_code}' \
           --max-time 5 "http://$ONL_IP/pcap/$S/$i")
    [ "$code" = 200 ] && good=$((good + 1))
done
check "20 GETs answered online ($good)" [ "$good" = 20 ]
head -c 1048576 /dev/urandom > "$W/body.bin"
code=$(nsx "$NS_CLI" curl -s -o /dev/null -w '%{http_code}' --max-time 20 \
       -H 'Content-Type: application/octet-stream' \
       --data-binary @"$W/body.bin" "http://$ONL_IP/post/pcap-$S")
check "1 MB POST answered online ($code)" [ "$code" = 200 ]

wrk_lua "$W/uniq.lua" "/pcap-ka/$S/" 2
nsx "$NS_CLI" timeout 30 wrk -c 8 -t 2 -d 3s --timeout 2s -s "$W/uniq.lua" \
    "http://$ONL_IP/" > "$W/wrk.out" 2>&1
rc=$?
grep -E 'Requests/sec' "$W/wrk.out" | sed 's/^/#   /'
access_settle onl
n=$(access_count onl)
check "wrk ran (exit $rc, online logged $n requests)" \
    [ "$rc" = 0 -a "$n" -gt 100 ]
wait_access tgt "$n" 60 10
assert_same_requests onl tgt "target logged every request (pcap + datalink)"
post_lines onl > "$W/post.onl"
post_lines tgt > "$W/post.tgt"
check "1 MB POST on target: same status and request_length" \
    sh -c "grep -q '^200|10[0-9]*|POST' '$W/post.tgt' &&
           cmp -s '$W/post.onl' '$W/post.tgt'"

# Ten pipelined connections at full speed: the libpcap capture must keep
# up like the raw socket (in immediate mode its ring held ~1,000 packets
# and this dropped some, counted as drops= and seq_gap= in the ledger).
nsx "$NS_CLI" timeout 120 redis-benchmark -h "$ONL_IP" -p 6379 -t set \
    -r 100000 -c 10 -n 50000 -P 16 -q > "$W/bench.out" 2>&1
check "redis-benchmark -n 50000 -c 10 -P 16" [ $? = 0 ]
wait_redis ronl rtgt set 60
assert_same_redis ronl rtgt set "target saw every SET (pcap + datalink)"

# The same burst while tcpcopy is stopped (SIGSTOP, as if not scheduled):
# the capture ring must hold all of it until tcpcopy runs again.
redis_reset ronl && redis_reset rtgt
kill -STOP "$TCPCOPY_PID"
nsx "$NS_CLI" timeout 120 redis-benchmark -h "$ONL_IP" -p 6379 -t set \
    -r 100000 -c 10 -n 50000 -P 16 -q > "$W/bench2.out" 2>&1
rc=$?
kill -CONT "$TCPCOPY_PID"
check "redis-benchmark while tcpcopy is stopped" [ "$rc" = 0 ]
wait_redis ronl rtgt set 60
assert_same_redis ronl rtgt set "the ring held the whole burst"

leaked=$(from_target_count "$NS_CLI")
check "no packet of the target reached the client ($leaked)" \
    [ "$leaked" = 0 ]
check "tcpcopy captures with libpcap (packet socket)" \
    _has_capture "$NS_ONL" "$TCPCOPY_PID"

daemon_stop tcpcopy "$TCPCOPY_PID"
sent=$(ledger_max "$W/tcpcopy.log" 'segs sent')
fb=$(sed -n 's/.*datalink sender: \([0-9]*\) segments.*/\1/p' \
     "$W/tcpcopy.log" | tail -n 1)
fb=${fb:-0}
log "segments sent $sent, through the IP-socket fallback $fb"
check "segments went out at the datalink layer ($fb of $sent by fallback)" \
    [ "$sent" -gt 1000 -a "$fb" -lt 20 ]
daemon_stop intercept "$INTERCEPT_PID"
t_done
