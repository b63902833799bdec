#!/bin/sh
# t_check: tcpcopy --check on both architectures.  Each case breaks one
# thing and asserts the plain-words message (not only the exit status),
# and what reached the target (the probe's SYNs, counted by a raw-table
# rule there; no request in its access log; no half-open connection left).
#
# Traditional (topo_up, intercept with NFQUEUE on the target):
#   (a) all right: exit 0, three ok lines; then a real replay works
#   (e) nginx stopped on the target: port closed
#   (d) the NFQUEUE rule deleted: the rule named, with the command
#   (b) intercept stopped: its address named
# Advanced (topo_up_assist, intercept -i on the assistant):
#   (a) all right with --check-src, and with -c and -o (datalink send)
#       the default source (this host's address): --check-src explained
#   (c) the target's route for the clients' network deleted: the route

TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/e2e/lib.sh"
trap cleanup EXIT INT TERM

e2e_require nginx curl
e2e_require_daemons

# run_check NAME LABEL ok|fails ARGS...: tcpcopy -x "$X" ARGS --check in
# the online namespace, output in $W/NAME.out (shown as comments), exit
# status in RC; checks "LABEL exit status 0" (ok) or "... non-zero" (fails).
run_check() {
    _n=$1
    _l=$2
    _want=$3
    shift 3
    nsx "$NS_ONL" timeout 30 "$TCPCOPY" -x "$X" "$@" --check \
        > "$W/$_n.out" 2>&1
    RC=$?
    sed 's/^/#   /' "$W/$_n.out"
    if [ "$_want" = ok ]; then
        check "$_l exit status 0 ($RC)" [ "$RC" = 0 ]
    else
        check "$_l exit status non-zero ($RC)" [ "$RC" != 0 ]
    fi
}

# says NAME TEXT: the output of check NAME contains TEXT (fixed string).
says() {
    grep -qF -- "$2" "$W/$1.out"
}

# syn_count NS: SYNs to port 80 that reached NS (raw-table counter).
syn_count() {
    nsx "$1" iptables -t raw -nvxL PREROUTING |
        awk '/tcp dpt:80 flags:0x17\/0x02/ { n += $1 } END { print n + 0 }'
}

count_syns() {
    nsx "$1" iptables -t raw -I PREROUTING -p tcp --dport 80 --syn -j ACCEPT
}

# half_open NS: connections to port 80 in SYN-RECV (a probe not cleaned).
half_open() {
    nsx "$1" ss -Htn state syn-recv "sport = :80" 2> /dev/null | wc -l
}

_no_half_open() {
    [ "$(half_open "$1")" = 0 ]
}

X="80-$TGT_IP:80"

# ---------------------------------------------------------------- traditional

check "topology up (intercept on the target)" topo_up || bail "topology"
nginx_start "$NS_ONL" onl || bail "nginx on online host"
nginx_start "$NS_TGT" tgt || bail "nginx on target"
nfqueue_rules "$NS_TGT" 80 || bail "NFQUEUE rule on target"
count_syns "$NS_TGT"
start_or_bail intercept "intercept listens on :$CTL_PORT" intercept_start
ok "nginx on both, NFQUEUE rule and intercept on the target"

log "(a) everything right"
syn0=$(syn_count "$NS_TGT")
run_check good "(a)" ok -s "$TGT_IP"
check "(a) step 1 ok: intercept reachable, same protocol" \
    says good "[1/3] intercept $TGT_IP:$CTL_PORT: ok, control protocol 1"
check "(a) step 2 ok: NFQUEUE report with ip_forward and rp_filter" \
    sh -c "grep -F '[2/3] intercept $TGT_IP:$CTL_PORT reports: ok, NFQUEUE 0' \
        '$W/good.out' | grep -q 'ip_forward 0, rp_filter all 0'"
check "(a) step 3 ok: the target answers via intercept" \
    says good "ok, the target answers (SYN-ACK seen by intercept $TGT_IP"
check "(a) summary: all ok" says good "tcpcopy --check: all ok"
syn1=$(syn_count "$NS_TGT")
check "(a) the probe's SYN reached the target ($syn0 -> $syn1)" \
    [ "$syn1" -gt "$syn0" ]
check "(a) the probe left no half-open connection on the target" \
    wait_until 5 _no_half_open "$NS_TGT"
check "(a) the probe made no request on the target ($(access_count tgt))" \
    [ "$(access_count tgt)" = 0 ]

# exit 0 means replay works: the same options replay for real
start_or_bail tcpcopy "tcpcopy connected to intercept" \
    tcpcopy_start tcpcopy "$NS_ONL" "$TGT_IP" 80
gets 5 check > /dev/null
access_settle onl 5
wait_access tgt 5 20 8
assert_same_requests onl tgt "(a) then tcpcopy replays every request"
daemon_stop tcpcopy "$TCPCOPY_PID" 3

log "(e) target port closed"
nginx_stop tgt
run_check closed "(e)" fails -s "$TGT_IP"
check "(e) says the target refused the connection (RST via intercept)" \
    says closed "FAILED: the target refused the connection (RST, seen by intercept"
check "(e) says nothing listens on port 80" \
    says closed "nothing listens on port 80"
