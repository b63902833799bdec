#!/bin/sh
# tests/demo.sh (make demo): a one-minute tour.  Builds a client, an online
# host and a target in network namespaces, runs nginx on both servers,
# intercept on the target and tcpcopy on the online host, sends 20 curl
# requests from the client to the online nginx and shows that the target's
# nginx received the same requests.  Needs root; cleans up after itself
# (KEEP=1 keeps the logs).  Exit status 0 if the target got them all.

TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/e2e/lib.sh"
trap cleanup EXIT INT TERM

say() {
    printf '\n== %s\n' "$*"
}

die() {
    echo "demo: $*" >&2
    T_DONE=1
    exit 1
}

excerpt() {
    awk -F'|' '{ printf "  %s  %-18s %s  %s\n", $1, $2, $3, $5 }' \
        "$W/$1/access.log" 2> /dev/null | head -n 25
}

# root, the tools and both daemons, or it stops here (exit 4, saying why)
e2e_require nginx curl
e2e_require_daemons

say "topology (network namespaces *-$S)"
echo "   client       $NS_CLI  $CLI_IP"
echo "     |"
echo "   online host  $NS_ONL  $ONL_IP, $ONL_TGT_IP   nginx :80 + tcpcopy"
echo "     |"
echo "   target       $NS_TGT  $TGT_IP              nginx :80 + intercept"
topo_up || die "could not build the topology"

say "nginx on the online host and on the target"
nginx_start "$NS_ONL" onl || die "nginx on the online host did not start"
nginx_start "$NS_TGT" tgt || die "nginx on the target did not start"
echo "both listen on :80; logs in $W/onl and $W/tgt"

say "target: iptables -I OUTPUT -p tcp --sport 80 -j NFQUEUE; intercept"
nfqueue_rules "$NS_TGT" 80 || die "iptables NFQUEUE rule failed"
if ! intercept_start; then
    tail "$W/intercept.log"
    die "intercept did not start"
fi
echo "intercept (pid $INTERCEPT_PID) listens on $TGT_IP:$CTL_PORT"

say "online host: tcpcopy -x 80-$TGT_IP:80 -s $TGT_IP"
if ! tcpcopy_start tcpcopy "$NS_ONL" "$TGT_IP" 80; then
    tail "$W/tcpcopy.log"
    die "tcpcopy did not connect to intercept"
fi
echo "tcpcopy (pid $TCPCOPY_PID) captures port 80 and is connected"

say "client: 20 requests to http://$ONL_IP/demo/$S/<n>"
echo "the client got $(gets 20 demo) answers with status 200" \
    "(from the online host)"

access_settle onl 20
n=$(access_count onl)
wait_access tgt "$n" 15 5
t=$(access_count tgt)

say "online access log ($ONL_IP): time, client, status, request"
excerpt onl
say "target access log ($TGT_IP): time, client, status, request"
excerpt tgt

ledger_dump tcpcopy "$TCPCOPY_PID"
ledger_dump intercept "$INTERCEPT_PID"
proc_stop "$TCPCOPY_PID" TERM 10
proc_stop "$INTERCEPT_PID" TERM 10
say "tcpcopy ledger (final)"
grep 'ledger' "$W/tcpcopy.log" | tail -n 1 | sed 's/ | /\n    /g' | fold -s -w 78
say "intercept ledger (final)"
grep 'ledger' "$W/intercept.log" | tail -n 1 | fold -s -w 78

requests onl > "$W/onl.list"
requests tgt > "$W/tgt.list"
say "result"
echo "online received $n requests; target received $t requests"
T_DONE=1
if [ "$n" -gt 0 ] && cmp -s "$W/onl.list" "$W/tgt.list"; then
    echo "demo: OK, the target received exactly what the online host did"
    exit 0
fi
echo "demo: the target did not receive the same requests" \
    "(run with KEEP=1 to keep the logs)"
exit 1
