/*
 * icp_metrics.c: intercept's ledger described once (see icp_metrics.h).
 * The table below is the only place that says which counters exist and
 * how they are shown; tests/unit/test_ledger.c checks that every field of
 * tc_icp_snap_t has an entry and shows in both the log line and the
 * metrics.
 */
#include "tc_config.h"

#include <stddef.h>
#include <string.h>

#include "icp_metrics.h"
#include "router.h"

/* Field f of the snapshot; help on a family's first field only. */
#define CNT(key, metric, label, lval, help, f)                                 \
    {                                                                          \
        "", key, metric, label, lval, help, offsetof(tc_icp_snap_t, f),        \
            TC_STAT_COUNTER, 0, NULL                                           \
    }
#define GAUGE(key, metric, help, f)                                            \
    {                                                                          \
        "", key, metric, NULL, NULL, help, offsetof(tc_icp_snap_t, f),         \
            TC_STAT_GAUGE, 0, NULL                                             \
    }
/* A parse error reason: in the log line only once it happened; the keys
 * are tc_pkt_err_key()'s (checked by the unit test). */
#define PERR(key, err, help)                                                   \
    {                                                                          \
        "", "perr_" key, "intercept_parse_errors_total", "reason", key, help,  \
            offsetof(tc_icp_snap_t, l.perr[err]), TC_STAT_COUNTER, 1, NULL     \
    }

_Static_assert(TC_PKT_NERR == 7, "a parse error reason was added or removed: "
                                 "update the PERR rows of tc_icp_stats");

#define OUTCOME(key, lval, help, f)                                            \
    CNT(key, "intercept_replies_total", "outcome", lval, help, f)
#define CONTROL(key, lval, help, f)                                            \
    CNT(key, "intercept_control_total", "event", lval, help, f)
#define ROUTES(key, lval, help, f)                                             \
    CNT(key, "intercept_routes_total", "event", lval, help, f)

/* In the order of the log line. */
const tc_stat_t tc_icp_stats[] = {
    CNT("packets", "intercept_packets_total", NULL, NULL,
        "Replies handed over by the capture input.", l.packets),
    CNT("tcp", "intercept_tcp_packets_total", NULL, NULL,
        "Replies parsed as IP+TCP.", l.tcp),
    CNT("accept", "intercept_verdicts_total", "verdict", "accept",
        "Replies by verdict (pass: client on the pass list).", l.accept),
    CNT("drop", "intercept_verdicts_total", "verdict", "drop", NULL, l.drop),
    CNT("pass", "intercept_verdicts_total", "verdict", "pass", NULL, l.pass),
    OUTCOME("delivered", "delivered", "Reply headers by what became of them.",
            l.delivered),
    OUTCOME("held", "held", NULL, r.held),
    OUTCOME("held_delivered", "held_delivered", NULL, r.held_delivered),
    OUTCOME("expired_no_route", "expired_no_route", NULL, r.expired_no_route),
    OUTCOME("held_overflow", "held_overflow", NULL, r.held_overflow),
    GAUGE("held_now", "intercept_held_replies",
          "Replies held waiting for their route now.", held_now),
    OUTCOME("queue_full", "queue_full", NULL, l.queue_full),
    OUTCOME("no_conn", "no_conn", NULL, l.no_conn),
    CNT("enobufs", "intercept_kernel_drops_total", "where", "enobufs",
        "Replies the kernel dropped before intercept saw them.", enobufs),
    CNT("kernel_dropped", "intercept_kernel_drops_total", "where", "queue_full",
        NULL, kernel_dropped),
    CNT("kernel_user_dropped", "intercept_kernel_drops_total", "where",
        "socket_full", NULL, kernel_user_dropped),
    CNT("verdict_errors", "intercept_verdict_errors_total", NULL, NULL,
        "Verdicts the kernel refused.", verdict_errors),
    CNT("recv_errors", "intercept_capture_errors_total", "reason", "recv_error",
        "Input reads that failed, and captured frames that held no IP "
        "packet (skipped).",
        recv_errors),
    CNT("link_not_ip", "intercept_capture_errors_total", "reason",
        "link_not_ip", NULL, link_not_ip),
    GAUGE("conns", "intercept_control_connections",
          "tcpcopy connections open now.", conns),
    CONTROL("conns_accepted", "accepted",
            "Control connections and protocol events.", l.conns_accepted),
    CONTROL("conns_closed", "closed", NULL, l.conns_closed),
    CONTROL("conns_refused", "refused", NULL, l.conns_refused),
    GAUGE("routes", "intercept_routes",
          "Client addresses routed to a tcpcopy now.", routes),
    ROUTES("routes_added", "added", "Route table changes.", r.routes_added),
    ROUTES("routes_removed", "removed", NULL, r.routes_removed),
    ROUTES("routes_overridden", "overridden", NULL, r.routes_overridden),
    ROUTES("routes_full", "full", NULL, r.routes_full),
    ROUTES("routes_del_other", "del_other", NULL, r.routes_del_other),
    CONTROL("proto_errors", "proto_error", NULL, l.proto_errors),
    CONTROL("frames_unknown", "unknown_frame", NULL, l.frames_unknown),
    CNT("nat_rewritten", "intercept_nat_rewritten_total", NULL, NULL,
        "Replies whose source was put back from a container's address to "
        "the one tcpcopy knows (--nat).",
        l.nat_rewritten),
    PERR("trunc", TC_PKT_ETRUNC, "Replies that did not parse, by reason."),
    PERR("ipver", TC_PKT_EVERSION, NULL),
    PERR("iphdr", TC_PKT_EIPHDR, NULL),
    PERR("notcp", TC_PKT_EPROTO, NULL),
    PERR("frag", TC_PKT_EFRAG, NULL),
    PERR("tcphdr", TC_PKT_ETCPHDR, NULL),
};

