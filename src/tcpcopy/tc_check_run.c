/*
 * tc_check_run.c: the sockets of `tcpcopy --check` (see tc_check.h).
 *
 * A one-shot command on a reactor of its own: the control connections are
 * tc_conns like the daemon's, and run_pump() runs the loop until a phase
 * is complete or its deadline passes.  The phases:
 *
 *   connect   every intercept: connect, HELLO (asking for TC_CAP_CHECK),
 *             CHECK -> the report before the probe;
 *   barrier   ROUTE ADD of the probe's client endpoint, then PING: its
 *             PONG proves the route is in intercept's table;
 *   probe     a SYN to every target through tcpcopy's own sender; the
 *             target's answer comes back as a REPLY, and an AF_PACKET
 *             socket watches whether a copy reaches this host instead;
 *   after     an RST ends the probe on each target; CHECK again, so the
 *             verdict knows what intercept received meanwhile.
 * Closing the control connections removes the probe's route.
 */
#include "tc_config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tc_check.h"
#include "tc_conn.h"
#include "tc_event.h"
#include "tc_log.h"
#include "tc_pkt.h"
#include "tc_replay.h"
#include "tc_sock.h"
#include "tc_time.h"

#define RUN_PKT_MAX     65536
#define RUN_GRACE_MS    200  /* after every answer: a leaked copy? */
#define RUN_AFTER_MS    1000 /* for the reports after the probe */
#define RUN_PORT_LOW    32768
#define RUN_PORT_RANGE  28232 /* up to 60999, Linux's ephemeral range */
#define RUN_TOKEN_FIRST 1
#define RUN_TOKEN_AFTER 2

typedef enum {
    RUN_CLOSED = 0,
    RUN_CONNECTING,
    RUN_HELLO, /* our HELLO sent */
    RUN_READY
} run_state_e;

typedef struct run_s run_t;

typedef struct {
    run_t          *k;
    tc_check_icp_t *icp;
    tc_conn_t       conn;
    run_state_e     state;
    uint64_t        ping; /* token of the barrier PING */
    bool            ponged;
} run_conn_t;

struct run_s {
    tc_event_loop_t       *loop;
    const tc_check_conf_t *conf;
    tc_replay_t           *r;
    tc_check_icp_t         icps[TC_CHECK_PEERS_MAX];
    run_conn_t             conns[TC_CHECK_PEERS_MAX];
    size_t                 n;
    tc_check_probe_t       probes[TC_TRANSFERS_MAX];
    size_t                 nprobes;
    uint32_t               isn;
    int                    leak_fd;
    tc_msec_t              probe_start;
    unsigned               failures;
    uint8_t                pkt[RUN_PKT_MAX];
};

typedef bool (*run_done_pt)(const run_t *k);

static void run_connected(tc_conn_t *conn);
static int  run_frame(tc_conn_t *conn, const tc_frame_t *f);
static void run_lost(tc_conn_t *conn, tc_conn_fail_e why, int err);

static const tc_conn_handler_t run_handler = {run_connected, run_frame,
                                              run_lost};


static uint32_t
run_random(void)
{
    uint32_t v;

    if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != (ssize_t) sizeof(v)) {
        v = (uint32_t) time(NULL) ^ ((uint32_t) getpid() << 16);
    }
    return v;
}


static void
run_close(run_conn_t *c)
{
    tc_conn_close(&c->conn);
    c->state = RUN_CLOSED;
}


/* A step-1 failure: the connection is over. */
static void
run_fail(run_conn_t *c, tc_check_link_e why, int err)
{
    c->icp->link = why;
    c->icp->err = err;
    run_close(c);
}


/* The connection cannot go on: before intercept's HELLO that is step 1's
 * failure; after it, the connection just ends. */
static void
run_lost(tc_conn_t *conn, tc_conn_fail_e why, int err)
{
    run_conn_t *c = conn->data;

    switch (why) {
    case TC_CONN_ECONNECT:
        run_fail(c, TC_CHECK_LINK_CONNECT, err);
        return;
    case TC_CONN_EVERSION:
        c->icp->peer_version = conn->peer_version;
        run_fail(c, TC_CHECK_LINK_VERSION, 0);
        return;
    case TC_CONN_EFRAME:
        run_fail(c, TC_CHECK_LINK_FOREIGN, 0);
        return;
    case TC_CONN_EOF:
    case TC_CONN_ERECV:
    case TC_CONN_ESEND:
        if (c->state == RUN_READY) {
            run_close(c);
        } else {
            run_fail(c, TC_CHECK_LINK_CLOSED, err);
        }
        return;
    }
}


