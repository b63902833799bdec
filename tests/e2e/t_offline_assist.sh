#!/bin/sh
# t_offline_assist: offline replay in the advanced architecture.  curl, wrk
# and redis-benchmark traffic to the online host is recorded with tcpdump
# there; tcpcopy --offline FILE -s ASSISTANT then replays it to the target,
# which routes its replies to the assistant, where intercept -i eth0
# captures them and the kernel drops them.  The target must execute exactly
# the recorded requests and redis commands (x1, -a 5, -T 2: each twice) and
# no packet of the target may reach the client.
#
# Bad input, end to end, every run under timeout (a hang fails): a record
# header garbled in the middle (exit 1, the file and the record named, what
# came before replayed exactly), an unsupported link type and a file that
# is no capture (exit 1, clear message, nothing sent), a capture that
# starts mid-connection (sessions attached mid-stream, counted in the
# ledger, the recorded requests after the cut replayed exactly, exit 0), a
# recording with a small snapshot length and a cut tail, with -T 2 (a
# warning names the first cut record; lost bytes, seq gaps and the cut
# tail counted; every session ends; exit 0), no intercept at -s (exit 1
# after the 10 s wait, nothing sent).
# What a file holds is read independently by pcapedit.py, which also makes
# the damaged copies.

TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/e2e/lib.sh"
trap cleanup EXIT INT TERM

e2e_require nginx curl wrk redis-server redis-cli redis-benchmark tcpdump
e2e_require_daemons
[ -n "$PYTHON" ] || t_skip "python3 missing"

REDIS_CMDS="set get incr lpush"
PORTS=80,6379
PCAP=$W/rec.pcap
PE="$PYTHON $TOP/tests/e2e/pcapedit.py"
OFF_ICP=$AST_IP

check "topology up (one L2 segment, target routes clients via assistant)" \
    topo_up_assist || bail "topology"
count_from_target "$NS_CLI"
servers_up nginx redis

# ---------------------------------------------------------------- record

record_start tcpdump eth0 "$PCAP" 'tcp port 80 or tcp port 6379' -B 16384 ||
    bail "tcpdump listens on the online host"
record_traffic 10 oa 1000
record_stop tcpdump
check "recording: $(access_count onl) requests, $($PE count "$PCAP") records, ${RECORD_DROPPED:-?} dropped by kernel" \
    [ -s "$PCAP" -a "${RECORD_DROPPED:-1}" = 0 ]

# ---------------------------------------------------------------- helpers

# recorded FILE [FROM [TO]]: what the clients asked in records FROM..TO-1
# of FILE: "http REQUEST" lines, then "redis CMD N" for REDIS_CMDS.
recorded() {
    $PE content "$@" > "$W/content.all" || return 1
    grep '^http ' "$W/content.all"
    for _c in $REDIS_CMDS; do
        grep "^redis $_c " "$W/content.all"
    done
}

# target_got: the same for what the target executed.
target_got() {
    requests tgt | sed 's/^/http /'
    for _c in $REDIS_CMDS; do
        _n=$(redis_calls rtgt "$_c")
        [ "$_n" = 0 ] || echo "redis $_c $_n"
    done
}

# times_k K < LIST: each http line K times, each redis count times K.
times_k() {
    awk -v k="$1" '/^http / { for (i = 0; i < k; i++) print; next }
                   { print $1, $2, $3 * k }' | sort
}

# sum_of LIST: http lines plus redis calls (what the target will count).
sum_of() {
    awk '/^http / { n++; next } { n += $3 } END { print n + 0 }' "$1"
}

target_sum() {
    target_got > "$W/got.now"
    sum_of "$W/got.now"
}

# assert_target WANT_FILE DESC: the target executed exactly WANT_FILE.
assert_target() {
    sort "$1" > "$W/want.sorted"
    wait_count 30 5 "$(sum_of "$W/want.sorted")" target_sum
    target_got | sort > "$W/got.sorted"
    _h=$(grep -c '^http ' "$W/want.sorted")
    _r=$(grep '^redis ' "$W/want.sorted" | awk '{ printf "%s%s=%s", s, $2, $3; s = " " }')
    if [ -s "$W/want.sorted" ] && cmp -s "$W/want.sorted" "$W/got.sorted"; then
        ok "$2: target ran exactly the recorded $_h requests, redis $_r"
    else
        diff "$W/want.sorted" "$W/got.sorted" | head -n 10 | sed 's/^/#   /'
        not_ok "$2: target ran the recorded $_h requests, redis $_r" \
            "(got $(grep -c '^http ' "$W/got.sorted") requests," \
            "$(grep '^redis ' "$W/got.sorted" | tr '\n' ' '))"
    fi
}

