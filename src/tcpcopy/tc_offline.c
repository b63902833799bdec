/*
 * tc_offline.c: offline replay of a recorded capture file (see
 * tc_offline.h).
 *
 * The driver reads one client packet ahead and keeps its due time: the
 * recorded gap since the previous client packet, divided by -a and capped
 * by -I, added to a replay-time offset kept in nanoseconds (so rounding to
 * the loop's milliseconds never accumulates).  One loop timer wakes the
 * driver when that packet is due; each wake-up hands the engine every
 * packet whose time has come, at most OFF_BUDGET of them, so that replies
 * from intercept are still read between batches when the replay runs
 * behind (-a 1000).  Records that are not client packets (the server's
 * side, other ports, other protocols) are counted and not timed: a long
 * stretch of them in the file is no pause in the replay.
 *
 * Loops (-T): loop k > 0 rewrites each client port to a port of its own,
 * planned before the replay from the ports the file uses, so no endpoint of
 * one loop is an endpoint of another (as long as the free ports last).
 *
 * End: once every loop is read, sessions still open are the connections
 * whose end the recording did not hold.  Their timeouts are shortened
 * (OFF_EOF_REST_MS at rest, at most OFF_EOF_IDLE_MS with work pending) and
 * the process stops when the engine has no live session left.
 */
#include "tc_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc_link.h"
#include "tc_log.h"
#include "tc_offline.h"
#include "tc_pcapfile.h"
#include "tc_time.h"

#define OFF_BUDGET      256   /* client packets handed over per wake-up */
#define OFF_SKIP_BUDGET 4096  /* records read per wake-up to find one */
#define OFF_CTL_WAIT_MS 10000 /* intercepts must be ready by then */
#define OFF_PROGRESS_MS 1000
#define OFF_EOF_REST_MS 1000  /* after the file: at rest, this quiet ends */
#define OFF_EOF_IDLE_MS 10000 /* ... with work pending, at most this */

typedef enum {
    OFF_WAIT_CTL = 1, /* intercepts not all connected yet */
    OFF_PLAYING,      /* reading and replaying */
    OFF_DRAINING,     /* file done: waiting for the last sessions */
    OFF_DONE          /* stopped (finished, failed or interrupted) */
} off_state_e;

typedef enum {
    OFF_REC_CLIENT = 1, /* TCP to a transferred port: replayed */
    OFF_REC_SERVER,     /* TCP from a transferred port: counted */
    OFF_REC_OTHER,      /* TCP of no transferred port */
    OFF_REC_NOT_TCP,
    OFF_REC_NOT_IP
} off_rec_e;

/* The client ports of the file and the free ports the loops move to. */
typedef struct {
    uint8_t  used[65536 / 8];
    uint16_t rank[65536]; /* index of a used port among the used */
    uint16_t free_ports[65536];
    uint32_t nused;
    uint32_t nfree;
} off_ports_t;

struct tc_offline_s {
    const tc_offline_conf_t *conf;
    tc_replay_t             *r;
    tc_pcapfile_t           *pf;
    off_state_e              state;
    bool                     read_all; /* every record of every loop */
    bool                     failed;   /* garbled file or no intercept */
    unsigned                 loop;     /* 0-based loop being read */
    tc_timer_t               timer;    /* next packet; start-up deadline */
    tc_timer_t               progress_timer;

    /* the next client packet, read ahead */
    bool              have_next;
    tc_pcapfile_rec_t rec;
    const uint8_t    *ip; /* its IP packet, inside rec.data */
    size_t            iplen;
    tc_pkt_view_t     view;     /* parsed from ip */
    int               transfer; /* tc_replay_match() of its destination */
    tc_msec_t         due;

    /* schedule */
    tc_msec_t start_ms;    /* replay time 0 */
    double    offset_ns;   /* replay-time offset of the next packet */
    uint64_t  prev_ts_ns;  /* recorded time of the previous client pkt */
    bool      have_prev;   /* (per loop) */
    uint64_t  first_ts_ns; /* recorded span of loop 0's client packets */
    uint64_t  last_ts_ns;
    tc_msec_t last_sent_ms; /* when the last client packet went */

