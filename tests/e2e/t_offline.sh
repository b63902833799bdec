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
# the record and exits 0; one cut to nothing while it is replayed stops
# the replay with a message and exit 1, not a crash.

TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/e2e/lib.sh"
trap cleanup EXIT INT TERM

e2e_require nginx curl wrk redis-server redis-cli redis-benchmark tcpdump
e2e_require_daemons

REDIS_CMDS="set get incr lpush"
PCAP=$W/traffic.pcap
OFF_ICP=$TGT_IP

check "topology up" topo_up || bail "topology"
servers_up nginx redis

# ---------------------------------------------------------------- record

record_start tcpdump cli0 "$PCAP" 'tcp port 80 or tcp port 6379' -B 16384 ||
    bail "tcpdump listens on the online host"
record_traffic 20 offline 2000
record_stop tcpdump
sed 's/^/#   tcpdump: /' "$W/tcpdump.log"
check "recording complete: $(access_count onl) requests, $(wc -c < "$PCAP") bytes, ${RECORD_DROPPED:-?} dropped by kernel" \
    [ -s "$PCAP" -a "${RECORD_DROPPED:-1}" = 0 ]

# ---------------------------------------------------------------- replay

nfqueue_rules "$NS_TGT" 80 6379 || bail "NFQUEUE rules on target"
up_or_bail intercept "intercept listens on :$CTL_PORT" intercept_start

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
offline_replay x1 --offline "$PCAP"
check "replay at recorded speed exits 0 ($RC)" [ "$RC" = 0 ]
assert_replayed 1 "recorded speed"
check "ledger counts the server's packets, never sent" \
    [ "$(ledger_max "$W/x1.log" 'server_side')" -gt 0 ]

target_reset
offline_replay a5 -a 5 -i "$PCAP"
check "replay -a 5 (-i FILE) exits 0 ($RC)" [ "$RC" = 0 ]
assert_replayed 1 "-a 5"

target_reset
offline_replay twice1 -a 5 --offline "$PCAP"
rc1=$RC
offline_replay twice2 -a 5 --offline "$PCAP"
check "two replays back to back both exit 0 ($rc1, $RC)" \
    [ "$rc1$RC" = 00 ]
assert_replayed 2 "twice back to back"

target_reset
offline_replay loop2 -a 5 -T 2 --offline "$PCAP"
check "replay -T 2 exits 0 ($RC)" [ "$RC" = 0 ]
assert_replayed 2 "-T 2"

# A second recording on "any" (Linux cooked headers) with nanosecond
# timestamps, if this tcpdump can write them.
if nsx "$NS_ONL" tcpdump --help 2>&1 | grep -q 'time-stamp-precision'; then
    record_start tcpdump2 any "$W/any.pcap" 'tcp port 80' \
        --time-stamp-precision=nano || bail "tcpdump -i any listens"
    gets 10 any > /dev/null
    record_stop tcpdump2
    grep 'listening on' "$W/tcpdump2.log" | sed 's/^/#   /'
    target_reset
    offline_replay any -a 5 --offline "$W/any.pcap"
    requests onl | grep "/any/$S/" > "$W/want.any"
    requests tgt > "$W/got.any"
    check "-i any (cooked) nanosecond recording replays its 10 GETs" \
        cmp -s "$W/want.any" "$W/got.any"
else
    log "tcpdump cannot write nanosecond files: cooked/ns case not run"
fi

# ---------------------------------------------------------------- bad files

offline_replay missing --offline "$W/no-such.pcap"
check "a missing file: exit $RC, message names it" \
    grep -q "no-such.pcap" "$W/missing.log"
check "... and the exit status is not 0 ($RC)" [ "$RC" != 0 ]

# Cut inside a record, never on a boundary (where the file would simply be
# shorter and rightly draw no warning): the first two thirds of the packets,
# rewritten by tcpdump, end on a record boundary of the original; 26 more
# bytes reach past the next record's 16-byte header into its packet data.
npkts=$(tcpdump -nr "$PCAP" 2>/dev/null | wc -l)
tcpdump -r "$PCAP" -c $((npkts * 2 / 3)) -w "$W/head.pcap" 2>/dev/null
head -c $(($(wc -c < "$W/head.pcap") + 26)) "$PCAP" > "$W/cut.pcap"
target_reset
offline_replay cut -a 5 --offline "$W/cut.pcap"
check "a truncated file replays and exits 0 ($RC)" [ "$RC" = 0 ]
check "... with a warning naming the record" \
    grep -qiE 'cut.pcap.*record [0-9]+' "$W/cut.log"
requests tgt > "$W/got.cut"
want_times 1
assert_subset "$W/got.cut" "$W/want.1" "... every request it replayed was recorded"

# A file rewritten while it is replayed (a new tcpdump -w on its name cuts
# it to nothing): every page past the new end would raise SIGBUS and kill
# tcpcopy.  It stops reading with a message naming the file, lets the open
# sessions end and exits 1.  The cut comes half a second into the
# recorded-speed replay, long before the recording's end (wrk ran 2 s).
cp "$PCAP" "$W/shrink.pcap"
target_reset
(
    wait_until 30 grep -q 'shrink.pcap: replaying' "$W/shrink.log" &&
        sleep 0.5 && : > "$W/shrink.pcap"
) &
cutter=$!
offline_replay shrink --offline "$W/shrink.pcap"
wait "$cutter"
check "a file cut to nothing during the replay: exit 1, no crash ($RC)" \
    [ "$RC" = 1 ]
check "... saying the file shrank" \
    grep -q "shrink.pcap: record [0-9]*: the file shrank while being read" \
    "$W/shrink.log"
requests tgt > "$W/got.shrink"
assert_subset "$W/got.shrink" "$W/want.1" \
    "... every request it replayed was recorded"

check "intercept still running" proc_alive "$INTERCEPT_PID"
daemon_stop intercept "$INTERCEPT_PID"
t_done
