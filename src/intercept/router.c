/*
 * router.c: the route table (client endpoint -> control connection id) and
 * the headers held for clients whose ROUTE has not arrived yet.
 *
 * One hash table serves both: an entry exists while its key has an owner or
 * held headers.  Chains and free lists link array indices, not pointers, so
 * the arrays can grow with realloc() without fixing up links.
 *
 * Held headers sit on two lists: their key's list (to deliver them in order
 * when the ROUTE comes) and one global FIFO in arrival order.  Every header
 * waits the same hold_ms, so the FIFO is also expiry order and expiring is
 * popping its head; and the FIFO's head is always the head of its own key's
 * list (anything older for that key would be older still in the FIFO).
 */
#include "tc_config.h"

#include <stdlib.h>
#include <string.h>

#include "tc_log.h"
#include "tc_time.h"
#include "router.h"

#define NIL UINT32_MAX

#define ENTS_INITIAL    1024u
#define BUCKETS_INITIAL 1024u

/* Keys hash and compare as every endpoint table does (tc_endpoint_hash,
 * tc_endpoint_eq in tc_addr.h). */
typedef struct {
    tc_endpoint_t key; /* ip.family TC_AF_NONE marks a free slot */
    uint32_t      owner;
    uint32_t      next; /* bucket chain, or the free list */
    uint32_t      held_head;
    uint32_t      held_tail;
} ent_t;

typedef struct {
    tc_msec_t when;
    uint32_t  ent;      /* the hash entry of its key */
    uint32_t  key_next; /* next held for the same key, or the free list */
    uint32_t  fifo_prev;
    uint32_t  fifo_next;
    uint32_t  orig_len;
    uint16_t  len;
    uint8_t   family;
    uint8_t   hdr[TC_PKT_HDR_MAX];
} held_t;

struct tc_router_s {
    tc_router_conf_t     conf;
    tc_router_deliver_pt deliver;
    void                *ctx;

    uint32_t *buckets;
    uint32_t  nbuckets; /* a power of two */

    ent_t   *ents;
    uint32_t ents_cap;
    uint32_t ents_used; /* slots ever handed out (high-water) */
    uint32_t ent_free;
    size_t   nents;
    size_t   nroutes;
    size_t   max_ents;

    held_t  *held;
    uint32_t held_cap;
    uint32_t held_used;
    uint32_t held_free;
    size_t   nheld;
    uint32_t fifo_head;
    uint32_t fifo_tail;

    tc_router_stats_t stats;
};

static bool     key_ok(const tc_endpoint_t *k);
static uint32_t ent_find(const tc_router_t *r, const tc_endpoint_t *k);
static uint32_t ent_new(tc_router_t *r, const tc_endpoint_t *k);
static int      ent_grow(tc_router_t *r);
static void     buckets_grow(tc_router_t *r);
static void     ent_release(tc_router_t *r, uint32_t i);
static uint32_t held_alloc(tc_router_t *r);
static void     held_free(tc_router_t *r, uint32_t i);


tc_router_t *
tc_router_create(const tc_router_conf_t *conf, tc_router_deliver_pt deliver,
                 void *ctx)
{
    tc_router_t *r;
    uint32_t     i;

    r = calloc(1, sizeof(*r));
    if (r == NULL) {
        return NULL;
    }

    r->conf = *conf;
    if (r->conf.max_routes == 0) {
        r->conf.max_routes = TC_ROUTER_MAX_ROUTES_DEFAULT;
    }
    if (r->conf.max_held == 0) {
        r->conf.max_held = TC_ROUTER_MAX_HELD_DEFAULT;
    }
    /* Indices are u32 with NIL reserved; keep both bounds well inside. */
    r->conf.max_routes = tc_min(r->conf.max_routes, (size_t) 1 << 30);
    r->conf.max_held = tc_min(r->conf.max_held, (size_t) 1 << 30);
    /* A key may exist only for its held headers, so the entry bound is the
     * sum: held replies can never crowd out routes. */
    r->max_ents = r->conf.max_routes + r->conf.max_held;

    r->deliver = deliver;
    r->ctx = ctx;
    r->ent_free = NIL;
    r->held_free = NIL;
    r->fifo_head = NIL;
    r->fifo_tail = NIL;

    r->buckets = malloc(BUCKETS_INITIAL * sizeof(uint32_t));
    if (r->buckets == NULL) {
        free(r);
        return NULL;
    }
    r->nbuckets = BUCKETS_INITIAL;
    for (i = 0; i < r->nbuckets; i++) {
        r->buckets[i] = NIL;
    }

    return r;
}


