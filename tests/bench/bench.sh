#!/bin/sh
# tests/bench/bench.sh [all|rates|redis|idle|offline|assist] (make bench):
# figures, not a test.
#
# Same namespace topology as the e2e tests (client -> online nginx, replayed
# by tcpcopy to the target nginx, replies dropped by intercept).  wrk sends
# unique URIs; a run is paced with a Lua delay per connection (Debian's wrk
# has no fixed-rate mode), so "offered" is about conns * 1000 / delay.
#
#   rates: online throughput with replication off, then several keep-alive
#          and short-connection (Connection: close) runs with replication
#          on; per run: online and target req/s over the run, loss %, replay
#          lag p50/p99 (target $msec - online $msec for the same URI), CPU %
#          (utime+stime delta over the run and its catch-up) and peak RSS
#          (VmHWM, reset before each run) of tcpcopy and intercept.
#   idle:  10,000 open idle keep-alive sessions; tcpcopy's RSS.
#   offline: a wrk run recorded with tcpdump on the online host, replayed
#          with tcpcopy --offline: -a 1000 (requests/s the target reaches)
#          and -a 10 (replay time over the recording's span; ideal 0.100).
#   assist: the advanced architecture (topo_up_assist: the target routes
#          the replies to an assistant running intercept -i eth0), the
#          rates' columns for tcpcopy with raw capture + IP send, then with
#          libpcap capture + datalink send (-i eth0 -o eth0), and redis
#          -P 16 -c 10 (loss and capture drops).  With "all" it runs last,
#          as a second bench.sh (its own namespaces).
#
# BENCH_SECS (default 8) sets the length of each run; BENCH_ONLY="ka-max
# close-max" runs only the rates runs named (with tests/bench/bench.sh rates).  Everything (wrk, both
# nginx, both daemons) shares this machine's cores: the figures are for
# comparing builds on one machine, not absolute capacity.

TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/e2e/lib.sh"
trap cleanup EXIT INT TERM

SECS=${BENCH_SECS:-8}
MODE=${1:-all}
IDLE_N=${BENCH_IDLE:-10000}
HZ=$(getconf CLK_TCK)

case $MODE in
    all|rates|redis|idle|offline|assist) ;;
    *) echo "usage: tests/bench/bench.sh [all|rates|redis|idle|offline|assist]" >&2
       exit 2 ;;
esac

e2e_require nginx wrk
[ -n "$PYTHON" ] || t_skip "missing tools: python3"
e2e_require_daemons

# ---------------------------------------------------------------- helpers

# proc_ticks PID: utime + stime in clock ticks.
proc_ticks() {
    sed 's/.*) //' "/proc/$1/stat" 2> /dev/null | awk '{print $12 + $13}'
}

# proc_kb PID FIELD: a /proc/PID/status field (VmRSS, VmHWM) in kB.
proc_kb() {
    awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status" 2> /dev/null
}

# prefix_count NAME PREFIX: requests in NAME's access log for one run.
prefix_count() {
    grep -c -F " $2" "$W/$1/access.log" 2> /dev/null || true
}

mb() {
    awk -v k="${1:-0}" 'BEGIN { printf "%.1f", k / 1024 }'
}

cpu_pct() {
    # cpu_pct TICKS0 TICKS1 SECONDS
    awk -v a="${1:-0}" -v b="${2:-0}" -v s="$3" -v hz="$HZ" \
        'BEGIN { printf "%.0f", (s > 0 ? 100 * (b - a) / hz / s : 0) }'
}

kv() {
    # kv LINE KEY: the value of KEY=value in LINE.
    echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}

row() {
    printf '%-14s %5s %8s %9s %9s %6s %8s %8s %7s %6s %7s %7s %6s %7s\n' "$@"
}

# per_1k CPU_PCT RPS: CPU % of one core per 1,000 requests/s.
per_1k() {
    awk -v c="${1:-0}" -v r="${2:-0}" \
        'BEGIN { if (r > 0) printf "%.2f", c * 1000 / r; else print "-" }'
}

# run_wrk NAME CONNS THREADS DELAY_MS close|keep: one wrk run, unique URIs
# under /b/NAME/.  Sets WRK_RPS (wrk's own figure).
run_wrk() {
    wrk_lua "$W/$1.lua" "/b/$1/" "$4" "$5"
    nsx "$NS_CLI" timeout $((SECS + 60)) wrk -c "$2" -t "$3" -d "${SECS}s" \
        --timeout 2s -s "$W/$1.lua" "http://$ONL_IP/" > "$W/$1.wrk" 2>&1
    WRK_RPS=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$W/$1.wrk")
    WRK_RPS=$(printf '%.0f' "${WRK_RPS:-0}")
}

