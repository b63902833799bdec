/*
 * test_event.c: the reactor.  Timers are driven with an injected clock
 * (tc_time_set + tc_timer_expire); fd dispatch, signals, tick hooks and
 * run/stop use real pipes in both backends, with waits of tens of ms.
 */
#include "tc_config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

#include "t_harness.h"
#include "tc_event.h"
#include "tc_time.h"

#define T_NTIMERS 2000

static const char *const t_backends[] = {"epoll", "select"};


/* Runs one test body once with each event backend. */
static void
t_each_backend(void (*body)(const char *backend))
{
    size_t i;

    for (i = 0; i < tc_nelems(t_backends); i++) {
        body(t_backends[i]);
    }
}


/* ---- timers on an injected clock ---- */

typedef struct {
    tc_timer_t       timer;
    unsigned         id;
    unsigned         fired;
    tc_msec_t        period; /* self re-arm delay when rearm is set */
    bool             rearm;
    tc_event_loop_t *loop;
} t_tmr_t;

static t_tmr_t  t_tmrs[T_NTIMERS];
static unsigned t_order[T_NTIMERS * 4];
static unsigned t_nfired;


static uint32_t
t_rand(uint32_t *state)
{
    /* xorshift32: deterministic, so a failure reproduces */
    uint32_t x = *state;

    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}


static void
t_tmr_handler(tc_timer_t *t)
{
    t_tmr_t *x = t->data;

    x->fired++;
    if (t_nfired < tc_nelems(t_order)) {
        t_order[t_nfired] = x->id;
    }
    t_nfired++;

    if (x->rearm) {
        tc_timer_set(x->loop, t, x->period);
    }
}


static void
t_tmrs_reset(tc_event_loop_t *loop, unsigned n)
{
    unsigned i;

    for (i = 0; i < n; i++) {
        memset(&t_tmrs[i], 0, sizeof(t_tmrs[i]));
        tc_timer_init(&t_tmrs[i].timer, t_tmr_handler, &t_tmrs[i]);
        t_tmrs[i].id = i;
        t_tmrs[i].loop = loop;
    }
    t_nfired = 0;
}


/* Every fired timer was due and every other one is armed and not due. */
static void
t_check_due(tc_msec_t now)
{
    unsigned i, bad = 0;

    for (i = 0; i < T_NTIMERS; i++) {
        if (t_tmrs[i].fired ? t_tmrs[i].timer.when > now
                            : !tc_timer_armed(&t_tmrs[i].timer) ||
                                  t_tmrs[i].timer.when <= now) {
            bad++;
        }
    }
    T_CHECK_EQ(bad, 0);
}


/* Fire order from t_order[from] on is by when, then by arming order (=
 * id in these tests). */
static void
t_check_order(unsigned from)
{
    unsigned i, bad = 0, a, b;

    for (i = from + 1; i < t_nfired; i++) {
        a = t_order[i - 1];
        b = t_order[i];
        if (t_tmrs[a].timer.when > t_tmrs[b].timer.when ||
            (t_tmrs[a].timer.when == t_tmrs[b].timer.when && a > b)) {
            bad++;
        }
    }
    T_CHECK_EQ(bad, 0);
}


static void
test_timer_random_order(void)
{
    tc_event_loop_t *loop = tc_event_loop_create(NULL);
    uint32_t         seed = 12345;
    tc_msec_t        now = 1000000, end;
    unsigned         i, from;

    T_CHECK(loop != NULL);
    tc_time_set(now);
    t_tmrs_reset(loop, T_NTIMERS);

    /* delays 0..4999 over 2000 timers: many equal `when`s */
    for (i = 0; i < T_NTIMERS; i++) {
        tc_timer_set(loop, &t_tmrs[i].timer, t_rand(&seed) % 5000);
        T_CHECK(tc_timer_armed(&t_tmrs[i].timer));
    }
    T_CHECK_EQ(tc_timer_count(loop), T_NTIMERS);

    /* expiring at "now" runs the zero-delay ones only */
    for (end = now + 5000; now <= end; now += 37) {
        tc_time_set(now);
        from = t_nfired;
        tc_timer_expire(loop);
        t_check_due(now);
        t_check_order(from ? from - 1 : 0);
    }

    tc_time_set(end);
    tc_timer_expire(loop);
    T_CHECK_EQ(t_nfired, T_NTIMERS);
    T_CHECK_EQ(tc_timer_count(loop), 0);
    t_check_order(0);
    tc_event_loop_destroy(loop);
}


