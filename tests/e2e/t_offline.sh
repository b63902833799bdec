#!/bin/sh
# t_offline: offline replay.  Real traffic to the online host (curl and wrk
# against nginx, redis-benchmark against redis) is recorded with tcpdump
# there; later, tcpcopy --offline replays the file to the target (NFQUEUE
# and intercept on the target, as live).  The target must execute exactly
# what the online servers did during the recording: the same nginx request
# lines, the same number of each redis command and keys; with -a 5; the
# same replay twice back to back (each request exactly twice); with -T 2
# (each exactly twice, in one run).  Bad files: a missing one fails with a
# message naming it; a truncated one replays what it holds, warns naming
# the record and exits 0.

TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/e2e/lib.sh"
trap cleanup EXIT INT TERM

e2e_require nginx curl wrk redis-server redis-cli redis-benchmark tcpdump
e2e_require_daemons

REDIS_CMDS="set get incr lpush"
PCAP=$W/traffic.pcap

check "topology up" topo_up || bail "topology"
nginx_start "$NS_ONL" onl || bail "nginx on online host"
nginx_start "$NS_TGT" tgt || bail "nginx on target"
redis_start "$NS_ONL" ronl || bail "redis on online host"
redis_start "$NS_TGT" rtgt || bail "redis on target"
redis_reset ronl && redis_reset rtgt
ok "nginx and redis on online host and target"

# ---------------------------------------------------------------- record

_tcpdump_ready() {
    grep -q 'listening on' "$W/tcpdump.log"
}

e2e_bg "$NS_ONL" "$W/tcpdump.log" tcpdump -i cli0 -s 0 -U -B 16384 -Z root \
    -w "$PCAP" 'tcp port 80 or tcp port 6379'
TCPDUMP_PID=$BG_PID
wait_until 10 _tcpdump_ready || bail "tcpdump listens on the online host"

good=0
for i in $(seq 1 20); do
    code=$(nsx "$NS_CLI" curl -s -o /dev/null -w '%{http_code}' \
           --max-time 5 "http://$ONL_IP/offline/$S/$i")
    [ "$code" = 200 ] && good=$((good + 1))
done
check "20 GETs on short connections answered online ($good)" [ "$good" = 20 ]

wrk_lua "$W/uniq.lua" "/offline-ka/$S/" 5
nsx "$NS_CLI" timeout 30 wrk -c 4 -t 2 -d 2s --timeout 2s -s "$W/uniq.lua" \
    "http://$ONL_IP/" > "$W/wrk.out" 2>&1
check "wrk keep-alive run (exit $?)" [ $? = 0 ]

nsx "$NS_CLI" timeout 60 redis-benchmark -h "$ONL_IP" -p 6379 -c 5 \
    -n 2000 -r 100000 -t set,get,incr,lpush -q > "$W/bench.out" 2>&1
check "redis-benchmark -c 5 -n 2000 (exit $?)" [ $? = 0 ]
nsx "$NS_CLI" timeout 60 redis-benchmark -h "$ONL_IP" -p 6379 -c 2 \
    -n 2000 -r 100000 -t set -P 8 -q > "$W/bench2.out" 2>&1
check "redis-benchmark -c 2 -P 8 -n 2000 (exit $?)" [ $? = 0 ]

access_settle onl
sleep 1 # the last FINs and ACKs of the clients into the file
proc_stop "$TCPDUMP_PID" INT 10
wait "$TCPDUMP_PID" 2> /dev/null
sed 's/^/#   tcpdump: /' "$W/tcpdump.log"
dropped=$(sed -n 's/^\([0-9]*\) packets* dropped by kernel.*/\1/p' \
          "$W/tcpdump.log")
check "recording complete: $(access_count onl) requests, $(wc -c < "$PCAP") bytes, ${dropped:-?} dropped by kernel" \
    [ -s "$PCAP" -a "${dropped:-1}" = 0 ]

# ---------------------------------------------------------------- replay

nfqueue_rules "$NS_TGT" 80 6379 || bail "NFQUEUE rules on target"
intercept_start || { show_log intercept; bail "intercept listens"; }
ok "intercept listens on :$CTL_PORT"

# offline NAME ARGS...: one tcpcopy --offline run to the end (bounded);
# sets RC, log $W/NAME.log.
offline() {
    _n=$1
    shift
    # shellcheck disable=SC2086
    nsx "$NS_ONL" timeout 300 "$TCPCOPY" -x "80-$TGT_IP:80,6379-$TGT_IP:6379" \
        -s "$TGT_IP" --stats-interval 1 $TCPCOPY_ARGS "$@" \
        > "$W/$_n.log" 2>&1
    RC=$?
    grep -E 'offline|ledger \(final\)|replaying|error|warn' "$W/$_n.log" |
        tail -n 6 | cut -c1-400 | sed 's/^/#   /'
}

# target_reset: empties the target's redis and access log.
target_reset() {
    redis_reset rtgt
    : > "$W/tgt/access.log"
}

