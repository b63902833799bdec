#!/bin/sh
# t_http_keepalive: wrk, 8 keep-alive connections for 3 s, every request a
# unique URI; every request the online nginx logged must reach the target.

TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/e2e/lib.sh"
trap cleanup EXIT INT TERM

http_replay_up wrk

# full speed (no delay)
wrk_replayed tgt "/ka/$S/" 0 "target logged every keep-alive request"
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
