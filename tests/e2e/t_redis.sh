#!/bin/sh
# t_redis: redis-benchmark SETs with random keys, plain (-c 10) and
# pipelined (-P 16); the target redis must count as many SET calls as the
# online one and hold as many keys.

TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/e2e/lib.sh"
trap cleanup EXIT INT TERM

e2e_require redis-server redis-cli redis-benchmark
e2e_require_daemons
check "topology up" topo_up || bail "topology"
servers_up redis
check "both redis empty" [ "$(rcli ronl DBSIZE)$(rcli rtgt DBSIZE)" = 00 ]
replay_up 6379

redis_bench_replayed "target saw every SET (plain)" -n 20000 -c 10
redis_bench_replayed "target saw every SET (plain + pipelined)" \
    -n 50000 -c 10 -P 16

check "intercept still running" proc_alive "$INTERCEPT_PID"
daemon_stop tcpcopy "$TCPCOPY_PID"
daemon_stop intercept "$INTERCEPT_PID"
t_done
