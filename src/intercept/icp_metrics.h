/*
 * icp_metrics.h: intercept's ledger described once (tc_stats.h): the log
 * line (--stats-interval, SIGUSR1, exit) and the Prometheus text
 * (--metrics, served by src/event/tc_metrics.c) are both generated from
 * the table in icp_metrics.c.
 */
#ifndef TC_ICP_METRICS_H_INCLUDED
#define TC_ICP_METRICS_H_INCLUDED

#include "intercept.h"
#include "tc_metrics.h"
#include "tc_stats.h"

/*
 * Everything the ledger shows, copied at one moment: the cycle's counters,
 * the router's, the capture input's, and the gauges.  Only uint64_t
 * fields, every one of them in tc_icp_stats (the unit test checks it).
 */
typedef struct {
    tc_icp_ledger_t   l;
    tc_router_stats_t r;
    /* from the capture input (tc_icp_capture_stats_t) */
    uint64_t enobufs;
    uint64_t kernel_dropped;
    uint64_t kernel_user_dropped;
    uint64_t verdict_errors;
    uint64_t recv_errors;
    uint64_t link_not_ip;
    /* gauges */
    uint64_t held_now; /* replies held waiting for their route */
    uint64_t conns;    /* control connections open */
    uint64_t routes;   /* client addresses routed */
} tc_icp_snap_t;

/* The ledger's table, in log-line order. */
extern const tc_stat_t tc_icp_stats[];
extern const size_t    tc_icp_nstats;

/* Fills s from the cycle (the capture input and the server may be absent:
 * their figures are then 0). */
void tc_icp_snapshot(const tc_icp_cycle_t *c, tc_icp_snap_t *s);

/*
 * Formats the ledger line's "key=value ..." part into buf (NUL-terminated,
 * cut short when size is too small); parse errors only for the reasons
 * that happened.  Returns buf.
 */
char *tc_icp_ledger_format(const tc_icp_snap_t *s, char *buf, size_t size);

/* Writes every field of the table as Prometheus samples into t. */
void tc_icp_ledger_prom(const tc_icp_snap_t *s, tc_mtext_t *t);

/* One control connection's counters (server.c fills one per connection
 * for SIGUSR1, the exit and --metrics). */
typedef struct {
    uint64_t replies;      /* REPLY frames queued to it */
    uint64_t queue_full;   /* REPLYs dropped: its queue over the HWM */
    uint64_t queued_bytes; /* output waiting now (gauge) */
    uint64_t sent_bytes;
    uint64_t route_adds; /* ROUTE entries received */
    uint64_t route_dels;
    uint64_t ready; /* 1 once its HELLO is done (gauge) */
} tc_icp_conn_snap_t;

/* The per-connection table (labelled conn=, tcpcopy= in metrics). */
extern const tc_stat_t tc_icp_conn_stats[];
extern const size_t    tc_icp_conn_nstats;

/* Formats one connection's "key=value ..." (the ready state is left to
 * the caller's words).  Returns buf. */
char *tc_icp_conn_format(const tc_icp_conn_snap_t *c, char *buf, size_t size);

/* Writes n connections' counters into t, connection i's samples labelled
 * with labels[i]. */
void tc_icp_conn_prom(const tc_icp_conn_snap_t *conns,
                      const char *const *labels, size_t n, tc_mtext_t *t);

/* server.c: every open control connection's counters into t (the families
 * of tc_icp_conn_stats).  NULL is ignored. */
void tc_icp_server_prom(const tc_icp_server_t *srv, tc_mtext_t *t);

/* tc_metrics_render_pt for intercept: data is the tc_icp_cycle_t. */
void tc_icp_metrics_render(void *data, tc_mtext_t *t);

#endif /* TC_ICP_METRICS_H_INCLUDED */
