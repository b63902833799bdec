/*
 * tc_table.c: the intrusive endpoint hash table (see tc_table.h).
 */
#include "tc_config.h"

#include <stdlib.h>
#include <string.h>

#include "tc_table.h"


int
tc_table_init(tc_table_t *t, size_t hint)
{
    size_t n = 1024;

    while (n < hint) {
        n *= 2;
    }

    t->buckets = calloc(n, sizeof(tc_table_node_t *));
    if (t->buckets == NULL) {
        return TC_ERROR;
    }
    t->mask = n - 1;
    t->count = 0;
    return TC_OK;
}


void
tc_table_done(tc_table_t *t)
{
    free(t->buckets);
    t->buckets = NULL;
    t->count = 0;
}


tc_table_node_t *
tc_table_find(const tc_table_t *t, const tc_endpoint_t *ep)
{
    tc_table_node_t *n;

    for (n = t->buckets[tc_endpoint_hash(ep) & t->mask]; n; n = n->next) {
        if (tc_endpoint_eq(&n->key, ep)) {
            return n;
        }
    }
    return NULL;
}


static void
tc_table_grow(tc_table_t *t)
{
    size_t            n = (t->mask + 1) * 2, i, b;
    tc_table_node_t **nb, *s, *next;

    nb = calloc(n, sizeof(tc_table_node_t *));
    if (nb == NULL) {
        return; /* longer chains, still correct */
    }

    for (i = 0; i <= t->mask; i++) {
        for (s = t->buckets[i]; s; s = next) {
            next = s->next;
            b = tc_endpoint_hash(&s->key) & (n - 1);
            s->next = nb[b];
            nb[b] = s;
        }
    }

    free(t->buckets);
    t->buckets = nb;
    t->mask = n - 1;
}


void
tc_table_insert(tc_table_t *t, tc_table_node_t *node)
{
    size_t b;

    if (t->count >= t->mask + 1) {
        tc_table_grow(t);
    }

    b = tc_endpoint_hash(&node->key) & t->mask;
    node->next = t->buckets[b];
    t->buckets[b] = node;
    t->count++;
}


void
tc_table_remove(tc_table_t *t, tc_table_node_t *node)
{
    tc_table_node_t **pp;

    pp = &t->buckets[tc_endpoint_hash(&node->key) & t->mask];
    for (; *pp; pp = &(*pp)->next) {
        if (*pp == node) {
            *pp = node->next;
            node->next = NULL;
            t->count--;
            return;
        }
    }
}


void
tc_table_foreach(const tc_table_t *t, void (*fn)(tc_table_node_t *, void *),
                 void             *data)
{
    size_t           i;
    tc_table_node_t *n;

    for (i = 0; i <= t->mask; i++) {
        for (n = t->buckets[i]; n; n = n->next) {
            fn(n, data);
        }
    }
}


tc_table_node_t *
tc_table_any(const tc_table_t *t, size_t *cursor)
{
    size_t i, b;

    /* round from the cursor: still finds every node if some were inserted
     * behind it, or the table grew meanwhile */
    for (i = 0; t->count > 0 && i <= t->mask; i++) {
        b = (*cursor + i) & t->mask;
        if (t->buckets[b] != NULL) {
            *cursor = b;
            return t->buckets[b];
        }
    }
    return NULL;
}
