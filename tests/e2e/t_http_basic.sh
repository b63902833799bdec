#!/bin/sh
# t_http_basic: 20 GETs with unique URIs on short connections and one 1 MB
# POST from the client to the online nginx; the target nginx must log the
# same requests (the POST with the same $request_length and status 200).

TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/e2e/lib.sh"
trap cleanup EXIT INT TERM

http_replay_up curl

check_gets 20 basic
check_post_1mb "big-$S"

access_settle onl 21
n=$(access_count onl)
check "online nginx logged 21 requests ($n)" [ "$n" = 21 ]
wait_access tgt "$n" 20 8
assert_same_requests onl tgt "target logged the same requests"

assert_same_posts "1 MB POST on target: status 200, same request_length"

check "intercept still running" proc_alive "$INTERCEPT_PID"
ledger_dump tcpcopy "$TCPCOPY_PID"
check "tcpcopy survives SIGUSR1 (ledger dump)" proc_alive "$TCPCOPY_PID"
daemon_stop tcpcopy "$TCPCOPY_PID"
daemon_stop intercept "$INTERCEPT_PID"
t_done
