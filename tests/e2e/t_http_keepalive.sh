#!/bin/sh
# t_http_keepalive: wrk, 8 keep-alive connections for 3 s, every request a
# unique URI; every request the online nginx logged must reach the target.

TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/e2e/lib.sh"
trap cleanup EXIT INT TERM

e2e_require nginx wrk
e2e_require_daemons
check "topology up" topo_up || bail "topology"
nginx_start "$NS_ONL" onl || bail "nginx on online host"
nginx_start "$NS_TGT" tgt || bail "nginx on target"
ok "nginx on online host and target"
replay_up 80

wrk_lua "$W/uniq.lua" "/ka/$S/"
nsx "$NS_CLI" timeout 30 wrk -c 8 -t 2 -d 3s --timeout 2s -s "$W/uniq.lua" \
    "http://$ONL_IP/" > "$W/wrk.out" 2>&1
rc=$?
sed 's/^/#   /' "$W/wrk.out"
access_settle onl
n=$(access_count onl)
if [ "$rc" = 0 ] && [ "$n" -gt 100 ]; then
    ok "wrk ran (online logged $n requests)"
else
    not_ok "wrk ran (exit $rc, online logged $n requests)"
fi

wait_access tgt "$n" 60 10
assert_same_requests onl tgt "target logged every keep-alive request"
conns=$(awk -F'|' '{print $2}' "$W/onl/access.log" | sort -u | wc -l)
tconns=$(awk -F'|' '{print $2}' "$W/tgt/access.log" 2> /dev/null |
         sort -u | wc -l)
log "client connections: online $conns, target $tconns"
check "same client address:port set on target ($conns connections)" \
    [ "$conns" = "$tconns" ]

check "intercept still running" proc_alive "$INTERCEPT_PID"
daemon_stop tcpcopy "$TCPCOPY_PID"
daemon_stop intercept "$INTERCEPT_PID"
t_done