offered() {
    if [ "$3" = 0 ]; then echo max; else echo $(($1 * 1000 / $3)); fi
}

# picked NAME: whether BENCH_ONLY (names separated by spaces) lets NAME run.
picked() {
    [ -z "${BENCH_ONLY:-}" ] && return 0
    case " $BENCH_ONLY " in *" $1 "*) return 0 ;; esac
    return 1
}

# bench_off NAME CONNS THREADS DELAY close|keep: replication off.
bench_off() {
    picked "$1" || return 0
    run_wrk "$@"
    row "$1" "$2" "$(offered "$2" "$3" "$4")" "$WRK_RPS" - - - - - - - - - -
}

# bench_on NAME CONNS THREADS DELAY close|keep: replication on.
bench_on() {
    picked "$1" || return 0
    echo 5 > "/proc/$TCPCOPY_PID/clear_refs" 2> /dev/null
    echo 5 > "/proc/$INTERCEPT_PID/clear_refs" 2> /dev/null
    _tc0=$(proc_ticks "$TCPCOPY_PID")
    _ic0=$(proc_ticks "$INTERCEPT_PID")
    _t0=$(now_s)
    run_wrk "$@"
    access_settle onl
    _n=$(prefix_count onl "/b/$1/")
    _t1=$(now_s)
    # Catch-up: the daemons work until the target has it all; if it never
    # does, the last 5 quiet seconds are not part of the work.
    if wait_count 60 5 "$_n" prefix_count tgt "/b/$1/"; then
        _t1=$(now_s)
    else
        _t1=$(add_s "$(now_s)" -5)
    fi
    _el=$(add_s "$_t1" "-$_t0")
    _tc1=$(proc_ticks "$TCPCOPY_PID")
    _ic1=$(proc_ticks "$INTERCEPT_PID")
    _f=$("$PYTHON" "$TOP/tests/bench/lag.py" "$W/onl/access.log" \
         "$W/tgt/access.log" "/b/$1/" "$SECS")
    echo "$1 wrk=$WRK_RPS elapsed=$_el $_f" >> "$W/bench.raw"
    _tcc=$(cpu_pct "$_tc0" "$_tc1" "$_el")
    _icc=$(cpu_pct "$_ic0" "$_ic1" "$_el")
    row "$1" "$2" "$(offered "$2" "$3" "$4")" \
        "$(kv "$_f" online_rps)" "$(kv "$_f" target_rps)" \
        "$(kv "$_f" loss)" "$(kv "$_f" p50)" "$(kv "$_f" p99)" \
        "$_tcc" "$(per_1k "$_tcc" "$(kv "$_f" target_rps)")" \
        "$(mb "$(proc_kb "$TCPCOPY_PID" VmHWM)")" \
        "$_icc" "$(per_1k "$_icc" "$(kv "$_f" target_rps)")" \
        "$(mb "$(proc_kb "$INTERCEPT_PID" VmHWM)")"
    proc_alive "$TCPCOPY_PID" || echo "!! tcpcopy died (see $W/$TC_LOG.log)"
    proc_alive "$INTERCEPT_PID" || echo "!! intercept died"
}

rates_header() {
    echo "   online/s, target/s: requests logged by each nginx / ${SECS} s;"
    echo "   lag: target \$msec - online \$msec for the same URI (ms);"
    echo "   cpu %: of one core, over the run and its catch-up; /1k: that cpu %"
    echo "   per 1,000 target requests/s; MB: VmHWM"
    row run conns offered online/s target/s loss% lag_p50 lag_p99 \
        tc_cpu% tc/1k tc_MB ic_cpu% ic/1k ic_MB
}

bench_rates() {
    echo
    echo "== throughput and replay, ${SECS} s a run, unique URI per request"
    rates_header
    if [ "$REPLAYING" = 0 ]; then
        bench_off off-keepalive 16 2 0 keep
        bench_off off-close 16 2 0 close
        start_replay
    fi
    bench_on ka-1000 10 1 10 keep
    bench_on ka-5000 10 2 2 keep
    bench_on ka-10000 10 2 1 keep
    bench_on ka-20000 20 2 1 keep
    bench_on ka-30000 30 2 1 keep
    bench_on ka-max 16 2 0 keep
    bench_on close-500 5 1 10 close
    bench_on close-2000 10 2 5 close
    bench_on close-4000 8 2 2 close
    bench_on close-8000 8 2 1 close
    bench_on close-max 16 2 0 close
}

