/*
 * tc_replay.c: tcpcopy's engine (see tc_replay.h).
 *
 * A flow is one client connection, keyed by the client's own endpoint.  It
 * owns one session per copy (-n), each keyed by the endpoint the target
 * sees (the client's, or a mapped address and a planned port).  Client
 * packets go to every session of their flow; replies go to the one session
 * whose endpoint they are addressed to.
 *
 * A client that reuses its port while the old flow is still replaying gets
 * its new connection's packets held until the old flow ends (the target
 * cannot hold both on one endpoint), or until REUSE_WAIT_MS, when the old
 * one yields.
 */
#include "tc_config.h"

#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tc_log.h"
#include "tc_replay.h"
#include "tc_time.h"

#define REUSE_PKTS_MAX 64   /* packets of a new connection held back */
#define REUSE_WAIT_MS  2000 /* how long the old flow may finish */
#define PORT_PROBES    512  /* planned-port candidates tried per copy */
#define EVICT_IDLE_MS  1000 /* -m evicts only sessions idle this long */
#define EVICT_MAX      1024 /* evictions per new flow at most */
/* a session with a small stream buffer, its flow, table and timer share */
#define SESS_EXPECTED (sizeof(tc_rsess_t) + 1024)
#define MEM_SLACK     (2u * 1024 * 1024) /* fragmentation, tables, timers */

typedef struct replay_flow_s replay_flow_t;

typedef struct {
    uint8_t *data;
    size_t   len;
} held_pkt_t;

struct tc_rsess_s {
    tc_table_node_t node; /* key: the endpoint the target sees */
    tc_sess_t       sess;
    tc_timer_t      timer;
    replay_flow_t  *flow;
    tc_rsess_t     *lru_prev;
    tc_rsess_t     *lru_next;
};

struct replay_flow_s {
    tc_table_node_t node; /* key: the client's own endpoint */
    tc_replay_t    *r;
    uint16_t        transfer;
    uint16_t        ncopies;
    uint16_t        nlive; /* sessions not yet freed */
    uint16_t        nheld;
    tc_msec_t       held_since;
    held_pkt_t     *held;
    tc_rsess_t     *copies[]; /* NULL once that copy's session is freed */
};

static void replay_timer(tc_timer_t *t);
static void replay_packet(tc_replay_t *r, const uint8_t *pkt, size_t caplen);
static void replay_client(tc_replay_t *r, const uint8_t *pkt, size_t caplen,
                          const tc_pkt_view_t *v, int transfer);


int
tc_replay_init(tc_replay_t *r, tc_event_loop_t *loop)
{
    r->loop = loop;
    r->started = tc_time_now();
    if (r->ctl_conf.copies == 0) {
        r->ctl_conf.copies = 1;
    }
    if (r->ctl_conf.sample_pct == 0) {
        r->ctl_conf.sample_pct = 100;
    }
    r->ledger.copies = r->ctl_conf.copies;
    if (tc_table_init(&r->sessions, 4096) != TC_OK) {
        return TC_ERROR;
    }
    return tc_table_init(&r->flows, 4096);
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

    /* one line per reason, not one per packet; errno values past 63
     * (EMSGSIZE, ENOBUFS, EHOSTUNREACH...) share the bits modulo 64 */
    if (err > 0 && !(r->send_err_logged & (1ull << (err % 64)))) {
        r->send_err_logged |= 1ull << (err % 64);
        tc_log_error(TC_LOG_WARN, err, "sending to the target failed: %s",
                     replay_send_hint(err));
    }
}


