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
servers_up nginx redis
assist_replay_up "-i eth0 -o eth0" 80 6379

check_gets 20 pcap
check_post_1mb "pcap-$S"
wrk_replayed tgt "/pcap-ka/$S/" 2 \
    "target logged every request (pcap + datalink)"
assert_same_posts "1 MB POST on target: same status and request_length"

# Ten pipelined connections at full speed: the libpcap capture must keep
# up like the raw socket (in immediate mode its ring held ~1,000 packets
# and this dropped some, counted as drops= and seq_gap= in the ledger).
redis_bench_replayed "target saw every SET (pcap + datalink)" \
    -n 50000 -c 10 -P 16

# The same burst while tcpcopy is stopped (SIGSTOP, as if not scheduled):
# the capture ring must hold all of it until tcpcopy runs again.
redis_reset ronl && redis_reset rtgt
kill -STOP "$TCPCOPY_PID"
redis_bench -n 50000 -c 10 -P 16
rc=$?
kill -CONT "$TCPCOPY_PID"
check "redis-benchmark while tcpcopy is stopped" [ "$rc" = 0 ]
assert_sets_replayed "the ring held the whole burst"

assert_no_leak
check "tcpcopy captures with libpcap (packet socket)" \
    _has_capture "$NS_ONL" "$TCPCOPY_PID"

daemon_stop tcpcopy "$TCPCOPY_PID"
sent=$(ledger_max "$W/tcpcopy.log" 'segs sent')
fb=$(datalink_fallback "$W/tcpcopy.log")
log "segments sent $sent, through the IP-socket fallback $fb"
check "segments went out at the datalink layer ($fb of $sent by fallback)" \
    [ "$sent" -gt 1000 -a "$fb" -lt 20 ]
daemon_stop intercept "$INTERCEPT_PID"
t_done
