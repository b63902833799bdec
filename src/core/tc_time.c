/*
 * tc_time.c: cached CLOCK_MONOTONIC in milliseconds.  The cache is one of
 * the two kinds of global the style allows: it is written only by the event
 * loop (or a test) and read everywhere.
 */
#include "tc_config.h"

#include <stdio.h>
#include <sys/time.h>
#include <time.h>

#include "tc_time.h"

static tc_msec_t tc_cached_msec;


tc_msec_t
tc_time_update(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_MONOTONIC, &ts) == 0) {
        tc_cached_msec = (tc_msec_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    }

    return tc_cached_msec;
}


tc_msec_t
tc_time_now(void)
{
    return tc_cached_msec;
}


void
tc_time_set(tc_msec_t now)
{
    tc_cached_msec = now;
}


void
tc_time_wall_str(char *buf, size_t size)
{
    struct timeval tv;
    struct tm      tm;

    gettimeofday(&tv, NULL);
    localtime_r(&tv.tv_sec, &tm);
    snprintf(buf, size, "%04d-%02d-%02d %02d:%02d:%02d.%03d", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
             (int) (tv.tv_usec / 1000));
}