# want_times N: each online request line N times, sorted.
want_times() {
    requests onl | awk -v n="$1" '{ for (i = 0; i < n; i++) print }' |
        sort > "$W/want.$1"
}

# assert_replayed N DESC: the target logged every online request exactly
# N times and counted N times each redis command of the recording.
assert_replayed() {
    _k=$1
    want_times "$_k"
    wait_count 30 5 "$(wc -l < "$W/want.$_k")" access_count tgt
    requests tgt > "$W/got"
    if cmp -s "$W/want.$_k" "$W/got"; then
        ok "$2: target logged each request x$_k ($(wc -l < "$W/got"))"
    else
        diff "$W/want.$_k" "$W/got" | head -n 10 | sed 's/^/#   /'
        not_ok "$2: target logged each request x$_k" \
            "(want $(wc -l < "$W/want.$_k"), got $(wc -l < "$W/got"))"
    fi
    _bad=
    for _c in $REDIS_CMDS; do
        _w=$(( $(redis_calls ronl "$_c") * _k ))
        _g=$(redis_calls rtgt "$_c")
        [ "$_w" -gt 0 ] && [ "$_w" = "$_g" ] || _bad="$_bad $_c:$_g/$_w"
    done
    _kd=$(rcli ronl DBSIZE)
    _td=$(rcli rtgt DBSIZE)
    [ "$_kd" = "$_td" ] || _bad="$_bad dbsize:$_td/$_kd"
    if [ -z "$_bad" ]; then
        ok "$2: target redis ran each command x$_k, dbsize $_td"
    else
        not_ok "$2: target redis commands (got/want):$_bad"
    fi
}

target_reset
offline x1 --offline "$PCAP"
check "replay at recorded speed exits 0 ($RC)" [ "$RC" = 0 ]
assert_replayed 1 "recorded speed"
check "ledger counts the server's packets, never sent" \
    [ "$(ledger_max "$W/x1.log" 'server_side')" -gt 0 ]

target_reset
offline a5 -a 5 -i "$PCAP"
check "replay -a 5 (-i FILE) exits 0 ($RC)" [ "$RC" = 0 ]
assert_replayed 1 "-a 5"

target_reset
offline twice1 -a 5 --offline "$PCAP"
rc1=$RC
offline twice2 -a 5 --offline "$PCAP"
check "two replays back to back both exit 0 ($rc1, $RC)" \
    [ "$rc1$RC" = 00 ]
assert_replayed 2 "twice back to back"

target_reset
offline loop2 -a 5 -T 2 --offline "$PCAP"
check "replay -T 2 exits 0 ($RC)" [ "$RC" = 0 ]
assert_replayed 2 "-T 2"

# A second recording on "any" (Linux cooked headers) with nanosecond
# timestamps, if this tcpdump can write them.
if nsx "$NS_ONL" tcpdump --help 2>&1 | grep -q 'time-stamp-precision'; then
    e2e_bg "$NS_ONL" "$W/tcpdump2.log" tcpdump -i any -s 0 -U -Z root \
        --time-stamp-precision=nano -w "$W/any.pcap" 'tcp port 80'
    TCPDUMP_PID=$BG_PID
    wait_until 10 grep -q 'listening on' "$W/tcpdump2.log" ||
        bail "tcpdump -i any listens"
    for i in $(seq 1 10); do
        nsx "$NS_CLI" curl -s -o /dev/null --max-time 5 \
            "http://$ONL_IP/any/$S/$i"
    done
    access_settle onl
    sleep 1
    proc_stop "$TCPDUMP_PID" INT 10
    grep 'listening on' "$W/tcpdump2.log" | sed 's/^/#   /'
    target_reset
    offline any -a 5 --offline "$W/any.pcap"
    requests onl | grep "/any/$S/" > "$W/want.any"
    requests tgt > "$W/got.any"
    check "-i any (cooked) nanosecond recording replays its 10 GETs" \
        cmp -s "$W/want.any" "$W/got.any"
else
    log "tcpdump cannot write nanosecond files: cooked/ns case not run"
fi

# ---------------------------------------------------------------- bad files

offline missing --offline "$W/no-such.pcap"
check "a missing file: exit $RC, message names it" \
    grep -q "no-such.pcap" "$W/missing.log"
check "... and the exit status is not 0 ($RC)" [ "$RC" != 0 ]

size=$(wc -c < "$PCAP")
head -c $((size * 2 / 3 + 7)) "$PCAP" > "$W/cut.pcap"
target_reset
offline cut -a 5 --offline "$W/cut.pcap"
check "a truncated file replays and exits 0 ($RC)" [ "$RC" = 0 ]
check "... with a warning naming the record" \
    grep -qiE 'cut.pcap.*record [0-9]+' "$W/cut.log"
requests tgt > "$W/got.cut"
want_times 1
assert_subset "$W/got.cut" "$W/want.1" "... every request it replayed was recorded"

check "intercept still running" proc_alive "$INTERCEPT_PID"
daemon_stop intercept "$INTERCEPT_PID"
t_done
