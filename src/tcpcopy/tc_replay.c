/*
 * tc_replay.c: tcpcopy's engine (see tc_replay.h).
 */
#include "tc_config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tc_log.h"
#include "tc_replay.h"
#include "tc_time.h"

#define REUSE_PKTS_MAX 64   /* packets of a new connection held back */
#define REUSE_WAIT_MS  2000 /* how long the old session may finish */

typedef struct {
    uint8_t *data;
    size_t   len;
} held_pkt_t;

/*
 * A session as the engine keeps it: the pure state plus its timer.  When
 * the client reuses the port while the old session is still replaying, the
 * new connection's packets wait in held[] until the old one ends (the
 * target cannot hold both on one address and port).
 */
typedef struct {
    tc_sess_t    sess; /* first: tc_table hands back tc_sess_t pointers */
    tc_timer_t   timer;
    tc_replay_t *r;
    uint16_t     transfer;
    uint16_t     nheld;
    tc_msec_t    held_since;
    held_pkt_t  *held;
} replay_sess_t;

static void replay_timer(tc_timer_t *t);
static void replay_packet(tc_replay_t *r, const uint8_t *pkt, size_t caplen);


int
tc_replay_init(tc_replay_t *r, tc_event_loop_t *loop)
{
    r->loop = loop;
    return tc_table_init(&r->table, 4096);
}


static const char *
replay_send_hint(int err)
{
    switch (err) {
    case EPERM:
    case EACCES:
        return "a firewall or conntrack rule on this host refuses packets "
               "with the clients' source addresses (check iptables OUTPUT "
               "and conntrack INVALID rules)";
    case EMSGSIZE:
        return "a segment is larger than the path MTU toward the target; "
               "lower the MSS";
    case ENOBUFS:
    case EAGAIN:
        return "the send queue is full: this host sends faster than its "
               "interface drains; the segments are retransmitted";
    case ENETUNREACH:
    case EHOSTUNREACH:
        return "this host has no route to the target";
    default:
        return "unexpected send error";
    }
}


static void
replay_send_error(tc_replay_t *r, int err)
{
    tc_ledger_t *l = &r->ledger;

    l->send_errors++;
    if (err == EPERM || err == EACCES) {
        l->send_eperm++;
    } else if (err == EMSGSIZE) {
        l->send_emsgsize++;
    } else if (err == ENOBUFS || err == EAGAIN) {
        l->send_enobufs++;
    }

    /* one line per reason, not one per packet */
    if (err > 0 && err < 64 && !(r->send_err_logged & (1ull << err))) {
        r->send_err_logged |= 1ull << err;
        tc_log_error(TC_LOG_WARN, err, "sending to the target failed: %s",
                     replay_send_hint(err));
    }
}


static void
replay_send_seg(tc_replay_t *r, replay_sess_t *rs, const tc_sess_seg_t *seg)
{
    const tc_transfer_t *tr = &r->transfers[rs->transfer];
    tc_seg_t             s;
    size_t               len;

    memset(&s, 0, sizeof(s));
    s.src = rs->sess.client.ip;
    s.dst = tr->target.ip;
    s.sport = rs->sess.client.port;
    s.dport = tr->target.port;
    s.seq = seg->seq;
    s.ack = seg->ack;
    s.flags = seg->flags;
    s.window = seg->window;
    s.mss = seg->mss;
    s.wscale = seg->wscale;

    len = tc_pkt_build(r->pkt, sizeof(r->pkt), &s, seg->payload, seg->len);
    if (len == 0) {
        replay_send_error(r, EMSGSIZE);
        return;
    }

    if (r->sender.ops->send(&r->sender, r->pkt, len, &tr->target.ip) != TC_OK) {
        replay_send_error(r, errno);
        return;
    }

    r->ledger.segs_sent++;
    r->ledger.segs_retrans += seg->retrans;
}


/* Frees a session; a new connection that waited for it starts now. */
static void
replay_destroy(tc_replay_t *r, replay_sess_t *rs)
{
    held_pkt_t *held = rs->held;
    uint16_t    i, nheld = rs->nheld;

    tc_timer_del(r->loop, &rs->timer);
    tc_table_remove(&r->table, &rs->sess);
    if (r->ctl != NULL && nheld == 0) {
        /* with a successor the route stays: it owns the same address */
        tc_ctl_route(r->ctl, TC_ROUTE_DEL, &rs->sess.client);
    }
    tc_sess_free(&rs->sess);
    free(rs);

    for (i = 0; i < nheld; i++) {
        replay_packet(r, held[i].data, held[i].len);
        free(held[i].data);
    }
    free(held);
}