    tc_pcapfile_stats_t base;   /* reader counters after the port plan */
    off_ports_t        *ports;  /* -T > 1 */
    uint8_t            *recbuf; /* rec.data's own copy (off_fetch) */
    bool                warned_link;
    bool                warned_cut;  /* a client packet cut by snaplen */
    bool                reached_end; /* a loop read to the end */

    /* progress line */
    uint64_t  prog_pkts;
    tc_msec_t prog_at;
    bool      prog_drawn;
    char      err[512];
};

static void off_on_timer(tc_timer_t *t);


/* ---- records ---- */

/* What rec is; for a client packet o->ip, o->iplen, o->view and
 * o->transfer are set (the engine takes them as they are). */
static off_rec_e
off_classify(tc_offline_t *o, const tc_pcapfile_rec_t *rec)
{
    int off, rc;

    off = tc_link_ip_offset(rec->dlt, rec->data, rec->caplen);
    if (off < 0) {
        if (off == TC_LINK_UNSUPPORTED && !o->warned_link) {
            o->warned_link = true;
            tc_log_error(TC_LOG_WARN, 0,
                         "%s: record %llu: link type %d is not supported; "
                         "such records are counted as not_ip",
                         o->conf->path, (unsigned long long) rec->recno,
                         rec->dlt);
        }
        return OFF_REC_NOT_IP;
    }

    o->ip = rec->data + off;
    o->iplen = rec->caplen - (size_t) off;
    rc = tc_pkt_parse(o->ip, o->iplen, &o->view);
    if (rc != TC_PKT_OK) {
        return OFF_REC_NOT_TCP;
    }
    o->transfer = tc_replay_match(o->r, &o->view.dst, o->view.dport);
    if (o->transfer >= 0) {
        return OFF_REC_CLIENT;
    }
    if (tc_replay_match(o->r, &o->view.src, o->view.sport) >= 0) {
        return OFF_REC_SERVER;
    }
    return OFF_REC_OTHER;
}


static void
off_count(tc_offline_t *o, off_rec_e what)
{
    tc_ledger_t *l = &o->r->ledger;

    l->off_records++;
    switch (what) {
    case OFF_REC_CLIENT:
        break; /* counted as replayed when it goes */
    case OFF_REC_SERVER:
        l->off_server++;
        break;
    case OFF_REC_OTHER:
        l->off_other_port++;
        break;
    case OFF_REC_NOT_TCP:
        l->off_not_tcp++;
        break;
    case OFF_REC_NOT_IP:
        l->off_not_ip++;
        break;
    }
}


/* The reader's own skip counters, less those of the port-plan pass. */
static void
off_sync_stats(tc_offline_t *o)
{
    tc_pcapfile_stats_t st;
    tc_ledger_t        *l = &o->r->ledger;

    tc_pcapfile_stats(o->pf, &st);
    l->off_over_snaplen = st.over_snaplen - o->base.over_snaplen;
    l->off_bad_iface = st.bad_interface - o->base.bad_interface;
    /* a flag, not a count: the port plan's pass (-T > 1) has already set
     * it, so it is shown once the replay itself reached the end */
    l->off_truncated = o->reached_end ? st.truncated_tail : 0;
}


/*
 * A client packet whose payload the recording cut (a snapshot length
 * smaller than the packet, e.g. tcpdump -s 96): the missing bytes cannot
 * be replayed (the session counts them as gap bytes and ends on the gap).
 * Said once, naming the record, because it is the file that is wrong.
 */
static void
off_check_cut(tc_offline_t *o)
{
    if (o->warned_cut || o->view.payload_caplen >= o->view.payload_len) {
        return;
    }
    o->warned_cut = true;
    tc_log_error(TC_LOG_WARN, 0,
                 "%s: record %llu: only %zu of the packet's %zu bytes "
                 "were recorded (snapshot length too small: record with "
                 "tcpdump -s 0); client bytes cut off cannot be replayed "
                 "(ledger: gap, seq_gap; later such records not logged)",
                 o->conf->path, (unsigned long long) o->rec.recno,
                 o->rec.caplen, o->rec.wirelen);
}