/* Queues one frame (n bytes, 0 when it could not be encoded) and sends
 * what the socket takes; the rest leaves from the write event. */
static void
run_send(run_conn_t *c, const uint8_t *buf, size_t n)
{
    if (c->conn.fd == -1 || n == 0) {
        return;
    }
    if (tc_buf_append(&c->conn.out, buf, n) != TC_OK) {
        run_lost(&c->conn, TC_CONN_ESEND, ENOMEM);
        return;
    }
    (void) tc_conn_flush(&c->conn);
}


static void
run_send_check(run_conn_t *c, uint32_t token)
{
    uint8_t buf[TC_PROTO_HDR_LEN + 8];

    run_send(c, buf, tc_proto_encode_check(buf, sizeof(buf), token));
}


static void
run_connect(run_conn_t *c)
{
    const char *why;

    if (tc_conn_connect(&c->conn, &c->icp->peer, &why) != TC_OK) {
        run_fail(c, TC_CHECK_LINK_CONNECT, errno);
        return;
    }
    c->state = RUN_CONNECTING;
}


/* The connection is up: send our HELLO, asking for reports. */
static void
run_connected(tc_conn_t *conn)
{
    run_conn_t    *c = conn->data;
    tc_msg_hello_t h;
    uint8_t        buf[128];

    memset(&h, 0, sizeof(h));
    h.version = TC_PROTO_VERSION;
    h.role = TC_ROLE_TCPCOPY;
    h.caps = TC_CAP_CHECK;
    snprintf(h.name, sizeof(h.name), "tcpcopy --check");
    c->state = RUN_HELLO;
    run_send(c, buf, tc_proto_encode_hello(buf, sizeof(buf), &h));
}


static void
run_hello(run_conn_t *c, const tc_frame_t *f)
{
    tc_msg_hello_t h;

    if (tc_proto_decode_hello(f, &h) != TC_OK || h.role != TC_ROLE_INTERCEPT) {
        run_fail(c, TC_CHECK_LINK_FOREIGN, 0);
        return;
    }
    if (c->state != RUN_HELLO) {
        return;
    }
    c->state = RUN_READY;
    c->icp->link = TC_CHECK_LINK_READY;
    c->icp->can_report = (h.caps & TC_CAP_CHECK) != 0;
    if (c->icp->can_report) {
        run_send_check(c, RUN_TOKEN_FIRST);
    }
}


static void
run_report(run_conn_t *c, const tc_frame_t *f)
{
    tc_msg_check_reply_t rep;

    if (tc_proto_decode_check_reply(f, &rep) != TC_OK) {
        return;
    }
    if (rep.token == RUN_TOKEN_FIRST) {
        c->icp->before = rep;
        c->icp->has_before = true;
    } else if (rep.token == RUN_TOKEN_AFTER) {
        c->icp->after = rep;
        c->icp->has_after = true;
    }
}


/* Is pkt the target's answer to a probe?  The first one a probe gets is
 * noted: as seen by intercept c, or (c NULL) as leaked to this host. */
static void
run_match(run_t *k, const run_conn_t *c, const uint8_t *pkt, size_t len)
{
    tc_check_probe_t *p;
    tc_check_seen_e   s;
    size_t            i;

    for (i = 0; i < k->nprobes; i++) {
        p = &k->probes[i];
        s = tc_check_classify(pkt, len, &p->src, &p->target, k->isn);
        if (s == TC_CHECK_SEEN_NONE) {
            continue;
        }
        if (c == NULL) {
            if (p->leaked == TC_CHECK_SEEN_NONE) {
                p->leaked = s;
            }
        } else if (p->seen == TC_CHECK_SEEN_NONE) {
            p->seen = s;
            p->seen_by = (size_t) (c - k->conns);
            p->seen_ms = tc_time_now() - k->probe_start;
        }
    }
}


/* A reply header from intercept: is it the target's answer to a probe? */
static void
run_reply(run_t *k, run_conn_t *c, const tc_frame_t *f)
{
    tc_msg_reply_t m;

    if (tc_proto_decode_reply(f, &m) == TC_OK) {
        run_match(k, c, m.pkt, m.hdr_len);
    }
}