static void
replay_send_seg(tc_replay_t *r, tc_rsess_t *rs, const tc_sess_seg_t *seg)
{
    const tc_transfer_t *tr = &r->transfers[rs->flow->transfer];
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


/* ---- LRU: least recently active sessions first (-m evicts them) ---- */

static void
lru_unlink(tc_replay_t *r, tc_rsess_t *rs)
{
    if (rs->lru_prev != NULL) {
        rs->lru_prev->lru_next = rs->lru_next;
    } else if (r->lru_head == rs) {
        r->lru_head = rs->lru_next;
    }
    if (rs->lru_next != NULL) {
        rs->lru_next->lru_prev = rs->lru_prev;
    } else if (r->lru_tail == rs) {
        r->lru_tail = rs->lru_prev;
    }
    rs->lru_prev = rs->lru_next = NULL;
}


/* Moves a session to the most recently active end. */
static void
lru_touch(tc_replay_t *r, tc_rsess_t *rs)
{
    if (r->lru_tail == rs) {
        return;
    }
    lru_unlink(r, rs);
    rs->lru_prev = r->lru_tail;
    if (r->lru_tail != NULL) {
        r->lru_tail->lru_next = rs;
    } else {
        r->lru_head = rs;
    }
    r->lru_tail = rs;
}


/* ---- sessions and flows ---- */

/* Frees one session; its flow stays (see flow_release). */
static void
session_free(tc_replay_t *r, tc_rsess_t *rs)
{
    replay_flow_t *f = rs->flow;

    tc_timer_del(r->loop, &rs->timer);
    tc_table_remove(&r->sessions, &rs->node);
    if (r->ctl != NULL) {
        tc_ctl_route(r->ctl, TC_ROUTE_DEL, &rs->node.key);
    }
    lru_unlink(r, rs);
    f->copies[rs->sess.copy] = NULL;
    f->nlive--;
    tc_sess_free(&rs->sess);
    free(rs);
}


/*
 * Frees f once its last session is gone; a new connection that waited for
 * it starts now.  Called after a session call, never from inside a loop
 * over f's copies: replaying the held packets may start a flow of the same
 * client.
 */
static void
flow_release(tc_replay_t *r, replay_flow_t *f)
{
    held_pkt_t *held = f->held;
    uint16_t    i, nheld = f->nheld;

    if (f->nlive > 0) {
        return;
    }

    tc_table_remove(&r->flows, &f->node);
    free(f);

    for (i = 0; i < nheld; i++) {
        replay_packet(r, held[i].data, held[i].len);
        free(held[i].data);
    }
    free(held);
}


/*
 * Arms rs's timer at when, unless it is due earlier already.  Most packets
 * push the idle deadline later; moving the timer in the heap for each would
 * cost more than one early wake-up, which tc_sess_timer() answers by asking
 * for the right time.  An earlier wake-up a session asked for is never
 * postponed, whoever adds a deadline.
 */
static void
replay_arm(tc_replay_t *r, tc_rsess_t *rs, tc_msec_t when)
{
    if (!tc_timer_armed(&rs->timer) || when < rs->timer.when) {
        tc_timer_set_at(r->loop, &rs->timer, when);
    }
}


/* Sends what a session call produced, then arms its timer or frees it
 * (not its flow). */
static void
session_output(tc_replay_t *r, tc_rsess_t *rs)
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
        tc_sess_flush(&rs->sess, &r->conf, tc_time_now(), out);
    }

    if (out->done ||
        (rs->flow->nheld > 0 && rs->sess.state == TC_SESS_CLOSED)) {
        session_free(r, rs);
        return;
    }

    if (rs->flow->nheld > 0) {
        out->wakeup = tc_min(out->wakeup, rs->flow->held_since + REUSE_WAIT_MS);
    }

    if (out->wakeup != 0) {
        replay_arm(r, rs, out->wakeup);
    } else {
        tc_timer_del(r->loop, &rs->timer);
    }
}


/* session_output() for a call on one session, then flow_release(). */
static void
replay_output(tc_replay_t *r, tc_rsess_t *rs)
{
    replay_flow_t *f = rs->flow;

    session_output(r, rs);
    flow_release(r, f);
}


static void
replay_timer(tc_timer_t *t)
{
    tc_rsess_t    *rs = t->data;
    replay_flow_t *f = rs->flow;
    tc_replay_t   *r = f->r;
    tc_msec_t      now = tc_time_now();

    if (f->nheld > 0 && now - f->held_since >= REUSE_WAIT_MS) {
        /* the old connection did not finish in time: the new one wins */
        tc_sess_abort(&rs->sess, &r->conf, TC_END_PORT_REUSE, now, &r->out);
    } else {
        tc_sess_timer(&rs->sess, &r->conf, now, &r->out);
    }
    replay_output(r, rs);
}


