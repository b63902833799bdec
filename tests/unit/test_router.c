/*
 * test_router.c: the intercept route table and held replies (router.c),
 * driven without sockets and with the clock set by hand.
 */
#include "tc_config.h"

#include <stdlib.h>
#include <string.h>

#include "t_harness.h"
#include "tc_time.h"
#include "router.h"

/* What the deliver callback saw, in order. */
typedef struct {
    unsigned n;
    uint32_t owner[64];
    uint8_t  first_byte[64];
    uint16_t len[64];
    uint32_t orig_len[64];
} t_sink_t;


static void
t_deliver(void *ctx, uint32_t owner, const tc_router_held_t *held)
{
    t_sink_t *s = ctx;

    if (s->n < 64) {
        s->owner[s->n] = owner;
        s->first_byte[s->n] = held->hdr[0];
        s->len[s->n] = held->len;
        s->orig_len[s->n] = held->orig_len;
    }
    s->n++;
}


static tc_endpoint_t
t_ep(const char *ip, uint16_t port)
{
    tc_endpoint_t ep;

    memset(&ep, 0, sizeof(ep));
    (void) tc_addr_parse(ip, &ep.ip);
    ep.port = port;
    return ep;
}


static tc_router_t *
t_router(t_sink_t *sink, size_t max_routes, size_t max_held)
{
    tc_router_conf_t conf;

    memset(&conf, 0, sizeof(conf));
    conf.max_routes = max_routes;
    conf.max_held = max_held;
    conf.hold_ms = 3000;
    memset(sink, 0, sizeof(*sink));
    return tc_router_create(&conf, t_deliver, sink);
}


static void
t_hold(tc_router_t *r, const tc_endpoint_t *ep, uint8_t tag)
{
    uint8_t hdr[TC_PKT_HDR_MAX];

    memset(hdr, 0, sizeof(hdr));
    hdr[0] = tag;
    T_CHECK_EQ(tc_router_hold(r, ep, TC_AF_INET, hdr, 40, 1000u + tag), TC_OK);
}


static void
test_add_del_override(void)
{
    t_sink_t      sink;
    tc_router_t  *r = t_router(&sink, 0, 0);
    tc_endpoint_t a = t_ep("10.0.0.1", 5000), b = t_ep("10.0.0.1", 5001);
    tc_endpoint_t c = t_ep("2001:db8::1", 5000);

    T_CHECK(r != NULL);
    T_CHECK_EQ(tc_router_lookup(r, &a), TC_ROUTER_NO_OWNER);

    T_CHECK_EQ(tc_router_add(r, &a, 1), TC_OK);
    T_CHECK_EQ(tc_router_add(r, &b, 2), TC_OK);
    T_CHECK_EQ(tc_router_add(r, &c, 3), TC_OK);
    T_CHECK_EQ(tc_router_lookup(r, &a), 1);
    T_CHECK_EQ(tc_router_lookup(r, &b), 2);
    T_CHECK_EQ(tc_router_lookup(r, &c), 3);
    T_CHECK_EQ(tc_router_routes(r), 3);

    /* Override: the newest ADD wins; the old owner's DEL is ignored. */
    T_CHECK_EQ(tc_router_add(r, &a, 2), TC_OK);
    T_CHECK_EQ(tc_router_lookup(r, &a), 2);
    T_CHECK_EQ(tc_router_stats(r)->routes_overridden, 1);
    T_CHECK_EQ(tc_router_del(r, &a, 1), TC_DECLINED);
    T_CHECK_EQ(tc_router_lookup(r, &a), 2);
    T_CHECK_EQ(tc_router_stats(r)->routes_del_other, 1);

    T_CHECK_EQ(tc_router_del(r, &a, 2), TC_OK);
    T_CHECK_EQ(tc_router_lookup(r, &a), TC_ROUTER_NO_OWNER);
    T_CHECK_EQ(tc_router_del(r, &a, 2), TC_DECLINED);
    T_CHECK_EQ(tc_router_routes(r), 2);

    /* Re-adding the same owner is not a second route. */
    T_CHECK_EQ(tc_router_add(r, &b, 2), TC_OK);
    T_CHECK_EQ(tc_router_routes(r), 2);
    T_CHECK_EQ(tc_router_stats(r)->routes_added, 3);
    T_CHECK_EQ(tc_router_stats(r)->routes_removed, 1);

    /* Owner 0 and unknown families are refused. */
    T_CHECK_EQ(tc_router_add(r, &a, TC_ROUTER_NO_OWNER), TC_ERROR);
    a.ip.family = TC_AF_NONE;
    T_CHECK_EQ(tc_router_add(r, &a, 1), TC_ERROR);
    T_CHECK_EQ(tc_router_lookup(r, &a), TC_ROUTER_NO_OWNER);

    tc_router_destroy(r);
}


