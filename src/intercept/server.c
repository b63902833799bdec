/*
 * server.c: intercept's control server.  tcpcopy instances connect here,
 * say HELLO, announce the clients they replay (ROUTE), and receive the
 * target's reply headers (REPLY).
 *
 * Every connection is a tc_conn (input framing, output queue, partial
 * writes).  REPLY frames are appended to the queue and sent at the end of
 * the loop iteration (the tick hook), so the replies of one wake-up leave
 * in one send().  The queue has a high-water mark: above it a connection's
 * REPLYs are dropped and counted, so one slow or dead tcpcopy costs only its
 * own replies, never the NFQUEUE loop or the other tcpcopies.
 */
#include "tc_config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tc_conn.h"
#include "tc_log.h"
#include "tc_proto.h"
#include "tc_time.h"
#include "icp_check.h"
#include "icp_metrics.h"
#include "intercept.h"

#define ACCEPTS_PER_WAKEUP 64
#define ACCEPT_PAUSE_MS    1000
#define REPLY_OVERHEAD     (TC_PROTO_HDR_LEN + 8)

typedef enum {
    CONN_HELLO = 1, /* waiting for the peer's HELLO */
    CONN_READY
} conn_state_e;

typedef struct conn_s conn_t;

struct conn_s {
    tc_icp_server_t *srv;
    conn_t          *prev;
    conn_t          *next;
    tc_conn_t        conn; /* the socket, its input and output queue */
    uint32_t         id;   /* the router's owner id: index into srv->conns */
    conn_state_e     state;
    uint32_t         caps;        /* granted capabilities */
    bool             full_logged; /* since the queue last drained */
    char             name[TC_PROTO_NAME_MAX + 1];
    char             peer[TC_ENDPOINT_STRLEN];

    uint64_t replies;
    uint64_t queue_full;
    uint64_t routes_add;
    uint64_t routes_del;
};

struct tc_icp_server_s {
    tc_icp_cycle_t *cycle;
    int             lfd;
    bool            accept_paused;
    tc_timer_t      accept_timer;
    conn_t         *head; /* open connections, newest first */
    size_t          nconns;
    uint32_t        next_id;
    tc_msec_t       opened_at; /* for the CHECK report's uptime */
    conn_t         *conns[TC_ICP_CONNS_MAX + 1]; /* by id; [0] unused */
};

static void tc_icp_accept(void *data, uint32_t events);
static void tc_icp_accept_resume(tc_timer_t *timer);
static void conn_open(tc_icp_server_t *srv, int fd,
                      const struct sockaddr_storage *ss);
static void conn_close(conn_t *c, const char *why);
static void conn_lost(tc_conn_t *conn, tc_conn_fail_e why, int err);
static int  conn_frame(tc_conn_t *conn, const tc_frame_t *f);
static int  conn_hello(conn_t *c, const tc_frame_t *f);
static int  conn_queue_hello(conn_t *c);
static int  conn_route(conn_t *c, const tc_frame_t *f);
static int  conn_check(conn_t *c, const tc_frame_t *f);
static void tc_icp_flush(void *data);

static const tc_conn_handler_t conn_handler = {NULL, conn_frame, conn_lost};


tc_icp_server_t *
tc_icp_server_open(tc_icp_cycle_t *cycle)
{
    const tc_icp_conf_t *conf = cycle->conf;
    tc_icp_server_t     *srv;
    const char          *step;
    char                 addr[TC_ENDPOINT_STRLEN];

    srv = calloc(1, sizeof(*srv));
    if (srv == NULL) {
        tc_log_error(TC_LOG_EMERG, errno, "control server: no memory");
        return NULL;
    }
    srv->cycle = cycle;
    srv->next_id = 1;
    srv->opened_at = tc_time_now();
    tc_timer_init(&srv->accept_timer, tc_icp_accept_resume, srv);

    tc_endpoint_str(&conf->listen, addr, sizeof(addr));
    srv->lfd = tc_conn_listen(&conf->listen, SOMAXCONN, &step);
    if (srv->lfd == -1) {
        if (step[0] == 'b') {
            tc_log_error(TC_LOG_EMERG, errno, "control server: bind to %s",
                         addr);
        } else {
            tc_log_error(TC_LOG_EMERG, errno, "control server: %s", step);
        }
        goto out_free;
    }

    if (tc_event_add(cycle->loop, srv->lfd, TC_EV_READ, tc_icp_accept, srv) !=
            TC_OK ||
        tc_event_on_tick(cycle->loop, tc_icp_flush, srv) != TC_OK) {
        tc_log_error(TC_LOG_EMERG, errno, "control server: event loop");
        goto out_del;
    }

    tc_log_error(TC_LOG_NOTICE, 0, "control server listening on %s", addr);
    return srv;

out_del:
    (void) tc_event_del(cycle->loop, srv->lfd);
    close(srv->lfd);
out_free:
    free(srv);
    return NULL;
}