/* ---- admission: transfers, traffic controls, memory ---- */

int
tc_replay_match(const tc_replay_t *r, const tc_addr_t *ip, uint16_t port)
{
    size_t               i;
    const tc_transfer_t *t;

    for (i = 0; i < r->ntransfers; i++) {
        t = &r->transfers[i];
        if (port == t->local_port && (t->local_ip.family == TC_AF_NONE ||
                                      tc_addr_eq(&t->local_ip, ip))) {
            return (int) i;
        }
    }
    return -1;
}


/* -O, -r and -g: is this new client connection replayed at all? */
static bool
replay_admit(tc_replay_t *r, const tc_endpoint_t *client,
             const tc_pkt_view_t *v)
{
    bool     syn = tc_sess_is_syn(v);
    unsigned share = r->ctl_conf.sample_pct * 100;

    if (r->ctl_conf.syn_only && !syn) {
        r->ledger.sess_no_syn++;
        return false;
    }

    if (r->ctl_conf.ramp) {
        share = share * tc_plan_ramp_share(tc_time_now() - r->started) / 10000;
    }
    if (!tc_plan_sampled(client, share)) {
        r->ledger.sess_sampled_out += syn;
        return false;
    }
    return true;
}


/* Heap bytes in use, as the allocator counts them (overheads included). */
static size_t
heap_in_use(void)
{
    struct mallinfo2 mi = mallinfo2();

    return mi.uordblks + mi.hblkhd;
}


/* Resident bytes of this process now (start-up baseline of -m). */
static size_t
rss_now(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long  size = 0, rss = 0;

    if (f != NULL) {
        if (fscanf(f, "%ld %ld", &size, &rss) != 2) {
            rss = 0;
        }
        fclose(f);
    }
    return (size_t) rss * (size_t) sysconf(_SC_PAGESIZE);
}


/*
 * Heap handed out since the bound began (the ledger's mem_used), plus the
 * sessions admitted since it was measured.  mallinfo2() walks every arena's
 * free lists, so it runs once per tick of the loop's clock, not once per new
 * flow, unless exact asks for it (before a refusal or an eviction).
 */
static size_t
replay_mem_used(tc_replay_t *r, bool exact)
{
    tc_msec_t now = tc_time_now();
    size_t    used;

    if (exact || now != r->mem_at) {
        used = heap_in_use();
        r->ledger.mem_used = used > r->heap_base ? used - r->heap_base : 0;
        r->mem_at = now;
        r->mem_admitted = 0;
    }
    return r->ledger.mem_used + r->mem_admitted;
}


/*
 * -m: makes room for a new flow by ending the least recently active
 * sessions that have been idle a while; false (counted) when the room
 * cannot be made without ending busy sessions.  What counts is the heap the
 * allocator has handed out since start-up, against the bound less what the
 * process already held then and some slack: so resident memory stays under
 * the bound whatever the sessions' sizes.
 */
static bool
replay_make_room(tc_replay_t *r)
{
    size_t      bound = r->ctl_conf.mem_bound, need, allowed, used;
    unsigned    evicted = 0;
    bool        exact = false;
    tc_rsess_t *rs;

    if (bound == 0) {
        return true;
    }
    if (r->heap_base == 0) {
        r->heap_base = heap_in_use();
        r->rss_base = rss_now();
    }
    allowed = bound > r->rss_base + MEM_SLACK ? bound - r->rss_base - MEM_SLACK
                                              : bound / 4;
    need = r->ctl_conf.copies * SESS_EXPECTED;

    for (;;) {
        used = replay_mem_used(r, exact);
        /* sessions admitted at their SYN get their stream buffer only when
         * their data comes: count each at its expected size already */
        used = tc_max(used, r->sessions.count * SESS_EXPECTED);
        if (used + need <= allowed) {
            r->mem_admitted += need;
            return true;
        }
        if (r->mem_admitted > 0) {
            exact = true; /* an estimate: no one is refused on it */
            continue;
        }
        rs = r->lru_head;
        if (rs == NULL || evicted == EVICT_MAX ||
            tc_time_now() - rs->sess.last_activity < EVICT_IDLE_MS) {
            r->ledger.sess_refused++;
            return false;
        }
        tc_sess_abort(&rs->sess, &r->conf, TC_END_MEMORY, tc_time_now(),
                      &r->out);
        replay_output(r, rs); /* frees it */
        evicted++;
    }
}


