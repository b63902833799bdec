/*
 * tc_core.h: the one family of return codes and the few helpers every module
 * uses.  Functions return TC_OK or a negative code; pointer results use NULL;
 * parsers return bytes consumed, TC_PARSE_INVALID or TC_PARSE_PARTIAL.
 */
#ifndef TC_CORE_H_INCLUDED
#define TC_CORE_H_INCLUDED

#include "tc_config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TC_OK       0
#define TC_ERROR    -1
#define TC_AGAIN    -2
#define TC_DONE     -4
#define TC_DECLINED -5

#define TC_PARSE_INVALID -1
#define TC_PARSE_PARTIAL -2

/* Milliseconds of CLOCK_MONOTONIC; signed so differences compare safely. */
typedef int64_t tc_msec_t;

#define tc_min(a, b)   ((a) < (b) ? (a) : (b))
#define tc_max(a, b)   ((a) > (b) ? (a) : (b))
#define tc_nelems(arr) (sizeof(arr) / sizeof((arr)[0]))

/* Sequence-space compares (RFC 793 arithmetic modulo 2^32). */
#define tc_seq_lt(a, b) ((int32_t) ((uint32_t) (a) - (uint32_t) (b)) < 0)
#define tc_seq_le(a, b) ((int32_t) ((uint32_t) (a) - (uint32_t) (b)) <= 0)
#define tc_seq_gt(a, b) tc_seq_lt(b, a)
#define tc_seq_ge(a, b) tc_seq_le(b, a)

void tc__assert_failed(const char *expr, const char *file, int line);

/*
 * TC_ASSERT: aborts in debug builds (and so in CI, which builds with
 * --with-debug for the sanitizer run); logs and counts in release builds.
 */
#define TC_ASSERT(expr)                                                        \
    do {                                                                       \
        if (!(expr)) {                                                         \
            tc__assert_failed(#expr, __FILE__, __LINE__);                      \
        }                                                                      \
    } while (0)

/* Number of failed TC_ASSERTs so far (release builds keep running). */
uint64_t tc_assert_failures(void);

#endif /* TC_CORE_H_INCLUDED */