/* ---- loops: client ports ---- */

/*
 * -T > 1: reads the file once and notes every client port in it; the
 * ports from 1024 up that the file does not use are shared out, loop by
 * loop, to the later loops.  The reader's counters of this pass are not
 * the replay's: they are kept as the base.
 */
static int
off_plan_ports(tc_offline_t *o)
{
    off_ports_t      *p;
    tc_pcapfile_rec_t rec;
    uint32_t          port;
    char              err[256];

    p = calloc(1, sizeof(*p));
    if (p == NULL) {
        return TC_ERROR;
    }
    while (tc_pcapfile_next(o->pf, &rec, err, sizeof(err)) == TC_OK) {
        if (off_classify(o, &rec) == OFF_REC_CLIENT) {
            port = o->view.sport;
            p->used[port >> 3] |= (uint8_t) (1u << (port & 7));
        }
    }
    tc_pcapfile_rewind(o->pf);
    tc_pcapfile_stats(o->pf, &o->base);
    o->warned_link = false;

    for (port = 0; port < 65536; port++) {
        if (p->used[port >> 3] & (1u << (port & 7))) {
            p->rank[port] = (uint16_t) p->nused++;
        } else if (port >= TC_PLAN_PORT_LOW) {
            p->free_ports[p->nfree++] = (uint16_t) port;
        }
    }
    if (p->nused > 0 && (uint64_t) p->nused * (o->conf->loops - 1) > p->nfree) {
        tc_log_error(TC_LOG_WARN, 0,
                     "%s: %u client ports a loop: after %u loops the "
                     "later ones reuse ports of the earlier ones",
                     o->conf->path, p->nused, p->nfree / p->nused + 1);
    }
    o->ports = p;
    return TC_OK;
}


/* The client port that port becomes in loop k (k > 0). */
static uint16_t
off_loop_port(const off_ports_t *p, uint16_t port, unsigned k)
{
    uint64_t i;

    if (p->nfree == 0) {
        return port;
    }
    i = ((uint64_t) (k - 1) * p->nused + p->rank[port]) % p->nfree;
    return p->free_ports[i];
}


/* ---- schedule ---- */

/* Sets o->due for the packet just read: the recorded gap since the
 * previous client packet, divided by -a, capped by -I. */
static void
off_schedule(tc_offline_t *o)
{
    double   gap = 0, cap;
    uint64_t ts = o->rec.ts_ns;

    if (o->have_prev && ts > o->prev_ts_ns) {
        gap = (double) (ts - o->prev_ts_ns) / o->conf->speed;
    }
    cap = (double) o->conf->idle_max * 1e6;
    if (o->conf->idle_max > 0 && gap > cap) {
        gap = cap;
    }
    o->offset_ns += gap;
    o->prev_ts_ns = ts;
    o->have_prev = true;
    o->due = o->start_ms + (tc_msec_t) (o->offset_ns / 1e6);

    if (o->loop == 0) {
        if (o->first_ts_ns == 0) {
            o->first_ts_ns = ts;
        }
        o->last_ts_ns = tc_max(o->last_ts_ns, ts);
    }
}


/*
 * o->rec is replayed when it is due, later: its bytes are copied out of
 * the file's mapping first.  Should the file be cut shorter meanwhile, the
 * mapping reads zeros past its new end, which must never reach the target:
 * a client packet's copy is checked once made (tc_pcapfile_intact).
 */
static void
off_own_copy(tc_offline_t *o)
{
    memcpy(o->recbuf, o->rec.data, o->rec.caplen);
    o->rec.data = o->recbuf;
}


/*
 * Reads records up to the next client packet.  TC_OK: o->rec is one, due
 * at o->due; TC_DONE: every loop is read; TC_ERROR: the file is garbled
 * (logged); TC_AGAIN: OFF_SKIP_BUDGET records were read without finding
 * one (call again on the next wake-up).
 */
