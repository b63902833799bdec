/*
 * tc_ledger_prom.c: tcpcopy's ledger as Prometheus metrics.  Nothing here
 * names a counter: the families, labels and help texts are in the ledger's
 * table (tc_ledger.c), shared with the log line.
 */
#include "tc_config.h"

#include "tc_ctl.h"
#include "tc_ledger_prom.h"

#define LEDGER_CONNS_MAX (TC_CTL_PEERS_MAX * TC_CTL_CONNS_MAX)


void
tc_ledger_prom(const tc_ledger_t *l, tc_mtext_t *t)
{
    const void *row = l;

    tc_stats_prom(tc_ledger_stats, tc_ledger_nstats, &row, NULL, 1, t);
}


void
tc_ledger_conn_prom(const tc_ledger_conn_t *conns, const char *const *labels,
                    size_t n, tc_mtext_t *t)
{
    const void *rows[LEDGER_CONNS_MAX];
    size_t      i;

    n = tc_min(n, tc_nelems(rows));
    for (i = 0; i < n; i++) {
        rows[i] = &conns[i];
    }
    tc_stats_prom(tc_ledger_conn_stats, tc_ledger_conn_nstats, rows, labels, n,
                  t);
}