void
tc_icp_server_close(tc_icp_server_t *srv)
{
    conn_t *c;

    if (srv == NULL) {
        return;
    }

    while (srv->head != NULL) {
        c = srv->head;
        /* Last words: whatever is queued gets one non-blocking try (a
         * failed send closes c itself). */
        if (tc_conn_flush(&c->conn) != TC_OK) {
            continue;
        }
        conn_close(c, "intercept is stopping");
    }

    tc_timer_del(srv->cycle->loop, &srv->accept_timer);
    (void) tc_event_del(srv->cycle->loop, srv->lfd);
    close(srv->lfd);
    free(srv);
}


/* Accepts up to ACCEPTS_PER_WAKEUP connections (the listener is
 * level-triggered: more wait for the next iteration). */
static void
tc_icp_accept(void *data, uint32_t events)
{
    tc_icp_server_t        *srv = data;
    struct sockaddr_storage ss;
    socklen_t               len;
    int                     fd, i;

    (void) events;

    for (i = 0; i < ACCEPTS_PER_WAKEUP; i++) {
        len = sizeof(ss);
        fd = accept4(srv->lfd, (struct sockaddr *) &ss, &len,
                     SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd != -1) {
            conn_open(srv, fd, &ss);
            continue;
        }

        switch (errno) {
        case EAGAIN: /* == EWOULDBLOCK on Linux */
            return;
        case EINTR:
        case ECONNABORTED:
        case EPROTO:
            continue;
        case EMFILE:
        case ENFILE:
        case ENOBUFS:
        case ENOMEM:
            /* The pending connection stays readable: stop watching the
             * listener for a while rather than spin on it. */
            tc_log_error(TC_LOG_ERR, errno,
                         "control server: accept() paused for %d ms",
                         ACCEPT_PAUSE_MS);
            if (tc_event_mod(srv->cycle->loop, srv->lfd, 0) == TC_OK) {
                srv->accept_paused = true;
                tc_timer_set(srv->cycle->loop, &srv->accept_timer,
                             ACCEPT_PAUSE_MS);
            }
            return;
        default:
            tc_log_error(TC_LOG_ERR, errno, "control server: accept()");
            return;
        }
    }
}


static void
tc_icp_accept_resume(tc_timer_t *timer)
{
    tc_icp_server_t *srv = timer->data;

    if (tc_event_mod(srv->cycle->loop, srv->lfd, TC_EV_READ) == TC_OK) {
        srv->accept_paused = false;
    } else {
        tc_timer_set(srv->cycle->loop, &srv->accept_timer, ACCEPT_PAUSE_MS);
    }
}


/* A free id, starting after the last one handed out so a closed
 * connection's id is not reused at once (log lines stay unambiguous). */
static uint32_t
tc_icp_free_id(tc_icp_server_t *srv)
{
    uint32_t i, id;

    for (i = 0; i < TC_ICP_CONNS_MAX; i++) {
        id = (srv->next_id + i - 1) % TC_ICP_CONNS_MAX + 1;
        if (srv->conns[id] == NULL) {
            srv->next_id = id % TC_ICP_CONNS_MAX + 1;
            return id;
        }
    }

    return TC_ROUTER_NO_OWNER;
}


static void
tc_icp_peer_str(const struct sockaddr_storage *ss, char *buf, size_t size)
{
    tc_endpoint_t ep;

    if (tc_endpoint_from_sockaddr(ss, &ep) != TC_OK) {
        snprintf(buf, size, "?");
        return;
    }
    tc_endpoint_str(&ep, buf, size);
}


