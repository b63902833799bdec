/*
 * icp_metrics.c: intercept's ledger as Prometheus metrics (see
 * icp_metrics.h).  One table per family, as in tcpcopy's.
 */
#include "tc_config.h"

#include <stdio.h>
#include <string.h>

#include "icp_metrics.h"
#include "router.h"

typedef struct {
    const char     *label;
    const uint64_t *value;
} icp_prom_item_t;

static void icp_family(tc_mtext_t *t, const char *name, const char *help,
                       const icp_prom_item_t *items, size_t n);
static void icp_replies(const tc_icp_cycle_t *c, tc_mtext_t *t);
static void icp_kernel(const tc_icp_cycle_t *c, tc_mtext_t *t);
static void icp_control(const tc_icp_cycle_t *c, tc_mtext_t *t);


static void
icp_family(tc_mtext_t *t, const char *name, const char *help,
           const icp_prom_item_t *items, size_t n)
{
    size_t i;

    tc_mtext_head(t, name, "counter", help);
    for (i = 0; i < n; i++) {
        tc_mtext_value(t, name, items[i].label, *items[i].value);
    }
}


static void
icp_replies(const tc_icp_cycle_t *c, tc_mtext_t *t)
{
    const tc_icp_ledger_t   *l = &c->ledger;
    const tc_router_stats_t *r = tc_router_stats(c->router);
    char                     label[64];
    int                      i;

    const icp_prom_item_t verdicts[] = {
        {"verdict=\"drop\"", &l->drop},
        {"verdict=\"accept\"", &l->accept},
        {"verdict=\"pass\"", &l->pass},
    };
    const icp_prom_item_t outcome[] = {
        {"outcome=\"delivered\"", &l->delivered},
        {"outcome=\"held\"", &r->held},
        {"outcome=\"held_delivered\"", &r->held_delivered},
        {"outcome=\"expired_no_route\"", &r->expired_no_route},
        {"outcome=\"held_overflow\"", &r->held_overflow},
        {"outcome=\"queue_full\"", &l->queue_full},
        {"outcome=\"no_conn\"", &l->no_conn},
    };

    tc_mtext_one(t, "intercept_packets_total", "counter",
                 "Replies handed over by the capture input.", l->packets);
    tc_mtext_one(t, "intercept_nat_rewritten_total", "counter",
                 "Replies whose source was put back from a container's "
                 "address to the one tcpcopy knows (--nat).",
                 l->nat_rewritten);
    icp_family(t, "intercept_verdicts_total",
               "Replies by verdict (pass: client on the pass list).", verdicts,
               tc_nelems(verdicts));
    icp_family(t, "intercept_replies_total",
               "Reply headers by what became of them.", outcome,
               tc_nelems(outcome));

    tc_mtext_head(t, "intercept_parse_errors_total", "counter",
                  "Replies that did not parse, by reason.");
    for (i = 1; i < TC_PKT_NERR; i++) {
        snprintf(label, sizeof(label), "reason=\"%s\"", tc_pkt_err_key(i));
        tc_mtext_value(t, "intercept_parse_errors_total", label, l->perr[i]);
    }
}


static void
icp_kernel(const tc_icp_cycle_t *c, tc_mtext_t *t)
{
    tc_icp_capture_stats_t cs;

    memset(&cs, 0, sizeof(cs));
    if (c->capture != NULL && c->capture->priv != NULL) {
        c->capture->ops->stats(c->capture, &cs);
    }

    {
        const icp_prom_item_t drops[] = {
            {"where=\"queue_full\"", &cs.kernel_dropped},
            {"where=\"socket_full\"", &cs.kernel_user_dropped},
            {"where=\"enobufs\"", &cs.enobufs},
        };
        icp_family(t, "intercept_kernel_drops_total",
                   "Replies the kernel dropped before intercept saw them.",
                   drops, tc_nelems(drops));
    }
    tc_mtext_one(t, "intercept_verdict_errors_total", "counter",
                 "Verdicts the kernel refused.", cs.verdict_errors);
    {
        const icp_prom_item_t errs[] = {
            {"reason=\"recv_error\"", &cs.recv_errors},
            {"reason=\"link_not_ip\"", &cs.link_not_ip},
        };
        icp_family(t, "intercept_capture_errors_total",
                   "Input reads that failed, and captured frames that held "
                   "no IP packet (skipped).",
                   errs, tc_nelems(errs));
    }
}


static void
icp_control(const tc_icp_cycle_t *c, tc_mtext_t *t)
{
    const tc_icp_ledger_t   *l = &c->ledger;
    const tc_router_stats_t *r = tc_router_stats(c->router);

    const icp_prom_item_t conns[] = {
        {"event=\"accepted\"", &l->conns_accepted},
        {"event=\"closed\"", &l->conns_closed},
        {"event=\"refused\"", &l->conns_refused},
        {"event=\"proto_error\"", &l->proto_errors},
        {"event=\"unknown_frame\"", &l->frames_unknown},
    };
    const icp_prom_item_t routes[] = {
        {"event=\"added\"", &r->routes_added},
        {"event=\"removed\"", &r->routes_removed},
        {"event=\"overridden\"", &r->routes_overridden},
        {"event=\"full\"", &r->routes_full},
    };

    icp_family(t, "intercept_control_total",
               "Control connections and protocol events.", conns,
               tc_nelems(conns));
    icp_family(t, "intercept_routes_total", "Route table changes.", routes,
               tc_nelems(routes));
    tc_mtext_one(t, "intercept_control_connections", "gauge",
                 "tcpcopy connections open now.",
                 c->server ? tc_icp_server_conns(c->server) : 0);
    tc_mtext_one(t, "intercept_routes", "gauge",
                 "Client addresses routed to a tcpcopy now.",
                 tc_router_routes(c->router));
    tc_mtext_one(t, "intercept_held_replies", "gauge",
                 "Replies held waiting for their route now.",
                 tc_router_held_now(c->router));
}


void
tc_icp_metrics_render(void *data, tc_mtext_t *t)
{
    const tc_icp_cycle_t *c = data;

    icp_replies(c, t);
    icp_kernel(c, t);
    icp_control(c, t);
}
