/*
 * tc_event_select.c: the portable fallback backend, select(2).  It can only
 * watch fds below FD_SETSIZE (1024 on Linux); larger ones are refused at
 * add time with EMFILE rather than corrupting the fd_set.
 *
 * When more fds are ready than one batch holds, the scan resumes where the
 * previous one stopped, so high-numbered fds are not starved by low ones.
 */
#include "tc_config.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/select.h>

#include "tc_event_int.h"

typedef struct {
    fd_set rfds; /* interest sets; select() works on copies */
    fd_set wfds;
    int    maxfd; /* highest fd in either set, -1 if none */
    int    next;  /* where the next scan starts */
} tc_select_t;

static int  tc_select_init(tc_event_loop_t *loop);
static void tc_select_done(tc_event_loop_t *loop);
static int  tc_select_add(tc_event_loop_t *loop, int fd, uint32_t events);
static int  tc_select_mod(tc_event_loop_t *loop, int fd, uint32_t events);
static int  tc_select_del(tc_event_loop_t *loop, int fd);
static int  tc_select_poll(tc_event_loop_t *loop, int timeout);

const tc__event_ops_t tc__event_select_ops = {
    "select",      tc_select_init, tc_select_done, tc_select_add,
    tc_select_mod, tc_select_del,  tc_select_poll,
};


static int
tc_select_init(tc_event_loop_t *loop)
{
    tc_select_t *s;

    s = malloc(sizeof(*s));
    if (s == NULL) {
        return TC_ERROR;
    }

    FD_ZERO(&s->rfds);
    FD_ZERO(&s->wfds);
    s->maxfd = -1;
    s->next = 0;

    loop->backend = s;
    return TC_OK;
}


static void
tc_select_done(tc_event_loop_t *loop)
{
    free(loop->backend);
    loop->backend = NULL;
}


/* Puts fd in the sets its interest asks for and keeps maxfd covering it. */
static void
tc_select_set(tc_select_t *s, int fd, uint32_t events)
{
    if (events != 0 && fd > s->maxfd) {
        s->maxfd = fd;
    }

    if (events & TC_EV_READ) {
        FD_SET(fd, &s->rfds);
    } else {
        FD_CLR(fd, &s->rfds);
    }

    if (events & TC_EV_WRITE) {
        FD_SET(fd, &s->wfds);
    } else {
        FD_CLR(fd, &s->wfds);
    }
}


static int
tc_select_add(tc_event_loop_t *loop, int fd, uint32_t events)
{
    tc_select_t *s = loop->backend;

    if (fd >= FD_SETSIZE) {
        errno = EMFILE;
        return TC_ERROR;
    }

    tc_select_set(s, fd, events);
    return TC_OK;
}


static int
tc_select_mod(tc_event_loop_t *loop, int fd, uint32_t events)
{
    tc_select_set(loop->backend, fd, events);
    return TC_OK;
}


static int
tc_select_del(tc_event_loop_t *loop, int fd)
{
    tc_select_t *s = loop->backend;

    tc_select_set(s, fd, 0);

    /* maxfd only bounds the scan; shrink it past fds no longer watched
     * (registered fds with no interest are not in the sets either) */
    while (s->maxfd >= 0 && !FD_ISSET(s->maxfd, &s->rfds) &&
           !FD_ISSET(s->maxfd, &s->wfds)) {
        s->maxfd--;
    }

    return TC_OK;
}


static int
tc_select_poll(tc_event_loop_t *loop, int timeout)
{
    tc_select_t   *s = loop->backend;
    fd_set         rfds = s->rfds, wfds = s->wfds;
    struct timeval tv, *tvp = NULL;
    int            n, i, fd, nfds, bits = 0, got = 0;
    uint32_t       ev;

    if (timeout >= 0) {
        tv.tv_sec = timeout / 1000;
        tv.tv_usec = (timeout % 1000) * 1000;
        tvp = &tv;
    }

    nfds = s->maxfd + 1;
    n = select(nfds, &rfds, &wfds, NULL, tvp);
    if (n == -1) {
        return errno == EINTR ? 0 : TC_ERROR;
    }

    if (s->next >= nfds) {
        s->next = 0;
    }

    /* n counts set bits, so an fd ready both ways counts twice */
    for (i = 0; i < nfds && bits < n && got < TC_EVENT_BATCH; i++) {
        fd = (s->next + i) % nfds;
        ev = (FD_ISSET(fd, &rfds) ? TC_EV_READ : 0) |
             (FD_ISSET(fd, &wfds) ? TC_EV_WRITE : 0);
        if (ev == 0) {
            continue;
        }
        bits += ev == (TC_EV_READ | TC_EV_WRITE) ? 2 : 1;
        loop->ready[got].fd = fd;
        loop->ready[got].events = ev;
        loop->ready[got].gen = loop->regs[fd].gen;
        got++;
    }

    s->next = got == TC_EVENT_BATCH ? (s->next + i) % nfds : 0;
    return got;
}
