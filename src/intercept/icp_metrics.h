/*
 * icp_metrics.h: intercept's ledger in the Prometheus text format, for
 * --metrics (served by src/event/tc_metrics.c).
 */
#ifndef TC_ICP_METRICS_H_INCLUDED
#define TC_ICP_METRICS_H_INCLUDED

#include "intercept.h"
#include "tc_metrics.h"

/*
 * tc_metrics_render_pt for intercept: data is the tc_icp_cycle_t.  Writes
 * replies by verdict and outcome, kernel drops, control connections,
 * routes and held replies (queue depth).
 */
void tc_icp_metrics_render(void *data, tc_mtext_t *t);

#endif /* TC_ICP_METRICS_H_INCLUDED */
