/*
 * tc_ctl.c: control channel client (see tc_ctl.h).
 *
 * Connection states: IDLE (waiting for the reconnect timer), CONNECTING
 * (non-blocking connect in progress), HELLO (our HELLO sent, waiting for
 * intercept's), READY.  Any error closes the socket and re-arms the
 * reconnect timer with a doubling backoff; tcpcopy keeps capturing and
 * counts what it could not deliver meanwhile.
 *
 * With -C N each intercept has N connections.  A ROUTE is queued by slot
 * (tc_ctl_pick of its endpoint) and sent, per intercept, on the ready
 * connection that serves that slot: its own, or while it is down the next
 * ready one (tc_ctl_fallback).  When a connection comes up, or a sibling
 * goes down (intercept forgets the routes of a closed connection), the
 * connections concerned are marked fresh and every route is announced to
 * them once more at the end of the iteration; a route that moves to its
 * own slot again simply overrides the stand-in's at intercept.
 */
#include "tc_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc_conn.h"
#include "tc_ctl.h"
#include "tc_ledger_prom.h"
#include "tc_log.h"
#include "tc_table.h"
#include "tc_time.h"

#define CTL_OUT_HIGH    (16 * 1024 * 1024)
#define CTL_BACKOFF_MIN 100
#define CTL_BACKOFF_MAX 5000
#define CTL_PING_EVERY  5000
#define CTL_DEAD_AFTER  20000

/* a ROUTE frame: header, count u16 | reserved u16, then the entries */
#define CTL_ROUTES_HDR   (TC_PROTO_HDR_LEN + 4)
#define CTL_ROUTES_FRAME ((TC_PROTO_MAX_BODY - 4) / TC_PROTO_ROUTE_ENTRY)

typedef enum { CTL_IDLE = 1, CTL_CONNECTING, CTL_HELLO, CTL_READY } ctl_state_e;

typedef struct {
    tc_ctl_t     *ctl;
    tc_endpoint_t peer;
    size_t        peer_idx; /* index of the intercept in -s */
    unsigned      slot;     /* 0..per_peer-1 */
    bool          fresh;    /* ready since the last resync: announce all */
    char          name[TC_ENDPOINT_STRLEN + 8];
    tc_conn_t     conn; /* the socket, its input and output queue */
    ctl_state_e   state;
    tc_timer_t    timer;
    tc_msec_t     backoff;
    bool          down_logged;
    /* its counters (all but ready, which is state == CTL_READY) */
    tc_ledger_conn_t st;
} ctl_conn_t;

/* The ROUTEs of one slot waiting for the end of the iteration. */
typedef struct {
    tc_msg_route_t *v;
    size_t          n, cap;
} ctl_routeq_t;

struct tc_ctl_s {
    tc_event_loop_t *loop;
    tc_ledger_t     *ledger;
    tc_ctl_reply_pt  on_reply;
    tc_ctl_ready_pt  on_ready;
    void            *data;
    ctl_conn_t      *conns; /* peer-major: conns[peer * per_peer + slot] */
    size_t           nconns;
    size_t           npeers;
    unsigned         per_peer;
    size_t           ready;  /* intercepts with a ready connection */
    bool             resync; /* some connection is fresh */
    ctl_routeq_t     queue[TC_CTL_CONNS_MAX];
};

static void ctl_connect(ctl_conn_t *c);
static void ctl_ready_changed(tc_ctl_t *ctl);
static void ctl_send_hello(tc_conn_t *conn);
static int  ctl_handle_frame(tc_conn_t *conn, const tc_frame_t *f);
static void ctl_conn_fail(tc_conn_t *conn, tc_conn_fail_e why, int err);

static const tc_conn_handler_t ctl_handler = {ctl_send_hello, ctl_handle_frame,
                                              ctl_conn_fail};


/* c went down: intercept dropped the routes it carried, so its ready
 * siblings (one of which now stands in for its slot) get them again. */
static void
ctl_siblings_fresh(ctl_conn_t *c)
{
    tc_ctl_t   *ctl = c->ctl;
    ctl_conn_t *s;
    unsigned    k;

    for (k = 0; k < ctl->per_peer; k++) {
        s = &ctl->conns[c->peer_idx * ctl->per_peer + k];
        if (s != c && s->state == CTL_READY) {
            s->fresh = true;
            ctl->resync = true;
        }
    }
}