/*
 * The endpoint copy k of a client shows the target: the client's address
 * (or its -c / -H mapping) and the planned port, probed until no live
 * session uses it.  TC_ERROR if every candidate is taken.
 */
static int
replay_endpoint(tc_replay_t *r, const tc_endpoint_t *client, unsigned k,
                tc_endpoint_t *out)
{
    static const uint8_t loopback = 127;
    unsigned             i;

    out->ip = client->ip;
    if (r->ctl_conf.map_addrs) {
        tc_addrmap_pick(&r->ctl_conf.addrmap, &client->ip, &out->ip);
    } else if (r->ctl_conf.map_loopback && client->ip.family == TC_AF_INET &&
               client->ip.addr[0] == loopback) {
        out->ip = r->ctl_conf.loopback_src;
    }

    out->port = tc_plan_port(client->port, r->ctl_conf.shift * 1024 + k);
    for (i = 0; i < PORT_PROBES; i++) {
        if (tc_table_find(&r->sessions, out) == NULL) {
            return TC_OK;
        }
        out->port = tc_plan_probe(out->port);
    }
    return TC_ERROR;
}


/* Starts copy k of flow f from packet v. */
static void
replay_start_copy(tc_replay_t *r, replay_flow_t *f, unsigned k,
                  const tc_pkt_view_t *v)
{
    tc_rsess_t   *rs;
    tc_endpoint_t ep;

    rs = calloc(1, sizeof(*rs));
    if (rs == NULL || replay_endpoint(r, &f->node.key, k, &ep) != TC_OK ||
        ep.ip.family != r->transfers[f->transfer].target.ip.family) {
        /* (a client of the other IP family than the target cannot be
         * replayed to it unless -c maps it; refused here, not at send) */
        free(rs);
        r->ledger.sess_refused++;
        return;
    }

    rs->sess.copy = (uint16_t) k;
    if (tc_sess_start(&rs->sess, &r->conf, &ep, v, tc_time_now(), &r->out) !=
        TC_OK) {
        tc_sess_free(&rs->sess);
        free(rs);
        return;
    }

    rs->node.key = ep;
    rs->flow = f;
    tc_timer_init(&rs->timer, replay_timer, rs);
    tc_table_insert(&r->sessions, &rs->node);
    lru_touch(r, rs);
    f->copies[k] = rs;
    f->nlive++;
    if (r->ctl != NULL) {
        tc_ctl_route(r->ctl, TC_ROUTE_ADD, &ep);
    }
    session_output(r, rs);
}


static void
replay_start_flow(tc_replay_t *r, const tc_endpoint_t *client, int transfer,
                  const tc_pkt_view_t *v)
{
    replay_flow_t *f;
    unsigned       k, n = r->ctl_conf.copies;

    if (!tc_sess_can_start(v)) {
        r->ledger.pkts_no_session++; /* nothing to start a session from */
        return;
    }
    if (!replay_admit(r, client, v) || !replay_make_room(r)) {
        return;
    }

    f = calloc(1, sizeof(*f) + n * sizeof(tc_rsess_t *));
    if (f == NULL) {
        r->ledger.sess_refused++;
        return;
    }
    f->node.key = *client;
    f->r = r;
    f->transfer = (uint16_t) transfer;
    f->ncopies = (uint16_t) n;
    tc_table_insert(&r->flows, &f->node);

    for (k = 0; k < n; k++) {
        replay_start_copy(r, f, k, v);
    }
    flow_release(r, f); /* if no copy could start */
}


/* ---- client packets ---- */

