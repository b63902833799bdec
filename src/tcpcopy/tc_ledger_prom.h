/*
 * tc_ledger_prom.h: tcpcopy's ledger in the Prometheus text format, for
 * --metrics (served by src/event/tc_metrics.c).  Generated from the same
 * table as the log line (tc_ledger_stats in tc_ledger.c).
 */
#ifndef TC_LEDGER_PROM_H_INCLUDED
#define TC_LEDGER_PROM_H_INCLUDED

#include "tc_ledger.h"
#include "tc_metrics.h"

/*
 * Writes every field of tc_ledger_stats into t, e.g.
 * tcpcopy_sessions_ended_total{reason}, tcpcopy_client_bytes_total{stage},
 * packets, segments, replies, control channel, and the gauges (sessions
 * open, memory, intercepts ready, copies); the offline families only when
 * replaying a file.
 */
void tc_ledger_prom(const tc_ledger_t *l, tc_mtext_t *t);

/*
 * Writes n control connections' counters (tc_ledger_conn_stats) into t,
 * connection i's samples labelled with labels[i] (e.g.
 * intercept="10.0.0.2:36524",conn="0").
 */
void tc_ledger_conn_prom(const tc_ledger_conn_t *conns,
                         const char *const *labels, size_t n, tc_mtext_t *t);

#endif /* TC_LEDGER_PROM_H_INCLUDED */
