#!/bin/sh
# t_assist_mtu: tcpcopy -i eth0 -o eth0 (libpcap capture, datalink send)
# when the MTUs differ along the way, offloads on (the capture sees
# GRO-merged segments of up to 64 KB, never sent as they are).
#   1. The target's link has MTU 1280, the online host's 1500: segments
#      must follow the target's MSS (1240).
#   2. The online host's link (the -o device) has MTU 1280, the target's
#      1500: the target announces MSS 1460, but a frame larger than the -o
#      device's MTU cannot leave (EMSGSIZE): segments must fit the device.
# Each part: three 1 MB POSTs to an HTTP sink that logs the SHA-256 of
# every body (the target must log the same bodies as the online host, byte
# for byte), and redis SETs of 100 KB values; no send error in the ledger.

TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/e2e/lib.sh"
trap cleanup EXIT INT TERM

SINK_PORT=8080

e2e_require curl redis-server redis-cli redis-benchmark
[ -n "$PYTHON" ] || t_skip "missing tools: python3"
e2e_require_daemons
check "topology up (one L2 segment)" topo_up_assist || bail "topology"
count_from_target "$NS_CLI"

# sink_start NS NAME: the body-hashing HTTP sink on port 8080 of NS.
sink_start() {
    e2e_bg "$1" "$W/$2.err" "$PYTHON" "$TOP/tests/e2e/sink.py" 0.0.0.0 \
        "$SINK_PORT" "$W/$2.log"
    wait_until 10 port_listens "$1" "$SINK_PORT"
}

sink_count() {
    if [ -f "$W/$1.log" ]; then wc -l < "$W/$1.log"; else echo 0; fi
}

# set_mtu NS MTU: the host's eth0 and its port on the bridge.
set_mtu() {
    ip -n "$1" link set eth0 mtu "$2" &&
        ip -n "$NS_SW" link set "p$(echo "$1" | cut -d- -f1)" mtu "$2"
}

sink_start "$NS_ONL" sonl || bail "sink on online host"
sink_start "$NS_TGT" stgt || bail "sink on target"
redis_start "$NS_ONL" ronl || bail "redis on online host"
redis_start "$NS_TGT" rtgt || bail "redis on target"
ok "HTTP sinks and redis on online host and target"
assist_intercept_up "$SINK_PORT" 6379
for i in 1 2 3; do
    head -c 1048576 /dev/urandom > "$W/body$i.bin"
done

# part NAME: one tcpcopy -i eth0 -o eth0; POSTs and big SETs; checks.
part() {
    PART=$1
    redis_reset ronl && redis_reset rtgt
    # the target's MAC known beforehand: segments go out at the datalink
    # layer from the first one (not through the IP-socket fallback)
    nsx "$NS_ONL" "$PYTHON" -c "import socket
socket.create_connection(('$TGT_IP', 6379), 2).close()" > /dev/null 2>&1
    ICP_ADDR=$AST_IP TCPCOPY_ARGS="-i eth0 -o eth0 $TCPCOPY_ARGS" \
        start_or_bail "tc-$PART" \
        "$PART: tcpcopy -i eth0 -o eth0 connected to intercept" \
        tcpcopy_start "tc-$PART" "$NS_ONL" "$TGT_IP" "$SINK_PORT" 6379
    GOOD=0
    for i in 1 2 3; do
        CODE=$(nsx "$NS_CLI" curl -s -o /dev/null -w '%{http_code}' \
             --max-time 20 --data-binary @"$W/body$i.bin" \
             "http://$ONL_IP:$SINK_PORT/$PART/$i")
        [ "$CODE" = 200 ] && GOOD=$((GOOD + 1))
    done
    check "$PART: three 1 MB POSTs answered online ($GOOD)" [ "$GOOD" = 3 ]
    redis_bench -r 1000 -c 4 -n 400 -d 100000
    check "$PART: redis-benchmark -d 100000 (100 KB values)" [ $? = 0 ]

    wait_count 60 10 "$(sink_count sonl)" sink_count stgt
    grep " /$PART/" "$W/sonl.log" | sort > "$W/$PART.onl"
    grep " /$PART/" "$W/stgt.log" | sort > "$W/$PART.tgt"
    log "online: $(cut -c1-40 "$W/$PART.onl" | tr '\n' ' ')"
    log "target: $(cut -c1-40 "$W/$PART.tgt" | tr '\n' ' ')"
    check "$PART: the target received the three 1 MB bodies byte for byte" \
        sh -c "[ \$(grep -c ' 1048576 ' '$W/$PART.onl') = 3 ] &&
               cmp -s '$W/$PART.onl' '$W/$PART.tgt'"
    assert_sets_replayed "$PART: target saw every 100 KB SET"

    daemon_stop "tc-$PART" "$TCPCOPY_PID" 3
    # ENOBUFS (a full device queue on a loaded machine) is retransmitted
    # like a lost segment: counted and logged here, not an MTU failure.
    ERRS=$(ledger_max "$W/tc-$PART.log" 'send_err')
    NOBUF=$(ledger_max "$W/tc-$PART.log" ' enobufs')
    BIG=$(sed -n 's/.*largest segment \([0-9]*\).*/\1/p' "$W/tc-$PART.log" |
           tail -n 1)
    SENT=$(ledger_max "$W/tc-$PART.log" 'segs sent')
    FB=$(datalink_fallback "$W/tc-$PART.log")
    log "$PART: send errors $ERRS ($NOBUF ENOBUFS); segment size logged:" \
        "${BIG:-none}"
    check "$PART: no send error but ENOBUFS in the ledger ($ERRS, $NOBUF)" \
        [ "$((ERRS - NOBUF))" = 0 ]
    check "$PART: sent at the datalink layer ($FB of $SENT by fallback)" \
        [ "$SENT" -gt 1000 -a "$FB" -lt 20 ]
}

set_mtu "$NS_TGT" 1280 || bail "MTU 1280 on the target's link"
log "part 1: target link MTU 1280, online 1500"
part tmtu
set_mtu "$NS_TGT" 1500 && set_mtu "$NS_ONL" 1280 ||
    bail "MTU 1280 on the online host's link"
log "part 2: online link (-o eth0) MTU 1280, target 1500"
part omtu
check "omtu: segments cut to the -o device's MTU (largest payload ${BIG:-?})" \
    [ "$BIG" = 1240 ]

assert_no_leak
daemon_stop intercept "$INTERCEPT_PID"
t_done
