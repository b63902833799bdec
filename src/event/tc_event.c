/*
 * tc_event.c: the reactor loop.  fd registrations live in an array indexed
 * by fd; a poll backend (tc_event_epoll.c, tc_event_select.c) reports ready
 * fds into loop->ready[], and this file dispatches them, then runs due
 * timers (tc_event_timer.c), then the tick hooks.  Signals arrive as reads
 * on one signalfd, so their handlers run in loop context like any other.
 */
#include "tc_config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "tc_event_int.h"
#include "tc_log.h"
#include "tc_time.h"

#define TC_EVENT_REGS_MIN 64

static const tc__event_ops_t *const tc_event_backends[] = {
    &tc__event_epoll_ops,
    &tc__event_select_ops,
};

static int              tc_event_grow(tc_event_loop_t *loop, int fd);
static tc__event_reg_t *tc_event_reg(tc_event_loop_t *loop, int fd);
static int              tc_event_dispatch(tc_event_loop_t *loop, int n);
static void             tc_event_signal_read(void *data, uint32_t events);


/*
 * Creates a loop on the named backend ("epoll", "select"; NULL means
 * epoll).  The caller owns the loop and frees it with
 * tc_event_loop_destroy().  NULL on failure with errno set (EINVAL for an
 * unknown backend).
 */
tc_event_loop_t *
tc_event_loop_create(const char *backend)
{
    const tc__event_ops_t *ops = NULL;
    tc_event_loop_t       *loop;
    size_t                 i;

    for (i = 0; i < tc_nelems(tc_event_backends); i++) {
        if (backend == NULL ||
            strcmp(backend, tc_event_backends[i]->name) == 0) {
            ops = tc_event_backends[i];
            break;
        }
    }
    if (ops == NULL) {
        errno = EINVAL;
        return NULL;
    }

    loop = calloc(1, sizeof(*loop));
    if (loop == NULL) {
        return NULL;
    }

    loop->ops = ops;
    loop->sigfd = -1;
    sigemptyset(&loop->sigmask);

    if (ops->init(loop) != TC_OK) {
        free(loop);
        return NULL;
    }

    return loop;
}


/* Frees the loop and closes the fds it created (backend, signalfd); fds the
 * caller registered stay open.  Armed timers are left disarmed.  Signals
 * routed through the loop stay blocked: unblocking would deliver any
 * pending one with its default action. */
void
tc_event_loop_destroy(tc_event_loop_t *loop)
{
    if (loop == NULL) {
        return;
    }

    loop->ops->done(loop);
    if (loop->sigfd != -1) {
        close(loop->sigfd);
    }

    tc__timer_done(loop);
    free(loop->regs);
    free(loop);
}


/* Makes regs[] cover fd; new slots are zeroed (free). */
static int
tc_event_grow(tc_event_loop_t *loop, int fd)
{
    size_t           n, need = (size_t) fd + 1;
    tc__event_reg_t *regs;

    if (need <= loop->nregs) {
        return TC_OK;
    }

    n = loop->nregs ? loop->nregs : TC_EVENT_REGS_MIN;
    while (n < need) {
        n *= 2;
    }

    regs = realloc(loop->regs, n * sizeof(regs[0]));
    if (regs == NULL) {
        return TC_ERROR;
    }

    memset(regs + loop->nregs, 0, (n - loop->nregs) * sizeof(regs[0]));
    loop->regs = regs;
    loop->nregs = n;
    return TC_OK;
}


/*
 * Registers fd for events (TC_EV_READ|TC_EV_WRITE, may be 0) with handler
 * and data.  The loop does not own fd; the caller deletes the registration
 * before or after closing it.  TC_OK, or TC_ERROR with errno: EBADF (fd <
 * 0), EINVAL (no handler), EEXIST (already registered), EMFILE (select
 * backend, fd >= FD_SETSIZE), or the backend's.
 */