/* Closes c (it reconnects after the backoff) and says why once. */
static void
ctl_fail(ctl_conn_t *c, const char *why, int err)
{
    tc_conn_close(&c->conn);

    if (c->state == CTL_READY) {
        c->ctl->ledger->ctl_disconnects++;
        c->st.disconnects++;
        c->state = CTL_IDLE;
        ctl_ready_changed(c->ctl);
        ctl_siblings_fresh(c);
        tc_log_error(TC_LOG_WARN, err, "intercept %s: %s; reconnecting",
                     c->name, why);
    } else if (!c->down_logged) {
        tc_log_error(TC_LOG_WARN, err,
                     "intercept %s: %s; retrying every few seconds "
                     "(replies cannot be seen until it is reachable)",
                     c->name, why);
        c->down_logged = true;
    }

    c->state = CTL_IDLE;
    c->fresh = false;
    tc_timer_set(c->ctl->loop, &c->timer, c->backoff);
    c->backoff = tc_min(c->backoff * 2, CTL_BACKOFF_MAX);
}


/* The connection cannot go on (tc_conn's reasons in our words). */
static void
ctl_conn_fail(tc_conn_t *conn, tc_conn_fail_e why, int err)
{
    ctl_conn_t *c = conn->data;

    switch (why) {
    case TC_CONN_ECONNECT:
        ctl_fail(c, "connect failed", err);
        return;
    case TC_CONN_EOF:
        ctl_fail(c, "connection closed by intercept", 0);
        return;
    case TC_CONN_ERECV:
        ctl_fail(c, "receive failed", err);
        return;
    case TC_CONN_ESEND:
        ctl_fail(c, "send failed", err);
        return;
    case TC_CONN_EVERSION:
        tc_log_error(TC_LOG_ERR, 0,
                     "intercept %s speaks protocol version %u, this "
                     "tcpcopy speaks %u: upgrade one of them",
                     c->name, conn->peer_version, TC_PROTO_VERSION);
        ctl_fail(c, "protocol version mismatch", 0);
        return;
    case TC_CONN_EFRAME:
        ctl_fail(c, "malformed frame from intercept", 0);
        return;
    }
}


/* Appends bytes to the output queue; false when over the high-water mark. */
static bool
ctl_queue(ctl_conn_t *c, const uint8_t *p, size_t len)
{
    if (tc_buf_len(&c->conn.out) + len > CTL_OUT_HIGH) {
        return false;
    }
    return tc_buf_append(&c->conn.out, p, len) == TC_OK;
}


/* The connect is done: HELLO, then the keep-alive timer. */
static void
ctl_send_hello(tc_conn_t *conn)
{
    ctl_conn_t    *c = conn->data;
    tc_msg_hello_t h;
    uint8_t        buf[128];
    size_t         n;

    tc_timer_set(c->ctl->loop, &c->timer, CTL_PING_EVERY);

    memset(&h, 0, sizeof(h));
    h.version = TC_PROTO_VERSION;
    h.role = TC_ROLE_TCPCOPY;
    h.caps = 0;
    if (c->ctl->per_peer > 1) {
        snprintf(h.name, sizeof(h.name), "tcpcopy#%u", c->slot);
    } else {
        strcpy(h.name, "tcpcopy");
    }

    n = tc_proto_encode_hello(buf, sizeof(buf), &h);
    if (n == 0 || !ctl_queue(c, buf, n)) {
        ctl_fail(c, "cannot encode HELLO", 0);
        return;
    }
    c->state = CTL_HELLO;
    (void) tc_conn_flush(conn);
}


