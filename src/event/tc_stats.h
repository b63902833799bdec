/*
 * tc_stats.h: a ledger described by one table, from which both of its
 * views are generated: the key=value log line (--stats-interval, SIGUSR1,
 * exit) and the Prometheus text (--metrics).
 *
 * Each daemon used to keep the two views by hand and they drifted apart
 * (counters only in one of them).  Here a counter is one table entry that
 * names where it lives (offsetof into the daemon's struct of uint64_t),
 * its log key and group, and its metric family and label; the two
 * renderers walk the same table, so a counter added once shows in both.
 */
#ifndef TC_STATS_H_INCLUDED
#define TC_STATS_H_INCLUDED

#include "tc_core.h"
#include "tc_metrics.h"

typedef enum { TC_STAT_COUNTER = 1, TC_STAT_GAUGE } tc_stat_type_e;

/* Whether a field exists at all for this ledger (e.g. the offline group
 * only when replaying a file); base is the ledger struct. */
typedef bool (*tc_stat_when_pt)(const void *base);

typedef struct {
    /* log line: the title of the field's group ("" for none); a group
     * starts (" | " then the title) where this changes from the previous
     * field shown */
    const char *group;
    /* log line: the key of "key=value"; NULL only for a field the caller
     * shows in its own words (a connection's ready/down state) */
    const char *key;
    /* Prometheus: the family; fields of one family may be anywhere in the
     * table and are written together, in table order */
    const char     *metric;
    const char     *label;   /* label name, NULL for an unlabelled family */
    const char     *lval;    /* label value */
    const char     *help;    /* on the family's first field only, else NULL */
    size_t          offset;  /* of the uint64_t in the ledger struct */
    tc_stat_type_e  type;    /* the family's: the same on all its fields */
    uint64_t        log_min; /* the log line leaves the key out below it */
    tc_stat_when_pt when;    /* NULL: always there */
} tc_stat_t;

/* The field's value in the ledger at base (read with memcpy). */
uint64_t tc_stat_value(const tc_stat_t *f, const void *base);

/* Whether f exists for the ledger at base (its when callback). */
bool tc_stat_shown(const tc_stat_t *f, const void *base);

/*
 * Writes the log view of the ledger at base, "key=v key=v | group key=v",
 * into buf (always NUL-terminated, cut short if size is too small).
 * Returns the length written.
 */
size_t tc_stats_format(const tc_stat_t *tab, size_t n, const void *base,
                       char *buf, size_t size);

/*
 * Writes the Prometheus view of nrows ledgers (an array at rows of
 * row_size-byte structs, all described by tab) into t: each family once
 * (HELP, TYPE), then its samples, row by row.  row_labels[i]
 * ("k=\"v\",k2=\"v2\"") is put in front of each of row i's labels;
 * row_labels may be NULL for a single unlabelled ledger.
 */
void tc_stats_prom(const tc_stat_t *tab, size_t n, const void *rows,
                   size_t row_size, const char *const *row_labels, size_t nrows,
                   tc_mtext_t *t);

#endif /* TC_STATS_H_INCLUDED */