/* One frame from intercept.  TC_OK, or TC_DONE once c is closed. */
static int
run_frame(tc_conn_t *conn, const tc_frame_t *f)
{
    run_conn_t *c = conn->data;
    uint8_t     buf[TC_PROTO_HDR_LEN + 8];
    uint64_t    token;

    if (c->state != RUN_READY && f->type != TC_MSG_HELLO) {
        run_fail(c, TC_CHECK_LINK_FOREIGN, 0);
        return TC_DONE;
    }

    switch (f->type) {
    case TC_MSG_HELLO:
        run_hello(c, f);
        break;
    case TC_MSG_CHECK_REPLY:
        run_report(c, f);
        break;
    case TC_MSG_REPLY:
        run_reply(c->k, c, f);
        break;
    case TC_MSG_PING:
        if (tc_proto_decode_ping(f, &token) == TC_OK) {
            run_send(c, buf,
                     tc_proto_encode_ping(buf, sizeof(buf), TC_MSG_PONG,
                                          token));
        }
        break;
    case TC_MSG_PONG:
        if (tc_proto_decode_ping(f, &token) == TC_OK && token == c->ping) {
            c->ponged = true;
        }
        break;
    default:
        break; /* ROUTE, CHECK, or newer: not for us */
    }
    return c->conn.fd == -1 ? TC_DONE : TC_OK;
}


/* A packet toward the probe's source seen on this host: a leak. */
static void
run_leak_read(void *data, uint32_t events)
{
    run_t  *k = data;
    ssize_t n;

    (void) events;

    while ((n = recv(k->leak_fd, k->pkt, sizeof(k->pkt), MSG_DONTWAIT)) > 0) {
        run_match(k, NULL, k->pkt, (size_t) n);
    }
}


/* Runs the loop until done(k) or wait ms passed. */
static void
run_pump(run_t *k, tc_msec_t wait, run_done_pt done)
{
    tc_msec_t deadline = tc_time_update() + wait, left;

    while (done == NULL || !done(k)) {
        left = deadline - tc_time_now();
        if (left <= 0 || tc_event_run_once(k->loop, left) == TC_ERROR) {
            return;
        }
    }
}


/* ---- phase predicates ---- */

static bool
run_reports_done(const run_t *k)
{
    size_t i;

    for (i = 0; i < k->n; i++) {
        if (k->conns[i].state == RUN_CONNECTING ||
            k->conns[i].state == RUN_HELLO ||
            (k->conns[i].state == RUN_READY && k->icps[i].can_report &&
             !k->icps[i].has_before)) {
            return false;
        }
    }
    return true;
}


static bool
run_ponged(const run_t *k)
{
    size_t i;

    for (i = 0; i < k->n; i++) {
        if (k->conns[i].state == RUN_READY && !k->conns[i].ponged) {
            return false;
        }
    }
    return true;
}


static bool
run_answered(const run_t *k)
{
    size_t i;

    for (i = 0; i < k->nprobes; i++) {
        if (k->probes[i].seen == TC_CHECK_SEEN_NONE &&
            k->probes[i].send_err == 0) {
            return false;
        }
    }
    return true;
}


static bool
run_after_done(const run_t *k)
{
    size_t i;

    for (i = 0; i < k->n; i++) {
        if (k->conns[i].state == RUN_READY && k->icps[i].can_report &&
            !k->icps[i].has_after) {
            return false;
        }
    }
    return true;
}


/* ---- the probe ---- */

/* This host's address toward dst (what the kernel would pick as the
 * source of a connection there).  TC_OK or TC_ERROR. */
static int
run_local_toward(const tc_addr_t *dst, tc_addr_t *out)
{
    struct sockaddr_in sin;
    socklen_t          len = sizeof(sin);
    int                fd, rc = TC_ERROR;

    fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd == -1) {
        return TC_ERROR;
    }
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_port = htons(9); /* no datagram is ever sent */
    memcpy(&sin.sin_addr, dst->addr, 4);
    if (connect(fd, (struct sockaddr *) &sin, sizeof(sin)) == 0 &&
        getsockname(fd, (struct sockaddr *) &sin, &len) == 0) {
        tc_addr_set4(out, (const uint8_t *) &sin.sin_addr);
        rc = TC_OK;
    }
    close(fd);
    return rc;
}