static int
off_fetch(tc_offline_t *o)
{
    unsigned  n;
    int       rc;
    off_rec_e what;

    for (n = 0; n < OFF_SKIP_BUDGET; n++) {
        rc = tc_pcapfile_next(o->pf, &o->rec, o->err, sizeof(o->err));
        if (rc == TC_DONE) {
            o->reached_end = true;
            if (++o->loop == o->conf->loops) {
                return TC_DONE;
            }
            tc_pcapfile_rewind(o->pf);
            o->have_prev = false;
            tc_log_error(TC_LOG_INFO, 0, "%s: loop %u of %u", o->conf->path,
                         o->loop + 1, o->conf->loops);
            continue;
        }
        if (rc != TC_OK) {
            break;
        }
        off_own_copy(o);
        what = off_classify(o, &o->rec);
        if (what == OFF_REC_CLIENT &&
            tc_pcapfile_intact(o->pf, o->err, sizeof(o->err)) != TC_OK) {
            break;
        }
        off_count(o, what);
        if (what == OFF_REC_CLIENT) {
            off_check_cut(o);
            off_schedule(o);
            return TC_OK;
        }
    }
    if (n == OFF_SKIP_BUDGET) {
        return TC_AGAIN;
    }
    tc_log_error(TC_LOG_ERR, 0, "%s; replay stops there", o->err);
    return TC_ERROR;
}


/*
 * Hands the packet read ahead to the engine, parsed and matched as
 * off_classify() left it.  In loops > 0 its client port moves, in place:
 * the packet is already our own copy (off_own_copy), and the view keeps
 * pointing into it, so the engine may keep those bytes (a port reuse) and
 * parse them later.
 */
static void
off_deliver(tc_offline_t *o)
{
    tc_pkt_rewrite_t rw;

    if (o->loop > 0 && o->ports != NULL) {
        memset(&rw, 0, sizeof(rw));
        rw.sport = off_loop_port(o->ports, o->view.sport, o->loop);
        rw.dport = -1;
        (void) tc_pkt_rewrite(o->recbuf, &o->view, &rw);
    }

    o->r->ledger.off_replayed++;
    o->prog_pkts++;
    o->last_sent_ms = tc_time_now();
    tc_replay_parsed(o->r, o->ip, o->iplen, &o->view, o->transfer);
}


/* The file is done (or garbled): let the last sessions end. */
static void
off_eof(tc_offline_t *o, bool complete)
{
    tc_replay_t *r = o->r;

    o->read_all = complete;
    o->failed = !complete;
    o->state = OFF_DRAINING;
    off_sync_stats(o);

    tc_log_error(TC_LOG_NOTICE, 0,
                 "%s: %s after %llu records (%u of %u loops); waiting for "
                 "%llu sessions to end",
                 o->conf->path, complete ? "read" : "stopped",
                 (unsigned long long) r->ledger.off_records,
                 complete ? o->conf->loops : o->loop + 1, o->conf->loops,
                 (unsigned long long) tc_replay_live(r));

    /* the recording holds no more of these connections: those at rest
     * are over, those with work pending get a bounded time */
    r->conf.keepalive_timeout =
        tc_min(r->conf.keepalive_timeout, (tc_msec_t) OFF_EOF_REST_MS);
    r->conf.idle_timeout =
        tc_min(r->conf.idle_timeout, (tc_msec_t) OFF_EOF_IDLE_MS);
    tc_replay_wake_all(r);
}


/* Replays every packet due now, at most OFF_BUDGET; re-arms the timer. */
static void
off_play(tc_offline_t *o)
{
    tc_event_loop_t *loop = o->r->loop;
    tc_msec_t        now = tc_time_now();
    unsigned         sent = 0;
    int              rc;

    for (;;) {
        if (!o->have_next) {
            rc = off_fetch(o);
            if (rc == TC_AGAIN) {
                tc_timer_set_at(loop, &o->timer, now);
                return;
            }
            if (rc != TC_OK) {
                off_eof(o, rc == TC_DONE);
                return;
            }
            o->have_next = true;
        }
        if (o->due > now || sent == OFF_BUDGET) {
            /* (a full budget: due <= now, so the timer runs on the next
             * iteration, after the replies that came meanwhile) */
            tc_timer_set_at(loop, &o->timer, tc_max(o->due, now));
            return;
        }
        off_deliver(o);
        o->have_next = false;
        sent++;
    }
}


