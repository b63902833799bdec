/*
 * tc_event_timer.c: timers on the cached monotonic clock, kept in a binary
 * min-heap (an array).  Each timer remembers its slot (heap_index), so
 * delete and re-arm are O(log n) without searching.
 *
 * Keys are compared by signed difference, so the order stays right even
 * if the clock were to wrap.  A key is never earlier than the cached time
 * at arming: a timer armed in the past is simply due, and clamping it
 * keeps it behind every timer that was already due, which is what lets
 * tc_timer_expire() run exactly the timers due when it started.
 */
#include "tc_config.h"

#include <errno.h>
#include <stdlib.h>

#include "tc_event_int.h"
#include "tc_log.h"
#include "tc_time.h"

#define TC_TIMER_NONE     ((size_t) -1)
#define TC_TIMER_HEAP_MIN 64

static bool tc_timer_before(const tc__timer_ent_t *a, const tc__timer_ent_t *b);
static void tc_timer_sift_up(tc__timer_ent_t *heap, size_t i);
static void tc_timer_sift_down(tc__timer_ent_t *heap, size_t len, size_t i);
static void tc_timer_fix(tc__timer_ent_t *heap, size_t len, size_t i);
static int  tc_timer_grow(tc_event_loop_t *loop);
static void tc_timer_remove(tc_event_loop_t *loop, size_t i);


/* a - b as a signed number without signed overflow (wraps modulo 2^64). */
static inline int64_t
tc_msec_diff(tc_msec_t a, tc_msec_t b)
{
    return (int64_t) ((uint64_t) a - (uint64_t) b);
}


static bool
tc_timer_before(const tc__timer_ent_t *a, const tc__timer_ent_t *b)
{
    int64_t d = tc_msec_diff(a->key, b->key);

    return d < 0 || (d == 0 && a->seq < b->seq);
}


/* Moves the entry at i towards the root; the hole technique writes each
 * moved entry once and keeps heap_index in step. */
static void
tc_timer_sift_up(tc__timer_ent_t *heap, size_t i)
{
    tc__timer_ent_t e = heap[i];
    size_t          parent;

    while (i > 0) {
        parent = (i - 1) / 2;
        if (!tc_timer_before(&e, &heap[parent])) {
            break;
        }
        heap[i] = heap[parent];
        heap[i].timer->heap_index = i;
        i = parent;
    }

    heap[i] = e;
    e.timer->heap_index = i;
}


static void
tc_timer_sift_down(tc__timer_ent_t *heap, size_t len, size_t i)
{
    tc__timer_ent_t e = heap[i];
    size_t          child;

    for (;;) {
        child = 2 * i + 1;
        if (child >= len) {
            break;
        }
        if (child + 1 < len &&
            tc_timer_before(&heap[child + 1], &heap[child])) {
            child++;
        }
        if (!tc_timer_before(&heap[child], &e)) {
            break;
        }
        heap[i] = heap[child];
        heap[i].timer->heap_index = i;
        i = child;
    }

    heap[i] = e;
    e.timer->heap_index = i;
}


/* Slot i got a new entry: it moves up if it now sorts before its parent,
 * else down, whichever restores the order. */
static void
tc_timer_fix(tc__timer_ent_t *heap, size_t len, size_t i)
{
    if (i > 0 && tc_timer_before(&heap[i], &heap[(i - 1) / 2])) {
        tc_timer_sift_up(heap, i);
    } else {
        tc_timer_sift_down(heap, len, i);
    }
}


static int
tc_timer_grow(tc_event_loop_t *loop)
{
    size_t           cap;
    tc__timer_ent_t *heap;

    cap = loop->heap_cap ? loop->heap_cap * 2 : TC_TIMER_HEAP_MIN;
    heap = realloc(loop->heap, cap * sizeof(heap[0]));
    if (heap == NULL) {
        return TC_ERROR;
    }

    loop->heap = heap;
    loop->heap_cap = cap;
    return TC_OK;
}


/* Takes slot i out of the heap: the last entry fills the hole. */
static void
tc_timer_remove(tc_event_loop_t *loop, size_t i)
{
    tc__timer_ent_t *heap = loop->heap;
    size_t           last = --loop->heap_len;

    heap[i].timer->heap_index = TC_TIMER_NONE;
    if (i == last) {
        return;
    }

    heap[i] = heap[last];
    tc_timer_fix(heap, last, i);
}