/* Whether a is an address of this host (a socket can bind to it). */
static bool
run_is_local(const tc_addr_t *a)
{
    struct sockaddr_in sin;
    int                fd;
    bool               local;

    fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd == -1) {
        return false;
    }
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    memcpy(&sin.sin_addr, a->addr, 4);
    local = bind(fd, (struct sockaddr *) &sin, sizeof(sin)) == 0;
    close(fd);
    return local;
}


/* The probe's client endpoint: --check-src, else the first -c address,
 * else this host's address toward the first target.  A random port. */
static int
run_pick_src(run_t *k, tc_endpoint_t *src, bool *guessed)
{
    const tc_controls_t *cc = &k->r->ctl_conf;

    *guessed = false;
    if (k->conf->has_src) {
        src->ip = k->conf->src;
    } else if (cc->map_addrs) {
        tc_check_map_first(&cc->addrmap, &src->ip);
    } else if (run_local_toward(&k->r->transfers[0].target.ip, &src->ip) ==
               TC_OK) {
        *guessed = true;
    } else {
        return TC_ERROR;
    }
    src->port = (uint16_t) (RUN_PORT_LOW + run_random() % RUN_PORT_RANGE);
    return TC_OK;
}


/*
 * The AF_PACKET socket that sees whether the target's answer reaches this
 * host.  The kernel keeps only TCP to the probe's source and port (cooked
 * packets start at the IP header); the rest is compared in
 * tc_check_classify().  Returns the fd, or -1 (no leak watch then).
 */
static int
run_leak_open(const tc_endpoint_t *src)
{
    uint32_t           dst;
    struct sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 9), /* protocol */
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_TCP, 0, 6),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 16), /* destination address */
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 4),
        BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0), /* x = IP header length */
        BPF_STMT(BPF_LD | BPF_H | BPF_IND, 2),  /* TCP destination port */
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, src->port, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, RUN_PKT_MAX),
        BPF_STMT(BPF_RET | BPF_K, 0),
    };
    struct sock_fprog prog = {tc_nelems(code), code};
    int               fd;
    char              err[128]; /* no watch is no failure: not said */

    memcpy(&dst, src->ip.addr, 4);
    code[3].k = ntohl(dst);

    fd = tc_sock_open(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP), "leak watch", err,
                      sizeof(err));
    if (fd == -1) {
        return -1;
    }
    if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) ==
        -1) {
        close(fd);
        return -1;
    }
    return fd;
}


/* One probe per distinct target of -x, all from the same endpoint. */
static void
run_plan_probes(run_t *k, const tc_endpoint_t *src, bool guessed)
{
    const tc_endpoint_t *t;
    tc_check_probe_t    *p;
    size_t               i, j;
    bool                 local = run_is_local(&src->ip);

    for (i = 0; i < k->r->ntransfers; i++) {
        t = &k->r->transfers[i].target;
        for (j = 0; j < k->nprobes; j++) {
            if (tc_addr_eq(&k->probes[j].target.ip, &t->ip) &&
                k->probes[j].target.port == t->port) {
                break;
            }
        }
        if (j < k->nprobes) {
            continue;
        }
        p = &k->probes[k->nprobes++];
        memset(p, 0, sizeof(*p));
        p->target = *t;
        p->src = *src;
        p->src_guessed = guessed;
        p->src_local = local;
        p->leak_watch = k->leak_fd != -1;
    }
}


/* Sends a SYN (or the RST that ends the probe) to every target. */
static void
run_send_probes(run_t *k, uint8_t flags)
{
    tc_check_probe_t *p;
    tc_sender_t      *snd = &k->r->sender;
    tc_seg_t          seg;
    uint8_t           pkt[128];
    size_t            i, len;

    for (i = 0; i < k->nprobes; i++) {
        p = &k->probes[i];
        memset(&seg, 0, sizeof(seg));
        seg.src = p->src.ip;
        seg.dst = p->target.ip;
        seg.sport = p->src.port;
        seg.dport = p->target.port;
        seg.seq = (flags & TC_TCP_SYN) ? k->isn : k->isn + 1;
        seg.flags = flags;
        seg.window = (flags & TC_TCP_SYN) ? 64240 : 0;
        seg.ip_id = (uint16_t) run_random();
        seg.mss = (flags & TC_TCP_SYN) ? 1460 : 0;
        seg.wscale = -1;

        len = tc_pkt_build(pkt, sizeof(pkt), &seg, NULL, 0);
        if (len == 0 || snd->ops->send(snd, pkt, len, &p->target.ip) != TC_OK) {
            if (flags & TC_TCP_SYN) {
                p->send_err = len == 0 ? EINVAL : errno;
            }
        }
    }
}


