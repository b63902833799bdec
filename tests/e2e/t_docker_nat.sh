#!/bin/sh
# t_docker_nat: a target behind Docker-style NAT, intercept -D.
#
#   cli-$S --- onl-$S --- tgt-$S "docker host" 10.77.2.2 (ip_forward=1)
#                           |  DNAT 10.77.2.2:80 -> 10.77.5.2:8080
#                           +-- ctr-$S "container" 10.77.5.2, nginx :8080
#
# tcpcopy replays port 80 to 10.77.2.2:80, the address it knows.  The
# container answers from 10.77.5.2:8080; on the docker host those replies
# cross the FORWARD chain before the NAT is undone, and a FORWARD NFQUEUE
# rule hands them to intercept, which runs with
# -D 10.77.5.2:8080-10.77.2.2:80 and drops them.  Every request must reach
# the container's nginx, intercept must have rewritten every reply, and no
# reply may leave the docker host toward the clients.  Then intercept runs
# again without -D: the replies reach tcpcopy from the container's own
# address, not its target's; each session takes its replies from what
# answered its SYN, so every request still arrives, and tcpcopy says once
# where the target answers from.

TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/e2e/lib.sh"
trap cleanup EXIT INT TERM

NS_CTR=ctr-$S
CTR_IP=10.77.5.2
HOST_CTR_IP=10.77.5.1

e2e_require nginx curl wrk
e2e_require_daemons
check "topology up" topo_up || bail "topology"
_ctr_up() {
    _ns_add "$NS_CTR" || return 1
    _link "$NS_TGT" dock0 "$HOST_CTR_IP" "$NS_CTR" eth0 "$CTR_IP" || return 1
    ip -n "$NS_CTR" route add default via "$HOST_CTR_IP" || return 1
    _sysctl_host "$NS_CTR" 0
    # the docker host: forwards, DNATs its port 80 to the container
    _sysctl_host "$NS_TGT" 1
    nsx "$NS_TGT" iptables -t nat -A PREROUTING -d "$TGT_IP" -p tcp \
        --dport 80 -j DNAT --to-destination "$CTR_IP:8080" || return 1
    # what left the docker host toward the clients (must stay 0)
    nsx "$NS_TGT" iptables -t mangle -A POSTROUTING -d 10.77.1.0/24 -p tcp \
        -j ACCEPT
}
check "container namespace behind DNAT on the target" _ctr_up ||
    bail "container"
count_from_target "$NS_CLI"

nginx_start "$NS_ONL" onl || bail "nginx on online host"
mkdir -p "$W/ctr"
_nginx_conf "$W/ctr" | sed 's/^\( *\)listen 80 backlog=65535;/&\n\1listen 8080;/' \
    > "$W/ctr/nginx.conf"
nginx_start "$NS_CTR" ctr && port_listens "$NS_CTR" 8080 ||
    bail "nginx in the container on :8080"
ok "nginx on online host and in the container (:8080)"

nsx "$NS_TGT" iptables -I FORWARD -p tcp -s "$CTR_IP" --sport 8080 \
    -j NFQUEUE || bail "FORWARD NFQUEUE rule on the docker host"
INTERCEPT_ARGS="-D $CTR_IP:8080-$TGT_IP:80" up_or_bail intercept \
    "intercept -D $CTR_IP:8080-$TGT_IP:80 listens on the docker host" \
    intercept_start
up_or_bail tcpcopy "tcpcopy connected to intercept" \
    tcpcopy_start tcpcopy "$NS_ONL" "$TGT_IP" 80

check_gets 20 nat
wrk_replayed ctr "/nat-ka/$S/" 2 "the container's nginx logged every request"
addrs=$(awk -F'|' '{ split($2, a, ":"); print a[1] }' "$W/ctr/access.log" |
        sort -u | tr '\n' ' ')
check "the container saw the real client address ($addrs)" \
    [ "$addrs" = "$CLI_IP " ]

out=$(nsx "$NS_TGT" iptables -t mangle -nvxL POSTROUTING |
      awk '$3 == "ACCEPT" { n += $1 } END { print n + 0 }')
check "no reply left the docker host toward the clients ($out)" \
    [ "$out" = 0 ]
assert_no_leak

ledger_dump intercept "$INTERCEPT_PID"
tcp=$(grep -o ' tcp=[0-9]*' "$W/intercept.log" | tail -n 1 | cut -d= -f2)
nat=$(grep -o ' nat_rewritten=[0-9]*' "$W/intercept.log" | tail -n 1 |
      cut -d= -f2)
log "intercept: tcp=$tcp nat_rewritten=$nat"
check "intercept rewrote every reply's source ($nat of $tcp)" \
    [ "${nat:-0}" -gt 0 -a "$nat" = "$tcp" ]
# ---- without -D
daemon_stop intercept "$INTERCEPT_PID"
INTERCEPT_ARGS= up_or_bail intercept "intercept again, without -D" \
    intercept_start
check "tcpcopy reconnected" \
    wait_until 20 _said_n "$W/tcpcopy.log" ': connected (' 2
wrk_replayed ctr "/nonat-ka/$S/" 2 \
    "without -D: the container's nginx logged every request"
check "... tcpcopy said where the target answers from" \
    grep -q "the target $TGT_IP:80 answers from $CTR_IP:8080" \
    "$W/tcpcopy.log"
check "... and took no reply for another connection's (foreign=0)" \
    [ "$(ledger_max "$W/tcpcopy.log" 'foreign')" = 0 ]
daemon_stop tcpcopy "$TCPCOPY_PID"
daemon_stop intercept "$INTERCEPT_PID"
t_done
