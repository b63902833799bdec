#!/bin/sh
# t_privs: least privilege and daemon behaviour.
#  1. both daemons with -u nobody: after opening their sockets they run as
#     nobody, tcpcopy with no capability, intercept with CAP_NET_ADMIN only
#     (NFQUEUE verdicts), and replication still works (20 GETs);
#  2. both started unprivileged (uid nobody) with CAP_NET_RAW/CAP_NET_ADMIN
#     granted as ambient capabilities, as systemd's AmbientCapabilities=
#     does: replication works (20 GETs);
#  3. -d -P with the pid file of a running instance: the error is on the
#     terminal and the exit status is 1 (checked before detaching); a
#     -d start writes the child's pid and returns 0 once it is up; a stale
#     pid file naming an unrelated live process (no lock held) does not
#     block a start.

TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/e2e/lib.sh"
trap cleanup EXIT INT TERM

e2e_require nginx curl setpriv
e2e_require_daemons
id nobody > /dev/null 2>&1 || t_skip "no user nobody"
NOBODY_UID=$(id -u nobody)
# nobody must be able to run the binaries (a private checkout is not)
setpriv --reuid nobody --regid "$(id -g nobody)" --clear-groups \
    "$TCPCOPY" -v > /dev/null 2>&1 ||
    t_skip "user nobody cannot execute $TCPCOPY"
chmod 755 "$W"

check "topology up" topo_up || bail "topology"
servers_up nginx

# status_field PID FIELD: the first value of FIELD in /proc/PID/status.
status_field() {
    awk -v f="$2:" '$1 == f { print $2; exit }' "/proc/$1/status"
}

# nfq_waiting: packets waiting for a verdict in the target's queue 0.
nfq_waiting() {
    nsx "$NS_TGT" awk '$1 == 0 { print $3 }' \
        /proc/net/netfilter/nfnetlink_queue 2> /dev/null
}

# ---- 1. -u nobody
INTERCEPT_ARGS="-u nobody" TCPCOPY_ARGS="-u nobody" replay_up 80

check "tcpcopy runs as uid $NOBODY_UID" \
    [ "$(status_field "$TCPCOPY_PID" Uid)" = "$NOBODY_UID" ]
cap=$(status_field "$TCPCOPY_PID" CapEff)
check "tcpcopy keeps no capability (CapEff $cap)" [ "$cap" = 0000000000000000 ]
check "intercept runs as uid $NOBODY_UID" \
    [ "$(status_field "$INTERCEPT_PID" Uid)" = "$NOBODY_UID" ]
cap=$(status_field "$INTERCEPT_PID" CapEff)
check "intercept keeps only CAP_NET_ADMIN (CapEff $cap)" \
    [ "$cap" = 0000000000001000 ]
check "tcpcopy: no ambient or inheritable capability" \
    [ "$(status_field "$TCPCOPY_PID" CapAmb)$(status_field "$TCPCOPY_PID" \
        CapInh)" = 00000000000000000000000000000000 ]

check_gets 20 privs
access_settle onl 20
wait_access tgt "$(access_count onl)" 20 8
assert_same_requests onl tgt "-u nobody: target logged the same requests"
# A verdict the kernel refuses (no CAP_NET_ADMIN) fails silently (an
# error ack nobody reads): the replies would stay queued.  None may wait
# (for longer than the last closing packets take to get theirs).
_nfq_empty() {
    [ "$(nfq_waiting)" = 0 ]
}
check "intercept's verdicts accepted: NFQUEUE holds no reply" \
    wait_until 5 _nfq_empty
ledger_dump tcpcopy "$TCPCOPY_PID"
daemon_stop tcpcopy "$TCPCOPY_PID"
daemon_stop intercept "$INTERCEPT_PID"

# ---- 2. unprivileged start with ambient capabilities
cat > "$W/amb.sh" << EOS
#!/bin/sh
exec setpriv --reuid nobody --regid $(id -g nobody) --clear-groups \
    --inh-caps +net_raw,+net_admin --ambient-caps +net_raw,+net_admin "\$@"
EOS
chmod 755 "$W/amb.sh"
printf '#!/bin/sh\nexec %s %s "$@"\n' "$W/amb.sh" "$TCPCOPY" > "$W/tcpcopy"
printf '#!/bin/sh\nexec %s %s "$@"\n' "$W/amb.sh" "$INTERCEPT" \
    > "$W/intercept"
