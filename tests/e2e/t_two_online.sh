#!/bin/sh
# t_two_online: two online hosts, each with its own client, nginx and
# tcpcopy, feed one target through one intercept.  The target must log
# the sum: exactly the union of what the two online nginx logged.

TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/e2e/lib.sh"
trap cleanup EXIT INT TERM

e2e_require nginx wrk
e2e_require_daemons
check "topology with two online hosts up" topo_up two || bail "topology"
nginx_start "$NS_ONL" onl && nginx_start "$NS_ONL2" onl2 &&
    nginx_start "$NS_TGT" tgt || bail "nginx on both online hosts and target"
ok "nginx on both online hosts and target"
replay_up 80
TCPCOPY1_PID=$TCPCOPY_PID
up_or_bail tcpcopy2 "second tcpcopy connected to intercept" \
    tcpcopy_start tcpcopy2 "$NS_ONL2" "$TGT2_IP" 80
TCPCOPY2_PID=$TCPCOPY_PID
log "intercept has $(conn_count "$NS_TGT" "sport = :$CTL_PORT") control" \
    "connections"

wrk_lua "$W/a.lua" "/two/a/$S/"
wrk_lua "$W/b.lua" "/two/b/$S/"
e2e_bg "$NS_CLI2" "$W/wrk2.out" timeout 30 wrk -c 4 -t 1 -d 3s \
    --timeout 2s -s "$W/b.lua" "http://$ONL2_IP/"
wrk2_pid=$BG_PID
nsx "$NS_CLI" timeout 30 wrk -c 4 -t 1 -d 3s --timeout 2s -s "$W/a.lua" \
    "http://$ONL_IP/" > "$W/wrk.out" 2>&1
rc1=$?
wait_until 30 _proc_gone "$wrk2_pid"
wait "$wrk2_pid"
rc2=$?
access_settle onl
access_settle onl2
na=$(access_count onl)
nb=$(access_count onl2)
if [ "$rc1" = 0 ] && [ "$rc2" = 0 ] && [ "$na" -gt 100 ] &&
   [ "$nb" -gt 100 ]; then
    ok "both clients ran (online $na + online2 $nb requests)"
else
    not_ok "both clients ran (wrk exit $rc1/$rc2, online $na/$nb)"
fi

wait_access tgt $((na + nb)) 60 10
requests onl > "$W/a.onl"
requests onl2 > "$W/b.onl"
sort -m "$W/a.onl" "$W/b.onl" > "$W/sum.onl"
requests tgt > "$W/all.tgt"
ta=$(grep -c "|$CLI_IP:" "$W/tgt/access.log")
tb=$(grep -c "|$CLI2_IP:" "$W/tgt/access.log")
log "online $na + online2 $nb = $((na + nb)); target $(access_count tgt)" \
    "($ta from $CLI_IP, $tb from $CLI2_IP)"
if cmp -s "$W/sum.onl" "$W/all.tgt"; then
    ok "target logged the union of both online hosts ($((na + nb)))"
else
    diff "$W/sum.onl" "$W/all.tgt" | head -n 20 | sed 's/^/#   /'
    not_ok "target logged the union of both online hosts" \
        "($(access_count tgt) of $((na + nb)))"
fi
check "per client: $ta = $na and $tb = $nb" [ "$ta" = "$na" -a "$tb" = "$nb" ]

check "intercept still running" proc_alive "$INTERCEPT_PID"
daemon_stop tcpcopy2 "$TCPCOPY2_PID"
daemon_stop tcpcopy "$TCPCOPY1_PID"
daemon_stop intercept "$INTERCEPT_PID"
t_done
