/*
 * tc_ledger_prom.h: tcpcopy's ledger in the Prometheus text format, for
 * --metrics (served by src/event/tc_metrics.c).
 */
#ifndef TC_LEDGER_PROM_H_INCLUDED
#define TC_LEDGER_PROM_H_INCLUDED

#include "tc_ledger.h"
#include "tc_metrics.h"

/*
 * Writes every ledger counter into t: tcpcopy_sessions_ended_total{reason},
 * tcpcopy_client_bytes_total{stage}, packets, segments, replies, control
 * channel, and the gauges (sessions open, memory, intercepts ready given as
 * ctl_ready).
 */
void tc_ledger_prom(const tc_ledger_t *l, size_t ctl_ready, tc_mtext_t *t);

#endif /* TC_LEDGER_PROM_H_INCLUDED */