const size_t tc_icp_nstats = tc_nelems(tc_icp_stats);

#define CONN(key, metric, label, lval, type, help, f)                          \
    {                                                                          \
        "", key, metric, label, lval, help, offsetof(tc_icp_conn_snap_t, f),   \
            type, 0, NULL                                                      \
    }

/* In the order of the SIGUSR1 line ("control connection N: ... ready"). */
const tc_stat_t tc_icp_conn_stats[] = {
    /* the line says "ready" or "hello" instead of a key */
    CONN(NULL, "intercept_control_conn_ready", NULL, NULL, TC_STAT_GAUGE,
         "1 once the connection's HELLO is done.", ready),
    CONN("replies", "intercept_control_conn_replies_total", NULL, NULL,
         TC_STAT_COUNTER, "REPLY frames queued, by control connection.",
         replies),
    CONN("queue_full", "intercept_control_conn_queue_full_total", NULL, NULL,
         TC_STAT_COUNTER,
         "REPLYs dropped because the connection's queue was full.", queue_full),
    CONN("queued_bytes", "intercept_control_conn_queued_bytes", NULL, NULL,
         TC_STAT_GAUGE, "Output waiting to be sent now.", queued_bytes),
    CONN("sent_bytes", "intercept_control_conn_sent_bytes_total", NULL, NULL,
         TC_STAT_COUNTER, "Bytes sent, by control connection.", sent_bytes),
    CONN("route_adds", "intercept_control_conn_routes_total", "op", "add",
         TC_STAT_COUNTER, "ROUTE entries received, by control connection.",
         route_adds),
    CONN("route_dels", "intercept_control_conn_routes_total", "op", "del",
         TC_STAT_COUNTER, NULL, route_dels),
};

const size_t tc_icp_conn_nstats = tc_nelems(tc_icp_conn_stats);


void
tc_icp_snapshot(const tc_icp_cycle_t *c, tc_icp_snap_t *s)
{
    tc_icp_capture_stats_t cs;

    tc_icp_capture_stats(c, &cs);

    memset(s, 0, sizeof(*s));
    s->l = c->ledger;
    if (c->router != NULL) {
        s->r = *tc_router_stats(c->router);
        s->held_now = tc_router_held_now(c->router);
        s->routes = tc_router_routes(c->router);
    }
    s->enobufs = cs.enobufs;
    s->kernel_dropped = cs.kernel_dropped;
    s->kernel_user_dropped = cs.kernel_user_dropped;
    s->verdict_errors = cs.verdict_errors;
    s->recv_errors = cs.recv_errors;
    s->link_not_ip = cs.link_not_ip;
    s->conns = c->server != NULL ? tc_icp_server_conns(c->server) : 0;
}


char *
tc_icp_ledger_format(const tc_icp_snap_t *s, char *buf, size_t size)
{
    (void) tc_stats_format(tc_icp_stats, tc_icp_nstats, s, buf, size);
    return buf;
}


void
tc_icp_ledger_prom(const tc_icp_snap_t *s, tc_mtext_t *t)
{
    tc_stats_prom(tc_icp_stats, tc_icp_nstats, s, sizeof(*s), NULL, 1, t);
}


char *
tc_icp_conn_format(const tc_icp_conn_snap_t *c, char *buf, size_t size)
{
    (void) tc_stats_format(tc_icp_conn_stats, tc_icp_conn_nstats, c, buf, size);
    return buf;
}


void
tc_icp_conn_prom(const tc_icp_conn_snap_t *conns, const char *const *labels,
                 size_t n, tc_mtext_t *t)
{
    tc_stats_prom(tc_icp_conn_stats, tc_icp_conn_nstats, conns, sizeof(*conns),
                  labels, n, t);
}


void
tc_icp_metrics_render(void *data, tc_mtext_t *t)
{
    const tc_icp_cycle_t *c = data;
    tc_icp_snap_t         s;

    tc_icp_snapshot(c, &s);
    tc_icp_ledger_prom(&s, t);
    tc_icp_server_prom(c->server, t);
}