static void
conn_open(tc_icp_server_t *srv, int fd, const struct sockaddr_storage *ss)
{
    tc_icp_ledger_t *l = &srv->cycle->ledger;
    conn_t          *c;
    uint32_t         id;
    int              one = 1;
    char             peer[TC_ENDPOINT_STRLEN];

    tc_icp_peer_str(ss, peer, sizeof(peer));

    id = tc_icp_free_id(srv);
    if (id == TC_ROUTER_NO_OWNER) {
        l->conns_refused++;
        tc_log_warn("control connection from %s refused: %d already open", peer,
                    TC_ICP_CONNS_MAX);
        goto out_close;
    }

    c = calloc(1, sizeof(*c));
    if (c == NULL) {
        tc_log_error(TC_LOG_ERR, errno,
                     "control connection from %s: no "
                     "memory",
                     peer);
        goto out_close;
    }

    /* REPLYs are small and latency matters more than packing. */
    (void) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    /* A tcpcopy host that vanishes must not keep its routes forever. */
    (void) setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));

    c->srv = srv;
    c->id = id;
    c->state = CONN_HELLO;
    snprintf(c->name, sizeof(c->name), "?");
    memcpy(c->peer, peer, sizeof(c->peer));

    tc_conn_init(&c->conn, srv->cycle->loop, &conn_handler, c);
    if (tc_conn_attach(&c->conn, fd) != TC_OK) {
        tc_log_error(TC_LOG_ERR, errno,
                     "control connection from %s: event "
                     "loop",
                     peer);
        free(c);
        goto out_close;
    }

    srv->conns[id] = c;
    c->next = srv->head;
    if (srv->head != NULL) {
        srv->head->prev = c;
    }
    srv->head = c;
    srv->nconns++;
    l->conns_accepted++;

    tc_log_info("control connection %u from %s", id, peer);
    return;

out_close:
    close(fd);
}


/* Closes c, removes its routes and frees it.  c is invalid afterwards. */
static void
conn_close(conn_t *c, const char *why)
{
    tc_icp_server_t *srv = c->srv;
    size_t           routes;

    tc_conn_close(&c->conn);

    routes = tc_router_del_owner(srv->cycle->router, c->id);

    tc_log_error(TC_LOG_NOTICE, 0,
                 "control connection %u (%s, %s) closed: %s; replies=%llu "
                 "queue_full=%llu routes_removed=%zu",
                 c->id, c->name, c->peer, why, (unsigned long long) c->replies,
                 (unsigned long long) c->queue_full, routes);

    if (c->prev != NULL) {
        c->prev->next = c->next;
    } else {
        srv->head = c->next;
    }
    if (c->next != NULL) {
        c->next->prev = c->prev;
    }

    srv->conns[c->id] = NULL;
    srv->nconns--;
    srv->cycle->ledger.conns_closed++;

    free(c);
}


/*
 * The connection cannot go on: says why in intercept's words and closes
 * it.  A peer of another protocol version first gets our HELLO, so that
 * it can log the mismatch too (best effort: one non-blocking send).
 */
static void
conn_lost(tc_conn_t *conn, tc_conn_fail_e why, int err)
{
    conn_t          *c = conn->data;
    tc_icp_ledger_t *l = &c->srv->cycle->ledger;

    switch (why) {
    case TC_CONN_EVERSION:
        l->proto_errors++;
        tc_log_error(TC_LOG_ERR, 0,
                     "control connection %u from %s speaks control "
                     "protocol version %u, this intercept speaks %u: "
                     "closing (run matching tcpcopy and intercept)",
                     c->id, c->peer, (unsigned) conn->peer_version,
                     (unsigned) TC_PROTO_VERSION);
        if (conn_queue_hello(c) == TC_OK && tc_conn_flush(conn) != TC_OK) {
            return; /* closed by the failed send */
        }
        conn_close(c, "protocol version mismatch");
        return;
    case TC_CONN_EFRAME:
        l->proto_errors++;
        tc_log_error(TC_LOG_ERR, 0,
                     "control connection %u from %s sent a malformed "
                     "frame header (bad magic or length)",
                     c->id, c->peer);
        conn_close(c, "malformed frame");
        return;
    case TC_CONN_EOF:
        conn_close(c, "closed by peer");
        return;
    case TC_CONN_ECONNECT: /* accepted connections do not connect */
    case TC_CONN_ERECV:
    case TC_CONN_ESEND:
        conn_close(c, err == 0 ? "send returned 0" : strerror(err));
        return;
    }
}


