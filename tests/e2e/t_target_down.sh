#!/bin/sh
# t_target_down: the target's nginx is stopped for 2 s while paced
# short-connection traffic runs.  tcpcopy must keep running and count the
# failed sessions (RST from the target) in its ledger; once nginx is back,
# new requests must reach the target again.

TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/e2e/lib.sh"
trap cleanup EXIT INT TERM

http_replay_up wrk

load_start "/td/$S/"

t_down=$(now_s)
nginx_stop tgt
log "target nginx stopped at $t_down (online had $(access_count onl))"
check "port 80 closed on target" eval '! port_listens "$NS_TGT" 80'
# The outage itself: the target stays down this long on purpose.
sleep 2
nginx_start "$NS_TGT" tgt || bail "target nginx restarted"
t_up=$(now_s)
ok "target nginx restarted"
check "tcpcopy survived the target outage" proc_alive "$TCPCOPY_PID"

load_end "the outage"

after=$(add_s "$t_up" 1.0)
requests onl "$after" > "$W/after.onl"
want=$(( $(access_count tgt) + $(wc -l < "$W/after.onl") ))
wait_access tgt "$want" 60 10
requests tgt > "$W/all.tgt"
requests onl > "$W/all.onl"
assert_subset "$W/after.onl" "$W/all.tgt" \
    "target got every request sent after it came back"
lost=$(comm -23 "$W/all.onl" "$W/all.tgt" | wc -l)
outage=$(requests onl "$t_down" "$t_up" | wc -l)
log "FIGURES: online $LOAD_N, target $(access_count tgt), lost $lost" \
    "($(pct "$lost" "$LOAD_N")%); $outage requests online while target was down"

ledger_dump tcpcopy "$TCPCOPY_PID"
check "tcpcopy survives SIGUSR1 (ledger dump)" proc_alive "$TCPCOPY_PID"
show_log tcpcopy 15
rst=$(ledger_max "$W/tcpcopy.log" 'target_rst|refused')
log "largest reset/aborted figure in tcpcopy's ledger: $rst"
check "tcpcopy's ledger counts the sessions the target refused ($rst)" \
    [ "$rst" -gt 0 ]

check "intercept still running" proc_alive "$INTERCEPT_PID"
daemon_stop tcpcopy "$TCPCOPY_PID" 20
daemon_stop intercept "$INTERCEPT_PID"
t_done