/* One frame from intercept.  TC_OK, or TC_DONE when c failed. */
static int
ctl_handle_frame(tc_conn_t *conn, const tc_frame_t *f)
{
    ctl_conn_t    *c = conn->data;
    tc_msg_hello_t h;
    tc_msg_reply_t r;
    uint64_t       token;
    uint8_t        buf[32];
    size_t         n;

    switch (f->type) {
    case TC_MSG_HELLO:
        if (tc_proto_decode_hello(f, &h) != TC_OK ||
            h.role != TC_ROLE_INTERCEPT) {
            ctl_fail(c, "bad HELLO from peer (is it an intercept?)", 0);
            return TC_DONE;
        }
        if (c->state == CTL_HELLO) {
            c->state = CTL_READY;
            c->backoff = CTL_BACKOFF_MIN;
            c->down_logged = false;
            c->ctl->ledger->ctl_connects++;
            c->st.connects++;
            ctl_ready_changed(c->ctl);
            tc_log_error(TC_LOG_NOTICE, 0, "intercept %s: connected (%s)",
                         c->name, h.name);
            /* the routes follow at the end of the iteration (ctl_flush) */
            c->fresh = true;
            c->ctl->resync = true;
        }
        return TC_OK;
    case TC_MSG_REPLY:
        if (c->state == CTL_READY && tc_proto_decode_reply(f, &r) == TC_OK) {
            c->st.replies++;
            c->ctl->on_reply(c->ctl->data, &r);
        } else {
            c->ctl->ledger->replies_bad++;
        }
        return TC_OK;
    case TC_MSG_PING:
        if (tc_proto_decode_ping(f, &token) == TC_OK) {
            n = tc_proto_encode_ping(buf, sizeof(buf), TC_MSG_PONG, token);
            (void) ctl_queue(c, buf, n);
        }
        return TC_OK;
    default:
        return TC_OK; /* PONG, or a type from a newer peer: skipped */
    }
}


static void
ctl_connect(ctl_conn_t *c)
{
    const char *why;

    if (tc_conn_connect(&c->conn, &c->peer, &why) != TC_OK) {
        ctl_fail(c, why, errno);
        return;
    }
    c->state = CTL_CONNECTING;
    /* a connect that hangs (SYN dropped) is retried after a while */
    tc_timer_set(c->ctl->loop, &c->timer, CTL_DEAD_AFTER / 4);
}


/* Reconnect backoff, connect timeout and keep-alive ping, all in one. */
static void
ctl_timer(tc_timer_t *t)
{
    ctl_conn_t *c = t->data;
    uint8_t     buf[32];
    size_t      n;

    switch (c->state) {
    case CTL_IDLE:
        ctl_connect(c);
        return;
    case CTL_CONNECTING:
        ctl_fail(c, "connect timed out", ETIMEDOUT);
        return;
    case CTL_HELLO:
    case CTL_READY:
        if (tc_time_now() - c->conn.last_rx > CTL_DEAD_AFTER) {
            ctl_fail(c, "no answer for 20 s", ETIMEDOUT);
            return;
        }
        n = tc_proto_encode_ping(buf, sizeof(buf), TC_MSG_PING,
                                 (uint64_t) tc_time_now());
        (void) ctl_queue(c, buf, n);
        if (tc_conn_flush(&c->conn) != TC_OK) {
            return;
        }
        tc_timer_set(c->ctl->loop, &c->timer, CTL_PING_EVERY);
        return;
    }
}


unsigned
tc_ctl_pick(const tc_endpoint_t *ep, unsigned n)
{
    if (n <= 1) {
        return 0;
    }
    /* multiply-high: the hash's top bits, where -r's modulo and the
     * table's bucket mask do not look */
    return (unsigned) (((uint64_t) tc_endpoint_hash(ep) * n) >> 32);
}


int
tc_ctl_fallback(uint32_t ready_mask, unsigned n, unsigned slot)
{
    unsigned i, k;

    for (i = 0; i < n && slot < n; i++) {
        k = (slot + i) % n;
        if (ready_mask & (1u << k)) {
            return (int) k;
        }
    }
    return -1;
}


/* Queues routes on c as ROUTE frames, encoded in place at the end of its
 * output queue; false if the queue is full. */
static bool
ctl_queue_routes(ctl_conn_t *c, const tc_msg_route_t *v, size_t n)
{
    tc_buf_t *out = &c->conn.out;
    uint8_t  *p;
    size_t    off, chunk, need, len;

    for (off = 0; off < n; off += chunk) {
        chunk = tc_min(n - off, (size_t) CTL_ROUTES_FRAME);
        need = CTL_ROUTES_HDR + chunk * TC_PROTO_ROUTE_ENTRY;
        if (tc_buf_len(out) + need > CTL_OUT_HIGH ||
            (p = tc_buf_reserve(out, need)) == NULL) {
            return false;
        }
        len = tc_proto_encode_route(p, need, v + off, chunk);
        if (len == 0) {
            return false;
        }
        tc_buf_commit(out, len);
    }
    c->st.routes += n;
    return true;
}