void
tc_router_destroy(tc_router_t *r)
{
    if (r == NULL) {
        return;
    }

    free(r->buckets);
    free(r->ents);
    free(r->held);
    free(r);
}


/* Only addresses of a known family can be routed (a key of family
 * TC_AF_NONE would look like a free slot). */
static bool
key_ok(const tc_endpoint_t *k)
{
    return k->ip.family == TC_AF_INET || k->ip.family == TC_AF_INET6;
}


static uint32_t
ent_find(const tc_router_t *r, const tc_endpoint_t *k)
{
    uint32_t i;

    i = r->buckets[tc_endpoint_hash(k) & (r->nbuckets - 1)];
    while (i != NIL) {
        if (tc_endpoint_eq(&r->ents[i].key, k)) {
            return i;
        }
        i = r->ents[i].next;
    }

    return NIL;
}


/* Creates the entry for k, which has none (ent_find() said so).  Returns
 * NIL if it cannot be created (the entry bound is reached or memory is
 * short). */
static uint32_t
ent_new(tc_router_t *r, const tc_endpoint_t *k)
{
    uint32_t i, b;
    ent_t   *e;

    if (r->nents >= r->max_ents) {
        return NIL;
    }

    if (r->ent_free == NIL && r->ents_used == r->ents_cap &&
        ent_grow(r) != TC_OK) {
        return NIL;
    }

    if (r->nents >= r->nbuckets) {
        buckets_grow(r);
    }

    if (r->ent_free != NIL) {
        i = r->ent_free;
        r->ent_free = r->ents[i].next;
    } else {
        i = r->ents_used++;
    }

    e = &r->ents[i];
    e->key = *k;
    e->owner = TC_ROUTER_NO_OWNER;
    e->held_head = NIL;
    e->held_tail = NIL;

    b = tc_endpoint_hash(k) & (r->nbuckets - 1);
    e->next = r->buckets[b];
    r->buckets[b] = i;
    r->nents++;

    return i;
}


static int
ent_grow(tc_router_t *r)
{
    uint32_t cap;
    ent_t   *ents;

    cap = (r->ents_cap == 0) ? ENTS_INITIAL : r->ents_cap * 2;
    if (cap > r->max_ents) {
        cap = (uint32_t) r->max_ents;
    }
    if (cap <= r->ents_cap) {
        return TC_ERROR;
    }

    ents = realloc(r->ents, (size_t) cap * sizeof(ent_t));
    if (ents == NULL) {
        tc_log_error(TC_LOG_ERR, 0, "router: out of memory for %u routes", cap);
        return TC_ERROR;
    }

    r->ents = ents;
    r->ents_cap = cap;
    return TC_OK;
}


/* Doubles the bucket array and rehashes.  On allocation failure the table
 * keeps working with longer chains. */
static void
buckets_grow(tc_router_t *r)
{
    uint32_t n, i, b, *buckets;
    ent_t   *e;

    n = r->nbuckets * 2;
    if (n == 0 || n > (1u << 30)) {
        return;
    }

    buckets = malloc((size_t) n * sizeof(uint32_t));
    if (buckets == NULL) {
        return;
    }

    for (i = 0; i < n; i++) {
        buckets[i] = NIL;
    }

    for (i = 0; i < r->ents_used; i++) {
        e = &r->ents[i];
        if (e->key.ip.family == TC_AF_NONE) {
            continue;
        }
        b = tc_endpoint_hash(&e->key) & (n - 1);
        e->next = buckets[b];
        buckets[b] = i;
    }

    free(r->buckets);
    r->buckets = buckets;
    r->nbuckets = n;
}


/* Frees entry i if it has neither an owner nor held headers. */
static void
ent_release(tc_router_t *r, uint32_t i)
{
    uint32_t *link;
    ent_t    *e = &r->ents[i];

    if (e->owner != TC_ROUTER_NO_OWNER || e->held_head != NIL) {
        return;
    }

    link = &r->buckets[tc_endpoint_hash(&e->key) & (r->nbuckets - 1)];
    while (*link != i) {
        TC_ASSERT(*link != NIL);
        if (*link == NIL) {
            return;
        }
        link = &r->ents[*link].next;
    }
    *link = e->next;

    e->key.ip.family = TC_AF_NONE;
    e->next = r->ent_free;
    r->ent_free = i;
    r->nents--;
}