# The file as the online servers saw it (also checks pcapedit's reading).
recorded "$PCAP" "$PORTS" | sort > "$W/want.1"
{
    requests onl | sed 's/^/http /'
    for _c in $REDIS_CMDS; do echo "redis $_c $(redis_calls ronl "$_c")"; done
} | sort > "$W/online"
check "pcapedit reads from the file what the online servers executed" \
    cmp -s "$W/online" "$W/want.1"

# ---------------------------------------------------------------- replay

up_or_bail intercept "intercept -i eth0 listens on the assistant" \
    intercept_pcap_start intercept "$NS_AST" \
    'tcp and (src port 80 or src port 6379)'

target_reset
offline_replay x1 --offline "$PCAP"
check "replay at recorded speed via the assistant exits 0 ($RC)" [ "$RC" = 0 ]
assert_target "$W/want.1" "x1"
check "nothing of the target reached the client ($(from_target_count "$NS_CLI"))" \
    [ "$(from_target_count "$NS_CLI")" = 0 ]

target_reset
offline_replay a5 -a 5 --offline "$PCAP"
check "replay -a 5 exits 0 ($RC)" [ "$RC" = 0 ]
assert_target "$W/want.1" "-a 5"

target_reset
offline_replay t2 -a 5 -T 2 --offline "$PCAP"
check "replay -a 5 -T 2 exits 0 ($RC)" [ "$RC" = 0 ]
times_k 2 < "$W/want.1" > "$W/want.2"
assert_target "$W/want.2" "-T 2 (each twice)"

# ---------------------------------------------------------------- bad input

# A record header garbled in the middle of the plain SET run: its caplen
# becomes 0x7fffffff.  The records before it are replayed (five redis
# connections are open there), then tcpcopy stops with the file and the
# record named, and exits 1.
set_recs=$($PE find "$PCAP" '\r\nSET\r\n' | wc -l)
bad=$($PE find "$PCAP" '\r\nSET\r\n' | sed -n "$((set_recs / 4))p")
$PE caplen "$PCAP" "$W/garbled.pcap" "$bad"
recorded "$W/garbled.pcap" "$PORTS" 1 "$bad" > "$W/want.garbled"
target_reset
offline_replay garbled -a 5 --offline "$W/garbled.pcap"
check "garbled record $bad of $($PE count "$PCAP"): exit 1 ($RC), no hang" \
    [ "$RC" = 1 ]
check "... message names the file and the record" \
    grep -qE "garbled.pcap: record $bad at offset [0-9]+: captured length 2147483647 is beyond any snapshot length \(garbled file\); replay stops there" \
    "$W/garbled.log"
check "... and the summary says incomplete" \
    grep -q "garbled.pcap: incomplete: " "$W/garbled.log"
assert_target "$W/want.garbled" "garbled file: what came before"

# An unsupported link type in the file header: refused before anything.
$PE linktype "$PCAP" "$W/dlt147.pcap" 147
offline_replay dlt147 --offline "$W/dlt147.pcap"
check "link type 147: exit 1 ($RC)" [ "$RC" = 1 ]
check "... message names the file and the link type" \
    grep -q "dlt147.pcap: link type 147 is not supported" "$W/dlt147.log"

# Not a capture at all.
cp /etc/hostname "$W/hostname.pcap"
head -c 4096 /etc/services > "$W/text.pcap"
offline_replay hostname --offline "$W/hostname.pcap"
rc1=$RC
offline_replay text --offline "$W/text.pcap"
check "files that are no capture: exit 1 ($rc1, $RC)" [ "$rc1$RC" = 11 ]
check "... messages name the file: not a pcap or pcapng file" \
    grep -q "hostname.pcap: not a pcap or pcapng file" "$W/hostname.log"