static void
test_timer_delete_middle(void)
{
    tc_event_loop_t *loop = tc_event_loop_create("select");
    unsigned         i, n = 200, deleted_fired = 0, left;

    tc_time_set(0);
    t_tmrs_reset(loop, T_NTIMERS);
    for (i = 0; i < n; i++) {
        tc_timer_set(loop, &t_tmrs[i].timer, (tc_msec_t) ((i * 37) % 101));
    }

    for (i = 0; i < n; i += 3) {
        tc_timer_del(loop, &t_tmrs[i].timer);
        T_CHECK(!tc_timer_armed(&t_tmrs[i].timer));
        tc_timer_del(loop, &t_tmrs[i].timer); /* second del is a no-op */
    }
    left = n - (n + 2) / 3;
    T_CHECK_EQ(tc_timer_count(loop), left);

    tc_time_set(50);
    tc_timer_expire(loop);
    tc_time_set(1000);
    tc_timer_expire(loop);

    for (i = 0; i < n; i += 3) {
        deleted_fired += t_tmrs[i].fired;
    }
    T_CHECK_EQ(deleted_fired, 0);
    T_CHECK_EQ(t_nfired, left);
    T_CHECK_EQ(tc_timer_count(loop), 0);
    t_check_order(0);
    tc_event_loop_destroy(loop);
}


static void
test_timer_rearm(void)
{
    tc_event_loop_t *loop = tc_event_loop_create(NULL);
    t_tmr_t         *a = &t_tmrs[0], *b = &t_tmrs[1], *c = &t_tmrs[2];

    tc_time_set(100);
    t_tmrs_reset(loop, 3);
    tc_timer_set(loop, &a->timer, 100);
    tc_timer_set(loop, &b->timer, 200);
    tc_timer_set(loop, &c->timer, 300);

    /* move the last to the front and the first to the back */
    tc_timer_set(loop, &c->timer, 50);
    tc_timer_set(loop, &a->timer, 250);
    T_CHECK_EQ(tc_timer_count(loop), 3);
    T_CHECK_EQ(c->timer.when, 150);
    T_CHECK_EQ(a->timer.when, 350);

    tc_time_set(160);
    tc_timer_expire(loop);
    T_CHECK_EQ(t_nfired, 1);
    T_CHECK_EQ(c->fired, 1);

    /* absolute re-arm of b later than a */
    tc_timer_set_at(loop, &b->timer, 400);
    tc_time_set(1000);
    tc_timer_expire(loop);
    T_CHECK_EQ(t_nfired, 3);
    T_CHECK_EQ(t_order[1], 0);
    T_CHECK_EQ(t_order[2], 1);
    tc_event_loop_destroy(loop);
}


static void
test_timer_self_rearm(void)
{
    tc_event_loop_t *loop = tc_event_loop_create(NULL);
    t_tmr_t         *p = &t_tmrs[0], *z = &t_tmrs[1];
    int              i;

    tc_time_set(0);
    t_tmrs_reset(loop, 2);
    p->rearm = true;
    p->period = 10;
    tc_timer_set(loop, &p->timer, 10);

    /* a late expiry fires once and re-arms from the current time */
    tc_time_set(25);
    tc_timer_expire(loop);
    T_CHECK_EQ(p->fired, 1);
    T_CHECK_EQ(p->timer.when, 35);
    tc_time_set(35);
    tc_timer_expire(loop);
    T_CHECK_EQ(p->fired, 2);

    /* re-arming for "now" (0 or negative) must not spin inside one call */
    z->rearm = true;
    z->period = 0;
    tc_timer_set(loop, &z->timer, 0);
    for (i = 1; i <= 3; i++) {
        tc_timer_expire(loop);
        T_CHECK_EQ(z->fired, i);
        T_CHECK(tc_timer_armed(&z->timer));
    }
    z->period = -7;
    tc_timer_expire(loop);
    tc_timer_expire(loop);
    T_CHECK_EQ(z->fired, 5);
    T_CHECK_EQ(p->fired, 2);

    z->rearm = false;
    tc_timer_expire(loop);
    T_CHECK_EQ(z->fired, 6);
    T_CHECK(!tc_timer_armed(&z->timer));
    T_CHECK_EQ(tc_timer_count(loop), 1);

    /* the loop disarms what is left when it goes away */
    tc_event_loop_destroy(loop);
    T_CHECK(!tc_timer_armed(&p->timer));
}


