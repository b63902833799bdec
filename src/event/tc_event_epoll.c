/*
 * tc_event_epoll.c: the default poll backend, level-triggered epoll.
 *
 * Level-triggered because handlers read until EAGAIN anyway, and because a
 * handler that stops early for fairness (bounded work per wake-up) is then
 * simply called again next iteration.  Each epoll entry carries the fd and
 * the registration's generation, so an event that arrives for a
 * registration deleted and re-added in the same batch is recognised as
 * stale.
 */
#include "tc_config.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "tc_event_int.h"

typedef struct {
    int                epfd;
    struct epoll_event events[TC_EVENT_BATCH];
} tc_epoll_t;

static int  tc_epoll_init(tc_event_loop_t *loop);
static void tc_epoll_done(tc_event_loop_t *loop);
static int tc_epoll_ctl(tc_event_loop_t *loop, int op, int fd, uint32_t events);
static int tc_epoll_add(tc_event_loop_t *loop, int fd, uint32_t events);
static int tc_epoll_mod(tc_event_loop_t *loop, int fd, uint32_t events);
static int tc_epoll_del(tc_event_loop_t *loop, int fd);
static int tc_epoll_poll(tc_event_loop_t *loop, int timeout);

const tc__event_ops_t tc__event_epoll_ops = {
    "epoll",      tc_epoll_init, tc_epoll_done, tc_epoll_add,
    tc_epoll_mod, tc_epoll_del,  tc_epoll_poll,
};


static int
tc_epoll_init(tc_event_loop_t *loop)
{
    tc_epoll_t *ep;

    ep = malloc(sizeof(*ep));
    if (ep == NULL) {
        return TC_ERROR;
    }

    ep->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (ep->epfd == -1) {
        free(ep);
        return TC_ERROR;
    }

    loop->backend = ep;
    return TC_OK;
}


static void
tc_epoll_done(tc_event_loop_t *loop)
{
    tc_epoll_t *ep = loop->backend;

    close(ep->epfd);
    free(ep);
    loop->backend = NULL;
}


static int
tc_epoll_ctl(tc_event_loop_t *loop, int op, int fd, uint32_t events)
{
    tc_epoll_t        *ep = loop->backend;
    struct epoll_event ee;

    ee.events = ((events & TC_EV_READ) ? EPOLLIN : 0) |
                ((events & TC_EV_WRITE) ? EPOLLOUT : 0);
    ee.data.u64 = (uint64_t) loop->regs[fd].gen << 32 | (uint32_t) fd;

    return epoll_ctl(ep->epfd, op, fd, &ee) == -1 ? TC_ERROR : TC_OK;
}


static int
tc_epoll_add(tc_event_loop_t *loop, int fd, uint32_t events)
{
    return tc_epoll_ctl(loop, EPOLL_CTL_ADD, fd, events);
}


static int
tc_epoll_mod(tc_event_loop_t *loop, int fd, uint32_t events)
{
    return tc_epoll_ctl(loop, EPOLL_CTL_MOD, fd, events);
}


/*
 * The kernel drops a closed fd from the set by itself, so EBADF (closed)
 * and ENOENT (closed and the number reused) just mean "already gone": a
 * caller that closes before deleting is not in error.
 */
static int
tc_epoll_del(tc_event_loop_t *loop, int fd)
{
    tc_epoll_t        *ep = loop->backend;
    struct epoll_event ee = {0, {0}};

    if (epoll_ctl(ep->epfd, EPOLL_CTL_DEL, fd, &ee) == -1 && errno != EBADF &&
        errno != ENOENT) {
        return TC_ERROR;
    }

    return TC_OK;
}


/* Error and hang-up are reported with READ so a handler that only reads
 * still calls read() and sees the error or EOF there. */
static int
tc_epoll_poll(tc_event_loop_t *loop, int timeout)
{
    tc_epoll_t        *ep = loop->backend;
    tc__event_ready_t *r = loop->ready;
    uint32_t           e, ev;
    int                i, n;

    n = epoll_wait(ep->epfd, ep->events, TC_EVENT_BATCH, timeout);
    if (n == -1) {
        return errno == EINTR ? 0 : TC_ERROR;
    }

    for (i = 0; i < n; i++) {
        e = ep->events[i].events;
        ev = 0;
        if (e & EPOLLIN) {
            ev |= TC_EV_READ;
        }
        if (e & EPOLLOUT) {
            ev |= TC_EV_WRITE;
        }
        if (e & (EPOLLERR | EPOLLHUP)) {
            ev |= TC_EV_ERROR | TC_EV_READ;
        }
        r[i].fd = (int) (uint32_t) ep->events[i].data.u64;
        r[i].gen = (uint32_t) (ep->events[i].data.u64 >> 32);
        r[i].events = ev;
    }

    return n;
}
