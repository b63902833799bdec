/*
 * fuzz.h: what every libFuzzer target here shares: the entry point's
 * prototype (-Wmissing-prototypes) and F_CHECK(), which aborts (a crash to
 * libFuzzer, a failed replay to onefile.c) naming the target's file and
 * line when a property the code under test promises does not hold.
 */
#ifndef TC_FUZZ_H_INCLUDED
#define TC_FUZZ_H_INCLUDED

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define F_CHECK(expr)                                                          \
    do {                                                                       \
        if (!(expr)) {                                                         \
            fprintf(stderr, "%s: check failed: %s (line %d)\n", __FILE__,      \
                    #expr, __LINE__);                                          \
            abort();                                                           \
        }                                                                      \
    } while (0)

#endif /* TC_FUZZ_H_INCLUDED */
