/*
 * tc_stats.c: the two views of a table-described ledger (see tc_stats.h).
 */
#include "tc_config.h"

#include <stdio.h>
#include <string.h>

#include "tc_stats.h"

#define TC_STATS_LABELS 512 /* row labels and the field's own label */

static size_t stats_put(char *buf, size_t size, size_t off, const char *sep,
                        const char *group, const char *key, uint64_t v);
static bool   stats_family_seen(const tc_stat_t *tab, size_t i);
static void   stats_family(const tc_stat_t *tab, size_t n, size_t first,
                           const void *rows, size_t row_size,
                           const char *const *row_labels, size_t nrows,
                           tc_mtext_t *t);


uint64_t
tc_stat_value(const tc_stat_t *f, const void *base)
{
    uint64_t v;

    memcpy(&v, (const char *) base + f->offset, sizeof(v));
    return v;
}


bool
tc_stat_shown(const tc_stat_t *f, const void *base)
{
    return f->when == NULL || f->when(base);
}


/* Appends sep, then "group " when group is not empty, then key=v; a part
 * that does not fit is cut and the rest dropped. */
static size_t
stats_put(char *buf, size_t size, size_t off, const char *sep,
          const char *group, const char *key, uint64_t v)
{
    int n;

    if (off + 1 >= size) {
        return off;
    }
    n = snprintf(buf + off, size - off, "%s%s%s%s=%llu", sep, group,
                 group[0] != '\0' ? " " : "", key, (unsigned long long) v);
    if (n < 0) {
        buf[off] = '\0';
        return off;
    }
    return (size_t) n >= size - off ? size - 1 : off + (size_t) n;
}


size_t
tc_stats_format(const tc_stat_t *tab, size_t n, const void *base, char *buf,
                size_t size)
{
    const char *group = NULL; /* of the last field written */
    const char *sep, *title;
    uint64_t    v;
    size_t      i, off = 0;

    if (size == 0) {
        return 0;
    }
    buf[0] = '\0';
    for (i = 0; i < n; i++) {
        v = tc_stat_value(&tab[i], base);
        if (tab[i].key == NULL || !tc_stat_shown(&tab[i], base) ||
            v < tab[i].log_min) {
            continue;
        }
        if (group == NULL || strcmp(group, tab[i].group) != 0) {
            sep = group == NULL ? "" : " | ";
            title = tab[i].group;
        } else {
            sep = " ";
            title = "";
        }
        off = stats_put(buf, size, off, sep, title, tab[i].key, v);
        group = tab[i].group;
    }
    return off;
}


/* Whether field i's family was already written by an earlier field. */
static bool
stats_family_seen(const tc_stat_t *tab, size_t i)
{
    size_t j;

    for (j = 0; j < i; j++) {
        if (strcmp(tab[j].metric, tab[i].metric) == 0) {
            return true;
        }
    }
    return false;
}


/* The family of field first (its first field): the head once, before the
 * first sample that exists, then every row's samples of the family. */
static void
stats_family(const tc_stat_t *tab, size_t n, size_t first, const void *rows,
             size_t row_size, const char *const *row_labels, size_t nrows,
             tc_mtext_t *t)
{
    const tc_stat_t *f;
    const char      *rl;
    const void      *row;
    bool             head = false;
    char             labels[TC_STATS_LABELS];
    size_t           r, j;
    int              k;

    for (r = 0; r < nrows; r++) {
        rl = row_labels != NULL ? row_labels[r] : "";
        row = (const char *) rows + r * row_size;
        for (j = first; j < n; j++) {
            f = &tab[j];
            if (strcmp(f->metric, tab[first].metric) != 0 ||
                !tc_stat_shown(f, row)) {
                continue;
            }
            if (!head) {
                tc_mtext_head(t, f->metric,
                              tab[first].type == TC_STAT_GAUGE ? "gauge"
                                                               : "counter",
                              tab[first].help);
                head = true;
            }
            k = snprintf(labels, sizeof(labels), "%s%s%s%s%s%s", rl,
                         rl[0] != '\0' && f->label != NULL ? "," : "",
                         f->label != NULL ? f->label : "",
                         f->label != NULL ? "=\"" : "",
                         f->label != NULL ? f->lval : "",
                         f->label != NULL ? "\"" : "");
            if (k < 0 || (size_t) k >= sizeof(labels)) {
                t->overflow = true; /* a cut label must not be served */
                return;
            }
            tc_mtext_value(t, f->metric, labels, tc_stat_value(f, row));
        }
    }
}


void
tc_stats_prom(const tc_stat_t *tab, size_t n, const void *rows, size_t row_size,
              const char *const *row_labels, size_t nrows, tc_mtext_t *t)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (!stats_family_seen(tab, i)) {
            stats_family(tab, n, i, rows, row_size, row_labels, nrows, t);
        }
    }
}