uint32_t
tc_router_lookup(const tc_router_t *r, const tc_endpoint_t *key)
{
    uint32_t i;

    if (!key_ok(key)) {
        return TC_ROUTER_NO_OWNER;
    }

    i = ent_find(r, key);
    return (i == NIL) ? TC_ROUTER_NO_OWNER : r->ents[i].owner;
}


/* Unlinks held header i from the global FIFO. */
static void
fifo_unlink(tc_router_t *r, uint32_t i)
{
    held_t *h = &r->held[i];

    if (h->fifo_prev == NIL) {
        r->fifo_head = h->fifo_next;
    } else {
        r->held[h->fifo_prev].fifo_next = h->fifo_next;
    }

    if (h->fifo_next == NIL) {
        r->fifo_tail = h->fifo_prev;
    } else {
        r->held[h->fifo_next].fifo_prev = h->fifo_prev;
    }
}


/* Hands one held header to the deliver callback.  The header is copied to
 * the stack first: the callback may hold more headers, which can realloc
 * the held array under it. */
static void
held_deliver(tc_router_t *r, uint32_t owner, uint32_t i)
{
    uint8_t          hdr[TC_PKT_HDR_MAX];
    held_t          *h = &r->held[i];
    tc_router_held_t out;

    memcpy(hdr, h->hdr, h->len);
    out.family = h->family;
    out.len = h->len;
    out.orig_len = h->orig_len;
    out.hdr = hdr;

    held_free(r, i);
    r->stats.held_delivered++;

    if (r->deliver != NULL) {
        r->deliver(r->ctx, owner, &out);
    }
}


int
tc_router_add(tc_router_t *r, const tc_endpoint_t *key, uint32_t owner)
{
    uint32_t i, h, next;
    ent_t   *e;

    if (owner == TC_ROUTER_NO_OWNER || !key_ok(key)) {
        return TC_ERROR;
    }

    i = ent_find(r, key);
    if ((i == NIL || r->ents[i].owner == TC_ROUTER_NO_OWNER) &&
        r->nroutes >= r->conf.max_routes) {
        r->stats.routes_full++;
        return TC_ERROR;
    }

    if (i == NIL) {
        i = ent_new(r, key);
        if (i == NIL) {
            r->stats.routes_full++;
            return TC_ERROR;
        }
    }

    e = &r->ents[i];
    if (e->owner == TC_ROUTER_NO_OWNER) {
        r->nroutes++;
        r->stats.routes_added++;
    } else if (e->owner != owner) {
        r->stats.routes_overridden++;
    }
    e->owner = owner;

    /* Detach the key's held list, and take it off the FIFO, before
     * delivering anything: the callback may call back into the router
     * (hold, expire, even delete this very route). */
    h = e->held_head;
    e->held_head = NIL;
    e->held_tail = NIL;

    for (i = h; i != NIL; i = r->held[i].key_next) {
        fifo_unlink(r, i);
    }

    while (h != NIL) {
        next = r->held[h].key_next;
        held_deliver(r, owner, h);
        h = next;
    }

    return TC_OK;
}


int
tc_router_del(tc_router_t *r, const tc_endpoint_t *key, uint32_t owner)
{
    uint32_t i;

    if (!key_ok(key)) {
        return TC_DECLINED;
    }

    i = ent_find(r, key);
    if (i == NIL || r->ents[i].owner == TC_ROUTER_NO_OWNER ||
        r->ents[i].owner != owner) {
        r->stats.routes_del_other++;
        return TC_DECLINED;
    }

    r->ents[i].owner = TC_ROUTER_NO_OWNER;
    r->nroutes--;
    r->stats.routes_removed++;
    ent_release(r, i);
    return TC_OK;
}


size_t
tc_router_del_owner(tc_router_t *r, uint32_t owner)
{
    uint32_t i;
    size_t   n = 0;

    if (owner == TC_ROUTER_NO_OWNER) {
        return 0;
    }

    for (i = 0; i < r->ents_used; i++) {
        if (r->ents[i].key.ip.family == TC_AF_NONE ||
            r->ents[i].owner != owner) {
            continue;
        }
        r->ents[i].owner = TC_ROUTER_NO_OWNER;
        r->nroutes--;
        n++;
        ent_release(r, i);
    }

    r->stats.routes_removed += n;
    return n;
}