chmod 755 "$W/tcpcopy" "$W/intercept"
nginx_stop tgt
: > "$W/tgt/access.log"
: > "$W/onl/access.log"
nginx_start "$NS_TGT" tgt || bail "nginx on target (restart)"
TCPCOPY=$W/tcpcopy INTERCEPT=$W/intercept
up_or_bail intercept2 "intercept (uid nobody, ambient caps) listens" \
    intercept_start intercept2
up_or_bail tcpcopy2 \
    "tcpcopy (uid nobody, ambient caps) connected to intercept" \
    tcpcopy_start tcpcopy2 "$NS_ONL" "$TGT_IP" 80
check "tcpcopy2 runs as uid $NOBODY_UID" \
    [ "$(status_field "$TCPCOPY_PID" Uid)" = "$NOBODY_UID" ]
cap=$(status_field "$TCPCOPY_PID" CapEff)
check "tcpcopy2 dropped its ambient capabilities (CapEff $cap)" \
    [ "$cap" = 0000000000000000 ]
check_gets 20 ambient
access_settle onl 20
wait_access tgt "$(access_count onl)" 20 8
assert_same_requests onl tgt "ambient caps: target logged the same requests"
daemon_stop tcpcopy2 "$TCPCOPY_PID"
daemon_stop intercept2 "$INTERCEPT_PID"
TCPCOPY=$TOP/objs/tcpcopy INTERCEPT=$TOP/objs/intercept
[ -x "$TCPCOPY" ] || TCPCOPY=${TCPCOPY_ORIG:-$TCPCOPY}

# ---- 3. -d and -P
pidf=$W/icp.pid
nsx "$NS_TGT" "$INTERCEPT" -d -P "$pidf" -p "$CTL_PORT" -l "$W/icp_d.log" \
    > "$W/icp_d.out" 2>&1
rc=$?
dpid=$(cat "$pidf" 2> /dev/null)
[ -n "$dpid" ] && E2E_PIDS="$E2E_PIDS $dpid"
check "intercept -d returns 0 once up, pid file names the daemon ($dpid)" \
    sh -c "[ $rc = 0 ] && [ -n '$dpid' ] && [ -d /proc/$dpid ]"
nsx "$NS_TGT" "$INTERCEPT" -d -P "$pidf" -p $((CTL_PORT + 1)) \
    > "$W/icp_d2.out" 2>&1
rc=$?
log "second intercept: exit $rc: $(cat "$W/icp_d2.out")"
check "second intercept -d -P: exit 1, says why on the terminal" \
    sh -c "[ $rc = 1 ] && grep -q 'already running' '$W/icp_d2.out'"

tpidf=$W/tc.pid
# A file left behind whose pid now belongs to another live process (here
# intercept) holds no lock: it must not block the start.
echo "$dpid" > "$tpidf"
nsx "$NS_ONL" "$TCPCOPY" -d -P "$tpidf" -x "80-$TGT_IP:80" -s "$TGT_IP" \
    -l "$W/tc_d.log" > "$W/tc_d.out" 2>&1
rc=$?
tpid=$(cat "$tpidf" 2> /dev/null)
[ -n "$tpid" ] && E2E_PIDS="$E2E_PIDS $tpid"
check "tcpcopy -d over a stale pid file (names live pid $dpid, no lock): \
returns 0 once up, pid file names the daemon ($tpid)" \
    sh -c "[ $rc = 0 ] && [ -n '$tpid' ] && [ '$tpid' != '$dpid' ] &&
           [ -d /proc/$tpid ]"
nsx "$NS_ONL" "$TCPCOPY" -d -P "$tpidf" -x "80-$TGT_IP:80" -s "$TGT_IP" \
    > "$W/tc_d2.out" 2>&1
rc=$?
log "second tcpcopy -d: exit $rc: $(cat "$W/tc_d2.out")"
check "second tcpcopy -d -P (pid file locked): exit 1, says why" \
    sh -c "[ $rc = 1 ] && grep -q 'already running' '$W/tc_d2.out' &&
           [ \"\$(cat '$tpidf')\" = '$tpid' ]"
proc_stop "$tpid" TERM 10
check "tcpcopy -d: SIGTERM removes its pid file" [ ! -e "$tpidf" ]
check "tcpcopy -d: final ledger in its log" grep -q 'ledger (final)' \
    "$W/tc_d.log"
proc_stop "$dpid" TERM 10
check "intercept -d: SIGTERM removes its pid file" [ ! -e "$pidf" ]
t_done
