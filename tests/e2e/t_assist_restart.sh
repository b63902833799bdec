#!/bin/sh
# t_assist_restart: the advanced architecture (intercept -i on an
# assistant the target routes its client replies to) with intercept
# stopped for about a second during paced short-connection traffic and
# started again.  tcpcopy must reconnect and re-announce its routes; every
# request made after it reconnected must reach the target; and the
# requests lost while intercept was away must show in tcpcopy's ledger
# (the control link went down, its routes were not delivered, and each
# lost request's session ended abnormally), never silently.

TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/e2e/lib.sh"
trap cleanup EXIT INT TERM

FILTER='tcp and src port 80'

e2e_require nginx wrk
e2e_require_daemons
check "topology up (one L2 segment, target routes clients via assistant)" \
    topo_up_assist || bail "topology"
count_from_target "$NS_CLI"
servers_up nginx
assist_replay_up "" 80

load_start "/ar/$S/"
intercept_outage "intercept restarted on the assistant" \
    intercept_pcap_start intercept2 "$NS_AST" "$FILTER"
load_end "the restart"
assert_outage_loss
assert_no_leak
daemon_stop tcpcopy "$TCPCOPY_PID" 20
daemon_stop intercept2 "$INTERCEPT_PID"

# The loss is in the final ledger: the link went down, and every lost
# request (one a connection here) ended a session abnormally.
final=$(grep 'ledger (final)' "$W/tcpcopy.log" | tail -n 1)
_key() {
    echo "$final" | grep -oE "[ |]$1=[0-9]+" | head -n 1 | cut -d= -f2
}
down=$(_key down)
unsent=$(_key unsent)
abnormal=0
for k in target_rst refused syn_timeout retrans_limit idle seq_gap \
         port_reuse memory shutdown; do
    v=$(_key "$k")
    abnormal=$((abnormal + ${v:-0}))
done
log "tcpcopy final ledger: ctl down=$down unsent=$unsent," \
    "sessions ended abnormally=$abnormal; requests lost=$LOST"
check "the outage is in tcpcopy's ledger (ctl down=$down)" \
    [ "${down:-0}" -ge 1 ]
check "routes of sessions begun meanwhile counted unsent ($unsent)" \
    [ "${unsent:-0}" -ge 1 ]
check "every lost request is counted ($abnormal abnormal ends >= $LOST)" \
    [ "$abnormal" -ge "$LOST" ]
t_done
