/*
 * tc_daemon_loop.c: the daemons' signals and report timer (see
 * tc_daemon_loop.h).
 */
#include "tc_config.h"

#include <errno.h>
#include <signal.h>

#include "tc_daemon_loop.h"
#include "tc_log.h"


static void
daemon_loop_signal(int signo, void *data)
{
    tc_daemon_loop_t *d = data;

    switch (signo) {
    case SIGUSR1:
        d->on_usr1(d->data);
        return;
    case SIGHUP:
        if (tc_log_reopen() != TC_OK) {
            tc_log_error(TC_LOG_ERR, errno, "%s", d->reopen_failed);
        }
        return;
    default:
        tc_log_error(TC_LOG_NOTICE, 0, "signal %d: stopping", signo);
        tc_event_stop(d->loop);
        return;
    }
}


static void
daemon_loop_timer(tc_timer_t *t)
{
    tc_daemon_loop_t *d = t->data;

    d->on_stats(d->data);
    tc_timer_set(d->loop, t, d->interval);
}


int
tc_daemon_loop_start(tc_daemon_loop_t *d, tc_event_loop_t *loop)
{
    static const int sigs[] = {SIGTERM, SIGINT, SIGUSR1, SIGHUP};
    size_t           i;

    d->loop = loop;
    tc_timer_init(&d->timer, daemon_loop_timer, d);

    /* A peer or a log pipe that goes away is an error to handle where it
     * happens (EPIPE), never a reason for a daemon to die. */
    (void) signal(SIGPIPE, SIG_IGN);

    for (i = 0; i < tc_nelems(sigs); i++) {
        if (tc_event_signal(loop, sigs[i], daemon_loop_signal, d) != TC_OK) {
            return TC_ERROR;
        }
    }

    if (d->interval > 0) {
        tc_timer_set(loop, &d->timer, d->interval);
    }
    return TC_OK;
}


void
tc_daemon_loop_stop(tc_daemon_loop_t *d)
{
    if (d->loop != NULL) {
        tc_timer_del(d->loop, &d->timer);
    }
}