check "... (the larger one with its magic)" \
    grep -q "text.pcap: not a pcap or pcapng file (magic 0x" "$W/text.log"
check "... nothing sent to the target by the refused files" \
    [ "$(access_count tgt)" = "$(grep -c '^http ' "$W/want.garbled")" ]

# A capture that starts mid-connection: the records before the middle of
# the wrk run are cut, so its four keep-alive connections start there
# without their SYNs.  They are attached mid-stream (a synthesized
# handshake), counted, and every request after the cut runs, as do the
# redis commands recorded later.
wrk_recs=$($PE find "$PCAP" "GET /oa-ka/$S/" | wc -l)
cut_at=$($PE find "$PCAP" "GET /oa-ka/$S/" | sed -n "$((wrk_recs / 2))p")
$PE cut "$PCAP" "$W/mid.pcap" "$cut_at"
recorded "$W/mid.pcap" "$PORTS" > "$W/want.mid"
want_mid=$($PE midflows "$W/mid.pcap" "$PORTS")
target_reset
offline_replay mid -a 5 --offline "$W/mid.pcap"
check "capture starting mid-connection (first $cut_at records cut): exit 0 ($RC)" \
    [ "$RC" = 0 ]
mid=$(ledger_max "$W/mid.log" 'midstream=')
check "... sessions attached mid-stream, counted in the ledger (midstream=$mid of $want_mid)" \
    [ "$want_mid" -ge 1 -a "$mid" = "$want_mid" ]
check "... the summary says done" grep -q "mid.pcap: done: " "$W/mid.log"
assert_target "$W/want.mid" "mid-connection start"

# A recording made with a small snapshot length (every record cut to 96
# bytes, as tcpdump -s 96 does) whose last record is cut short too (copied
# while tcpdump was writing), replayed twice (-T 2): the client bytes cut
# off cannot be replayed.  A warning names the first such record, the lost
# bytes and the cut tail are counted, the sessions end on their gaps and
# the run ends (exit 0: the whole file was read).
$PE slice "$PCAP" "$W/s96.full" 96
head -c $(($(wc -c < "$W/s96.full") - 20)) "$W/s96.full" > "$W/s96.pcap"
first_cut=$($PE firstcut "$W/s96.pcap" "$PORTS")
offline_replay s96 -a 5 -T 2 --offline "$W/s96.pcap"
check "records cut to 96 bytes, file cut at its end, -T 2: exit 0 ($RC), no hang" \
    [ "$RC" = 0 ]
check "... a warning names the file and the first cut record ($first_cut)" \
    grep -q "s96.pcap: record $first_cut: only 96 of the packet's [0-9]* bytes were recorded" \
    "$W/s96.log"
final=$(grep 'ledger (final)' "$W/s96.log")
gap=$(echo "$final" | sed -n 's/.* gap=\([0-9]*\).*/\1/p')
check "... the client bytes cut off are counted (gap=$gap)" [ "${gap:-0}" -gt 0 ]
said=$(grep -c 's96.pcap: file ends inside record' "$W/s96.log")
check "... the cut tail is named once for both loops ($said) and counted (truncated=1)" \
    sh -c "[ '$said' = 1 ] && echo '$final' | grep -q ' truncated=1'"
check "... no session left open" \
    sh -c "echo '$final' | grep -q 'sessions active=0 '"

# No intercept at the -s address: tcpcopy waits for it (10 s), then gives
# up with a message and exit 1 instead of waiting for ever.
target_reset
OFF_ICP=$TGT_IP
offline_replay noicp --offline "$PCAP"
OFF_ICP=$AST_IP
check "no intercept at -s: exit 1 ($RC), no hang" [ "$RC" = 1 ]
check "... message names the file and the reason" \
    grep -q "rec.pcap: not replayed: no intercept connected after 10 s" \
    "$W/noicp.log"
check "... nothing sent to the target ($(access_count tgt) requests)" \
    [ "$(access_count tgt)" = 0 -a "$(redis_calls rtgt set)" = 0 ]

leaked=$(from_target_count "$NS_CLI")
check "after all runs, no packet of the target reached the client ($leaked)" \
    [ "$leaked" = 0 ]
check "intercept still running" proc_alive "$INTERCEPT_PID"
daemon_stop intercept "$INTERCEPT_PID"
t_done