static uint32_t
held_alloc(tc_router_t *r)
{
    uint32_t i, cap;
    held_t  *held;

    if (r->nheld >= r->conf.max_held) {
        return NIL;
    }

    if (r->held_free != NIL) {
        i = r->held_free;
        r->held_free = r->held[i].key_next;
        r->nheld++;
        return i;
    }

    if (r->held_used == r->held_cap) {
        cap = (r->held_cap == 0) ? 256u : r->held_cap * 2;
        cap = (uint32_t) tc_min((size_t) cap, r->conf.max_held);
        held = realloc(r->held, (size_t) cap * sizeof(held_t));
        if (held == NULL) {
            return NIL;
        }
        r->held = held;
        r->held_cap = cap;
    }

    r->nheld++;
    return r->held_used++;
}


static void
held_free(tc_router_t *r, uint32_t i)
{
    r->held[i].key_next = r->held_free;
    r->held_free = i;
    r->nheld--;
}


/* Appends held header i to the global FIFO and to entry e's list. */
static void
held_link(tc_router_t *r, uint32_t e, uint32_t i)
{
    held_t *h = &r->held[i];

    h->key_next = NIL;
    h->fifo_next = NIL;
    h->fifo_prev = r->fifo_tail;
    if (r->fifo_tail == NIL) {
        r->fifo_head = i;
    } else {
        r->held[r->fifo_tail].fifo_next = i;
    }
    r->fifo_tail = i;

    if (r->ents[e].held_tail == NIL) {
        r->ents[e].held_head = i;
    } else {
        r->held[r->ents[e].held_tail].key_next = i;
    }
    r->ents[e].held_tail = i;
}


int
tc_router_hold(tc_router_t *r, const tc_endpoint_t *key, uint8_t family,
               const uint8_t *hdr, size_t len, uint32_t orig_len)
{
    uint32_t e, i;
    held_t  *h;

    if (!key_ok(key)) {
        r->stats.held_overflow++;
        return TC_DECLINED;
    }

    i = held_alloc(r);
    if (i == NIL) {
        r->stats.held_overflow++;
        return TC_DECLINED;
    }

    e = ent_find(r, key);
    if (e == NIL) {
        e = ent_new(r, key);
    }
    if (e == NIL) {
        held_free(r, i);
        r->stats.held_overflow++;
        return TC_DECLINED;
    }

    h = &r->held[i];
    h->when = tc_time_now();
    h->ent = e;
    h->orig_len = orig_len;
    h->family = family;
    h->len = (uint16_t) tc_min(len, (size_t) TC_PKT_HDR_MAX);
    memcpy(h->hdr, hdr, h->len);

    r->stats.held++;

    /* The caller found no owner; if one exists anyway, do not make the
     * header wait for a ROUTE that already came (an owned key holds
     * nothing: tc_router_add() delivered it all). */
    if (r->ents[e].owner != TC_ROUTER_NO_OWNER) {
        held_deliver(r, r->ents[e].owner, i);
        return TC_OK;
    }

    held_link(r, e, i);
    return TC_OK;
}


size_t
tc_router_expire(tc_router_t *r)
{
    tc_msec_t now = tc_time_now();
    uint32_t  i, e;
    size_t    n = 0;
    held_t   *h;

    while (r->fifo_head != NIL) {
        i = r->fifo_head;
        h = &r->held[i];
        if (now - h->when < r->conf.hold_ms) {
            break;
        }

        e = h->ent;
        TC_ASSERT(r->ents[e].held_head == i);

        r->ents[e].held_head = h->key_next;
        if (h->key_next == NIL) {
            r->ents[e].held_tail = NIL;
        }
        fifo_unlink(r, i);
        held_free(r, i);
        ent_release(r, e);
        n++;
    }

    r->stats.expired_no_route += n;
    return n;
}


tc_msec_t
tc_router_next_expiry(const tc_router_t *r)
{
    if (r->fifo_head == NIL) {
        return -1;
    }

    return r->held[r->fifo_head].when + r->conf.hold_ms;
}


size_t
tc_router_routes(const tc_router_t *r)
{
    return r->nroutes;
}


size_t
tc_router_held_now(const tc_router_t *r)
{
    return r->nheld;
}


const tc_router_stats_t *
tc_router_stats(const tc_router_t *r)
{
    return &r->stats;
}
