/*
 * tc_ledger_prom.c: tcpcopy's ledger as Prometheus metrics.  Nothing here
 * names a counter: the families, labels and help texts are in the ledger's
 * table (tc_ledger.c), shared with the log line.
 */
#include "tc_config.h"

#include "tc_ledger_prom.h"


void
tc_ledger_prom(const tc_ledger_t *l, tc_mtext_t *t)
{
    tc_stats_prom(tc_ledger_stats, tc_ledger_nstats, l, sizeof(*l), NULL, 1, t);
}


void
tc_ledger_conn_prom(const tc_ledger_conn_t *conns, const char *const *labels,
                    size_t n, tc_mtext_t *t)
{
    tc_stats_prom(tc_ledger_conn_stats, tc_ledger_conn_nstats, conns,
                  sizeof(*conns), labels, n, t);
}