static tc_endpoint_t
t_ep_n(unsigned i)
{
    tc_endpoint_t ep = t_ep("10.0.0.0", (uint16_t) (1000 + i % 50000));

    ep.ip.addr[1] = (uint8_t) (1 + i / 50000);
    return ep;
}


static void
test_del_owner(void)
{
    t_sink_t      sink;
    tc_router_t  *r = t_router(&sink, 0, 0);
    tc_endpoint_t ep;
    unsigned      i, bad = 0;

    /* 100k keys (the scale the router is built for): the entry array and
     * the buckets grow several times on the way. */
    for (i = 0; i < 100000; i++) {
        ep = t_ep_n(i);
        bad += tc_router_add(r, &ep, 1 + i % 3) != TC_OK;
    }
    T_CHECK_EQ(bad, 0);
    T_CHECK_EQ(tc_router_routes(r), 100000);

    for (i = 0; i < 100000; i++) {
        ep = t_ep_n(i);
        bad += tc_router_lookup(r, &ep) != 1 + i % 3;
    }
    T_CHECK_EQ(bad, 0);

    /* A connection closes: exactly its routes go. */
    T_CHECK_EQ(tc_router_del_owner(r, 2), 33333);
    T_CHECK_EQ(tc_router_routes(r), 100000 - 33333);

    for (i = 0; i < 100000; i++) {
        ep = t_ep_n(i);
        bad += tc_router_lookup(r, &ep) != ((i % 3 == 1) ? 0 : 1 + i % 3);
    }
    T_CHECK_EQ(bad, 0);

    /* Freed slots are reused. */
    ep = t_ep("10.200.0.0", 7);
    T_CHECK_EQ(tc_router_add(r, &ep, 4), TC_OK);
    T_CHECK_EQ(tc_router_del_owner(r, 1) + tc_router_del_owner(r, 3) +
                   tc_router_del_owner(r, 4),
               100000 - 33333 + 1);
    T_CHECK_EQ(tc_router_routes(r), 0);
    T_CHECK_EQ(tc_router_del_owner(r, 4), 0);
    T_CHECK_EQ(tc_router_stats(r)->routes_removed, 100001);

    tc_router_destroy(r);
}


