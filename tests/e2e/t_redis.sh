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
redis_start "$NS_ONL" ronl || bail "redis on online host"
redis_start "$NS_TGT" rtgt || bail "redis on target"
ok "redis on online host and target"
redis_reset ronl && redis_reset rtgt
check "both redis empty" [ "$(rcli ronl DBSIZE)$(rcli rtgt DBSIZE)" = 00 ]
replay_up 6379

bench() {
    # bench DESC ARGS...: one bounded redis-benchmark run from the client.
    _d=$1
    shift
    nsx "$NS_CLI" timeout 120 redis-benchmark -h "$ONL_IP" -p 6379 -t set \
        -r 100000 -c 10 -q "$@" > "$W/bench.out" 2>&1
    _rc=$?
    tr '\r' '\n' < "$W/bench.out" | grep 'requests per second' |
        tail -n 1 | sed 's/^/#   /'
    if [ "$_rc" = 0 ]; then
        ok "redis-benchmark $_d"
    else
        not_ok "redis-benchmark $_d (exit $_rc)"
    fi
}

bench "-n 20000 -c 10" -n 20000
wait_redis ronl rtgt set 60
assert_same_redis ronl rtgt set "target saw every SET (plain)"

bench "-n 50000 -c 10 -P 16" -n 50000 -P 16
wait_redis ronl rtgt set 60
assert_same_redis ronl rtgt set "target saw every SET (plain + pipelined)"

check "intercept still running" proc_alive "$INTERCEPT_PID"
daemon_stop tcpcopy "$TCPCOPY_PID"
daemon_stop intercept "$INTERCEPT_PID"
t_done