/* Bit k set when connection k of peer p is ready. */
static uint32_t
ctl_ready_mask(const tc_ctl_t *ctl, size_t p)
{
    uint32_t mask = 0;
    unsigned k;

    for (k = 0; k < ctl->per_peer; k++) {
        if (ctl->conns[p * ctl->per_peer + k].state == CTL_READY) {
            mask |= 1u << k;
        }
    }
    return mask;
}


/*
 * Sends every queued route of every slot to each intercept, on the
 * connection serving the slot (only to fresh ones when resyncing: the
 * others have them).  A route counts as sent when one intercept took it.
 */
static void
ctl_send_queued(tc_ctl_t *ctl, bool fresh_only)
{
    uint32_t      masks[TC_CTL_PEERS_MAX];
    ctl_routeq_t *q;
    ctl_conn_t   *c;
    size_t        p;
    unsigned      k;
    bool          any;
    int           j;

    for (p = 0; p < ctl->npeers; p++) {
        masks[p] = ctl_ready_mask(ctl, p);
    }

    for (k = 0; k < ctl->per_peer; k++) {
        q = &ctl->queue[k];
        if (q->n == 0) {
            continue;
        }
        any = false;
        for (p = 0; p < ctl->npeers; p++) {
            j = tc_ctl_fallback(masks[p], ctl->per_peer, k);
            if (j < 0) {
                continue;
            }
            c = &ctl->conns[p * ctl->per_peer + (unsigned) j];
            if ((!fresh_only || c->fresh) && ctl_queue_routes(c, q->v, q->n)) {
                any = true;
            }
        }
        if (any) {
            ctl->ledger->ctl_routes_sent += q->n;
        } else if (!fresh_only) {
            ctl->ledger->ctl_routes_unsent += q->n;
        }
        q->n = 0;
    }
}


/* End of each reactor iteration: batch queued ROUTEs into frames, then
 * re-announce every route to the connections that became fresh. */
static void
ctl_flush(void *data)
{
    tc_ctl_t *ctl = data;
    size_t    i;

    ctl_send_queued(ctl, false);

    if (ctl->resync) {
        ctl->resync = false;
        ctl->on_ready(ctl->data); /* calls tc_ctl_route for each session */
        ctl_send_queued(ctl, true);
        for (i = 0; i < ctl->nconns; i++) {
            ctl->conns[i].fresh = false;
        }
    }

    for (i = 0; i < ctl->nconns; i++) {
        if (ctl->conns[i].state >= CTL_HELLO &&
            tc_buf_len(&ctl->conns[i].conn.out) > 0) {
            (void) tc_conn_flush(&ctl->conns[i].conn);
        }
    }
}


void
tc_ctl_route(tc_ctl_t *ctl, uint8_t op, const tc_endpoint_t *ep)
{
    tc_msg_route_t *nr;
    ctl_routeq_t   *q;
    size_t          cap;

    if (ctl->ready == 0) {
        ctl->ledger->ctl_routes_unsent++;
        return;
    }

    q = &ctl->queue[tc_ctl_pick(ep, ctl->per_peer)];
    if (q->n == q->cap) {
        cap = q->cap ? q->cap * 2 : 1024;
        nr = realloc(q->v, cap * sizeof(*nr));
        if (nr == NULL) {
            ctl->ledger->ctl_routes_unsent++;
            return;
        }
        q->v = nr;
        q->cap = cap;
    }

    nr = &q->v[q->n++];
    nr->op = op;
    nr->addr = ep->ip;
    nr->port = ep->port;
}


/* A connection became ready or stopped being so: recount the intercepts
 * that have one (here, not on each of tc_ctl_route's calls: a resync
 * makes one per session). */
static void
ctl_ready_changed(tc_ctl_t *ctl)
{
    size_t p;

    ctl->ready = 0;
    for (p = 0; p < ctl->npeers; p++) {
        ctl->ready += (ctl_ready_mask(ctl, p) != 0);
    }
    ctl->ledger->ctl_ready = ctl->ready;
}


size_t
tc_ctl_ready_count(const tc_ctl_t *ctl)
{
    return ctl->ready;
}


