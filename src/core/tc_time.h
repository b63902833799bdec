/*
 * tc_time.h: the cached monotonic clock.  The event loop calls
 * tc_time_update() once per iteration; everything else reads tc_time_now().
 * Unit tests drive time by hand with tc_time_set().
 */
#ifndef TC_TIME_H_INCLUDED
#define TC_TIME_H_INCLUDED

#include "tc_core.h"

/* Reads CLOCK_MONOTONIC into the cache and returns it (ms). */
tc_msec_t tc_time_update(void);

/* The cached value: no syscall. */
tc_msec_t tc_time_now(void);

/* Sets the cached value (tests); later tc_time_update() calls overwrite it. */
void tc_time_set(tc_msec_t now);

/* Wall-clock seconds, for log lines only (never for timers). */
void tc_time_wall_str(char *buf, size_t size);

#endif /* TC_TIME_H_INCLUDED */