/* Holds a packet of a new connection on a port still in use. */
static bool
flow_hold(replay_flow_t *f, const uint8_t *pkt, size_t len)
{
    held_pkt_t *h;

    if (f->held == NULL) {
        f->held = calloc(REUSE_PKTS_MAX, sizeof(held_pkt_t));
        if (f->held == NULL) {
            return false;
        }
        f->held_since = tc_time_now();
    }
    if (f->nheld == REUSE_PKTS_MAX) {
        return false;
    }

    h = &f->held[f->nheld];
    h->data = malloc(len);
    if (h->data == NULL) {
        return false;
    }
    memcpy(h->data, pkt, len);
    h->len = len;
    f->nheld++;
    return true;
}


static bool
flow_is_new_connection(const replay_flow_t *f, const tc_pkt_view_t *v)
{
    unsigned k;

    for (k = 0; k < f->ncopies; k++) {
        if (f->copies[k] != NULL) {
            return tc_sess_is_new_syn(&f->copies[k]->sess, v);
        }
    }
    return false;
}


/*
 * Feeds client packet v to every session of f, or with v NULL ends each of
 * them now for reason; sends what they produce.  f is freed once no session
 * is left (always after an end): held packets of a new connection replay
 * then.
 */
static void
flow_feed(tc_replay_t *r, replay_flow_t *f, const tc_pkt_view_t *v, int reason)
{
    tc_msec_t   now = tc_time_now();
    unsigned    k;
    tc_rsess_t *rs;

    for (k = 0; k < f->ncopies; k++) {
        rs = f->copies[k];
        if (rs == NULL) {
            continue;
        }
        if (v != NULL) {
            tc_sess_client(&rs->sess, &r->conf, v, now, &r->out);
            lru_touch(r, rs);
        } else {
            tc_sess_abort(&rs->sess, &r->conf, reason, now, &r->out);
        }
        session_output(r, rs);
    }
    flow_release(r, f);
}


/*
 * The client reused its port.  The new connection waits until the old
 * flow has finished replaying, or takes over at once if the old one is
 * already over or the wait cannot be afforded.  Returns true if the packet
 * was dealt with.
 */
static bool
flow_port_reuse(tc_replay_t *r, replay_flow_t *f, const uint8_t *pkt,
                size_t caplen)
{
    unsigned k;
    bool     live = false;

    for (k = 0; k < f->ncopies; k++) {
        live |=
            f->copies[k] != NULL && f->copies[k]->sess.state != TC_SESS_CLOSED;
    }

    if (live && flow_hold(f, pkt, caplen)) {
        /* the old sessions' own earlier wake-ups stay: they may be what
         * lets the old connection finish before the deadline */
        for (k = 0; k < f->ncopies; k++) {
            if (f->copies[k] != NULL) {
                replay_arm(r, f->copies[k], f->held_since + REUSE_WAIT_MS);
            }
        }
        return true;
    }

    flow_feed(r, f, NULL, TC_END_PORT_REUSE);
    return false; /* the caller replays pkt as a new connection */
}


void
tc_replay_packet(void *data, const uint8_t *pkt, size_t caplen)
{
    tc_replay_t *r = data;

    r->ledger.pkts_captured++;
    replay_packet(r, pkt, caplen);
}


void
tc_replay_parsed(tc_replay_t *r, const uint8_t *pkt, size_t caplen,
                 const tc_pkt_view_t *v, int transfer)
{
    r->ledger.pkts_captured++;
    replay_client(r, pkt, caplen, v, transfer);
}


static void
replay_packet(tc_replay_t *r, const uint8_t *pkt, size_t caplen)
{
    tc_pkt_view_t v;
    int           transfer;

    if (tc_pkt_parse(pkt, caplen, &v) != TC_PKT_OK) {
        r->ledger.pkts_parse_err++;
        return;
    }

    transfer = tc_replay_match(r, &v.dst, v.dport);
    if (transfer >= 0) {
        replay_client(r, pkt, caplen, &v, transfer);
    }
}


static replay_flow_t *
flow_find(const tc_replay_t *r, const tc_endpoint_t *client)
{
    tc_table_node_t *n = tc_table_find(&r->flows, client);

    return n != NULL ? tc_table_entry(n, replay_flow_t, node) : NULL;
}


/* A client packet v (parsed from pkt, which a held packet copies) of
 * transfer: to its flow, or a new one. */
