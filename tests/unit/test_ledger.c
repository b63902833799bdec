/*
 * test_ledger.c: both daemons' ledgers are one table each (tc_stats.h);
 * every field of the ledger struct has an entry, and each entry shows in
 * both the log line and the Prometheus text with its own value.  Each
 * uint64_t slot gets a distinct value, so an entry pointing at the wrong
 * field, a field missing from one view, or a field missing from the table
 * fails here.  The zero ledgers' lines are pinned too: e2e tests and
 * scripts grep their keys.
 */
#include "tc_config.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "icp_metrics.h"
#include "t_harness.h"
#include "tc_ledger.h"
#include "tc_ledger_prom.h"
#include "tc_stats.h"

#define SLOTS_MAX 128

static char log_buf[8192];
static char prom_buf[65536];

/* Which table is being checked, for the failure output. */
typedef struct {
    const char      *name;
    const tc_stat_t *tab;
    size_t           n;
    size_t           size; /* of the ledger struct */
    const size_t    *skip; /* slot offsets with no entry, on purpose */
    size_t           nskip;
} table_t;


static uint64_t
slot_value(size_t off)
{
    return 1000003u + 7919u * (off / sizeof(uint64_t));
}


static void
fill(void *base, size_t size)
{
    size_t   off;
    uint64_t v;

    for (off = 0; off + sizeof(v) <= size; off += sizeof(v)) {
        v = slot_value(off);
        memcpy((char *) base + off, &v, sizeof(v));
    }
}


/* "key=value" in the log as a whole token (no longer key, no more
 * digits). */