/* Closes c after a protocol error; always returns TC_DONE. */
static int
conn_fail(conn_t *c, const char *what)
{
    c->srv->cycle->ledger.proto_errors++;
    tc_log_error(TC_LOG_ERR, 0, "control connection %u (%s, %s): %s", c->id,
                 c->name, c->peer, what);
    conn_close(c, what);
    return TC_DONE;
}


/* Queues a control frame (HELLO, PONG): these ignore the high-water mark,
 * they are small and rare.  Returns TC_OK or TC_ERROR (no memory). */
static int
conn_send_ping(conn_t *c, uint8_t type, uint64_t token)
{
    uint8_t *p;
    size_t   n;

    p = tc_buf_reserve(&c->conn.out, TC_PROTO_HDR_LEN + 8);
    if (p == NULL) {
        return TC_ERROR;
    }

    n = tc_proto_encode_ping(p, TC_PROTO_HDR_LEN + 8, type, token);
    tc_buf_commit(&c->conn.out, n);
    return n ? TC_OK : TC_ERROR;
}


/* One frame from the peer.  TC_OK, or TC_DONE if c was closed. */
static int
conn_frame(tc_conn_t *conn, const tc_frame_t *f)
{
    conn_t  *c = conn->data;
    uint64_t token;

    if (c->state == CONN_HELLO) {
        if (f->type != TC_MSG_HELLO) {
            return conn_fail(c, "first frame is not HELLO");
        }
        return conn_hello(c, f);
    }

    switch (f->type) {
    case TC_MSG_ROUTE:
        return conn_route(c, f);

    case TC_MSG_PING:
        if (tc_proto_decode_ping(f, &token) != TC_OK) {
            return conn_fail(c, "malformed PING");
        }
        if (conn_send_ping(c, TC_MSG_PONG, token) != TC_OK) {
            return conn_fail(c, "no memory for PONG");
        }
        return TC_OK;

    case TC_MSG_PONG:
        return TC_OK;

    case TC_MSG_CHECK:
        return conn_check(c, f);

    default:
        /* A newer tcpcopy may send what we do not know: skip, count. */
        c->srv->cycle->ledger.frames_unknown++;
        return TC_OK;
    }
}


/* Queues our HELLO (with c->caps granted).  TC_OK or TC_ERROR. */
static int
conn_queue_hello(conn_t *c)
{
    tc_msg_hello_t mine;
    uint8_t       *p;
    size_t         n, room = TC_PROTO_HDR_LEN + 10 + TC_PROTO_NAME_MAX;

    memset(&mine, 0, sizeof(mine));
    mine.version = TC_PROTO_VERSION;
    mine.role = TC_ROLE_INTERCEPT;
    mine.caps = c->caps;
    snprintf(mine.name, sizeof(mine.name), "intercept");

    p = tc_buf_reserve(&c->conn.out, room);
    n = (p == NULL) ? 0 : tc_proto_encode_hello(p, room, &mine);
    if (n == 0) {
        return TC_ERROR;
    }

    tc_buf_commit(&c->conn.out, n);
    return TC_OK;
}


static int
conn_hello(conn_t *c, const tc_frame_t *f)
{
    const tc_icp_conf_t *conf = c->srv->cycle->conf;
    tc_msg_hello_t       peer;

    if (tc_proto_decode_hello(f, &peer) != TC_OK) {
        return conn_fail(c, "malformed HELLO");
    }
    if (peer.role != TC_ROLE_TCPCOPY) {
        return conn_fail(c, "peer is not a tcpcopy (HELLO role is not 1)");
    }
    if (peer.version != TC_PROTO_VERSION) {
        tc_log_error(TC_LOG_ERR, 0,
                     "control connection %u from %s: HELLO says protocol "
                     "version %u, this intercept speaks %u",
                     c->id, c->peer, (unsigned) peer.version,
                     (unsigned) TC_PROTO_VERSION);
        return conn_fail(c, "protocol version mismatch");
    }

    memcpy(c->name, peer.name, sizeof(c->name));

    /* Payloads are possible only if the queue copies past the headers. */
    c->caps = 0;
    if (peer.caps & TC_CAP_REPLY_PAYLOAD) {
        if (conf->copy_range > TC_PKT_HDR_MAX) {
            c->caps |= TC_CAP_REPLY_PAYLOAD;
        } else {
            tc_log_warn("tcpcopy %s asked for reply payloads, but only "
                        "headers are copied (raise --copy-range)",
                        c->name);
        }
    }

    /* tcpcopy --check asks for the CHECK report. */
    c->caps |= peer.caps & TC_CAP_CHECK;

    if (conn_queue_hello(c) != TC_OK) {
        return conn_fail(c, "cannot encode HELLO");
    }
    c->state = CONN_READY;

    tc_log_error(TC_LOG_NOTICE, 0,
                 "control connection %u from %s: tcpcopy \"%s\" ready "
                 "(caps 0x%x)",
                 c->id, c->peer, c->name, (unsigned) c->caps);
    return TC_OK;
}