/* ROUTE ADD of the probe's endpoint on every intercept, then a PING each:
 * once its PONG is back the route is in place. */
static void
run_announce(run_t *k, const tc_endpoint_t *src)
{
    tc_msg_route_t route;
    uint8_t        buf[TC_PROTO_HDR_LEN + 64];
    run_conn_t    *c;
    size_t         i;

    route.op = TC_ROUTE_ADD;
    route.addr = src->ip;
    route.port = src->port;

    for (i = 0; i < k->n; i++) {
        c = &k->conns[i];
        if (c->state != RUN_READY) {
            continue;
        }
        run_send(c, buf, tc_proto_encode_route(buf, sizeof(buf), &route, 1));
        c->ping = ((uint64_t) run_random() << 32) | run_random();
        run_send(c, buf,
                 tc_proto_encode_ping(buf, sizeof(buf), TC_MSG_PING, c->ping));
    }
    run_pump(k, TC_CHECK_CONNECT_MS, run_ponged);
}


/* ---- steps and output ---- */

/* Prints "[n/3] subject: verdict" and counts a failure. */
static void
run_say(run_t *k, int step, const char *subject, int rc, const char *line)
{
    printf("[%d/3] %s: %s\n", step, subject, line);
    fflush(stdout);
    if (rc != TC_OK) {
        k->failures++;
    }
}


static void
run_say_intercepts(run_t *k)
{
    char   line[TC_CHECK_LINE_MAX], subject[TC_ENDPOINT_STRLEN + 64];
    char   a[TC_ENDPOINT_STRLEN];
    size_t i;
    int    rc;

    for (i = 0; i < k->n; i++) {
        snprintf(subject, sizeof(subject), "intercept %s",
                 tc_endpoint_str(&k->icps[i].peer, a, sizeof(a)));
        rc = tc_check_say_link(&k->icps[i], line, sizeof(line));
        run_say(k, 1, subject, rc, line);
    }
    for (i = 0; i < k->n; i++) {
        snprintf(subject, sizeof(subject), "intercept %s reports",
                 tc_endpoint_str(&k->icps[i].peer, a, sizeof(a)));
        rc = tc_check_say_report(&k->icps[i], line, sizeof(line));
        /* an unreachable intercept was counted once, in step 1 */
        run_say(k, 2, subject,
                k->icps[i].link == TC_CHECK_LINK_READY ? rc : TC_OK, line);
    }
}


static void
run_say_probes(run_t *k)
{
    char              line[2 * TC_CHECK_LINE_MAX], subject[160];
    char              s[TC_ENDPOINT_STRLEN], t[TC_ENDPOINT_STRLEN];
    tc_check_probe_t *p;
    size_t            i;
    int               rc;

    for (i = 0; i < k->nprobes; i++) {
        p = &k->probes[i];
        snprintf(subject, sizeof(subject), "probe %s -> %s%s",
                 tc_endpoint_str(&p->src, s, sizeof(s)),
                 tc_endpoint_str(&p->target, t, sizeof(t)),
                 p->src_guessed ? " (source: this host's address)" : "");
        rc = tc_check_say_probe(p, k->icps, k->n, line, sizeof(line));
        run_say(k, 3, subject, rc, line);
    }
}


