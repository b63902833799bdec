#!/bin/sh
# t_capture_lost: a libpcap capture (-i DEV) whose every device is deleted
# can never read again.  Both daemons then say "capture lost" and exit 1,
# so that systemd's Restart= opens the capture again once the device is
# back, instead of running on, looking healthy, with nothing to read.
#  1. intercept -i eth0 and tcpcopy -i eth0 on one host, connected;
#  2. eth0 taken down for a second and up again (a link flap), then made a
#     bridge port and freed again, the bridge deleted (the kernel's link
#     events name eth0 as deleted from the bridge): both keep running, and
#     intercept still captures a reply afterwards;
#  3. eth0 taken down, then deleted while down: both exit 1 and log why;
#     tcpcopy logs its final ledger.  (libpcap reports the down and then
#     hears nothing more: the kernel's notice of the deletion is the
#     daemons' own link watch.)

TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/e2e/lib.sh"
trap cleanup EXIT INT TERM

e2e_require_daemons
e2e_require curl

check "two hosts, one link" \
    eval '_ns_add "$NS_ONL" && _ns_add "$NS_TGT" &&
        _link "$NS_ONL" eth0 "$ONL_TGT_IP" "$NS_TGT" eth0 "$TGT_IP"' ||
    bail "topology"

# captured N: intercept's ledger shows at least N captured packets.
captured() {
    [ "$(ledger_max "$W/intercept.log" ' packets')" -ge "$1" ]
}

# reply_from_target: a connection from the online host to port 80 on the
# target, where nothing listens: the target's RST (source port 80) is what
# intercept's filter takes.
reply_from_target() {
    nsx "$NS_ONL" curl -s -m 2 "http://$TGT_IP/" > /dev/null 2>&1
}

up_or_bail intercept "intercept -i eth0 listens" \
    intercept_pcap_start intercept "$NS_ONL" "tcp and src port 80"
ICP_ADDR=127.0.0.1 TCPCOPY_ARGS="-i eth0 $TCPCOPY_ARGS" \
    up_or_bail tcpcopy "tcpcopy -i eth0 connected to intercept" \
    tcpcopy_start tcpcopy "$NS_ONL" "$TGT_IP" 80

# ---- 2. a link flap is not a lost capture
ip -n "$NS_ONL" link set eth0 down
sleep 1
ip -n "$NS_ONL" link set eth0 up
ip -n "$NS_ONL" link add br0 type bridge
ip -n "$NS_ONL" link set eth0 master br0
ip -n "$NS_ONL" link set eth0 nomaster
ip -n "$NS_ONL" link del br0
wait_until 5 eval 'nsx "$NS_ONL" ping -c 1 -W 1 "$TGT_IP" > /dev/null 2>&1'
sleep 1 # the link events' turn
check "eth0 down and up, in and out of a bridge: intercept still runs" \
    proc_alive "$INTERCEPT_PID"
check "... and tcpcopy too" proc_alive "$TCPCOPY_PID"
before=$(ledger_max "$W/intercept.log" ' packets')
reply_from_target
wait_until 10 captured $((before + 1))
check "... and intercept still captures (packets $before -> \
$(ledger_max "$W/intercept.log" ' packets'))" captured $((before + 1))

# ---- 3. the device deleted: nothing will ever be read again
ip -n "$NS_ONL" link set eth0 down
sleep 1
ip -n "$NS_ONL" link del eth0

# assert_lost NAME PID: the daemon ends by itself, exit 1, saying why.
assert_lost() {
    check "eth0 deleted: $1 exits" wait_until 10 _proc_gone "$2"
    # (only once it is gone: wait on a live one would hang the script)
    _st=alive
    if _proc_gone "$2"; then
        wait "$2" 2> /dev/null
        _st=$?
    fi
    check "... with status 1 ($_st)" [ "$_st" = 1 ]
    check "... saying the capture is lost" \
        grep -q "capture lost: no device left" "$W/$1.log"
}
assert_lost intercept "$INTERCEPT_PID"
assert_lost tcpcopy "$TCPCOPY_PID"
check "... after its final ledger" grep -q "ledger (final)" "$W/tcpcopy.log"
show_log intercept 6
show_log tcpcopy 6

t_done