static int
conn_route(conn_t *c, const tc_frame_t *f)
{
    tc_router_t   *router = c->srv->cycle->router;
    tc_msg_route_t m;
    tc_endpoint_t  ep;
    int            i, n;

    n = tc_proto_route_count(f);
    if (n < 1) {
        return conn_fail(c, "malformed ROUTE");
    }

    for (i = 0; i < n; i++) {
        if (tc_proto_route_at(f, i, &m) != TC_OK) {
            return conn_fail(c, "malformed ROUTE entry");
        }

        ep.ip = m.addr;
        ep.port = m.port;

        if (m.op == TC_ROUTE_ADD) {
            c->routes_add++;
            /* Held replies for ep are delivered from inside this call;
             * a full table is counted by the router (routes_full). */
            (void) tc_router_add(router, &ep, c->id);
        } else {
            c->routes_del++;
            (void) tc_router_del(router, &ep, c->id);
        }
    }

    return TC_OK;
}


/* CHECK from tcpcopy --check: queue intercept's report.  Like HELLO and
 * PONG it ignores the high-water mark (small, one per check).  Returns
 * TC_OK, or TC_DONE if c was closed. */
static int
conn_check(conn_t *c, const tc_frame_t *f)
{
    tc_icp_server_t     *srv = c->srv;
    tc_msg_check_reply_t rep;
    uint32_t             token;
    uint8_t             *p;
    size_t               n;

    if (tc_proto_decode_check(f, &token) != TC_OK) {
        return conn_fail(c, "malformed CHECK");
    }

    tc_icp_check_report(srv->cycle, token, &rep);
    tc_check_set(&rep, TC_CHECK_N_CONNS, srv->nconns);
    tc_check_set(&rep, TC_CHECK_N_UPTIME,
                 (uint64_t) (tc_time_now() - srv->opened_at) / 1000);

    p = tc_buf_reserve(&c->conn.out, TC_CHECK_FRAME_MAX);
    n = (p == NULL) ? 0
                    : tc_proto_encode_check_reply(p, TC_CHECK_FRAME_MAX, &rep);
    if (n == 0) {
        return conn_fail(c, "cannot encode CHECK_REPLY");
    }
    tc_buf_commit(&c->conn.out, n);

    tc_log_error(TC_LOG_NOTICE, 0,
                 "control connection %u from %s: tcpcopy \"%s\" checked "
                 "the path (report sent)",
                 c->id, c->peer, c->name);
    return TC_OK;
}


int
tc_icp_server_reply(tc_icp_server_t *srv, uint32_t id, uint8_t family,
                    const uint8_t *pkt, size_t hdr_len, size_t pkt_len,
                    uint32_t orig_len)
{
    tc_icp_ledger_t *l = &srv->cycle->ledger;
    conn_t          *c;
    uint8_t         *p;
    size_t           n, room;
    uint8_t          flags;

    c = (id <= TC_ICP_CONNS_MAX) ? srv->conns[id] : NULL;
    if (c == NULL || c->state != CONN_READY) {
        l->no_conn++;
        return TC_DECLINED;
    }

    room = REPLY_OVERHEAD + pkt_len;
    p = (tc_buf_len(&c->conn.out) >= TC_ICP_OUT_HWM)
            ? NULL
            : tc_buf_reserve(&c->conn.out, room);
    if (p == NULL) {
        c->queue_full++;
        l->queue_full++;
        if (!c->full_logged) {
            c->full_logged = true;
            tc_log_warn("control connection %u (%s): output queue full, "
                        "dropping its replies (tcpcopy too slow?)",
                        c->id, c->name);
        }
        return TC_AGAIN;
    }

    flags = (pkt_len > hdr_len) ? TC_REPLY_F_PAYLOAD : 0;
    n = tc_proto_encode_reply(p, room, family, flags, pkt, hdr_len, pkt_len,
                              orig_len);
    if (n == 0) {
        l->proto_errors++;
        return TC_DECLINED;
    }

    tc_buf_commit(&c->conn.out, n);
    c->replies++;
    l->delivered++;
    return TC_OK;
}