static bool
log_has(const char *log, const char *key, uint64_t v)
{
    char        tok[128];
    const char *p = log;
    size_t      len;

    snprintf(tok, sizeof(tok), "%s=%llu", key, (unsigned long long) v);
    len = strlen(tok);
    while ((p = strstr(p, tok)) != NULL) {
        if ((p == log || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\0')) {
            return true;
        }
        p++;
    }
    return false;
}


/* The sample line of f with value v (labels of a single ledger). */
static bool
prom_has(const char *text, const tc_stat_t *f, const char *row, uint64_t v)
{
    char line[512];

    if (f->label != NULL) {
        snprintf(line, sizeof(line), "\n%s{%s%s%s=\"%s\"} %llu\n", f->metric,
                 row, row[0] ? "," : "", f->label, f->lval,
                 (unsigned long long) v);
    } else if (row[0] != '\0') {
        snprintf(line, sizeof(line), "\n%s{%s} %llu\n", f->metric, row,
                 (unsigned long long) v);
    } else {
        snprintf(line, sizeof(line), "\n%s %llu\n", f->metric,
                 (unsigned long long) v);
    }
    return strstr(text, line) != NULL;
}


/* The line is exactly want; shows both when not. */
static void
line_is(const char *line, const char *want)
{
    bool same = strcmp(line, want) == 0;

    T_CHECK(same);
    if (!same) {
        printf("# got:  %s\n# want: %s\n", line, want);
    }
}


/* Every slot of the struct is one entry's field, or listed as skipped. */
static void
check_coverage(const table_t *t)
{
    unsigned refs[SLOTS_MAX];
    size_t   i, s, off;

    T_CHECK(t->size / sizeof(uint64_t) <= SLOTS_MAX);
    memset(refs, 0, sizeof(refs));
    for (i = 0; i < t->n; i++) {
        T_CHECK(t->tab[i].offset % sizeof(uint64_t) == 0);
        T_CHECK(t->tab[i].offset + sizeof(uint64_t) <= t->size);
        refs[t->tab[i].offset / sizeof(uint64_t) % SLOTS_MAX]++;
    }
    for (s = 0; s < t->nskip; s++) {
        refs[t->skip[s] / sizeof(uint64_t)] += 100;
    }
    for (off = 0; off < t->size; off += sizeof(uint64_t)) {
        if (refs[off / sizeof(uint64_t)] != 1 &&
            refs[off / sizeof(uint64_t)] != 100) {
            printf("# %s: field at offset %zu has %u entries\n", t->name, off,
                   refs[off / sizeof(uint64_t)]);
            T_CHECK(false);
        }
    }
}


/* Families are consistent: one type, one label name, help on the first
 * field only; names are Prometheus-style; no sample or key twice. */
static void
check_families(const table_t *t)
{
    const tc_stat_t *a, *b;
    size_t           i, j;
    bool             first;

    for (i = 0; i < t->n; i++) {
        a = &t->tab[i];
        T_CHECK(a->type == TC_STAT_COUNTER || a->type == TC_STAT_GAUGE);
        T_CHECK(strspn(a->metric, "abcdefghijklmnopqrstuvwxyz_0123456789") ==
                strlen(a->metric));
        T_CHECK((a->type == TC_STAT_COUNTER) ==
                (strlen(a->metric) > 6 &&
                 strcmp(a->metric + strlen(a->metric) - 6, "_total") == 0));
        T_CHECK((a->label == NULL) == (a->lval == NULL));
        T_CHECK(a->group != NULL);
        first = true;
        for (j = 0; j < i; j++) {
            b = &t->tab[j];
            if (strcmp(a->metric, b->metric) == 0) {
                first = false;
                T_CHECK(a->type == b->type);
                T_CHECK((a->label == NULL) == (b->label == NULL));
                T_CHECK(a->label == NULL || (strcmp(a->label, b->label) == 0 &&
                                             strcmp(a->lval, b->lval) != 0));
            }
            if (a->key != NULL && b->key != NULL) {
                T_CHECK(strcmp(a->key, b->key) != 0 ||
                        strcmp(a->group, b->group) != 0);
            }
        }
        if (first != (a->help != NULL)) {
            printf("# %s: %s: help on the first field only\n", t->name,
                   a->metric);
            T_CHECK(false);
        }
    }
}


/* Each entry's own value in both views of one ledger at base. */
static void
check_views(const table_t *t, const void *base, const char *log,
            const char *prom, const char *row)
{
    const tc_stat_t *f;
    uint64_t         v;
    size_t           i;

    for (i = 0; i < t->n; i++) {
        f = &t->tab[i];
        v = tc_stat_value(f, base);
        T_CHECK_EQ(v, slot_value(f->offset));
        if (f->key != NULL && !log_has(log, f->key, v)) {
            printf("# %s: %s=%llu not in the log line\n", t->name, f->key,
                   (unsigned long long) v);
            T_CHECK(false);
        }
        if (!prom_has(prom, f, row, v)) {
            printf("# %s: %s %s not in the metrics\n", t->name, f->metric,
                   f->lval ? f->lval : "");
            T_CHECK(false);
        }
    }
}


/* A per-connection table: consistent, and only its ready state (at
 * ready_off, told in the line's own words) has no log key. */
static void
check_conn_table(const table_t *t, size_t ready_off)
{
    size_t i;

    check_coverage(t);
    check_families(t);
    for (i = 0; i < t->n; i++) {
        T_CHECK((t->tab[i].key == NULL) == (t->tab[i].offset == ready_off));
    }
}


static void
test_tcpcopy_table(void)
{
    const table_t t = {"tcpcopy",
                       tc_ledger_stats,
                       tc_ledger_nstats,
                       sizeof(tc_ledger_t),
                       NULL,
                       0};
    tc_ledger_t   l;
    tc_mtext_t    m = {prom_buf, sizeof(prom_buf), 0, false};

    check_coverage(&t);
    check_families(&t);

    fill(&l, sizeof(l)); /* off_loops and copies > 1: everything shows */
    tc_ledger_format(&l, log_buf, sizeof(log_buf));
    tc_ledger_prom(&l, &m);
    T_CHECK(!m.overflow);
    prom_buf[m.len] = '\0';
    check_views(&t, &l, log_buf, prom_buf, "");
    T_CHECK(strstr(log_buf, " | copies=") != NULL);
    T_CHECK(strstr(log_buf, " delivered=") != NULL);
}


/* The sessions_ended_total reasons are tc_end_reason_str()'s, so a name
 * in the metrics is the one the session module logs. */
static void
test_tcpcopy_reasons(void)
{
    const tc_stat_t *f;
    size_t           i, r, off, found;

    for (r = 0; r < TC_END_NREASONS; r++) {
        off = offsetof(tc_ledger_t, sess_ended) + r * sizeof(uint64_t);
        found = 0;
        for (i = 0; i < tc_ledger_nstats; i++) {
            f = &tc_ledger_stats[i];
            if (f->offset == off) {
                found++;
                T_CHECK(strcmp(f->metric, "tcpcopy_sessions_ended_total") == 0);
                T_CHECK(strcmp(f->lval, tc_end_reason_str((int) r)) == 0);
            }
        }
        T_CHECK_EQ(found, 1);
    }
}


/* What shows only sometimes: the offline group with --offline, copies and
 * the multiple delivered with -n > 1. */
static void
test_tcpcopy_conditional(void)
{
    tc_ledger_t l;
    tc_mtext_t  m = {prom_buf, sizeof(prom_buf), 0, false};

    memset(&l, 0, sizeof(l));
    l.copies = 1;
    tc_ledger_format(&l, log_buf, sizeof(log_buf));
    tc_ledger_prom(&l, &m);
    prom_buf[m.len] = '\0';
    T_CHECK(strstr(log_buf, "offline") == NULL);
    T_CHECK(strstr(log_buf, "copies") == NULL);
    T_CHECK(strstr(log_buf, "delivered") == NULL);
    T_CHECK(strstr(prom_buf, "tcpcopy_offline") == NULL);
    T_CHECK(strstr(prom_buf, "\ntcpcopy_copies 1\n") != NULL);

    l.copies = 3;
    l.bytes_acked = 300;
    l.bytes_acked_orig = 100;
    l.off_loops = 1;
    tc_ledger_format(&l, log_buf, sizeof(log_buf));
    T_CHECK(strstr(log_buf, " | offline records=0 replayed=0 ") != NULL);
    T_CHECK(strstr(log_buf, " loops=1 | copies=3 delivered=3.00x") != NULL);

    /* a short buffer is cut, never overrun */
    tc_ledger_format(&l, log_buf, 10);
    T_CHECK_EQ(strlen(log_buf), 9);
}


/* The keys e2e tests and scripts grep, in their places. */
static void
test_tcpcopy_line(void)
{
    tc_ledger_t l;

    memset(&l, 0, sizeof(l));
    l.copies = 1;
    tc_ledger_format(&l, log_buf, sizeof(log_buf));
    line_is(log_buf,
            "sessions active=0 opened=0 midstream=0 closed=0 "
            "keepalive_closed=0 | not replayed sampled_out=0 no_syn=0 "
            "no_room=0 | aborted target_rst=0 refused=0 "
            "syn_timeout=0 retrans_limit=0 idle=0 seq_gap=0 "
            "port_reuse=0 memory=0 shutdown=0 | client bytes "
            "captured=0 sent=0 acked=0 acked_copy0=0 lost=0 gap=0 "
            "dup=0 | answers online=0 target=0 | segs sent=0 "
            "retrans=0 send_err=0 emsgsize=0 eperm=0 enobufs=0 | pkts "
            "captured=0 matched=0 bad=0 no_session=0 late=0 drops=0 | "
            "replies=0 unknown=0 foreign=0 bad=0 waits=0 wait_timeouts=0 "
            "catchups=0 close_short=0 | memory bytes=0 | ctl up=0 "
            "down=0 routes=0 "
            "unsent=0 ready=0");
}


static void
test_tcpcopy_conns(void)
{
    const table_t    t = {"tcpcopy conn",
                          tc_ledger_conn_stats,
                          tc_ledger_conn_nstats,
                          sizeof(tc_ledger_conn_t),
                          NULL,
                          0};
    const char      *labels[2] = {"intercept=\"10.0.0.1:36524\",conn=\"0\"",
                                  "intercept=\"10.0.0.1:36524\",conn=\"1\""};
    tc_ledger_conn_t c[2];
    tc_mtext_t       m = {prom_buf, sizeof(prom_buf), 0, false};

    /* only the ready state has no key: the line says "ready" or "down" */
    check_conn_table(&t, offsetof(tc_ledger_conn_t, ready));

    fill(&c[0], sizeof(c[0]));
    memset(&c[1], 0, sizeof(c[1]));
    tc_ledger_conn_prom(c, labels, 2, &m);
    T_CHECK(!m.overflow);
    prom_buf[m.len] = '\0';
    tc_ledger_conn_format(&c[0], log_buf, sizeof(log_buf));
    check_views(&t, &c[0], log_buf, prom_buf, labels[0]);
    T_CHECK(strstr(prom_buf,
                   "\ntcpcopy_control_conn_replies_total{"
                   "intercept=\"10.0.0.1:36524\",conn=\"1\"} 0\n") != NULL);
    /* one head per family, before both connections' samples */
    T_CHECK(strstr(strstr(prom_buf, "conn=\"1\"} 0\n"),
                   "# TYPE tcpcopy_control_conn_ready") == NULL);

    memset(&c[0], 0, sizeof(c[0]));
    tc_ledger_conn_format(&c[0], log_buf, sizeof(log_buf));
    T_CHECK(strcmp(log_buf, "replies=0 routes=0 connects=0 disconnects=0") ==
            0);
}


static void
test_intercept_table(void)
{
    const size_t  skip[] = {offsetof(tc_icp_snap_t, l.perr[TC_PKT_OK])};
    const table_t t = {"intercept",           tc_icp_stats, tc_icp_nstats,
                       sizeof(tc_icp_snap_t), skip,         tc_nelems(skip)};
    tc_icp_snap_t s;
    tc_mtext_t    m = {prom_buf, sizeof(prom_buf), 0, false};
    char          key[32];
    size_t        i, e;

    check_coverage(&t);
    check_families(&t);

    fill(&s, sizeof(s));
    tc_icp_ledger_format(&s, log_buf, sizeof(log_buf));
    tc_icp_ledger_prom(&s, &m);
    T_CHECK(!m.overflow);
    prom_buf[m.len] = '\0';
    check_views(&t, &s, log_buf, prom_buf, "");

    /* parse errors: keys and labels are tc_pkt_err_key()'s */
    for (e = 1; e < TC_PKT_NERR; e++) {
        snprintf(key, sizeof(key), "perr_%s", tc_pkt_err_key((int) e));
        for (i = 0; i < t.n; i++) {
            if (t.tab[i].offset ==
                offsetof(tc_icp_snap_t, l.perr[0]) + e * sizeof(uint64_t)) {
                T_CHECK(strcmp(t.tab[i].key, key) == 0);
                T_CHECK(strcmp(t.tab[i].lval, key + 5) == 0);
            }
        }
    }
}


/* The keys e2e tests grep; parse errors only once they happened (the
 * metrics always have them). */
static void
test_intercept_line(void)
{
    tc_icp_snap_t s;
    tc_mtext_t    m = {prom_buf, sizeof(prom_buf), 0, false};

    memset(&s, 0, sizeof(s));
    tc_icp_ledger_format(&s, log_buf, sizeof(log_buf));
    line_is(log_buf, "packets=0 tcp=0 accept=0 drop=0 pass=0 delivered=0 "
                     "held=0 held_delivered=0 expired_no_route=0 "
                     "held_overflow=0 held_now=0 queue_full=0 no_conn=0 "
                     "enobufs=0 kernel_dropped=0 kernel_user_dropped=0 "
                     "verdict_errors=0 recv_errors=0 link_not_ip=0 conns=0 "
                     "conns_accepted=0 conns_closed=0 conns_refused=0 "
                     "routes=0 routes_added=0 routes_removed=0 "
                     "routes_overridden=0 routes_full=0 routes_del_other=0 "
                     "proto_errors=0 frames_unknown=0 nat_rewritten=0");
    T_CHECK(strstr(log_buf, "|") == NULL);

    s.l.perr[TC_PKT_EFRAG] = 4;
    tc_icp_ledger_format(&s, log_buf, sizeof(log_buf));
    T_CHECK(strstr(log_buf, " nat_rewritten=0 perr_frag=4") != NULL);
    T_CHECK(strstr(log_buf, "perr_trunc") == NULL);

    tc_icp_ledger_prom(&s, &m);
    prom_buf[m.len] = '\0';
    T_CHECK(strstr(prom_buf, "\nintercept_parse_errors_total{reason=\"trunc\"} "
                             "0\n") != NULL);
    T_CHECK(strstr(prom_buf,
                   "\nintercept_parse_errors_total{reason=\"frag\"} 4\n") !=
            NULL);
}


static void
test_intercept_conns(void)
{
    const table_t      t = {"intercept conn",
                            tc_icp_conn_stats,
                            tc_icp_conn_nstats,
                            sizeof(tc_icp_conn_snap_t),
                            NULL,
                            0};
    const char        *labels[2] = {"conn=\"1\",tcpcopy=\"a\"",
                                    "conn=\"2\",tcpcopy=\"b\""};
    tc_icp_conn_snap_t c[2];
    tc_mtext_t         m = {prom_buf, sizeof(prom_buf), 0, false};

    check_conn_table(&t, offsetof(tc_icp_conn_snap_t, ready));

    fill(&c[0], sizeof(c[0]));
    memset(&c[1], 0, sizeof(c[1]));
    tc_icp_conn_prom(c, labels, 2, &m);
    T_CHECK(!m.overflow);
    prom_buf[m.len] = '\0';
    tc_icp_conn_format(&c[0], log_buf, sizeof(log_buf));
    check_views(&t, &c[0], log_buf, prom_buf, labels[0]);

    /* the SIGUSR1 line as it was */
    memset(&c[0], 0, sizeof(c[0]));
    tc_icp_conn_format(&c[0], log_buf, sizeof(log_buf));
    line_is(log_buf, "replies=0 queue_full=0 queued_bytes=0 sent_bytes=0 "
                     "route_adds=0 route_dels=0");
}


int
main(void)
{
    T_RUN(test_tcpcopy_table);
    T_RUN(test_tcpcopy_reasons);
    T_RUN(test_tcpcopy_conditional);
    T_RUN(test_tcpcopy_line);
    T_RUN(test_tcpcopy_conns);
    T_RUN(test_intercept_table);
    T_RUN(test_intercept_line);
    T_RUN(test_intercept_conns);
    return T_REPORT();
}