/* Connection c's counters as the ledger's table describes them. */
static void
ctl_conn_stats(const ctl_conn_t *c, tc_ledger_conn_t *out)
{
    *out = c->st;
    out->ready = c->state == CTL_READY;
}


void
tc_ctl_log_conns(const tc_ctl_t *ctl)
{
    const ctl_conn_t *c;
    tc_ledger_conn_t  st;
    char              line[256];
    size_t            i;

    for (i = 0; ctl != NULL && i < ctl->nconns; i++) {
        c = &ctl->conns[i];
        ctl_conn_stats(c, &st);
        tc_log_error(TC_LOG_NOTICE, 0, "intercept %s: %s %s", c->name,
                     st.ready ? "ready" : "down",
                     tc_ledger_conn_format(&st, line, sizeof(line)));
    }
}


void
tc_ctl_prom(const tc_ctl_t *ctl, tc_mtext_t *t)
{
    tc_ledger_conn_t  st[TC_CTL_PEERS_MAX * TC_CTL_CONNS_MAX];
    char              label[tc_nelems(st)][TC_ADDR_STRLEN + 48];
    const char       *labels[tc_nelems(st)];
    const ctl_conn_t *c;
    size_t            i, n;

    n = tc_min(ctl->nconns, tc_nelems(st));
    for (i = 0; i < n; i++) {
        c = &ctl->conns[i];
        ctl_conn_stats(c, &st[i]);
        snprintf(label[i], sizeof(label[i]), "intercept=\"%.*s\",conn=\"%u\"",
                 (int) strcspn(c->name, "#"), c->name, c->slot);
        labels[i] = label[i];
    }
    tc_ledger_conn_prom(st, labels, n, t);
}


tc_ctl_t *
tc_ctl_create(tc_event_loop_t *loop, const tc_endpoint_t *peers, size_t npeers,
              unsigned per_peer, tc_ledger_t *ledger, tc_ctl_reply_pt on_reply,
              tc_ctl_ready_pt on_ready, void *data)
{
    tc_ctl_t   *ctl;
    ctl_conn_t *c;
    size_t      i, len;

    if (per_peer < 1 || per_peer > TC_CTL_CONNS_MAX || npeers < 1 ||
        npeers > TC_CTL_PEERS_MAX) {
        return NULL;
    }
    ctl = calloc(1, sizeof(*ctl));
    if (ctl == NULL) {
        return NULL;
    }
    ctl->conns = calloc(npeers * per_peer, sizeof(ctl_conn_t));
    if (ctl->conns == NULL) {
        free(ctl);
        return NULL;
    }
    ctl->loop = loop;
    ctl->ledger = ledger;
    ctl->on_reply = on_reply;
    ctl->on_ready = on_ready;
    ctl->data = data;
    ctl->npeers = npeers;
    ctl->per_peer = per_peer;
    ctl->nconns = npeers * per_peer;

    for (i = 0; i < ctl->nconns; i++) {
        c = &ctl->conns[i];
        c->ctl = ctl;
        c->peer_idx = i / per_peer;
        c->slot = (unsigned) (i % per_peer);
        c->peer = peers[c->peer_idx];
        c->state = CTL_IDLE;
        c->backoff = CTL_BACKOFF_MIN;
        tc_conn_init(&c->conn, loop, &ctl_handler, c);
        tc_timer_init(&c->timer, ctl_timer, c);
        tc_endpoint_str(&c->peer, c->name, sizeof(c->name));
        if (per_peer > 1) {
            len = strlen(c->name);
            snprintf(c->name + len, sizeof(c->name) - len, "#%u", c->slot);
        }
        ctl_connect(c);
    }

    (void) tc_event_on_tick(loop, ctl_flush, ctl);
    return ctl;
}


void
tc_ctl_destroy(tc_ctl_t *ctl)
{
    size_t      i;
    ctl_conn_t *c;

    for (i = 0; i < ctl->nconns; i++) {
        c = &ctl->conns[i];
        if (c->state >= CTL_HELLO) {
            (void) tc_conn_flush(&c->conn); /* last routes, best effort */
        }
        tc_conn_close(&c->conn);
        tc_timer_del(ctl->loop, &c->timer);
    }
    for (i = 0; i < TC_CTL_CONNS_MAX; i++) {
        free(ctl->queue[i].v);
    }
    free(ctl->conns);
    free(ctl);
}
