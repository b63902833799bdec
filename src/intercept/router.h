/*
 * router.h: intercept's route table and held replies.  Pure code: no
 * sockets, no event loop; time comes from the cached clock (tc_time_now()),
 * so unit tests drive it with tc_time_set().
 *
 * The table maps a client endpoint (family, address, port) to the id of the
 * control connection whose tcpcopy owns it (ROUTE ADD).  A reply whose
 * client has no owner yet is held (its IP+TCP header copied) for hold_ms:
 * tcpcopy sends the ROUTE for a session when it sends the SYN, and the
 * target's SYN-ACK can overtake that ROUTE on the way to intercept.  When
 * the ROUTE arrives the held headers are handed to the deliver callback in
 * arrival order; when hold_ms passes first they are counted as
 * expired_no_route.
 *
 * Memory: the hash entries and the held headers live in two arrays that
 * grow by doubling up to their bounds and are recycled through free lists,
 * so steady-state traffic does not allocate.
 */
#ifndef TC_ROUTER_H_INCLUDED
#define TC_ROUTER_H_INCLUDED

#include "tc_core.h"
#include "tc_addr.h"
#include "tc_pkt.h"

/* Connection ids are small positive integers; 0 means "no owner". */
#define TC_ROUTER_NO_OWNER 0

#define TC_ROUTER_MAX_ROUTES_DEFAULT (1u << 20)
#define TC_ROUTER_MAX_HELD_DEFAULT   65536u
#define TC_ROUTER_HOLD_MS_DEFAULT    3000

typedef struct tc_router_s tc_router_t;

typedef struct {
    size_t    max_routes; /* owned keys; 0 means the default */
    size_t    max_held;   /* held headers in all; 0 means the default */
    tc_msec_t hold_ms;    /* how long a header waits for its ROUTE */
} tc_router_conf_t;

/* A held reply header as handed back to the deliver callback. */
typedef struct {
    uint8_t        family; /* TC_AF_INET or TC_AF_INET6 */
    uint16_t       len;    /* bytes at hdr (<= TC_PKT_HDR_MAX) */
    uint32_t       orig_len;
    const uint8_t *hdr; /* valid only during the callback */
} tc_router_held_t;

/* Called once per held header when its key gets an owner, oldest first.
 * It must not free the router; it may call any other router function. */
typedef void (*tc_router_deliver_pt)(void *ctx, uint32_t owner,
                                     const tc_router_held_t *held);

typedef struct {
    uint64_t routes_added;      /* ADD for a key without owner */
    uint64_t routes_overridden; /* ADD that moved a key to another owner */
    uint64_t routes_removed;    /* DEL, or the owner's connection closed */
    uint64_t routes_del_other;  /* DEL of a key the sender did not own */
    uint64_t routes_full;       /* ADD refused: max_routes reached */
    uint64_t held;              /* headers held waiting for their ROUTE */
    uint64_t held_delivered;    /* held headers delivered on a late ROUTE */
    uint64_t expired_no_route;  /* held headers whose ROUTE never came */
    uint64_t held_overflow;     /* not held: max_held reached */
} tc_router_stats_t;

/*
 * Creates an empty router.  conf is copied.  deliver (with ctx) receives
 * held headers when their route appears.  Returns NULL when out of memory.
 */
tc_router_t *tc_router_create(const tc_router_conf_t *conf,
                              tc_router_deliver_pt deliver, void *ctx);

/* Frees the router and everything held in it (held headers are dropped
 * uncounted: the process is going away).  NULL is ignored. */
void tc_router_destroy(tc_router_t *r);

/* The owner of key, or TC_ROUTER_NO_OWNER.  No allocation. */
uint32_t tc_router_lookup(const tc_router_t *r, const tc_endpoint_t *key);

/*
 * ROUTE ADD: makes owner (non-zero) the owner of key, replacing any other
 * owner, then delivers the headers held for key, oldest first.  Returns
 * TC_OK, or TC_ERROR if the table is full (counted as routes_full; held
 * headers for key stay held) or owner is 0 or the family unknown.
 */
int tc_router_add(tc_router_t *r, const tc_endpoint_t *key, uint32_t owner);

/*
 * ROUTE DEL: removes key if owner owns it.  Returns TC_OK, or TC_DECLINED
 * when key has no route or another owner (counted as routes_del_other: a
 * late DEL from a tcpcopy whose key was taken over must not steal it).
 */
int tc_router_del(tc_router_t *r, const tc_endpoint_t *key, uint32_t owner);

/* Removes every route owned by owner (its connection closed).  Returns how
 * many were removed.  Walks the whole table: connection close only. */
size_t tc_router_del_owner(tc_router_t *r, uint32_t owner);

/*
 * Holds a copy of the first min(len, TC_PKT_HDR_MAX) bytes of hdr for key,
 * stamped with tc_time_now().  If key already has an owner the header is
 * delivered at once instead.  Returns TC_OK, or TC_DECLINED when max_held
 * is reached or memory is short (counted as held_overflow).
 */
int tc_router_hold(tc_router_t *r, const tc_endpoint_t *key, uint8_t family,
                   const uint8_t *hdr, size_t len, uint32_t orig_len);

/* Drops the held headers older than hold_ms as of tc_time_now(), counting
 * each as expired_no_route.  Returns how many expired. */
size_t tc_router_expire(tc_router_t *r);

/* The cached-clock time at which the oldest held header expires, or -1 if
 * nothing is held. */
tc_msec_t tc_router_next_expiry(const tc_router_t *r);

size_t tc_router_routes(const tc_router_t *r);   /* keys with an owner */
size_t tc_router_held_now(const tc_router_t *r); /* headers held now */

/* Counters since creation; the pointer stays valid with the router. */
const tc_router_stats_t *tc_router_stats(const tc_router_t *r);

#endif /* TC_ROUTER_H_INCLUDED */
