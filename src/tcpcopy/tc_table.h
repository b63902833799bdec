/*
 * tc_table.h: the session table, keyed by the client endpoint the target
 * sees (address and port).  Chained hash with power-of-two buckets that
 * doubles when the load passes 1; the chain link lives in the session.
 */
#ifndef TC_TABLE_H_INCLUDED
#define TC_TABLE_H_INCLUDED

#include "tc_core.h"
#include "tc_addr.h"
#include "tc_session.h"

typedef struct {
    tc_sess_t **buckets;
    size_t      mask; /* nbuckets - 1 */
    size_t      count;
} tc_table_t;

/* TC_OK or TC_ERROR (no memory). */
int  tc_table_init(tc_table_t *t, size_t nbuckets_hint);
void tc_table_done(tc_table_t *t);

tc_sess_t *tc_table_find(const tc_table_t *t, const tc_endpoint_t *ep);

/* Inserts sess (keyed by sess->client); the caller checked it is absent.
 * Growth failure keeps the old buckets: the table still works. */
void tc_table_insert(tc_table_t *t, tc_sess_t *sess);
void tc_table_remove(tc_table_t *t, tc_sess_t *sess);

/* Calls fn for every session; fn must not insert or remove. */
void tc_table_foreach(const tc_table_t *t, void (*fn)(tc_sess_t *, void *),
                      void             *data);

#endif /* TC_TABLE_H_INCLUDED */