/* Initialises an unarmed timer; handler is called with t when it fires. */
void
tc_timer_init(tc_timer_t *t, tc_timer_handler_pt handler, void *data)
{
    t->when = 0;
    t->heap_index = TC_TIMER_NONE;
    t->handler = handler;
    t->data = data;
}


/* Arms t (or moves it if armed) to fire at the absolute cached-clock time
 * when.  The loop keeps a pointer to t until it fires or is deleted: t
 * must stay valid that long.  If the heap cannot grow (out of memory) the
 * timer stays unarmed and an alert is logged; callers can check with
 * tc_timer_armed(). */
void
tc_timer_set_at(tc_event_loop_t *loop, tc_timer_t *t, tc_msec_t when)
{
    tc__timer_ent_t e;
    tc_msec_t       now = tc_time_now();
    size_t          i;

    t->when = when;
    e.key = tc_msec_diff(when, now) < 0 ? now : when;
    e.seq = loop->timer_seq++;
    e.timer = t;

    if (t->heap_index != TC_TIMER_NONE) {
        /* re-armed in place: the slot takes the new key */
        loop->heap[t->heap_index] = e;
        tc_timer_fix(loop->heap, loop->heap_len, t->heap_index);
        return;
    }

    if (loop->heap_len == loop->heap_cap && tc_timer_grow(loop) != TC_OK) {
        tc_log_error(TC_LOG_ALERT, ENOMEM, "cannot arm timer: heap of %zu",
                     loop->heap_len);
        return;
    }

    i = loop->heap_len++;
    loop->heap[i] = e;
    tc_timer_sift_up(loop->heap, i);
}


/* Arms t to fire after_ms from the cached now (<= 0: due at once). */
void
tc_timer_set(tc_event_loop_t *loop, tc_timer_t *t, tc_msec_t after_ms)
{
    tc_timer_set_at(loop, t,
                    (tc_msec_t) ((uint64_t) tc_time_now() +
                                 (uint64_t) after_ms));
}


/* Disarms t; a no-op when t is not armed. */
void
tc_timer_del(tc_event_loop_t *loop, tc_timer_t *t)
{
    if (t->heap_index == TC_TIMER_NONE) {
        return;
    }

    TC_ASSERT(t->heap_index < loop->heap_len &&
              loop->heap[t->heap_index].timer == t);
    tc_timer_remove(loop, t->heap_index);
}


/* Number of armed timers. */
size_t
tc_timer_count(const tc_event_loop_t *loop)
{
    return loop->heap_len;
}


/*
 * Runs the timers that are due at the cached now, earliest first.  Each
 * timer is disarmed before its handler runs, so the handler may re-arm it,
 * free it or arm others.  Timers armed during this pass (seq >= start) wait
 * for the next call even if already due, so a handler re-arming itself
 * with 0 ms cannot keep this call spinning.
 */
void
tc_timer_expire(tc_event_loop_t *loop)
{
    tc_msec_t   now = tc_time_now();
    uint64_t    start = loop->timer_seq;
    tc_timer_t *t;

    while (loop->heap_len > 0) {
        if (tc_msec_diff(loop->heap[0].key, now) > 0 ||
            loop->heap[0].seq >= start) {
            break;
        }
        t = loop->heap[0].timer;
        tc_timer_remove(loop, 0);
        t->handler(t);
    }
}


int
tc__timer_timeout(const tc_event_loop_t *loop, tc_msec_t max_wait)
{
    int64_t d;

    if (loop->heap_len == 0) {
        if (max_wait < 0) {
            return -1;
        }
        return (int) tc_min(max_wait, (tc_msec_t) INT32_MAX);
    }

    d = tc_msec_diff(loop->heap[0].key, tc_time_now());
    if (d <= 0) {
        return 0;
    }
    if (max_wait >= 0 && max_wait < d) {
        d = max_wait;
    }

    return (int) tc_min(d, (int64_t) INT32_MAX);
}


void
tc__timer_done(tc_event_loop_t *loop)
{
    size_t i;

    for (i = 0; i < loop->heap_len; i++) {
        loop->heap[i].timer->heap_index = TC_TIMER_NONE;
    }

    free(loop->heap);
    loop->heap = NULL;
    loop->heap_len = 0;
    loop->heap_cap = 0;
}
