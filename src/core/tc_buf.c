/*
 * tc_buf.c: the growable byte queue (see tc_buf.h).
 */
#include "tc_config.h"

#include <stdlib.h>
#include <string.h>

#include "tc_buf.h"

#define TC_BUF_MIN 512


uint8_t *
tc_buf_reserve(tc_buf_t *b, size_t n)
{
    size_t   used = b->end - b->start, cap;
    uint8_t *nd;

    if (b->cap - b->end >= n) {
        return b->data + b->end;
    }

    if (b->start > 0) {
        memmove(b->data, b->data + b->start, used);
        b->start = 0;
        b->end = used;
        if (b->cap - b->end >= n) {
            return b->data + b->end;
        }
    }

    cap = b->cap ? b->cap * 2 : TC_BUF_MIN;
    while (cap - used < n) {
        cap *= 2;
    }

    nd = realloc(b->data, cap);
    if (nd == NULL) {
        return NULL;
    }
    b->data = nd;
    b->cap = cap;
    return b->data + b->end;
}


int
tc_buf_append(tc_buf_t *b, const void *p, size_t n)
{
    uint8_t *room = tc_buf_reserve(b, n);

    if (room == NULL) {
        return TC_ERROR;
    }
    memcpy(room, p, n);
    b->end += n;
    return TC_OK;
}


void
tc_buf_consume(tc_buf_t *b, size_t n)
{
    b->start += tc_min(n, b->end - b->start);
    if (b->start == b->end) {
        b->start = b->end = 0;
    }
}


void
tc_buf_trim(tc_buf_t *b, size_t keep)
{
    if (b->start == b->end && b->cap > keep) {
        tc_buf_free(b);
    }
}


void
tc_buf_free(tc_buf_t *b)
{
    free(b->data);
    b->data = NULL;
    b->start = b->end = b->cap = 0;
}
