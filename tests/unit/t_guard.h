/*
 * t_guard.h: parser inputs against a PROT_NONE guard page.  A test copies
 * its input so that the last byte sits just before an unmapped page: a
 * read one byte past the input faults even without ASan.  For tests that
 * call t_guard_init() once from main().
 */
#ifndef T_GUARD_H_INCLUDED
#define T_GUARD_H_INCLUDED

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static uint8_t *t_guard_end;


/* Maps at least bytes of room followed by the guard page; exits 2 when it
 * cannot. */
static void
t_guard_init(size_t bytes)
{
    size_t   page = (size_t) sysconf(_SC_PAGESIZE);
    size_t   len = (bytes + page - 1) / page * page;
    uint8_t *base;

    base = mmap(NULL, len + page, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED || mprotect(base + len, page, PROT_NONE) == -1) {
        perror("guard page");
        exit(2);
    }
    t_guard_end = base + len;
}


/* Copies len bytes so that the last one sits just before the guard page;
 * returns the (writable) copy. */
static uint8_t *
t_at_guard(const void *src, size_t len)
{
    uint8_t *p = t_guard_end - len;

    memmove(p, src, len);
    return p;
}

#endif /* T_GUARD_H_INCLUDED */
