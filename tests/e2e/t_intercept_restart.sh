#!/bin/sh
# t_intercept_restart: paced short-connection traffic runs while intercept
# is stopped for about a second and started again.  tcpcopy must survive
# and reconnect; every request sent after it reconnected must reach the
# target.  The loss during the outage is reported as a figure.

TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/e2e/lib.sh"
trap cleanup EXIT INT TERM

http_replay_up wrk

load_start "/ir/$S/"
intercept_outage "intercept restarted" intercept_start intercept2
load_end "the restart"
assert_outage_loss

daemon_stop tcpcopy "$TCPCOPY_PID" 20
daemon_stop intercept2 "$INTERCEPT_PID"
t_done