bool
tc_icp_server_wants_payload(const tc_icp_server_t *srv, uint32_t id)
{
    const conn_t *c = (id <= TC_ICP_CONNS_MAX) ? srv->conns[id] : NULL;

    return c != NULL && (c->caps & TC_CAP_REPLY_PAYLOAD);
}


size_t
tc_icp_server_conns(const tc_icp_server_t *srv)
{
    return srv->nconns;
}


/* Connection c's counters as the ledger's table describes them. */
static void
conn_snap(const conn_t *c, tc_icp_conn_snap_t *out)
{
    out->replies = c->replies;
    out->queue_full = c->queue_full;
    out->queued_bytes = tc_buf_len(&c->conn.out);
    out->sent_bytes = c->conn.sent;
    out->route_adds = c->routes_add;
    out->route_dels = c->routes_del;
    out->ready = c->state == CONN_READY;
}


void
tc_icp_server_log_conns(const tc_icp_server_t *srv)
{
    const conn_t      *c;
    tc_icp_conn_snap_t st;
    char               line[256];

    for (c = srv->head; c != NULL; c = c->next) {
        conn_snap(c, &st);
        tc_log_error(TC_LOG_NOTICE, 0,
                     "control connection %u: tcpcopy \"%s\" at %s %s %s", c->id,
                     c->name, c->peer, st.ready ? "ready" : "hello",
                     tc_icp_conn_format(&st, line, sizeof(line)));
    }
}


/* The peer's HELLO name as a label value: it may hold any byte but NUL,
 * and a quote, backslash or newline would break the exposition. */
static void
conn_label(const conn_t *c, char *buf, size_t size)
{
    char   name[sizeof(c->name)];
    size_t i;

    for (i = 0; c->name[i] != '\0' && i + 1 < sizeof(name); i++) {
        name[i] = (c->name[i] > ' ' && c->name[i] < 0x7f && c->name[i] != '"' &&
                   c->name[i] != '\\')
                      ? c->name[i]
                      : '_';
    }
    name[i] = '\0';
    snprintf(buf, size, "conn=\"%u\",tcpcopy=\"%s\"", c->id, name);
}


void
tc_icp_server_prom(const tc_icp_server_t *srv, tc_mtext_t *t)
{
    tc_icp_conn_snap_t *st;
    const conn_t       *c;
    const char        **labels;
    char               *label;
    size_t              i, n, lsize = TC_PROTO_NAME_MAX + 40;

    if (srv == NULL || srv->nconns == 0) {
        return;
    }
    /* one block per scrape: up to TC_ICP_CONNS_MAX rows */
    n = srv->nconns;
    st = malloc(n * (sizeof(*st) + sizeof(*labels) + lsize));
    if (st == NULL) {
        t->overflow = true; /* served as an error, not as a partial text */
        return;
    }
    labels = (const char **) (st + n);
    label = (char *) (labels + n);
    for (i = 0, c = srv->head; c != NULL && i < n; c = c->next, i++) {
        conn_snap(c, &st[i]);
        conn_label(c, label + i * lsize, lsize);
        labels[i] = label + i * lsize;
    }
    tc_icp_conn_prom(st, labels, i, t);
    free(st);
}


/* The tick hook: flush what this iteration queued, one send() per
 * connection for all its REPLYs.  Connections waiting for writability are
 * left to their write event.  A drained queue ends a full episode, so the
 * next one is logged again. */
static void
tc_icp_flush(void *data)
{
    tc_icp_server_t *srv = data;
    conn_t          *c, *next;

    for (c = srv->head; c != NULL; c = next) {
        next = c->next;
        if (tc_buf_len(&c->conn.out) > 0 && !c->conn.write_armed &&
            tc_conn_flush(&c->conn) != TC_OK) {
            continue;
        }
        if (tc_buf_len(&c->conn.out) == 0) {
            c->full_logged = false;
        }
    }
}