static void
replay_client(tc_replay_t *r, const uint8_t *pkt, size_t caplen,
              const tc_pkt_view_t *v, int transfer)
{
    tc_endpoint_t  client = tc_pkt_src(v);
    replay_flow_t *f;

    f = flow_find(r, &client);

    if (f != NULL && (f->nheld > 0 || flow_is_new_connection(f, v))) {
        if (flow_port_reuse(r, f, pkt, caplen)) {
            return; /* held: counted when it is replayed */
        }
        f = flow_find(r, &client); /* held packets may have started one */
    }

    r->ledger.pkts_matched++;
    if (f == NULL) {
        replay_start_flow(r, &client, transfer, v);
        return;
    }
    flow_feed(r, f, v, 0);
}


/* ---- replies ---- */

/* Said once: a target answering from elsewhere is a set-up to know of. */
static void
reply_note_nat(tc_replay_t *r, const tc_endpoint_t *src,
               const tc_endpoint_t *target)
{
    char a[TC_ENDPOINT_STRLEN], b[TC_ENDPOINT_STRLEN];

    if (r->nat_noted) {
        return;
    }
    r->nat_noted = true;
    tc_log_error(TC_LOG_NOTICE, 0,
                 "the target %s answers from %s (NAT or a floating address "
                 "between): each session takes its replies from what "
                 "answered its SYN (said once)",
                 tc_endpoint_str(target, b, sizeof(b)),
                 tc_endpoint_str(src, a, sizeof(a)));
}


void
tc_replay_reply(void *data, const tc_msg_reply_t *reply)
{
    tc_replay_t         *r = data;
    tc_pkt_view_t        v;
    tc_endpoint_t        client;
    const tc_endpoint_t *target;
    tc_table_node_t     *n;
    tc_rsess_t          *rs;

    r->ledger.replies++;

    if (tc_pkt_parse(reply->pkt, reply->pkt_len, &v) != TC_PKT_OK) {
        r->ledger.replies_bad++;
        return;
    }

    client = tc_pkt_dst(&v);
    n = tc_table_find(&r->sessions, &client);
    if (n == NULL) {
        r->ledger.replies_unknown++;
        return;
    }

    rs = tc_table_entry(n, tc_rsess_t, node);
    target = &r->transfers[rs->flow->transfer].target;
    switch (tc_sess_reply_source(&rs->sess, target, &v)) {
    case TC_SESS_SRC_FOREIGN:
        r->ledger.replies_foreign++;
        return;
    case TC_SESS_SRC_NEW:
        reply_note_nat(r, &rs->sess.peer, target);
        break;
    case TC_SESS_SRC_PEER:
        break;
    }
    tc_sess_reply(&rs->sess, &r->conf, &v, tc_time_now(), &r->out);
    lru_touch(r, rs);
    replay_output(r, rs);
}


static void
replay_announce(tc_table_node_t *n, void *data)
{
    tc_replay_t *r = data;

    tc_ctl_route(r->ctl, TC_ROUTE_ADD, &n->key);
}


void
tc_replay_resync(void *data)
{
    tc_replay_t *r = data;

    tc_table_foreach(&r->sessions, replay_announce, r);
}


static void
replay_wake(tc_table_node_t *n, void *data)
{
    tc_replay_t *r = data;
    tc_rsess_t  *rs = tc_table_entry(n, tc_rsess_t, node);

    tc_timer_set_at(r->loop, &rs->timer, tc_time_now());
}


void
tc_replay_wake_all(tc_replay_t *r)
{
    tc_table_foreach(&r->sessions, replay_wake, r);
}


void
tc_replay_shutdown(tc_replay_t *r)
{
    tc_table_node_t *n;
    replay_flow_t   *f;
    size_t           cursor = 0;

    while ((n = tc_table_any(&r->flows, &cursor)) != NULL) {
        f = tc_table_entry(n, replay_flow_t, node);
        while (f->nheld > 0) { /* a held new connection never starts */
            free(f->held[--f->nheld].data);
        }
        flow_feed(r, f, NULL, TC_END_SHUTDOWN);
    }
}


void
tc_replay_done(tc_replay_t *r)
{
    tc_table_done(&r->sessions);
    tc_table_done(&r->flows);
}