/* ---- start-up: the intercepts first ---- */

static void
off_begin(tc_offline_t *o)
{
    o->state = OFF_PLAYING;
    o->start_ms = tc_time_now();
    o->prog_at = o->start_ms;
    tc_log_error(TC_LOG_NOTICE, 0, "%s: replaying (speed x%g%s, %u loop%s)",
                 o->conf->path, o->conf->speed,
                 o->conf->idle_max ? ", gaps capped" : "", o->conf->loops,
                 o->conf->loops == 1 ? "" : "s");
    tc_timer_set_at(o->r->loop, &o->timer, o->start_ms);
}


static size_t
off_ctl_ready(const tc_offline_t *o)
{
    return o->r->ctl != NULL ? tc_ctl_ready_count(o->r->ctl) : 0;
}


/* OFF_CTL_WAIT_MS passed without every intercept ready. */
static void
off_ctl_deadline(tc_offline_t *o)
{
    size_t ready = off_ctl_ready(o);

    if (ready > 0) {
        tc_log_error(TC_LOG_WARN, 0,
                     "only %zu of %zu intercepts connected after %d s: "
                     "replaying anyway (replies the others see are lost)",
                     ready, o->conf->nintercepts, OFF_CTL_WAIT_MS / 1000);
        off_begin(o);
        return;
    }
    tc_log_error(TC_LOG_ERR, 0,
                 "%s: not replayed: no intercept connected after %d s "
                 "(is intercept running at the -s address, and port "
                 "reachable?)",
                 o->conf->path, OFF_CTL_WAIT_MS / 1000);
    o->failed = true;
    o->state = OFF_DONE;
    tc_event_stop(o->r->loop);
}


static void
off_on_timer(tc_timer_t *t)
{
    tc_offline_t *o = t->data;

    switch (o->state) {
    case OFF_WAIT_CTL:
        off_ctl_deadline(o);
        break;
    case OFF_PLAYING:
        off_play(o);
        break;
    case OFF_DRAINING:
    case OFF_DONE:
        break;
    }
}


/* After every loop iteration: start once connected, stop once drained. */
static void
off_tick(void *data)
{
    tc_offline_t *o = data;

    if (o->state == OFF_WAIT_CTL && off_ctl_ready(o) >= o->conf->nintercepts) {
        off_begin(o);
    } else if (o->state == OFF_DRAINING && tc_replay_live(o->r) == 0) {
        o->state = OFF_DONE;
        tc_event_stop(o->r->loop);
    }
}


/* ---- progress line (a terminal only) ---- */

/* The cursor is left at the start of the line: a log line written to the
 * terminal meanwhile overwrites it instead of running on after it. */

static void
off_on_progress(tc_timer_t *t)
{
    tc_offline_t *o = t->data;
    tc_msec_t     now = tc_time_now();
    uint64_t      done, total;
    double        pct, secs;

    tc_pcapfile_progress(o->pf, &done, &total);
    pct = total ? 100.0 *
                      ((double) o->loop * (double) total +
                       (double) tc_min(done, total)) /
                      ((double) o->conf->loops * (double) total)
                : 100.0;
    if (o->state == OFF_DRAINING || o->state == OFF_DONE) {
        pct = 100.0;
    }
    secs = now > o->prog_at ? (double) (now - o->prog_at) / 1000.0 : 1.0;

    fprintf(stderr,
            "\rtcpcopy: %llu pkts  %5.1f %%  %.0f pkts/s  %llu sessions "
            "open%s\033[K\r",
            (unsigned long long) o->r->ledger.off_replayed, pct,
            (double) o->prog_pkts / secs,
            (unsigned long long) tc_replay_live(o->r),
            o->state == OFF_WAIT_CTL ? "  (waiting for intercept)" : "");
    fflush(stderr);
    o->prog_drawn = true;
    o->prog_pkts = 0;
    o->prog_at = now;
    off_sync_stats(o);
    tc_timer_set(o->r->loop, t, OFF_PROGRESS_MS);
}


