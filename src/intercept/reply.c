/*
 * reply.c: what intercept does with each reply the kernel queued to it.
 *
 * The verdict is decided here and nowhere else, so the rule "a reply to a
 * replayed client never leaks" has one place to be checked: everything the
 * user's rule queued is dropped unless it is not TCP at all (not a reply
 * we understand, so not ours to swallow) or its client is on the pass list.
 */
#include "tc_config.h"

#include <string.h>

#include "tc_log.h"
#include "tc_proto.h"
#include "tc_time.h"
#include "intercept.h"

static void tc_icp_hold_timer_arm(tc_icp_cycle_t *c);
static void tc_icp_hold_expire(tc_timer_t *timer);


static bool
tc_icp_on_pass_list(const tc_icp_conf_t *conf, const tc_addr_t *a)
{
    size_t i;

    /* The list is a handful of addresses: a scan beats a hash here. */
    for (i = 0; i < conf->npass; i++) {
        if (tc_addr_eq(&conf->pass[i], a)) {
            return true;
        }
    }

    return false;
}


/* A frame body holds 8 bytes of REPLY fields, then the packet. */
#define TC_ICP_OUT_MAX ((size_t) TC_PROTO_MAX_BODY - 8)

_Static_assert(TC_ICP_OUT_MAX <= TC_ICP_NAT_BUF,
               "-D's copy must hold every byte a REPLY can carry");


/* How many bytes of parsed reply v leave for owner: its headers, and its
 * captured payload too if owner asked for payloads.  A reply without an
 * owner yet is held as headers only. */
static size_t
tc_icp_out_len(tc_icp_cycle_t *c, uint32_t owner, const tc_pkt_view_t *v)
{
    size_t hdr_len = (size_t) v->ip_hlen + v->tcp_hlen;

    if (owner == TC_ROUTER_NO_OWNER || v->payload_caplen == 0 ||
        !tc_icp_server_wants_payload(c->server, owner)) {
        return hdr_len;
    }

    return tc_min(hdr_len + v->payload_caplen, TC_ICP_OUT_MAX);
}


/* -D: when v's source is a container's inner address, the len bytes of the
 * reply that leave are copied to nat_buf, v is moved onto the copy (same
 * offsets, no second parse) and its source there put back to the outer
 * address tcpcopy knows.  The queued packet itself (and its verdict) is
 * left as the kernel gave it. */
static void
tc_icp_nat(tc_icp_cycle_t *c, tc_pkt_view_t *v, size_t len)
{
    const tc_icp_conf_t *conf = c->conf;
    const tc_icp_nat_t  *m;
    uint8_t             *buf = c->nat_buf;
    tc_pkt_view_t        copy;

    if (conf->nnat == 0 || buf == NULL) {
        return;
    }
    m = tc_icp_nat_find(conf->nat, conf->nnat, &v->src, v->sport);
    if (m == NULL) {
        return;
    }

    memcpy(buf, v->ip, len);
    copy = *v;
    copy.ip = buf;
    copy.tcp = buf + (v->tcp - v->ip);
    copy.payload = buf + (v->payload - v->ip);
    copy.payload_caplen = (uint32_t) (len - (size_t) (v->payload - v->ip));

    if (tc_icp_nat_rewrite(m, buf, &copy) == TC_OK) {
        *v = copy;
        c->ledger.nat_rewritten++;
    }
}


int
tc_icp_packet(void *ctx, const uint8_t *pkt, size_t caplen)
{
    tc_icp_cycle_t *c = ctx;
    tc_pkt_view_t   v;
    tc_endpoint_t   client;
    size_t          len, hdr_len;
    uint32_t        owner;
    bool            pass;
    int             rc;

    c->ledger.packets++;

    rc = tc_pkt_parse(pkt, caplen, &v);
    if (rc != TC_PKT_OK) {
        c->ledger.perr[(rc > 0 && rc < TC_PKT_NERR) ? rc : 0]++;

        /* Not TCP: not a reply tcpcopy could use; let it go.  A TCP packet
         * we cannot parse is still somebody's reply: drop it. */
        if (rc == TC_PKT_EPROTO || rc == TC_PKT_EVERSION) {
            c->ledger.accept++;
            return TC_ICP_ACCEPT;
        }
        c->ledger.drop++;
        return TC_ICP_DROP;
    }

    c->ledger.tcp++;

    /* The reply goes to the client: the key is its destination (which -D
     * leaves alone). */
    client = tc_pkt_dst(&v);
    pass = tc_icp_on_pass_list(c->conf, &v.dst);
    owner = tc_router_lookup(c->router, &client);

    len = tc_icp_out_len(c, owner, &v);
    tc_icp_nat(c, &v, len);
    hdr_len = (size_t) v.ip_hlen + v.tcp_hlen;

    if (owner != TC_ROUTER_NO_OWNER) {
        (void) tc_icp_server_reply(c->server, owner, v.dst.family, v.ip,
                                   hdr_len, len, v.ip_len);

    } else if (!pass) {
        /* Its ROUTE may still be on the way: keep the header for it. */
        if (tc_router_hold(c->router, &client, v.dst.family, v.ip, hdr_len,
                           v.ip_len) == TC_OK) {
            tc_icp_hold_timer_arm(c);
        }
    }

    if (pass) {
        c->ledger.pass++;
        c->ledger.accept++;
        return TC_ICP_ACCEPT;
    }

    c->ledger.drop++;
    return TC_ICP_DROP;
}


void
tc_icp_held_deliver(void *ctx, uint32_t owner, const tc_router_held_t *held)
{
    tc_icp_cycle_t *c = ctx;

    /* Held copies are headers only (TC_PKT_HDR_MAX bytes at most), so they
     * go without payload even to a tcpcopy that asked for it. */
    (void) tc_icp_server_reply(c->server, owner, held->family, held->hdr,
                               held->len, held->len, held->orig_len);
}


void
tc_icp_hold_timer_init(tc_icp_cycle_t *c)
{
    tc_timer_init(&c->hold_timer, tc_icp_hold_expire, c);
}


/* Arms the cycle's hold timer for the router's next expiry, if any. */
static void
tc_icp_hold_timer_arm(tc_icp_cycle_t *c)
{
    tc_msec_t when;

    /* A zeroed cycle's timer is not initialised yet (and heap_index 0
     * would read as armed). */
    if (tc_timer_armed(&c->hold_timer)) {
        return;
    }

    when = tc_router_next_expiry(c->router);
    if (when < 0) {
        return;
    }

    tc_timer_set_at(c->loop, &c->hold_timer, when);
}


/* The oldest held header is due (or was delivered since the timer was
 * armed: then nothing expires and the timer moves to the new oldest). */
static void
tc_icp_hold_expire(tc_timer_t *timer)
{
    tc_icp_cycle_t *c = timer->data;

    (void) tc_router_expire(c->router);
    tc_icp_hold_timer_arm(c);
}
