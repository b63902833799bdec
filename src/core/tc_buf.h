/*
 * tc_buf.h: a growable byte queue: bytes are added at the end and consumed
 * from the front.  The consumed prefix is reclaimed by moving the rest down
 * before the buffer grows, so a queue that drains keeps its size.  Used for
 * the control channel's input and output (tc_conn.h) and for each
 * session's client bytes.
 */
#ifndef TC_BUF_H_INCLUDED
#define TC_BUF_H_INCLUDED

#include "tc_core.h"

typedef struct {
    uint8_t *data;
    size_t   start; /* first unconsumed byte */
    size_t   end;   /* one past the last byte */
    size_t   cap;
} tc_buf_t;

static inline size_t
tc_buf_len(const tc_buf_t *b)
{
    return b->end - b->start;
}


static inline uint8_t *
tc_buf_pos(const tc_buf_t *b)
{
    return b->data + b->start;
}


/* Free bytes at the end: after tc_buf_reserve(b, n), at least n. */
static inline size_t
tc_buf_room(const tc_buf_t *b)
{
    return b->cap - b->end;
}


/* Returns room for n more bytes at the end (moving or growing the data),
 * or NULL when memory is short.  tc_buf_commit() then adds what was
 * written there, up to tc_buf_room() bytes (a recv() may fill it all). */
uint8_t *tc_buf_reserve(tc_buf_t *b, size_t n);

static inline void
tc_buf_commit(tc_buf_t *b, size_t n)
{
    b->end += n;
}

/* Appends n bytes; TC_OK or TC_ERROR (no memory). */
int tc_buf_append(tc_buf_t *b, const void *p, size_t n);

/* Drops n bytes from the front (at most what is there). */
void tc_buf_consume(tc_buf_t *b, size_t n);

/* Frees the memory of an empty buffer whose capacity exceeds keep, so an
 * idle connection or session does not pin a large block. */
void tc_buf_trim(tc_buf_t *b, size_t keep);

void tc_buf_free(tc_buf_t *b);

#endif /* TC_BUF_H_INCLUDED */