int
tc_event_add(tc_event_loop_t *loop, int fd, uint32_t events,
             tc_io_handler_pt handler, void *data)
{
    tc__event_reg_t *reg;

    if (fd < 0 || handler == NULL) {
        errno = fd < 0 ? EBADF : EINVAL;
        return TC_ERROR;
    }
    if (tc_event_grow(loop, fd) != TC_OK) {
        return TC_ERROR;
    }

    reg = &loop->regs[fd];
    if (reg->handler != NULL) {
        errno = EEXIST;
        return TC_ERROR;
    }

    reg->events = events & (TC_EV_READ | TC_EV_WRITE);
    reg->gen = ++loop->next_gen;
    if (loop->ops->add(loop, fd, reg->events) != TC_OK) {
        return TC_ERROR;
    }

    /* set last: a failed add leaves the slot free */
    reg->handler = handler;
    reg->data = data;
    return TC_OK;
}


/* fd's registration, or NULL with errno ENOENT when it has none. */
static tc__event_reg_t *
tc_event_reg(tc_event_loop_t *loop, int fd)
{
    if (fd < 0 || (size_t) fd >= loop->nregs ||
        loop->regs[fd].handler == NULL) {
        errno = ENOENT;
        return NULL;
    }
    return &loop->regs[fd];
}


/* Changes the interest of a registered fd.  TC_OK, or TC_ERROR with errno
 * (ENOENT: not registered). */
int
tc_event_mod(tc_event_loop_t *loop, int fd, uint32_t events)
{
    tc__event_reg_t *reg;
    uint32_t         old;

    reg = tc_event_reg(loop, fd);
    if (reg == NULL) {
        return TC_ERROR;
    }

    old = reg->events;
    events &= TC_EV_READ | TC_EV_WRITE;
    if (events == old) {
        return TC_OK;
    }

    reg->events = events;
    if (loop->ops->mod(loop, fd, events) != TC_OK) {
        reg->events = old;
        return TC_ERROR;
    }

    return TC_OK;
}


/*
 * Removes fd's registration; events already collected for it in the
 * current batch are not dispatched.  fd may already be closed.  TC_OK, or
 * TC_ERROR with errno (ENOENT: not registered); the registration is gone
 * either way.
 */
int
tc_event_del(tc_event_loop_t *loop, int fd)
{
    tc__event_reg_t *reg;
    int              rc;

    reg = tc_event_reg(loop, fd);
    if (reg == NULL) {
        return TC_ERROR;
    }

    rc = loop->ops->del(loop, fd);
    reg->handler = NULL;
    reg->data = NULL;
    reg->events = 0;
    reg->gen = 0;
    return rc;
}


/*
 * Calls the handlers of the n ready entries.  An entry is skipped if its
 * registration was deleted or replaced (gen differs) by an earlier handler
 * of the batch, or if the interest no longer covers it.  regs may move
 * (a handler's add can grow it), so it is re-read for every entry.
 */
static int
tc_event_dispatch(tc_event_loop_t *loop, int n)
{
    tc__event_ready_t *r;
    tc__event_reg_t   *reg;
    uint32_t           ev;
    int                i, done = 0;

    for (i = 0; i < n; i++) {
        r = &loop->ready[i];
        if ((size_t) r->fd >= loop->nregs) {
            continue;
        }
        reg = &loop->regs[r->fd];
        if (reg->handler == NULL || reg->gen != r->gen) {
            continue;
        }

        ev = r->events;
        if (!(ev & TC_EV_ERROR)) {
            ev &= reg->events;
            if (ev == 0) {
                continue;
            }
        }

        reg->handler(reg->data, ev);
        done++;
    }

    return done;
}


/*
 * One iteration: wait for fds (bounded by the next timer and max_wait ms,
 * max_wait < 0 meaning no cap), dispatch them, run due timers, then tick
 * hooks.  Returns the number of fd handlers called, or TC_ERROR (errno
 * set) if polling failed for a reason other than EINTR.
 */
int
tc_event_run_once(tc_event_loop_t *loop, tc_msec_t max_wait)
{
    unsigned i;
    int      n;

    tc_time_update();

    n = loop->ops->poll(loop, tc__timer_timeout(loop, max_wait));
    if (n == TC_ERROR) {
        return TC_ERROR;
    }

    tc_time_update();

    n = tc_event_dispatch(loop, n);
    tc_timer_expire(loop);

    for (i = 0; i < loop->nticks; i++) {
        loop->ticks[i].handler(loop->ticks[i].data);
    }

    return n;
}