nginx_start "$NS_TGT" tgt || bail "nginx on target again"

log "(d) NFQUEUE rule missing"
nsx "$NS_TGT" iptables -D OUTPUT -p tcp --sport 80 -j NFQUEUE
run_check norule "(d)" fails -s "$TGT_IP"
check "(d) says the reply bypassed intercept and reached this host" \
    says norule "reached this host instead of intercept"
check "(d) names the NFQUEUE rule" \
    says norule "the iptables NFQUEUE rule on the target is missing"
check "(d) gives the rule to add" \
    says norule "Fix, on the target: iptables -I OUTPUT -p tcp --sport 80 -j NFQUEUE"
check "(d) the probe left no half-open connection on the target" \
    wait_until 5 _no_half_open "$NS_TGT"
nfqueue_rules "$NS_TGT" 80 || bail "NFQUEUE rule back"

log "(b) no intercept running"
daemon_stop intercept "$INTERCEPT_PID" 3
run_check noicp "(b)" fails -s "$TGT_IP"
check "(b) names the intercept's address and port" \
    says noicp "cannot connect to intercept at $TGT_IP port $CTL_PORT"
check "(b) says how to fix it" says noicp "start intercept on $TGT_IP"
check "(b) no probe without intercept" \
    says noicp "[3/3] probe: skipped (no intercept reachable)"
check "(b) the target still served nothing but the replay ($(access_count tgt))" \
    [ "$(access_count tgt)" = 5 ]

# ---------------------------------------------------------------- assistant

topo_down # the assistant topology reuses the names
check "topology up (assistant: target routes the clients via it)" \
    topo_up_assist || bail "assistant topology"
nginx_start "$NS_TGT" tgt2 || bail "nginx on target"
count_syns "$NS_TGT"
count_from_target "$NS_CLI"
start_or_bail intercept2 "intercept (pcap input) listens on the assistant" \
    intercept_pcap_start intercept2 "$NS_AST" 'tcp and src port 80'
ok "intercept (pcap input) on the assistant"
PROBE_SRC=10.77.1.50

log "(a) assistant, everything right"
syn0=$(syn_count "$NS_TGT")
run_check agood "(a) assistant:" ok -s "$AST_IP" --check-src "$PROBE_SRC"
check "(a) assistant: step 1 ok" \
    says agood "[1/3] intercept $AST_IP:$CTL_PORT: ok, control protocol 1"
check "(a) assistant: step 2 reports libpcap and ip_forward 0" \
    sh -c "grep -F 'reports: ok, libpcap on eth0' '$W/agood.out' |
        grep -q 'ip_forward 0'"
check "(a) assistant: step 3 ok, from $PROBE_SRC" \
    says agood "probe $PROBE_SRC:"
check "(a) assistant: the target answers via intercept" \
    says agood "ok, the target answers (SYN-ACK seen by intercept $AST_IP"
syn1=$(syn_count "$NS_TGT")
check "(a) assistant: the probe's SYN reached the target ($syn0 -> $syn1)" \
    [ "$syn1" -gt "$syn0" ]

run_check adl "(a) assistant, -c and -o:" ok \
    -s "$AST_IP" -c 10.77.1.200,10.77.1.201 -o eth0
check "(a) assistant, -c and -o: the probe comes from the first -c address" \
    says adl "probe 10.77.1.200:"
check "(a) assistant, -c and -o: the target answers" \
    says adl "ok, the target answers"

log "assistant, probe from this host's own address"
run_check asrc "default source:" fails -s "$AST_IP"
check "default source: explains --check-src" \
    says asrc "--check-src must be an address of the clients' network"

log "(c) no route to the assistant on the target"
ip -n "$NS_TGT" route del 10.77.1.0/24 via "$AST_IP" || bail "route del"
syn0=$(syn_count "$NS_TGT")
run_check noroute "(c)" fails -s "$AST_IP" --check-src "$PROBE_SRC"
check "(c) says no reply was seen by intercept" \
    says noroute "no reply of the target to the probe was seen by intercept"
check "(c) says the assistant captured nothing" \
    says noroute "The assistant captured nothing during the probe"
check "(c) suggests the route via the assistant" \
    says noroute "ip route add CLIENTS_NET via $AST_IP"
syn1=$(syn_count "$NS_TGT")
check "(c) the probe's SYN did reach the target ($syn0 -> $syn1)" \
    [ "$syn1" -gt "$syn0" ]
check "(c) the probe left no half-open connection on the target" \
    wait_until 5 _no_half_open "$NS_TGT"
ip -n "$NS_TGT" route add 10.77.1.0/24 via "$AST_IP" || bail "route back"

assert_no_leak
check "no probe made a request on the target ($(access_count tgt2))" \
    [ "$(access_count tgt2)" = 0 ]
check "intercept on the assistant still running" proc_alive "$INTERCEPT_PID"
grep -c 'checked the path' "$W/intercept2.log" > "$W/n_checks"
check "intercept logged each check ($(cat "$W/n_checks"))" \
    [ "$(cat "$W/n_checks")" -ge 4 ]
daemon_stop intercept2 "$INTERCEPT_PID" 3
t_done