/* Step 3: the probe itself.  Returns after the reports that follow it. */
static void
run_probe(run_t *k)
{
    tc_endpoint_t src;
    char          err[256];
    bool          guessed;
    size_t        i;

    if (run_pick_src(k, &src, &guessed) != TC_OK) {
        run_say(k, 3, "probe", TC_ERROR,
                "FAILED: no route from this host to the target; give "
                "--check-src ADDR");
        return;
    }

    k->r->sender.fd = -1;
    if (tc_sender_open(&k->r->sender, err, sizeof(err)) != TC_OK) {
        run_say(k, 3, "probe", TC_ERROR, err);
        return;
    }

    k->leak_fd = run_leak_open(&src);
    if (k->leak_fd != -1 && tc_event_add(k->loop, k->leak_fd, TC_EV_READ,
                                         run_leak_read, k) != TC_OK) {
        close(k->leak_fd);
        k->leak_fd = -1; /* no leak watch then */
    }
    k->isn = run_random();
    run_plan_probes(k, &src, guessed);
    run_announce(k, &src);

    k->probe_start = tc_time_update();
    run_send_probes(k, TC_TCP_SYN);
    run_pump(k, TC_CHECK_WAIT_MS, run_answered);
    if (k->leak_fd != -1) {
        run_pump(k, RUN_GRACE_MS, NULL);
    }
    run_send_probes(k, TC_TCP_RST);

    for (i = 0; i < k->n; i++) {
        if (k->conns[i].state == RUN_READY && k->icps[i].can_report) {
            run_send_check(&k->conns[i], RUN_TOKEN_AFTER);
        }
    }
    run_pump(k, RUN_AFTER_MS, run_after_done);

    k->r->sender.ops->close(&k->r->sender);
    if (k->leak_fd != -1) {
        (void) tc_event_del(k->loop, k->leak_fd);
        close(k->leak_fd);
        k->leak_fd = -1;
    }
    run_say_probes(k);
}


static size_t
run_ready_count(const run_t *k)
{
    size_t i, n = 0;

    for (i = 0; i < k->n; i++) {
        n += k->conns[i].state == RUN_READY;
    }
    return n;
}


static int
run_init(run_t *k, const tc_check_conf_t *conf, tc_replay_t *r,
         const tc_endpoint_t *intercepts, size_t n)
{
    size_t i;

    k->conf = conf;
    k->r = r;
    k->n = tc_min(n, (size_t) TC_CHECK_PEERS_MAX);
    k->leak_fd = -1;
    k->loop = tc_event_loop_create(NULL);
    if (k->loop == NULL) {
        return TC_ERROR;
    }
    for (i = 0; i < k->n; i++) {
        k->icps[i].peer = intercepts[i];
        k->conns[i].k = k;
        k->conns[i].icp = &k->icps[i];
        tc_conn_init(&k->conns[i].conn, k->loop, &run_handler, &k->conns[i]);
    }
    return TC_OK;
}


static void
run_done(run_t *k)
{
    size_t i;

    for (i = 0; i < k->n && k->loop != NULL; i++) {
        run_close(&k->conns[i]);
    }
    tc_event_loop_destroy(k->loop);
    free(k);
}


int
tc_check_main(const tc_check_conf_t *conf, struct tc_replay_s *r,
              const tc_endpoint_t *intercepts, size_t n)
{
    run_t *k;
    size_t i;
    int    rc;

    k = calloc(1, sizeof(*k));
    if (k == NULL || run_init(k, conf, r, intercepts, n) != TC_OK) {
        fprintf(stderr, "tcpcopy --check: out of memory\n");
        if (k != NULL) {
            run_done(k);
        }
        return 1;
    }

    printf("tcpcopy --check: %zu intercept(s), %zu transfer(s)\n", k->n,
           r->ntransfers);
    tc_time_update();
    for (i = 0; i < k->n; i++) {
        run_connect(&k->conns[i]);
    }
    run_pump(k, TC_CHECK_CONNECT_MS, run_reports_done);
    for (i = 0; i < k->n; i++) {
        /* err 0: connected, but no HELLO came */
        if (k->conns[i].state == RUN_CONNECTING ||
            k->conns[i].state == RUN_HELLO) {
            run_fail(&k->conns[i], TC_CHECK_LINK_TIMEOUT,
                     k->conns[i].state == RUN_CONNECTING ? ETIMEDOUT : 0);
        }
    }
    run_say_intercepts(k);

    if (run_ready_count(k) > 0) {
        run_probe(k);
    } else {
        printf("[3/3] probe: skipped (no intercept reachable)\n");
    }

    if (k->failures == 0) {
        printf("tcpcopy --check: all ok, replay will work\n");
    } else {
        printf("tcpcopy --check: %u problem(s): replay will not work until "
               "they are fixed\n",
               k->failures);
    }
    rc = k->failures == 0 ? 0 : 1;
    run_done(k);
    return rc;
}