start_replay() {
    nfqueue_rules "$NS_TGT" 80 6379 ||
        { echo "bench: iptables failed"; exit 1; }
    intercept_start || { tail "$W/intercept.log"; exit 1; }
    tcpcopy_start tcpcopy "$NS_ONL" "$TGT_IP" 80 6379 ||
        { tail "$W/tcpcopy.log"; exit 1; }
    REPLAYING=1
}

# bench_redis N: one redis connection as fast as it goes (redis-benchmark
# -c 1): pacing on the target's answers must keep up with it.
bench_redis() {
    _rn=$1
    [ "$REPLAYING" = 1 ] || start_replay
    redis_reset ronl && redis_reset rtgt || return
    echo
    echo "== one redis connection, $_rn SETs as fast as it goes (-c 1)"
    _t0=$(now_s)
    nsx "$NS_CLI" timeout 120 redis-benchmark -h "$ONL_IP" -p 6379 -c 1 \
        -n "$_rn" -t set -r 100000 -q > "$W/redis1.out" 2>&1
    _t1=$(now_s)
    wait_count 60 5 "$_rn" redis_calls rtgt set
    _t2=$(now_s)
    _on=$(redis_calls ronl set)
    _tg=$(redis_calls rtgt set)
    awk -v n="$_rn" -v on="$_on" -v tg="$_tg" -v a="$_t0" -v b="$_t1" \
        -v c="$_t2" 'BEGIN {
        printf "online %d SETs in %.2f s (%.0f/s); target %d SETs, all " \
               "in by %.2f s (%.0f/s); target behind by %.0f ms at the end\n",
               on, b - a, on / (b - a), tg, c - a, tg / (c - a),
               (c - b) * 1000 }'
}

_sessions_active() {
    grep 'ledger' "$W/$TC_LOG.log" | tail -n 1 |
        sed -n 's/.*sessions active=\([0-9]*\).*/\1/p'
}

bench_idle() {
    if [ "$REPLAYING" = 1 ]; then
        # A fresh tcpcopy, so its RSS is not the peak of the runs above.
        proc_stop "$TCPCOPY_PID" TERM 20
        tcpcopy_start tcpcopy-idle "$NS_ONL" "$TGT_IP" 80 ||
            { tail "$W/tcpcopy-idle.log"; exit 1; }
        TC_LOG=tcpcopy-idle
    else
        start_replay
    fi
    echo
    echo "== $IDLE_N idle keep-alive sessions (one request each, then held)"
    _r0=$(proc_kb "$TCPCOPY_PID" VmRSS)
    _i0=$(proc_kb "$INTERCEPT_PID" VmRSS)
    e2e_bg "$NS_CLI" "$W/idle.log" timeout 300 "$PYTHON" \
        "$TOP/tests/e2e/conns.py" http "$ONL_IP" 80 "$IDLE_N" --pre 1 \
        --post 0 --tag idle --ready "$W/idle.ready" --go "$W/idle.go" \
        --wait 120
    _py=$BG_PID
    if ! wait_until 120 test -f "$W/idle.ready"; then
        cat "$W/idle.log"
        echo "bench: the client could not open $IDLE_N connections"
        return
    fi
    cat "$W/idle.log"
    wait_count 60 10 "$IDLE_N" prefix_count tgt /idle/
    ledger_dump "$TC_LOG" "$TCPCOPY_PID"
    echo "online established :80   $(conn_count "$NS_ONL" 'sport = :80')"
    echo "target established :80   $(conn_count "$NS_TGT" 'sport = :80')"
    echo "target requests /idle/   $(prefix_count tgt /idle/)"
    echo "tcpcopy sessions active  $(_sessions_active)"
    echo "tcpcopy RSS              $(mb "$_r0") MB before," \
        "$(mb "$(proc_kb "$TCPCOPY_PID" VmRSS)") MB with the sessions" \
        "(peak $(mb "$(proc_kb "$TCPCOPY_PID" VmHWM)") MB)"
    echo "tcpcopy bytes a session   $(awk -v a="$_r0" \
        -v b="$(proc_kb "$TCPCOPY_PID" VmRSS)" -v n="$IDLE_N" \
        'BEGIN { printf "%.0f", (b - a) * 1024 / n }')"
    echo "intercept RSS            $(mb "$_i0") MB before," \
        "$(mb "$(proc_kb "$INTERCEPT_PID" VmRSS)") MB with the sessions"
    touch "$W/idle.go"
    wait_until 60 _proc_gone "$_py"
}

