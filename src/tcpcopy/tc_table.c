/*
 * tc_table.c: the session table (see tc_table.h).
 */
#include "tc_config.h"

#include <stdlib.h>
#include <string.h>

#include "tc_table.h"


static size_t
tc_endpoint_hash(const tc_endpoint_t *ep)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a offset basis */
    size_t   i, len = (ep->ip.family == TC_AF_INET6) ? 16 : 4;

    for (i = 0; i < len; i++) {
        h = (h ^ ep->ip.addr[i]) * 1099511628211ull;
    }
    h = (h ^ (ep->port & 0xff)) * 1099511628211ull;
    h = (h ^ (ep->port >> 8)) * 1099511628211ull;
    return (size_t) (h ^ (h >> 29));
}


static bool
tc_endpoint_eq(const tc_endpoint_t *a, const tc_endpoint_t *b)
{
    return a->port == b->port && tc_addr_eq(&a->ip, &b->ip);
}


int
tc_table_init(tc_table_t *t, size_t hint)
{
    size_t n = 1024;

    while (n < hint) {
        n *= 2;
    }

    t->buckets = calloc(n, sizeof(tc_sess_t *));
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


tc_sess_t *
tc_table_find(const tc_table_t *t, const tc_endpoint_t *ep)
{
    tc_sess_t *s;

    for (s = t->buckets[tc_endpoint_hash(ep) & t->mask]; s; s = s->hnext) {
        if (tc_endpoint_eq(&s->client, ep)) {
            return s;
        }
    }
    return NULL;
}


static void
tc_table_grow(tc_table_t *t)
{
    size_t      n = (t->mask + 1) * 2, i, b;
    tc_sess_t **nb, *s, *next;

    nb = calloc(n, sizeof(tc_sess_t *));
    if (nb == NULL) {
        return; /* longer chains, still correct */
    }

    for (i = 0; i <= t->mask; i++) {
        for (s = t->buckets[i]; s; s = next) {
            next = s->hnext;
            b = tc_endpoint_hash(&s->client) & (n - 1);
            s->hnext = nb[b];
            nb[b] = s;
        }
    }

    free(t->buckets);
    t->buckets = nb;
    t->mask = n - 1;
}


void
tc_table_insert(tc_table_t *t, tc_sess_t *sess)
{
    size_t b;

    if (t->count >= t->mask + 1) {
        tc_table_grow(t);
    }

    b = tc_endpoint_hash(&sess->client) & t->mask;
    sess->hnext = t->buckets[b];
    t->buckets[b] = sess;
    t->count++;
}


void
tc_table_remove(tc_table_t *t, tc_sess_t *sess)
{
    tc_sess_t **pp;

    pp = &t->buckets[tc_endpoint_hash(&sess->client) & t->mask];
    for (; *pp; pp = &(*pp)->hnext) {
        if (*pp == sess) {
            *pp = sess->hnext;
            sess->hnext = NULL;
            t->count--;
            return;
        }
    }
}


void
tc_table_foreach(const tc_table_t *t, void (*fn)(tc_sess_t *, void *),
                 void             *data)
{
    size_t     i;
    tc_sess_t *s;

    for (i = 0; i <= t->mask; i++) {
        for (s = t->buckets[i]; s; s = s->hnext) {
            fn(s, data);
        }
    }
}
