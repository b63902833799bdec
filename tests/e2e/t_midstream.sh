#!/bin/sh
# t_midstream: 5 keep-alive HTTP connections and 5 redis connections are
# opened (and used) BEFORE tcpcopy starts; after it started, 20 more
# requests go on each.  tcpcopy never saw those handshakes, yet the target
# must receive every request sent after it started.

TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/e2e/lib.sh"
trap cleanup EXIT INT TERM

K=5
POST=20
e2e_require nginx redis-server redis-cli
[ -n "$PYTHON" ] || t_skip "missing tools: python3"
e2e_require_daemons
check "topology up" topo_up || bail "topology"
servers_up nginx redis
nfqueue_rules "$NS_TGT" 80 6379 || bail "NFQUEUE rules"
up_or_bail intercept "intercept listens on :$CTL_PORT" intercept_start

tag=mid$S
e2e_bg "$NS_CLI" "$W/conns.http.log" timeout 90 "$PYTHON" \
    "$TOP/tests/e2e/conns.py" http "$ONL_IP" 80 $K --pre 2 --post $POST \
    --tag "$tag" --ready "$W/ready.http" --go "$W/go" --wait 60
http_pid=$BG_PID
e2e_bg "$NS_CLI" "$W/conns.redis.log" timeout 90 "$PYTHON" \
    "$TOP/tests/e2e/conns.py" redis "$ONL_IP" 6379 $K --pre 2 --post $POST \
    --tag "$tag" --ready "$W/ready.redis" --go "$W/go" --wait 60
redis_pid=$BG_PID
if wait_until 20 test -f "$W/ready.http" -a -f "$W/ready.redis"; then
    ok "$K HTTP and $K redis connections open and used before tcpcopy"
else
    cat "$W"/conns.*.log | sed 's/^/#   /'
    bail "client connections open before tcpcopy"
fi
pre_http=$(access_count onl)
log "online before tcpcopy: $pre_http HTTP requests," \
    "$(redis_calls ronl set) SETs"

up_or_bail tcpcopy "tcpcopy connected to intercept" \
    tcpcopy_start tcpcopy "$NS_ONL" "$TGT_IP" 80 6379
touch "$W/go"
wait_until 60 _proc_gone "$http_pid"
wait "$http_pid"
hrc=$?
wait_until 60 _proc_gone "$redis_pid"
wait "$redis_pid"
rrc=$?
cat "$W"/conns.*.log | sed 's/^/#   /'
if [ "$hrc" = 0 ] && [ "$rrc" = 0 ]; then
    ok "$POST more requests on each held connection answered online"
else
    not_ok "requests on held connections (exit http $hrc, redis $rrc)"
fi

# HTTP: the "post" requests online must all be on the target.
access_settle onl
want=$((K * POST))
wait_count 30 10 "$want" access_count tgt
requests onl | grep "/$tag/post/" > "$W/mid.onl"
requests tgt | grep "/$tag/post/" > "$W/mid.tgt"
log "HTTP requests after tcpcopy started: online $(wc -l < "$W/mid.onl")," \
    "target $(wc -l < "$W/mid.tgt");" \
    "target total $(access_count tgt)"
if [ "$(wc -l < "$W/mid.onl")" = "$want" ]; then
    assert_subset "$W/mid.onl" "$W/mid.tgt" \
        "target got the HTTP requests sent mid-stream"
else
    not_ok "online logged $want mid-stream HTTP requests"
fi

# redis: the target must hold exactly the keys SET after tcpcopy started.
wait_count 30 10 "$want" redis_calls rtgt set
tk=$(rcli rtgt KEYS "$tag:post:*" | grep -c .)
ok_keys=$(rcli ronl KEYS "$tag:post:*" | grep -c .)
log "redis SETs: online $(redis_calls ronl set), target" \
    "$(redis_calls rtgt set); post keys online $ok_keys, target $tk"
if [ "$ok_keys" = "$want" ] && [ "$tk" = "$want" ]; then
    ok "target got the redis SETs sent mid-stream ($tk of $want)"
else
    not_ok "target got the redis SETs sent mid-stream ($tk of $ok_keys)"
fi

check "intercept still running" proc_alive "$INTERCEPT_PID"
daemon_stop tcpcopy "$TCPCOPY_PID"
daemon_stop intercept "$INTERCEPT_PID"
t_done
