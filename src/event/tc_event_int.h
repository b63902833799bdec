/*
 * tc_event_int.h: what the reactor's own files share and nobody else may
 * use: the loop struct, the poll backend ops table, the timer heap entry.
 *
 * A backend (epoll, select) knows nothing about handlers.  It keeps the
 * kernel's interest set in step with add/mod/del and, from poll(), fills
 * loop->ready[] with (fd, events, gen) triples; tc_event.c dispatches them.
 */
#ifndef TC_EVENT_INT_H_INCLUDED
#define TC_EVENT_INT_H_INCLUDED

#include "tc_config.h"

#include <signal.h>

#include "tc_core.h"
#include "tc_event.h"

#define TC_EVENT_MAX_TICKS 8

/* One fd registration; handler == NULL means the slot is free. */
typedef struct {
    tc_io_handler_pt handler;
    void            *data;
    uint32_t         events; /* TC_EV_READ|TC_EV_WRITE interest */
    uint32_t         gen;    /* changes on every add: detects reuse */
} tc__event_reg_t;

/* One ready fd reported by a backend's poll(). */
typedef struct {
    int      fd;
    uint32_t events; /* TC_EV_* bits */
    uint32_t gen;    /* gen of the registration the event belongs to */
} tc__event_ready_t;

/*
 * A heap slot.  The key is cached next to the pointer so sifting touches
 * only the heap array; seq breaks ties so equal keys fire in arming order
 * and lets tc_timer_expire() skip timers armed during the same pass.
 */
typedef struct {
    tc_msec_t   key;
    uint64_t    seq;
    tc_timer_t *timer;
} tc__timer_ent_t;

typedef struct {
    tc_tick_handler_pt handler;
    void              *data;
} tc__event_tick_t;

typedef struct {
    tc_signal_handler_pt handler;
    void                *data;
} tc__event_sig_t;

/*
 * Backend operations.  All return TC_OK / TC_ERROR (errno set) except
 * poll, which returns the number of entries written to loop->ready (at
 * most TC_EVENT_BATCH), 0 on timeout or EINTR, TC_ERROR on failure.
 * add/mod/del run after loop->regs[fd] holds the new state (add, mod) or
 * still holds the old one (del).
 * timeout is in ms, -1 for no limit.
 */
typedef struct {
    const char *name;
    int (*init)(tc_event_loop_t *loop);
    void (*done)(tc_event_loop_t *loop);
    int (*add)(tc_event_loop_t *loop, int fd, uint32_t events);
    int (*mod)(tc_event_loop_t *loop, int fd, uint32_t events);
    int (*del)(tc_event_loop_t *loop, int fd);
    int (*poll)(tc_event_loop_t *loop, int timeout);
} tc__event_ops_t;

struct tc_event_loop_s {
    const tc__event_ops_t *ops;
    void                  *backend; /* owned by ops: init allocates it */

    tc__event_reg_t *regs; /* indexed by fd */
    size_t           nregs;
    uint32_t         next_gen;

    tc__event_ready_t ready[TC_EVENT_BATCH];

    tc__timer_ent_t *heap;
    size_t           heap_len;
    size_t           heap_cap;
    uint64_t         timer_seq;

    tc__event_tick_t ticks[TC_EVENT_MAX_TICKS];
    unsigned         nticks;

    int             sigfd; /* -1 until the first tc_event_signal() */
    sigset_t        sigmask;
    tc__event_sig_t sigs[NSIG];

    bool stop;
};

extern const tc__event_ops_t tc__event_epoll_ops;
extern const tc__event_ops_t tc__event_select_ops;

/*
 * Poll timeout for this iteration in ms: 0 if a timer is due, else the
 * time to the next timer capped by max_wait (max_wait < 0: no cap); -1
 * when there is neither a timer nor a cap.
 */
int tc__timer_timeout(const tc_event_loop_t *loop, tc_msec_t max_wait);

/* Disarms every timer (their owners may outlive the loop) and frees the
 * heap. */
void tc__timer_done(tc_event_loop_t *loop);

#endif /* TC_EVENT_INT_H_INCLUDED */