static void
test_timer_zero_negative(void)
{
    tc_event_loop_t *loop = tc_event_loop_create(NULL);
    t_tmr_t         *a = &t_tmrs[0], *b = &t_tmrs[1], *c = &t_tmrs[2];
    t_tmr_t         *d = &t_tmrs[3];

    tc_time_set(500);
    t_tmrs_reset(loop, 4);
    tc_timer_set(loop, &a->timer, 0);
    tc_timer_set(loop, &b->timer, -5);
    tc_timer_set_at(loop, &c->timer, 100);
    tc_timer_set(loop, &d->timer, 1);
    T_CHECK_EQ(a->timer.when, 500);
    T_CHECK_EQ(b->timer.when, 495);
    T_CHECK(tc_timer_armed(&b->timer));

    tc_timer_expire(loop);
    T_CHECK_EQ(a->fired + b->fired + c->fired, 3);
    T_CHECK_EQ(d->fired, 0);
    T_CHECK_EQ(tc_timer_count(loop), 1);

    tc_time_set(501);
    tc_timer_expire(loop);
    T_CHECK_EQ(d->fired, 1);

    /* delete-and-rearm in any order leaves the heap consistent */
    tc_timer_set(loop, &a->timer, 3);
    tc_timer_del(loop, &a->timer);
    tc_timer_set(loop, &a->timer, 3);
    tc_timer_set(loop, &a->timer, 2);
    T_CHECK_EQ(tc_timer_count(loop), 1);
    tc_time_set(503);
    tc_timer_expire(loop);
    T_CHECK_EQ(a->fired, 2);

    /* a handler re-arming itself in the past must not hold back a timer
     * that was already due in the same pass */
    a->rearm = true;
    a->period = -10;
    tc_timer_set(loop, &a->timer, 0);
    tc_timer_set(loop, &b->timer, 0);
    tc_timer_expire(loop);
    T_CHECK_EQ(a->fired, 3);
    T_CHECK_EQ(b->fired, 2);
    tc_event_loop_destroy(loop);
}


/* ---- real fds ---- */

typedef struct {
    tc_event_loop_t *loop;
    int              fd;
    unsigned         calls;
    uint32_t         last_ev;
    int              peer;  /* fd to delete, once (-1: none) */
    bool            *once;  /* shared: only the first handler deletes */
    void            *readd; /* if set: re-add peer with this ctx */
    bool             mod;   /* mod peer's interest to 0 instead */
    bool             keep;  /* do not read: stays ready */
    bool             stop;
} t_io_t;


static void
t_drain(int fd)
{
    char    buf[256];
    ssize_t n;

    do {
        n = read(fd, buf, sizeof(buf));
    } while (n > 0);
}


static void t_io_handler(void *data, uint32_t events);


/* What the first handler of a batch does to its peer's registration. */
static void
t_io_hit_peer(t_io_t *io)
{
    if (io->mod) {
        T_CHECK_EQ(tc_event_mod(io->loop, io->peer, 0), TC_OK);
        return;
    }

    T_CHECK_EQ(tc_event_del(io->loop, io->peer), TC_OK);
    if (io->readd != NULL) {
        T_CHECK_EQ(tc_event_add(io->loop, io->peer, TC_EV_READ, t_io_handler,
                                io->readd),
                   TC_OK);
    }
}


static void
t_io_handler(void *data, uint32_t events)
{
    t_io_t *io = data;

    io->calls++;
    io->last_ev = events;

    if (io->once != NULL && !*io->once) {
        *io->once = true;
        t_io_hit_peer(io);
    }

    if ((events & TC_EV_READ) && !io->keep) {
        t_drain(io->fd);
    }
    if (io->stop) {
        tc_event_stop(io->loop);
    }
}