static void
test_held_then_route(void)
{
    t_sink_t      sink;
    tc_router_t  *r = t_router(&sink, 0, 0);
    tc_endpoint_t a = t_ep("10.0.0.1", 5000), b = t_ep("10.0.0.2", 5000);

    tc_time_set(100000);

    /* Replies (the SYN-ACK first) overtake their ROUTE. */
    t_hold(r, &a, 1);
    t_hold(r, &b, 2);
    tc_time_set(100010);
    t_hold(r, &a, 3);
    t_hold(r, &a, 4);
    T_CHECK_EQ(tc_router_held_now(r), 4);
    T_CHECK_EQ(sink.n, 0);
    T_CHECK_EQ(tc_router_next_expiry(r), 103000);

    /* The ROUTE for a delivers a's headers in arrival order, only a's. */
    tc_time_set(101000);
    T_CHECK_EQ(tc_router_add(r, &a, 7), TC_OK);
    T_CHECK_EQ(sink.n, 3);
    T_CHECK_EQ(sink.owner[0], 7);
    T_CHECK_EQ(sink.first_byte[0], 1);
    T_CHECK_EQ(sink.first_byte[1], 3);
    T_CHECK_EQ(sink.first_byte[2], 4);
    T_CHECK_EQ(sink.len[0], 40);
    T_CHECK_EQ(sink.orig_len[2], 1004);
    T_CHECK_EQ(tc_router_held_now(r), 1);
    T_CHECK_EQ(tc_router_stats(r)->held, 4);
    T_CHECK_EQ(tc_router_stats(r)->held_delivered, 3);

    /* Holding for a routed key delivers at once. */
    t_hold(r, &a, 5);
    T_CHECK_EQ(sink.n, 4);
    T_CHECK_EQ(sink.first_byte[3], 5);

    /* b's header still expires on time. */
    T_CHECK_EQ(tc_router_next_expiry(r), 103000);
    tc_time_set(102999);
    T_CHECK_EQ(tc_router_expire(r), 0);
    tc_time_set(103000);
    T_CHECK_EQ(tc_router_expire(r), 1);
    T_CHECK_EQ(tc_router_stats(r)->expired_no_route, 1);
    T_CHECK_EQ(tc_router_held_now(r), 0);
    T_CHECK_EQ(tc_router_next_expiry(r), -1);

    /* A later ROUTE for b finds nothing to deliver. */
    T_CHECK_EQ(tc_router_add(r, &b, 8), TC_OK);
    T_CHECK_EQ(sink.n, 4);

    tc_router_destroy(r);
}


static void
test_expiry(void)
{
    t_sink_t      sink;
    tc_router_t  *r = t_router(&sink, 0, 0);
    tc_endpoint_t a = t_ep("10.0.0.1", 5000), b = t_ep("10.0.0.2", 6000);

    tc_time_set(5000);
    t_hold(r, &a, 1);
    tc_time_set(6000);
    t_hold(r, &b, 2);
    tc_time_set(7000);
    t_hold(r, &a, 3);

    /* One at a time, oldest first, exactly at hold_ms. */
    tc_time_set(7999);
    T_CHECK_EQ(tc_router_expire(r), 0);
    tc_time_set(8000);
    T_CHECK_EQ(tc_router_expire(r), 1);
    T_CHECK_EQ(tc_router_next_expiry(r), 9000);
    tc_time_set(9500);
    T_CHECK_EQ(tc_router_expire(r), 1);
    T_CHECK_EQ(tc_router_next_expiry(r), 10000);

    /* a's remaining (younger) header is still delivered by its ROUTE. */
    T_CHECK_EQ(tc_router_add(r, &a, 1), TC_OK);
    T_CHECK_EQ(sink.n, 1);
    T_CHECK_EQ(sink.first_byte[0], 3);
    T_CHECK_EQ(tc_router_stats(r)->expired_no_route, 2);

    tc_time_set(20000);
    T_CHECK_EQ(tc_router_expire(r), 0);
    T_CHECK_EQ(tc_router_held_now(r), 0);

    /* Expired keys without a route leave no entry behind: the table can
     * fill with routes up to its bound afterwards. */
    T_CHECK_EQ(tc_router_routes(r), 1);

    tc_router_destroy(r);
}


