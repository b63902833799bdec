/*
 * tc_event.h: the single-threaded reactor.  One loop per process: fd
 * readiness (epoll, or select chosen at run time), a min-heap of timers on
 * the cached monotonic clock (tc_time.h), and signals through signalfd.
 *
 * One iteration (tc_event_run_once): update the cached time, wait for at
 * most min(next timer, max_wait) ms (0 if a timer is already due), dispatch
 * ready fds (at most TC_EVENT_BATCH per call), run the timers that are due,
 * then the tick hooks.  Handlers may add, modify or delete any fd or timer,
 * including their own.
 */
#ifndef TC_EVENT_H_INCLUDED
#define TC_EVENT_H_INCLUDED

#include "tc_core.h"

#define TC_EV_READ  0x01
#define TC_EV_WRITE 0x02
#define TC_EV_ERROR 0x04 /* reported only: error or hang-up on the fd */

#define TC_EVENT_BATCH 256

typedef struct tc_event_loop_s tc_event_loop_t;
typedef struct tc_timer_s      tc_timer_t;

/* events: TC_EV_* bits that are ready. */
typedef void (*tc_io_handler_pt)(void *data, uint32_t events);
typedef void (*tc_timer_handler_pt)(tc_timer_t *timer);
typedef void (*tc_signal_handler_pt)(int signo, void *data);
typedef void (*tc_tick_handler_pt)(void *data);

/* Embedded in the owner's struct; initialise with tc_timer_init(). */
struct tc_timer_s {
    tc_msec_t           when;       /* due time (cached clock, ms) */
    size_t              heap_index; /* SIZE_MAX when not armed */
    tc_timer_handler_pt handler;
    void               *data;
};

/*
 * Creates a loop.  backend: "epoll", "select" or NULL (epoll).  Returns
 * NULL on failure (errno set), or for an unknown backend (errno EINVAL).
 */
tc_event_loop_t *tc_event_loop_create(const char *backend);

/* Closes the loop's own fds (not the registered ones) and frees it. */
void tc_event_loop_destroy(tc_event_loop_t *loop);

/* fd registration; events is a mix of TC_EV_READ / TC_EV_WRITE.
 * TC_OK or TC_ERROR (errno set).  One registration per fd. */
int tc_event_add(tc_event_loop_t *loop, int fd, uint32_t events,
                 tc_io_handler_pt handler, void *data);
int tc_event_mod(tc_event_loop_t *loop, int fd, uint32_t events);
int tc_event_del(tc_event_loop_t *loop, int fd);

void tc_timer_init(tc_timer_t *t, tc_timer_handler_pt handler, void *data);

/* Arms (or re-arms) t to fire after ms from the cached now. */
void tc_timer_set(tc_event_loop_t *loop, tc_timer_t *t, tc_msec_t after_ms);

/* Arms t at an absolute cached-clock time. */
void tc_timer_set_at(tc_event_loop_t *loop, tc_timer_t *t, tc_msec_t when);

/* Disarms t if armed (safe to call when not armed). */
void tc_timer_del(tc_event_loop_t *loop, tc_timer_t *t);

static inline bool
tc_timer_armed(const tc_timer_t *t)
{
    return t->heap_index != (size_t) -1;
}

/* Number of armed timers. */
size_t tc_timer_count(const tc_event_loop_t *loop);

/* Runs every timer due at or before the cached now (the loop does this
 * itself; exposed so unit tests can drive timers with tc_time_set()). */
void tc_timer_expire(tc_event_loop_t *loop);

/*
 * Routes signo through signalfd to handler (called from the loop, so it
 * may do anything).  The signal is blocked for the process.  TC_OK or
 * TC_ERROR.
 */
int tc_event_signal(tc_event_loop_t *loop, int signo,
                    tc_signal_handler_pt handler, void *data);

/* Adds a hook called at the end of every iteration (e.g. to flush batched
 * output).  At most 8 hooks.  TC_OK or TC_ERROR. */
int tc_event_on_tick(tc_event_loop_t *loop, tc_tick_handler_pt handler,
                     void *data);

/* One iteration as described above.  Returns the number of fd events
 * dispatched, or TC_ERROR if the poll call failed for a reason other than
 * EINTR. */
int tc_event_run_once(tc_event_loop_t *loop, tc_msec_t max_wait);

/* Runs iterations until tc_event_stop() is called. */
int  tc_event_run(tc_event_loop_t *loop);
void tc_event_stop(tc_event_loop_t *loop);

#endif /* TC_EVENT_H_INCLUDED */