/* ---- interface ---- */

tc_offline_t *
tc_offline_open(const tc_offline_conf_t *conf, tc_replay_t *r, char *err,
                size_t errlen)
{
    tc_offline_t *o;
    int           dlt;

    o = calloc(1, sizeof(*o));
    if (o == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    o->conf = conf;
    o->r = r;

    o->pf = tc_pcapfile_open(conf->path, err, errlen);
    if (o->pf == NULL) {
        goto failed;
    }
    dlt = tc_pcapfile_dlt(o->pf);
    if (dlt >= 0 && !tc_link_supported(dlt)) {
        snprintf(err, errlen,
                 "%s: link type %d is not supported (Ethernet, Linux "
                 "cooked, raw IP and BSD loopback are)",
                 conf->path, dlt);
        goto failed;
    }

    o->recbuf = malloc(TC_PCAPFILE_CAPLEN_MAX);
    if (o->recbuf == NULL || (conf->loops > 1 && off_plan_ports(o) != TC_OK)) {
        snprintf(err, errlen, "out of memory");
        goto failed;
    }

    r->ledger.off_loops = conf->loops;
    return o;

failed:
    tc_offline_close(o);
    return NULL;
}


int
tc_offline_start(tc_offline_t *o)
{
    tc_event_loop_t *loop = o->r->loop;
    uint64_t         done, total;

    tc_timer_init(&o->timer, off_on_timer, o);
    tc_timer_init(&o->progress_timer, off_on_progress, o);
    if (tc_event_on_tick(loop, off_tick, o) != TC_OK) {
        return TC_ERROR;
    }

    tc_pcapfile_progress(o->pf, &done, &total);
    tc_log_error(TC_LOG_NOTICE, 0,
                 "%s: %llu bytes, link type %d; waiting for %zu "
                 "intercept%s",
                 o->conf->path, (unsigned long long) total,
                 tc_pcapfile_dlt(o->pf), o->conf->nintercepts,
                 o->conf->nintercepts == 1 ? "" : "s");

    o->state = OFF_WAIT_CTL;
    tc_timer_set(loop, &o->timer, OFF_CTL_WAIT_MS);
    if (o->conf->progress) {
        o->prog_at = tc_time_now();
        tc_timer_set(loop, &o->progress_timer, OFF_PROGRESS_MS);
    }
    return TC_OK;
}


int
tc_offline_status(const tc_offline_t *o)
{
    return o != NULL && o->read_all && !o->failed ? 0 : 1;
}


void
tc_offline_summary(tc_offline_t *o)
{
    const tc_ledger_t *l = &o->r->ledger;
    double             span, took;

    tc_timer_del(o->r->loop, &o->timer);
    tc_timer_del(o->r->loop, &o->progress_timer);
    off_sync_stats(o);
    if (o->prog_drawn) {
        fputc('\n', stderr);
    }

    span = (double) (o->last_ts_ns - o->first_ts_ns) / 1e9;
    took =
        o->start_ms ? (double) (o->last_sent_ms - o->start_ms) / 1000.0 : 0.0;
    if (!o->read_all && !o->failed) {
        tc_log_error(TC_LOG_WARN, 0,
                     "%s: interrupted in loop %u of %u after %llu records",
                     o->conf->path, o->loop + 1, o->conf->loops,
                     (unsigned long long) l->off_records);
    }
    tc_log_error(TC_LOG_NOTICE, 0,
                 "%s: %s: %llu client packets of %llu records replayed in "
                 "%.3f s (recorded span %.3f s a loop, %u loop%s)",
                 o->conf->path, o->read_all ? "done" : "incomplete",
                 (unsigned long long) l->off_replayed,
                 (unsigned long long) l->off_records, took, span,
                 o->conf->loops, o->conf->loops == 1 ? "" : "s");
}


void
tc_offline_close(tc_offline_t *o)
{
    if (o == NULL) {
        return;
    }
    tc_pcapfile_close(o->pf);
    free(o->ports);
    free(o->recbuf);
    free(o);
}
