/*
 * t_harness.h: the plain C unit-test harness.  T_CHECK records a failure
 * with file:line and keeps going; T_RUN runs one test function; T_REPORT
 * prints "N passed, N failed" and returns the process exit status.
 * Counting is per T_CHECK, so a test with many checks counts many times.
 */
#ifndef T_HARNESS_H_INCLUDED
#define T_HARNESS_H_INCLUDED

#include <stdio.h>

static unsigned    t_passed, t_failed;
static const char *t_current = "";

#define T_CHECK(expr)                                                          \
    do {                                                                       \
        if (expr) {                                                            \
            t_passed++;                                                        \
        } else {                                                               \
            t_failed++;                                                        \
            printf("FAIL %s:%d: %s (in %s)\n", __FILE__, __LINE__, #expr,      \
                   t_current);                                                 \
        }                                                                      \
    } while (0)

#define T_CHECK_EQ(a, b)                                                       \
    do {                                                                       \
        long long t_a_ = (long long) (a), t_b_ = (long long) (b);              \
        if (t_a_ == t_b_) {                                                    \
            t_passed++;                                                        \
        } else {                                                               \
            t_failed++;                                                        \
            printf("FAIL %s:%d: %s == %s (%lld != %lld) (in %s)\n", __FILE__,  \
                   __LINE__, #a, #b, t_a_, t_b_, t_current);                   \
        }                                                                      \
    } while (0)

#define T_RUN(fn)                                                              \
    do {                                                                       \
        t_current = #fn;                                                       \
        fn();                                                                  \
    } while (0)

#define T_REPORT()                                                             \
    (printf("%u passed, %u failed\n", t_passed, t_failed), t_failed ? 1 : 0)

#endif /* T_HARNESS_H_INCLUDED */