static void
test_held_bound(void)
{
    t_sink_t      sink;
    tc_router_t  *r = t_router(&sink, 2, 4);
    tc_endpoint_t a = t_ep("10.0.0.1", 5000), b = t_ep("10.0.0.2", 5000);
    tc_endpoint_t c = t_ep("10.0.0.3", 5000);
    uint8_t       hdr[TC_PKT_HDR_MAX + 10];
    unsigned      i;

    memset(hdr, 0xab, sizeof(hdr));
    tc_time_set(1000);

    for (i = 0; i < 4; i++) {
        T_CHECK_EQ(tc_router_hold(r, (i & 1) ? &a : &b, TC_AF_INET, hdr,
                                  sizeof(hdr), 2000),
                   TC_OK);
    }
    T_CHECK_EQ(tc_router_hold(r, &a, TC_AF_INET, hdr, 40, 2000), TC_DECLINED);
    T_CHECK_EQ(tc_router_stats(r)->held_overflow, 1);
    T_CHECK_EQ(tc_router_held_now(r), 4);

    /* Delivering frees room; copies were cut to TC_PKT_HDR_MAX. */
    T_CHECK_EQ(tc_router_add(r, &a, 9), TC_OK);
    T_CHECK_EQ(sink.n, 2);
    T_CHECK_EQ(sink.len[0], TC_PKT_HDR_MAX);
    T_CHECK_EQ(tc_router_hold(r, &c, TC_AF_INET, hdr, 40, 2000), TC_OK);

    /* The route bound: a third key is refused, its held header kept. */
    T_CHECK_EQ(tc_router_add(r, &b, 9), TC_OK);
    T_CHECK_EQ(tc_router_add(r, &c, 9), TC_ERROR);
    T_CHECK_EQ(tc_router_stats(r)->routes_full, 1);
    T_CHECK_EQ(tc_router_held_now(r), 1);
    T_CHECK_EQ(tc_router_del(r, &a, 9), TC_OK);
    T_CHECK_EQ(tc_router_add(r, &c, 9), TC_OK);
    T_CHECK_EQ(sink.n, 5);
    T_CHECK_EQ(tc_router_held_now(r), 0);

    tc_router_destroy(r);
}


/* A deliver callback that re-enters the router, as a careless caller
 * might: the router must stay consistent. */
typedef struct {
    tc_router_t *r;
    unsigned     n;
} t_box_t;


static void
t_deliver_reenter(void *ctx, uint32_t owner, const tc_router_held_t *held)
{
    t_box_t      *box = ctx;
    tc_endpoint_t ep = t_ep("10.9.9.9", 1);

    box->n++;
    (void) tc_router_del_owner(box->r, owner);
    (void) tc_router_hold(box->r, &ep, TC_AF_INET, held->hdr, held->len, 1);
    (void) tc_router_expire(box->r);
}


static void
test_reentry(void)
{
    tc_router_conf_t conf;
    t_box_t          box = {NULL, 0};
    tc_endpoint_t    a = t_ep("10.0.0.1", 5000);
    uint8_t          hdr[40] = {0};

    memset(&conf, 0, sizeof(conf));
    conf.hold_ms = 10;
    box.r = tc_router_create(&conf, t_deliver_reenter, &box);
    T_CHECK(box.r != NULL);

    tc_time_set(0);
    T_CHECK_EQ(tc_router_hold(box.r, &a, TC_AF_INET, hdr, 40, 40), TC_OK);
    T_CHECK_EQ(tc_router_hold(box.r, &a, TC_AF_INET, hdr, 40, 40), TC_OK);
    T_CHECK_EQ(tc_router_hold(box.r, &a, TC_AF_INET, hdr, 40, 40), TC_OK);

    tc_time_set(5);
    T_CHECK_EQ(tc_router_add(box.r, &a, 1), TC_OK);
    T_CHECK_EQ(box.n, 3);
    T_CHECK_EQ(tc_router_routes(box.r), 0);
    T_CHECK_EQ(tc_router_held_now(box.r), 3);

    tc_time_set(20);
    T_CHECK_EQ(tc_router_expire(box.r), 3);
    T_CHECK_EQ(tc_router_held_now(box.r), 0);

    tc_router_destroy(box.r);
}


int
main(void)
{
    T_RUN(test_add_del_override);
    T_RUN(test_del_owner);
    T_RUN(test_held_then_route);
    T_RUN(test_expiry);
    T_RUN(test_held_bound);
    T_RUN(test_reentry);
    return T_REPORT();
}
