/*
 * tc_table.h: an intrusive hash table keyed by an endpoint (address and
 * port).  The engine keeps two: sessions by the endpoint the target sees,
 * and flows (client connections) by the client's own endpoint.  Chained,
 * power-of-two buckets that double when the load passes 1; the node lives
 * inside the owner's struct (tc_table_entry() gets the owner back).  Keys
 * hash and compare with tc_endpoint_hash() and tc_endpoint_eq() (tc_addr.h),
 * as intercept's route table does.
 */
#ifndef TC_TABLE_H_INCLUDED
#define TC_TABLE_H_INCLUDED

#include <stddef.h>

#include "tc_core.h"
#include "tc_addr.h"

typedef struct tc_table_node_s tc_table_node_t;

struct tc_table_node_s {
    tc_endpoint_t    key;
    tc_table_node_t *next;
};

typedef struct {
    tc_table_node_t **buckets;
    size_t            mask; /* nbuckets - 1 */
    size_t            count;
} tc_table_t;

#define tc_table_entry(node, type, member)                                     \
    ((type *) (void *) ((char *) (node) -offsetof(type, member)))

/* TC_OK or TC_ERROR (no memory). */
int  tc_table_init(tc_table_t *t, size_t nbuckets_hint);
void tc_table_done(tc_table_t *t);

tc_table_node_t *tc_table_find(const tc_table_t *t, const tc_endpoint_t *ep);

/* Inserts node (keyed by node->key); the caller checked it is absent.
 * Growth failure keeps the old buckets: the table still works. */
void tc_table_insert(tc_table_t *t, tc_table_node_t *node);
void tc_table_remove(tc_table_t *t, tc_table_node_t *node);

/* Calls fn for every node; fn must not insert or remove. */
void tc_table_foreach(const tc_table_t *t,
                      void (*fn)(tc_table_node_t *, void *), void *data);

/*
 * Any one node, or NULL when empty: to drain a table, removing each node
 * found.  The search starts at bucket *cursor (0 at first) and leaves it
 * where the node was found, so a whole drain reads each bucket about once
 * instead of rescanning the emptied ones from bucket 0 for every node.
 */
tc_table_node_t *tc_table_any(const tc_table_t *t, size_t *cursor);

#endif /* TC_TABLE_H_INCLUDED */