/* Runs iterations until a handler calls tc_event_stop().  TC_OK, or
 * TC_ERROR (errno set) when polling fails. */
int
tc_event_run(tc_event_loop_t *loop)
{
    int rc = TC_OK;

    while (!loop->stop) {
        if (tc_event_run_once(loop, -1) == TC_ERROR) {
            rc = TC_ERROR;
            break;
        }
    }

    /* re-arm for a later tc_event_run() */
    loop->stop = false;
    return rc;
}


/* Makes tc_event_run() return after the current iteration.  Called from a
 * handler (the loop is single-threaded). */
void
tc_event_stop(tc_event_loop_t *loop)
{
    loop->stop = true;
}


/* Adds handler(data) to the end of every iteration, in registration
 * order.  TC_OK, or TC_ERROR (errno ENOSPC) past TC_EVENT_MAX_TICKS. */
int
tc_event_on_tick(tc_event_loop_t *loop, tc_tick_handler_pt handler, void *data)
{
    if (loop->nticks == TC_EVENT_MAX_TICKS || handler == NULL) {
        errno = handler == NULL ? EINVAL : ENOSPC;
        return TC_ERROR;
    }

    loop->ticks[loop->nticks].handler = handler;
    loop->ticks[loop->nticks].data = data;
    loop->nticks++;
    return TC_OK;
}


/*
 * Routes signo to handler(signo, data) from the loop.  The signal is
 * blocked for the process first, so one raised before the signalfd exists
 * stays pending and is read from it rather than killing us.  Calling again
 * for the same signo replaces the handler.  TC_OK, or TC_ERROR with errno
 * (EINVAL for a signal that cannot be caught); on error the signal mask is
 * restored.
 */
int
tc_event_signal(tc_event_loop_t *loop, int signo, tc_signal_handler_pt handler,
                void *data)
{
    sigset_t one, old, mask;
    int      fd, err;

    if (signo <= 0 || signo >= NSIG || signo == SIGKILL || signo == SIGSTOP ||
        handler == NULL) {
        errno = EINVAL;
        return TC_ERROR;
    }

    mask = loop->sigmask;
    sigemptyset(&one);
    if (sigaddset(&one, signo) == -1 || sigaddset(&mask, signo) == -1) {
        return TC_ERROR;
    }
    if (sigprocmask(SIG_BLOCK, &one, &old) == -1) {
        return TC_ERROR;
    }

    /* with an existing fd, signalfd() replaces its mask in place */
    fd = signalfd(loop->sigfd, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    if (fd == -1) {
        goto out_restore_mask;
    }

    if (loop->sigfd == -1) {
        if (tc_event_add(loop, fd, TC_EV_READ, tc_event_signal_read, loop) !=
            TC_OK) {
            close(fd);
            goto out_restore_mask;
        }
        loop->sigfd = fd;
    }

    loop->sigmask = mask;
    loop->sigs[signo].handler = handler;
    loop->sigs[signo].data = data;
    return TC_OK;

out_restore_mask:
    err = errno;
    sigprocmask(SIG_SETMASK, &old, NULL);
    errno = err;
    return TC_ERROR;
}


/* The signalfd is readable: read every queued siginfo and call handlers. */
static void
tc_event_signal_read(void *data, uint32_t events)
{
    tc_event_loop_t        *loop = data;
    struct signalfd_siginfo si[8];
    ssize_t                 n;
    size_t                  i;
    uint32_t                signo;

    (void) events;

    for (;;) {
        n = read(loop->sigfd, si, sizeof(si));
        if (n == -1) {
            if (errno == EINTR) {
                continue;
            }
            if (errno != EAGAIN) {
                tc_log_error(TC_LOG_ERR, errno, "read(signalfd) failed");
            }
            return;
        }

        for (i = 0; i < (size_t) n / sizeof(si[0]); i++) {
            signo = si[i].ssi_signo;
            if (signo < NSIG && loop->sigs[signo].handler != NULL) {
                loop->sigs[signo].handler((int) signo, loop->sigs[signo].data);
            }
        }

        if ((size_t) n < sizeof(si)) {
            return;
        }
    }
}
