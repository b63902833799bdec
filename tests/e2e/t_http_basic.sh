#!/bin/sh
# t_http_basic: 20 GETs with unique URIs on short connections and one 1 MB
# POST from the client to the online nginx; the target nginx must log the
# same requests (the POST with the same $request_length and status 200).

TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/e2e/lib.sh"
trap cleanup EXIT INT TERM

e2e_require nginx curl
e2e_require_daemons
check "topology up" topo_up || bail "topology"
nginx_start "$NS_ONL" onl || bail "nginx on online host"
nginx_start "$NS_TGT" tgt || bail "nginx on target"
ok "nginx on online host and target"
replay_up 80

good=0
for i in $(seq 1 20); do
    code=$(nsx "$NS_CLI" curl -s -o /dev/null -w '%{http_code}' \
           --max-time 5 "http://$ONL_IP/basic/$S/$i")
    [ "$code" = 200 ] && good=$((good + 1))
done
log "client got $good x 200 of 20"
check "20 GETs answered online" [ "$good" = 20 ]

head -c 1048576 /dev/urandom > "$W/body.bin"
code=$(nsx "$NS_CLI" curl -s -o /dev/null -w '%{http_code}' --max-time 20 \
       -H 'Content-Type: application/octet-stream' \
       --data-binary @"$W/body.bin" "http://$ONL_IP/post/big-$S")
check "1 MB POST answered online (status $code)" [ "$code" = 200 ]

access_settle onl 21
n=$(access_count onl)
check "online nginx logged 21 requests ($n)" [ "$n" = 21 ]
wait_access tgt "$n" 20 8
assert_same_requests onl tgt "target logged the same requests"

post_lines onl > "$W/post.onl"
post_lines tgt > "$W/post.tgt"
log "POST online: $(cat "$W/post.onl")"
log "POST target: $(cat "$W/post.tgt")"
check "1 MB POST on target: status 200, same request_length" \
    sh -c "grep -q '^200|10[0-9]*|POST' '$W/post.tgt' &&
           cmp -s '$W/post.onl' '$W/post.tgt'"

check "intercept still running" proc_alive "$INTERCEPT_PID"
ledger_dump tcpcopy "$TCPCOPY_PID"
check "tcpcopy survives SIGUSR1 (ledger dump)" proc_alive "$TCPCOPY_PID"
daemon_stop tcpcopy "$TCPCOPY_PID"
daemon_stop intercept "$INTERCEPT_PID"
t_done