/* Holds a packet of a new connection on a port still in use. */
static bool
replay_hold(tc_replay_t *r, replay_sess_t *rs, const uint8_t *pkt, size_t len)
{
    held_pkt_t *h;

    if (rs->held == NULL) {
        rs->held = calloc(REUSE_PKTS_MAX, sizeof(held_pkt_t));
        if (rs->held == NULL) {
            return false;
        }
        rs->held_since = tc_time_now();
    }
    if (rs->nheld == REUSE_PKTS_MAX) {
        return false;
    }

    h = &rs->held[rs->nheld];
    h->data = malloc(len);
    if (h->data == NULL) {
        return false;
    }
    memcpy(h->data, pkt, len);
    h->len = len;
    rs->nheld++;

    (void) r;
    return true;
}


/* Sends what a session call produced, then arms its timer or frees it. */
static void
replay_output(tc_replay_t *r, replay_sess_t *rs)
{
    tc_sess_out_t *out = &r->out;
    unsigned       i, rounds = 0;

    for (;;) {
        for (i = 0; i < out->n; i++) {
            replay_send_seg(r, rs, &out->segs[i]);
        }
        if (!out->more || out->done || ++rounds == 64) {
            break;
        }
        out->n = 0;
        tc_sess_flush(&rs->sess, &r->conf, tc_time_now(), out);
    }

    if (out->done || (rs->nheld > 0 && rs->sess.state == TC_SESS_CLOSED)) {
        replay_destroy(r, rs);
        return;
    }

    if (rs->nheld > 0) {
        out->wakeup = tc_min(out->wakeup, rs->held_since + REUSE_WAIT_MS);
    }

    if (out->wakeup != 0) {
        /* Most packets push the idle deadline later; moving the timer in
         * the heap for each would cost more than one early wake-up, which
         * tc_sess_timer() answers by asking for the right time. */
        if (!tc_timer_armed(&rs->timer) || out->wakeup < rs->timer.when) {
            tc_timer_set_at(r->loop, &rs->timer, out->wakeup);
        }
    } else {
        tc_timer_del(r->loop, &rs->timer);
    }
}


/* Makes sure a session with held packets wakes up by the reuse deadline. */
static void
replay_output_wakeup(tc_replay_t *r, replay_sess_t *rs)
{
    tc_msec_t due = rs->held_since + REUSE_WAIT_MS;

    if (!tc_timer_armed(&rs->timer) || rs->timer.when > due) {
        tc_timer_set_at(r->loop, &rs->timer, due);
    }
}


static void
replay_timer(tc_timer_t *t)
{
    replay_sess_t *rs = t->data;
    tc_replay_t   *r = rs->r;
    tc_msec_t      now = tc_time_now();

    if (rs->nheld > 0 && now - rs->held_since >= REUSE_WAIT_MS) {
        /* the old session did not finish in time: the new one wins */
        tc_sess_abort(&rs->sess, &r->conf, TC_END_PORT_REUSE, now, &r->out);
    } else {
        tc_sess_timer(&rs->sess, &r->conf, now, &r->out);
    }
    replay_output(r, rs);
}


static int
replay_match(const tc_replay_t *r, const tc_pkt_view_t *v)
{
    size_t               i;
    const tc_transfer_t *t;

    for (i = 0; i < r->ntransfers; i++) {
        t = &r->transfers[i];
        if (v->dport == t->local_port && (t->local_ip.family == TC_AF_NONE ||
                                          tc_addr_eq(&t->local_ip, &v->dst))) {
            return (int) i;
        }
    }
    return -1;
}


static void
replay_start(tc_replay_t *r, const tc_endpoint_t *client, int transfer,
             const tc_pkt_view_t *v)
{
    replay_sess_t *rs;

    rs = calloc(1, sizeof(*rs));
    if (rs == NULL) {
        r->ledger.sess_ended[TC_END_MEMORY]++;
        return;
    }

    if (tc_sess_start(&rs->sess, &r->conf, client, v, tc_time_now(), &r->out) !=
        TC_OK) {
        r->ledger.pkts_no_session++;
        tc_sess_free(&rs->sess);
        free(rs);
        return;
    }

    rs->r = r;
    rs->transfer = (uint16_t) transfer;
    tc_timer_init(&rs->timer, replay_timer, rs);
    tc_table_insert(&r->table, &rs->sess);
    if (r->ctl != NULL) {
        tc_ctl_route(r->ctl, TC_ROUTE_ADD, client);
    }
    replay_output(r, rs);
}


