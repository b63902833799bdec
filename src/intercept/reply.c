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


/* Queues the header (and payload, if the owner asked for it and the
 * capture has it) of parsed reply v for connection owner. */
static void
tc_icp_deliver(tc_icp_cycle_t *c, uint32_t owner, const tc_pkt_view_t *v)
{
    size_t hdr_len, pkt_len;

    hdr_len = (size_t) v->ip_hlen + v->tcp_hlen;
    pkt_len = hdr_len;

    if (v->payload_caplen > 0 &&
        tc_icp_server_wants_payload(c->server, owner)) {
        pkt_len += v->payload_caplen;
        /* A frame body holds 8 bytes of REPLY fields, then the packet. */
        pkt_len = tc_min(pkt_len, (size_t) TC_PROTO_MAX_BODY - 8);
    }

    (void) tc_icp_server_reply(c->server, owner, v->dst.family, v->ip, hdr_len,
                               pkt_len, v->ip_len);
}


/* -D: when v's source is a container's inner address, v is moved onto a
 * writable copy of the reply whose source now says the outer address
 * tcpcopy knows.  The queued packet itself (and its verdict) is left as
 * the kernel gave it. */
static void
tc_icp_nat(tc_icp_cycle_t *c, const uint8_t *pkt, size_t caplen,
           tc_pkt_view_t *v)
{
    const tc_icp_conf_t *conf = c->conf;
    tc_pkt_view_t        copy;
    size_t               len;

    if (conf->nnat == 0 || c->nat_buf == NULL ||
        tc_icp_nat_find(conf->nat, conf->nnat, &v->src, v->sport) == NULL) {
        return;
    }

    /* a longer reply keeps its headers; only payload past this is cut */
    len = tc_min(caplen, (size_t) TC_ICP_NAT_BUF);
    memcpy(c->nat_buf, pkt, len);
    if (tc_pkt_parse(c->nat_buf, len, &copy) == TC_PKT_OK &&
        tc_icp_nat_apply(conf->nat, conf->nnat, c->nat_buf, &copy) == TC_OK) {
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
    tc_icp_nat(c, pkt, caplen, &v);

    /* The reply goes to the client: the key is its destination. */
    client.ip = v.dst;
    client.port = v.dport;
    pass = tc_icp_on_pass_list(c->conf, &v.dst);

    owner = tc_router_lookup(c->router, &client);
    if (owner != TC_ROUTER_NO_OWNER) {
        tc_icp_deliver(c, owner, &v);

    } else if (!pass) {
        /* Its ROUTE may still be on the way: keep the header for it. */
        if (tc_router_hold(c->router, &client, v.dst.family, v.ip,
                           (size_t) v.ip_hlen + v.tcp_hlen,
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


void
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