# msec_span NAME PREFIX: "count first last" of NAME's requests under PREFIX
# ($msec of the first and last line).
msec_span() {
    awk -F'|' -v p="$2" 'index($5, p) {
        n++; if (n == 1 || $1 < a) a = $1; if ($1 > b) b = $1 }
        END { printf "%d %.3f %.3f\n", n, a, b }' "$W/$1/access.log"
}

# offline_run NAME ARGS...: one tcpcopy --offline run of $W/rec.pcap to the
# target; prints the target's request rate and the replay's timing.
offline_run() {
    _name=$1
    shift
    _t0=$(now_s)
    nsx "$NS_ONL" timeout 600 "$TCPCOPY" -x "80-$TGT_IP:80" -s "$TGT_IP" \
        --stats-interval 0 --offline "$W/rec.pcap" "$@" > "$W/$_name.log" 2>&1
    _rc=$?
    _t1=$(now_s)
    set -- $(msec_span tgt "/o/$S/")
    _sum=$(sed -n 's/.*replayed in \([0-9.]*\) s (recorded span \([0-9.]*\) s.*/\1 \2/p' \
           "$W/$_name.log")
    awk -v name="$_name" -v n="$1" -v a="$2" -v b="$3" -v want="$ON_N" \
        -v rc="$_rc" -v t0="$_t0" -v t1="$_t1" -v sum="$_sum" \
        -v on_span="$ON_SPAN" 'BEGIN {
        split(sum, s, " ");
        f = "%-9s exit %d, target %d of %d requests (%.2f%%) in %.2f s"
        f = f " = %.0f req/s; tcpcopy ran %.2f s\n"
        printf(f, name, rc, n, want, want ? 100 * n / want : 0, b - a,
               b > a ? n / (b - a) : 0, t1 - t0);
        f = "%-9s packets handed over in %.3f s for a %.3f s recording:"
        f = f " ratio %.4f; target first-to-last request %.3f s for"
        f = f " %.3f s online: ratio %.4f\n"
        printf(f, name, s[1], s[2], s[2] > 0 ? s[1] / s[2] : 0, b - a,
               on_span, on_span > 0 ? (b - a) / on_span : 0) }'
    grep 'ledger (final)' "$W/$_name.log" | tr '|' '\n' |
        grep -E 'sessions active|aborted|replies|offline' | sed 's/^/          /'
}

# bench_offline: record a wrk run (unique URIs) with tcpdump on the online
# host, then replay it with -a 1000 and -a 10 (intercept on the target; no
# live tcpcopy meanwhile, it would replay the recording's traffic too).
bench_offline() {
    if [ "$REPLAYING" = 1 ]; then
        proc_stop "$TCPCOPY_PID" TERM 20
    else
        nfqueue_rules "$NS_TGT" 80 6379 ||
            { echo "bench: iptables failed"; exit 1; }
        intercept_start || { tail "$W/intercept.log"; exit 1; }
        REPLAYING=1
    fi
    echo
    echo "== offline: wrk -c 16 (2 ms pacing) for ${SECS} s recorded with" \
        "tcpdump, replayed with --offline"
    record_start tcpdump cli0 "$W/rec.pcap" 'tcp port 80' -B 131072 ||
        { cat "$W/tcpdump.log"; return; }
    wrk_lua "$W/o.lua" "/o/$S/" 2
    nsx "$NS_CLI" timeout $((SECS + 60)) wrk -c 16 -t 2 -d "${SECS}s" \
        --timeout 2s -s "$W/o.lua" "http://$ONL_IP/" > "$W/o.wrk" 2>&1
    record_stop tcpdump
    set -- $(msec_span onl "/o/$S/")
    ON_N=$1
    ON_SPAN=$(awk -v a="$2" -v b="$3" 'BEGIN { printf "%.3f", b - a }')
    echo "recording: $ON_N requests in $ON_SPAN s online," \
        "$(wc -c < "$W/rec.pcap") bytes; tcpdump:" \
        "$(grep -h 'dropped by kernel' "$W/tcpdump.log")"
    offline_run a1000 -a 1000
    : > "$W/tgt/access.log"
    offline_run a10 -a 10
}