void
tc_replay_packet(void *data, const uint8_t *pkt, size_t caplen)
{
    tc_replay_t *r = data;

    r->ledger.pkts_captured++;
    replay_packet(r, pkt, caplen);
}


static void
replay_packet(tc_replay_t *r, const uint8_t *pkt, size_t caplen)
{
    tc_pkt_view_t  v;
    tc_endpoint_t  client;
    replay_sess_t *rs;
    int            transfer;

    if (tc_pkt_parse(pkt, caplen, &v) != TC_PKT_OK) {
        r->ledger.pkts_parse_err++;
        return;
    }

    transfer = replay_match(r, &v);
    if (transfer < 0) {
        return;
    }
    r->ledger.pkts_matched++;

    client.ip = v.src;
    client.port = v.sport;
    rs = (replay_sess_t *) tc_table_find(&r->table, &client);

    if (rs != NULL && (rs->nheld > 0 || tc_sess_is_new_syn(&rs->sess, &v))) {
        /* the client reused its port: the new connection waits until the
         * old session has finished replaying, or takes over if it cannot */
        if (rs->sess.state != TC_SESS_CLOSED &&
            replay_hold(r, rs, pkt, caplen)) {
            r->ledger.pkts_matched--; /* counted again when replayed */
            replay_output_wakeup(r, rs);
            return;
        }
        tc_sess_abort(&rs->sess, &r->conf, TC_END_PORT_REUSE, tc_time_now(),
                      &r->out);
        if (rs->sess.end_reason != TC_END_PORT_REUSE) {
            r->out.n = 0; /* it had ended already: nothing to reset */
        }
        r->out.done = true;
        replay_output(r, rs); /* frees rs; held packets replay first */
        rs = (replay_sess_t *) tc_table_find(&r->table, &client);
        if (rs != NULL) {
            tc_sess_client(&rs->sess, &r->conf, &v, tc_time_now(), &r->out);
            replay_output(r, rs);
            return;
        }
    }

    if (rs == NULL) {
        replay_start(r, &client, transfer, &v);
        return;
    }

    tc_sess_client(&rs->sess, &r->conf, &v, tc_time_now(), &r->out);
    replay_output(r, rs);
}


void
tc_replay_reply(void *data, const tc_msg_reply_t *reply)
{
    tc_replay_t   *r = data;
    tc_pkt_view_t  v;
    tc_endpoint_t  client;
    replay_sess_t *rs;

    r->ledger.replies++;

    if (tc_pkt_parse(reply->pkt, reply->pkt_len, &v) != TC_PKT_OK) {
        r->ledger.replies_bad++;
        return;
    }

    client.ip = v.dst;
    client.port = v.dport;
    rs = (replay_sess_t *) tc_table_find(&r->table, &client);
    if (rs == NULL) {
        r->ledger.replies_unknown++;
        return;
    }

    tc_sess_reply(&rs->sess, &r->conf, &v, tc_time_now(), &r->out);
    replay_output(r, rs);
}


static void
replay_announce(tc_sess_t *s, void *data)
{
    tc_replay_t *r = data;

    tc_ctl_route(r->ctl, TC_ROUTE_ADD, &s->client);
}


void
tc_replay_resync(void *data)
{
    tc_replay_t *r = data;

    tc_table_foreach(&r->table, replay_announce, r);
}


void
tc_replay_shutdown(tc_replay_t *r)
{
    size_t         i;
    replay_sess_t *rs;

    for (i = 0; i <= r->table.mask; i++) {
        while ((rs = (replay_sess_t *) r->table.buckets[i]) != NULL) {
            tc_sess_abort(&rs->sess, &r->conf, TC_END_SHUTDOWN, tc_time_now(),
                          &r->out);
            while (rs->nheld > 0) { /* a held new connection never starts */
                free(rs->held[--rs->nheld].data);
            }
            replay_output(r, rs); /* done: frees and unlinks rs */
        }
    }
}


void
tc_replay_done(tc_replay_t *r)
{
    tc_table_done(&r->table);
}