static tc_msec_t
t_clock(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (tc_msec_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}


static void
t_pipe(int p[2])
{
    T_CHECK_EQ(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
}


static void
t_pipe_dispatch(const char *backend)
{
    tc_event_loop_t *loop = tc_event_loop_create(backend);
    int              p1[2], p2[2];
    t_io_t           io1 = {0}, io2 = {0}, w = {0};
    tc_msec_t        t0;

    T_CHECK(loop != NULL);
    t_pipe(p1);
    t_pipe(p2);
    io1.loop = io2.loop = w.loop = loop;
    io1.fd = p1[0];
    io2.fd = p2[0];
    w.fd = p1[1];

    T_CHECK_EQ(tc_event_add(loop, p1[0], TC_EV_READ, t_io_handler, &io1),
               TC_OK);
    T_CHECK_EQ(tc_event_add(loop, p2[0], TC_EV_READ, t_io_handler, &io2),
               TC_OK);

    /* nothing ready: waits about max_wait and dispatches nothing */
    t0 = t_clock();
    T_CHECK_EQ(tc_event_run_once(loop, 20), 0);
    T_CHECK(t_clock() - t0 >= 15 && t_clock() - t0 < 500);

    T_CHECK_EQ(write(p2[1], "x", 1), 1);
    T_CHECK_EQ(tc_event_run_once(loop, 50), 1);
    T_CHECK_EQ(io1.calls, 0);
    T_CHECK_EQ(io2.calls, 1);
    T_CHECK_EQ(io2.last_ev, TC_EV_READ);
    T_CHECK_EQ(tc_event_run_once(loop, 0), 0);

    /* write interest, then none */
    T_CHECK_EQ(tc_event_add(loop, p1[1], TC_EV_WRITE, t_io_handler, &w), TC_OK);
    T_CHECK_EQ(tc_event_run_once(loop, 50), 1);
    T_CHECK_EQ(w.last_ev, TC_EV_WRITE);
    T_CHECK_EQ(tc_event_mod(loop, p1[1], 0), TC_OK);
    T_CHECK_EQ(tc_event_run_once(loop, 0), 0);
    T_CHECK_EQ(w.calls, 1);

    /* hang-up: the reader is told to read (and sees EOF) */
    T_CHECK_EQ(tc_event_del(loop, p1[1]), TC_OK);
    close(p1[1]);
    T_CHECK_EQ(tc_event_run_once(loop, 50), 1);
    T_CHECK(io1.last_ev & TC_EV_READ);
    if (strcmp(backend, "epoll") == 0) {
        T_CHECK(io1.last_ev & TC_EV_ERROR);
    }

    /* deleting after close is fine */
    close(p1[0]);
    T_CHECK_EQ(tc_event_del(loop, p1[0]), TC_OK);
    T_CHECK_EQ(tc_event_run_once(loop, 0), 0);

    T_CHECK_EQ(tc_event_del(loop, p2[0]), TC_OK);
    close(p2[0]);
    close(p2[1]);
    tc_event_loop_destroy(loop);
}


static void
test_pipe_dispatch(void)
{
    t_each_backend(t_pipe_dispatch);
}


/* Two ready pipes whose handlers each delete the other's fd: only the
 * first may run.  With readd, the victim fd is re-registered at once and
 * its stale event must not reach the new registration either.  With mod,
 * the victim's interest drops to 0 instead. */
static void
t_delete_in_batch(const char *backend, bool readd, bool mod)
{
    tc_event_loop_t *loop = tc_event_loop_create(backend);
    int              a[2], b[2];
    bool             once = false;
    t_io_t           ia = {0}, ib = {0}, ic = {0};

    t_pipe(a);
    t_pipe(b);
    ia.loop = ib.loop = ic.loop = loop;
    ia.fd = a[0];
    ib.fd = b[0];
    ic.fd = -1; /* filled below: whichever fd is re-added */
    ia.peer = b[0];
    ib.peer = a[0];
    ia.once = ib.once = &once;
    ia.readd = ib.readd = readd ? &ic : NULL;
    ia.mod = ib.mod = mod;

    T_CHECK_EQ(tc_event_add(loop, a[0], TC_EV_READ, t_io_handler, &ia), TC_OK);
    T_CHECK_EQ(tc_event_add(loop, b[0], TC_EV_READ, t_io_handler, &ib), TC_OK);
    T_CHECK_EQ(write(a[1], "a", 1), 1);
    T_CHECK_EQ(write(b[1], "b", 1), 1);

    T_CHECK_EQ(tc_event_run_once(loop, 50), 1);
    T_CHECK_EQ(ia.calls + ib.calls, 1);
    T_CHECK_EQ(ic.calls, 0);

    if (readd) {
        ic.fd = ia.calls ? b[0] : a[0];
        T_CHECK_EQ(tc_event_run_once(loop, 50), 1);
        T_CHECK_EQ(ic.calls, 1);
        T_CHECK_EQ(ic.last_ev, TC_EV_READ);
    } else {
        T_CHECK_EQ(tc_event_run_once(loop, 0), 0);
    }
    T_CHECK_EQ(ia.calls + ib.calls, 1);

    if (mod) {
        T_CHECK_EQ(tc_event_mod(loop, ia.calls ? b[0] : a[0], TC_EV_READ),
                   TC_OK);
        T_CHECK_EQ(tc_event_run_once(loop, 50), 1);
        T_CHECK_EQ(ia.calls + ib.calls, 2);
        T_CHECK_EQ(ia.calls, 1);
    }

    close(a[0]);
    close(a[1]);
    close(b[0]);
    close(b[1]);
    tc_event_loop_destroy(loop);
}


static void
test_delete_in_batch(void)
{
    size_t i;

    for (i = 0; i < tc_nelems(t_backends); i++) {
        t_delete_in_batch(t_backends[i], false, false);
        t_delete_in_batch(t_backends[i], true, false);
        t_delete_in_batch(t_backends[i], false, true);
    }
}


/* More fds stay ready than one batch holds: the next call must reach the
 * rest (select resumes its scan where it stopped instead of starving high
 * fds; epoll re-queues level-triggered fds at the tail). */
static void
t_batch_cap(const char *backend)
{
    enum { NP = TC_EVENT_BATCH + 44 };
    tc_event_loop_t *loop = tc_event_loop_create(backend);
    static int       p[NP][2];
    static t_io_t    io[NP];
    unsigned         i, calls = 0;

    for (i = 0; i < NP; i++) {
        t_pipe(p[i]);
        memset(&io[i], 0, sizeof(io[i]));
        io[i].loop = loop;
        io[i].fd = p[i][0];
        io[i].keep = true;
        T_CHECK_EQ(tc_event_add(loop, p[i][0], TC_EV_READ, t_io_handler,
                                &io[i]),
                   TC_OK);
        T_CHECK_EQ(write(p[i][1], "x", 1), 1);
    }

    T_CHECK_EQ(tc_event_run_once(loop, 50), TC_EVENT_BATCH);
    T_CHECK_EQ(tc_event_run_once(loop, 50), TC_EVENT_BATCH);
    for (i = 0; i < NP; i++) {
        calls += io[i].calls > 0;
    }
    T_CHECK_EQ(calls, NP);

    for (i = 0; i < NP; i++) {
        io[i].keep = false;
    }
    calls = (unsigned) tc_event_run_once(loop, 50);
    calls += (unsigned) tc_event_run_once(loop, 50);
    T_CHECK_EQ(calls, NP);
    T_CHECK_EQ(tc_event_run_once(loop, 0), 0);

    for (i = 0; i < NP; i++) {
        close(p[i][0]);
        close(p[i][1]);
    }
    tc_event_loop_destroy(loop);
}


static void
test_batch_cap(void)
{
    t_each_backend(t_batch_cap);
}


static void
test_add_errors(void)
{
    tc_event_loop_t *loop;
    int              p[2];
    t_io_t           io = {0};

    errno = 0;
    T_CHECK(tc_event_loop_create("kqueue") == NULL);
    T_CHECK_EQ(errno, EINVAL);

    loop = tc_event_loop_create("epoll");
    t_pipe(p);
    T_CHECK_EQ(tc_event_add(loop, -1, TC_EV_READ, t_io_handler, &io), TC_ERROR);
    T_CHECK_EQ(tc_event_add(loop, p[0], TC_EV_READ, t_io_handler, &io), TC_OK);
    T_CHECK_EQ(tc_event_add(loop, p[0], TC_EV_READ, t_io_handler, &io),
               TC_ERROR);
    T_CHECK_EQ(errno, EEXIST);
    T_CHECK_EQ(tc_event_mod(loop, p[1], TC_EV_WRITE), TC_ERROR);
    T_CHECK_EQ(errno, ENOENT);
    T_CHECK_EQ(tc_event_del(loop, p[1]), TC_ERROR);
    T_CHECK_EQ(errno, ENOENT);
    T_CHECK_EQ(tc_event_del(loop, p[0]), TC_OK);
    T_CHECK_EQ(tc_event_del(loop, p[0]), TC_ERROR);
    close(p[0]);
    close(p[1]);
    tc_event_loop_destroy(loop);
}


/* An fd above FD_SETSIZE: select refuses it, epoll takes it (and the
 * registration array grows to reach it). */
static void
test_big_fd(void)
{
    struct rlimit    rl;
    tc_event_loop_t *ep, *sel;
    int              p[2], big = FD_SETSIZE + 76;
    t_io_t           io = {0};

    T_CHECK_EQ(getrlimit(RLIMIT_NOFILE, &rl), 0);
    if (rl.rlim_cur <= (rlim_t) big) {
        rl.rlim_cur = tc_min(rl.rlim_max, (rlim_t) big + 100);
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    t_pipe(p);
    if (dup3(p[0], big, O_CLOEXEC) != big) {
        printf("skip test_big_fd: cannot dup to fd %d\n", big);
        close(p[0]);
        close(p[1]);
        return;
    }

    sel = tc_event_loop_create("select");
    errno = 0;
    T_CHECK_EQ(tc_event_add(sel, big, TC_EV_READ, t_io_handler, &io), TC_ERROR);
    T_CHECK_EQ(errno, EMFILE);
    T_CHECK_EQ(tc_event_del(sel, big), TC_ERROR);
    tc_event_loop_destroy(sel);

    ep = tc_event_loop_create("epoll");
    io.loop = ep;
    io.fd = big;
    T_CHECK_EQ(tc_event_add(ep, big, TC_EV_READ, t_io_handler, &io), TC_OK);
    T_CHECK_EQ(write(p[1], "x", 1), 1);
    T_CHECK_EQ(tc_event_run_once(ep, 50), 1);
    T_CHECK_EQ(io.calls, 1);
    T_CHECK_EQ(tc_event_del(ep, big), TC_OK);
    tc_event_loop_destroy(ep);

    close(big);
    close(p[0]);
    close(p[1]);
}


/* ---- timers, ticks, signals, run/stop through the real loop ---- */

static unsigned t_tick_log[64];
static unsigned t_nticks;


static void
t_tick(void *data)
{
    if (t_nticks < tc_nelems(t_tick_log)) {
        t_tick_log[t_nticks] = (unsigned) (uintptr_t) data;
    }
    t_nticks++;
}


static void
test_tick_hooks(void)
{
    tc_event_loop_t *loop = tc_event_loop_create(NULL);
    int              i;

    t_nticks = 0;
    T_CHECK_EQ(tc_event_on_tick(loop, t_tick, (void *) 1), TC_OK);
    T_CHECK_EQ(tc_event_on_tick(loop, t_tick, (void *) 2), TC_OK);
    for (i = 0; i < 3; i++) {
        T_CHECK_EQ(tc_event_run_once(loop, 0), 0);
    }
    T_CHECK_EQ(t_nticks, 6);
    T_CHECK_EQ(t_tick_log[0], 1);
    T_CHECK_EQ(t_tick_log[1], 2);
    T_CHECK_EQ(t_tick_log[4], 1);

    for (i = 2; i < 8; i++) {
        T_CHECK_EQ(tc_event_on_tick(loop, t_tick, NULL), TC_OK);
    }
    T_CHECK_EQ(tc_event_on_tick(loop, t_tick, NULL), TC_ERROR);
    tc_event_loop_destroy(loop);
}


static void
test_loop_timers(void)
{
    tc_event_loop_t *loop = tc_event_loop_create(NULL);
    t_tmr_t         *a = &t_tmrs[0], *far = &t_tmrs[1];
    tc_msec_t        t0, dt;
    int              i;

    t_tmrs_reset(loop, 2);
    tc_time_update();

    /* the poll wait ends when the next timer is due */
    t0 = t_clock();
    tc_timer_set(loop, &a->timer, 20);
    tc_timer_set(loop, &far->timer, 100000);
    for (i = 0; i < 10 && a->fired == 0; i++) {
        T_CHECK(tc_event_run_once(loop, 1000) >= 0);
    }
    dt = t_clock() - t0;
    T_CHECK_EQ(a->fired, 1);
    T_CHECK(dt >= 15 && dt < 500);

    /* max_wait caps the wait even with a timer far away */
    t0 = t_clock();
    T_CHECK_EQ(tc_event_run_once(loop, 20), 0);
    dt = t_clock() - t0;
    T_CHECK(dt >= 15 && dt < 500);
    T_CHECK_EQ(far->fired, 0);

    /* a due timer means no wait at all */
    tc_timer_set(loop, &a->timer, -1);
    t0 = t_clock();
    T_CHECK_EQ(tc_event_run_once(loop, 1000), 0);
    T_CHECK(t_clock() - t0 < 100);
    T_CHECK_EQ(a->fired, 2);
    tc_event_loop_destroy(loop);
}


typedef struct {
    int      signo;
    unsigned calls;
} t_sig_t;


static void
t_sig_handler(int signo, void *data)
{
    t_sig_t *s = data;

    s->signo = signo;
    s->calls++;
}


static void
t_signals(const char *backend)
{
    tc_event_loop_t *loop = tc_event_loop_create(backend);
    t_sig_t          s2 = {0, 0}, s1 = {0, 0};
    int              i;

    T_CHECK_EQ(tc_event_signal(loop, SIGKILL, t_sig_handler, &s2), TC_ERROR);
    T_CHECK_EQ(tc_event_signal(loop, SIGUSR2, t_sig_handler, &s2), TC_OK);
    T_CHECK_EQ(raise(SIGUSR2), 0);
    T_CHECK_EQ(tc_event_run_once(loop, 50), 1);
    T_CHECK_EQ(s2.calls, 1);
    T_CHECK_EQ(s2.signo, SIGUSR2);

    /* a second signal updates the same signalfd */
    T_CHECK_EQ(tc_event_signal(loop, SIGUSR1, t_sig_handler, &s1), TC_OK);
    T_CHECK_EQ(raise(SIGUSR1), 0);
    T_CHECK_EQ(raise(SIGUSR2), 0);
    for (i = 0; i < 5 && (s1.calls == 0 || s2.calls < 2); i++) {
        T_CHECK(tc_event_run_once(loop, 50) >= 0);
    }
    T_CHECK_EQ(s1.calls, 1);
    T_CHECK_EQ(s1.signo, SIGUSR1);
    T_CHECK_EQ(s2.calls, 2);
    tc_event_loop_destroy(loop);
}


static void
test_signals(void)
{
    t_each_backend(t_signals);
}


static void
t_stop_timer(tc_timer_t *t)
{
    tc_event_stop(t->data);
}


static void
test_run_stop(void)
{
    tc_event_loop_t *loop = tc_event_loop_create(NULL);
    tc_timer_t       t;
    t_io_t           io = {0};
    int              p[2];
    tc_msec_t        t0, dt;

    /* a timer stops the loop */
    tc_time_update();
    tc_timer_init(&t, t_stop_timer, loop);
    tc_timer_set(loop, &t, 15);
    t_nticks = 0;
    T_CHECK_EQ(tc_event_on_tick(loop, t_tick, NULL), TC_OK);
    t0 = t_clock();
    T_CHECK_EQ(tc_event_run(loop), TC_OK);
    dt = t_clock() - t0;
    T_CHECK(dt >= 10 && dt < 1000);
    T_CHECK(t_nticks >= 1);

    /* an fd handler stops it; run can be entered again */
    t_pipe(p);
    io.loop = loop;
    io.fd = p[0];
    io.stop = true;
    T_CHECK_EQ(tc_event_add(loop, p[0], TC_EV_READ, t_io_handler, &io), TC_OK);
    T_CHECK_EQ(write(p[1], "x", 1), 1);
    tc_timer_set(loop, &t, 2000); /* safety net if dispatch failed */
    T_CHECK_EQ(tc_event_run(loop), TC_OK);
    T_CHECK_EQ(io.calls, 1);
    T_CHECK(tc_timer_armed(&t));

    tc_event_loop_destroy(loop);
    close(p[0]);
    close(p[1]);
}


int
main(void)
{
    T_RUN(test_timer_random_order);
    T_RUN(test_timer_delete_middle);
    T_RUN(test_timer_rearm);
    T_RUN(test_timer_self_rearm);
    T_RUN(test_timer_zero_negative);
    T_RUN(test_pipe_dispatch);
    T_RUN(test_delete_in_batch);
    T_RUN(test_batch_cap);
    T_RUN(test_add_errors);
    T_RUN(test_big_fd);
    T_RUN(test_tick_hooks);
    T_RUN(test_loop_timers);
    T_RUN(test_signals);
    T_RUN(test_run_stop);
    return T_REPORT();
}