# assist_redis NAME: redis-benchmark -P 16 -c 10 at full speed (the load
# that made the libpcap capture drop packets in immediate mode): SETs
# online and on the target, and the capture drops in tcpcopy's ledger.
assist_redis() {
    redis_reset ronl && redis_reset rtgt || return
    nsx "$NS_CLI" timeout 120 redis-benchmark -h "$ONL_IP" -p 6379 -t set \
        -r 100000 -c 10 -n 200000 -P 16 -q > "$W/redis-$1.out" 2>&1
    wait_redis ronl rtgt set 60 5
    ledger_dump "$TC_LOG" "$TCPCOPY_PID"
    _on=$(redis_calls ronl set)
    _tg=$(redis_calls rtgt set)
    echo "$1: redis -P 16 -c 10, online $_on SETs, target $_tg" \
        "(loss $(pct $((_on - _tg)) "$_on") %), capture drops" \
        "$(ledger_max "$W/$TC_LOG.log" drops)" >> "$W/assist-redis.txt"
}

# bench_assist: the advanced architecture, intercept -i eth0 on the
# assistant; tcpcopy with the raw socket and IP send, then with libpcap
# capture and datalink send.
bench_assist() {
    echo
    echo "== advanced architecture: the target routes replies to an assistant"
    echo "   running intercept -i eth0; raw-*: tcpcopy's raw capture + IP"
    echo "   send; pcap-*: -i eth0 -o eth0; ${SECS} s a run"
    rates_header
    if ! intercept_pcap_start intercept "$NS_AST" \
            'tcp and (src port 80 or src port 6379)'; then
        tail "$W/intercept.log"
        exit 1
    fi
    for _cfg in raw pcap; do
        _a=
        [ "$_cfg" = pcap ] && _a="-i eth0 -o eth0"
        TC_LOG=tcpcopy-$_cfg
        ICP_ADDR=$AST_IP TCPCOPY_ARGS="$_a $TCPCOPY_ARGS" \
            tcpcopy_start "$TC_LOG" "$NS_ONL" "$TGT_IP" 80 6379 ||
            { tail "$W/$TC_LOG.log"; exit 1; }
        bench_on "$_cfg-ka1000" 10 1 10 keep
        bench_on "$_cfg-ka10000" 10 2 1 keep
        bench_on "$_cfg-kamax" 16 2 0 keep
        bench_on "$_cfg-cl2000" 10 2 5 close
        bench_on "$_cfg-clmax" 16 2 0 close
        assist_redis "$_cfg"
        proc_stop "$TCPCOPY_PID" TERM 20
    done
    cat "$W/assist-redis.txt"
    for _cfg in raw pcap; do
        echo "tcpcopy-$_cfg $(grep 'ledger (final)' "$W/tcpcopy-$_cfg.log" |
            tail -n 1 | sed 's/.*ledger (final)/ledger (final)/')"
    done
}

# ---------------------------------------------------------------- main

echo "bench: $(nproc) cores, $(uname -r), tcpcopy $TCPCOPY"
if [ "$MODE" = assist ]; then
    topo_up_assist || { echo "bench: topology failed"; exit 1; }
else
    topo_up || { echo "bench: topology failed"; exit 1; }
fi
# Short-connection runs open tens of thousands of connections.
nsx "$NS_CLI" sysctl -qw net.ipv4.ip_local_port_range="1024 65000" \
    net.ipv4.tcp_tw_reuse=1
nginx_start "$NS_ONL" onl && nginx_start "$NS_TGT" tgt ||
    { echo "bench: nginx failed"; exit 1; }
redis_start "$NS_ONL" ronl && redis_start "$NS_TGT" rtgt ||
    { echo "bench: redis failed"; exit 1; }
REPLAYING=0
TC_LOG=tcpcopy

case $MODE in
    all) bench_rates; bench_redis 100000; bench_idle; bench_offline ;;
    rates) bench_rates ;;
    redis) bench_redis 100000 ;;
    idle) bench_idle ;;
    offline) bench_offline ;;
    assist) bench_assist ;;
esac

tc_st=-
if [ -n "${TCPCOPY_PID:-}" ]; then
    proc_stop "$TCPCOPY_PID" TERM 20
    wait "$TCPCOPY_PID"
    tc_st=$?
fi
proc_stop "$INTERCEPT_PID" TERM 10
wait "$INTERCEPT_PID"
ic_st=$?
echo
echo "== final ledgers (exit status on SIGTERM: tcpcopy $tc_st, intercept $ic_st)"
grep ledger "$W/tcpcopy.log" 2> /dev/null | tail -n 1
[ "$TC_LOG" = tcpcopy ] || grep ledger "$W/$TC_LOG.log" | tail -n 1
grep ledger "$W/intercept.log" | tail -n 1
if [ "$MODE" = all ]; then
    # its own namespaces (the names are per process)
    sh "$TOP/tests/bench/bench.sh" assist
fi
T_DONE=1
exit 0
