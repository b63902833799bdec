/*
 * tc_daemon_loop.h: the signals and the periodic report every daemon's
 * loop has, whatever its own work:
 *
 *     SIGTERM, SIGINT   log "signal N: stopping" and stop the loop
 *     SIGHUP            reopen the log file (logrotate)
 *     SIGUSR1           the daemon's on_usr1: log the ledger now
 *     a timer           the daemon's on_stats every interval ms (the
 *                       ledger line, --stats-interval; 0 = none)
 *
 * The signals arrive through the loop (signalfd), so the callbacks may do
 * anything a handler of the loop may.
 */
#ifndef TC_DAEMON_LOOP_H_INCLUDED
#define TC_DAEMON_LOOP_H_INCLUDED

#include "tc_core.h"
#include "tc_event.h"

typedef void (*tc_daemon_report_pt)(void *data);

/*
 * Embedded in main()'s context, zeroed; the daemon fills the first five
 * fields before tc_daemon_loop_start().
 */
typedef struct {
    tc_msec_t           interval; /* on_stats period, ms; 0: never */
    tc_daemon_report_pt on_stats;
    tc_daemon_report_pt on_usr1;
    const char         *reopen_failed; /* logged when SIGHUP cannot reopen */
    void               *data;          /* for the callbacks */

    tc_event_loop_t *loop; /* set by start */
    tc_timer_t       timer;
} tc_daemon_loop_t;

/*
 * Routes SIGTERM, SIGINT, SIGUSR1 and SIGHUP to loop and arms the report
 * timer (when interval > 0).  Returns TC_OK, or TC_ERROR (errno set) when a
 * signal cannot be routed.
 */
int tc_daemon_loop_start(tc_daemon_loop_t *d, tc_event_loop_t *loop);

/* Disarms the report timer; safe when start never ran (d zeroed). */
void tc_daemon_loop_stop(tc_daemon_loop_t *d);

#endif /* TC_DAEMON_LOOP_H_INCLUDED */
