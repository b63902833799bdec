/*
 * tc_session.c: the pure session state machine (see tc_session.h).
 *
 * Pacing.  A client that waits for the server's answer before it sends its
 * next request shows it in the ack field: the request carries a larger ack
 * than the previous one.  Such a request gets a "mark"; we send everything
 * before the mark, then hold the rest until the target has sent something
 * back (t_nxt moved), exactly as the real client waited for the online
 * server.  The wait is driven by the reply event, never by timer ticks, so a
 * busy connection is replayed at its own rate.  A reply timeout releases a
 * request the target never answers (counted).
 */
#include "tc_config.h"

#include <stdlib.h>
#include <string.h>

#include "tc_session.h"

#define TC_SESS_WINDOW   65535 /* raw window we advertise (scaled x128) */
#define TC_SESS_WSCALE   7
#define TC_SESS_CWND_MAX (16u * 1024 * 1024)
#define TC_SESS_SEQ_FAR  (64u * 1024 * 1024)

static void sess_try_send(tc_sess_t *s, const tc_sess_conf_t *conf,
                          tc_msec_t now, tc_sess_out_t *out);
static void sess_close(tc_sess_t *s, const tc_sess_conf_t *conf, int reason,
                       tc_msec_t now);
static void sess_client_input(tc_sess_t *s, const tc_sess_conf_t *conf,
                              const tc_pkt_view_t *pkt, tc_msec_t now,
                              tc_sess_out_t *out);
static void sess_abort(tc_sess_t *s, const tc_sess_conf_t *conf, int reason,
                       tc_msec_t now, tc_sess_out_t *out);
static void sess_compute_wakeup(const tc_sess_t *s, const tc_sess_conf_t *conf,
                                tc_sess_out_t *out);


static const char *const tc_end_reason_names[TC_END_NREASONS] =
    {"normal",        "target_rst",   "target_refused", "syn_timeout",
     "retrans_limit", "idle_timeout", "seq_gap",        "port_reuse",
     "memory",        "shutdown"};


const char *
tc_end_reason_str(int reason)
{
    if (reason < 0 || reason >= TC_END_NREASONS) {
        return "unknown";
    }
    return tc_end_reason_names[reason];
}


const char *
tc_sess_state_str(int state)
{
    switch ((tc_sess_state_e) state) {
    case TC_SESS_SYN_SENT:
        return "syn_sent";
    case TC_SESS_ESTABLISHED:
        return "established";
    case TC_SESS_CLOSED:
        return "closed";
    }
    return "unknown";
}


void
tc_sess_conf_default(tc_sess_conf_t *conf, tc_ledger_t *ledger)
{
    memset(conf, 0, sizeof(*conf));
    conf->mss = 1460;
    conf->rto_min = 200;
    conf->rto_max = 5000;
    conf->retries_max = 10;
    conf->syn_retries_max = 6;
    conf->reply_timeout = 3000;
    conf->max_lag = 50;
    conf->close_settle = 250;
    conf->idle_timeout = 120000;
    conf->keepalive_timeout = 120000;
    conf->gap_timeout = 2000;
    conf->linger = 2000;
    conf->buf_max = 16u * 1024 * 1024;
    conf->ledger = ledger;
}


/* ---- small helpers ---- */

/* Every entry point starts with an empty output: callers reuse one. */
static void
sess_out_reset(tc_sess_out_t *out)
{
    out->n = 0;
    out->more = false;
    out->done = false;
}


static uint32_t
sess_data_end(const tc_sess_t *s)
{
    return s->data_seq + (uint32_t) tc_buf_len(&s->buf);
}


static tc_sess_seg_t *
sess_emit(tc_sess_t *s, tc_sess_out_t *out, uint32_t seq, uint8_t flags)
{
    tc_sess_seg_t *seg;

    if (out->n >= TC_SESS_OUT_MAX) {
        out->more = true;
        return NULL;
    }

    seg = &out->segs[out->n++];
    memset(seg, 0, sizeof(*seg));
    seg->seq = seq;
    seg->flags = flags;
    seg->window = TC_SESS_WINDOW;
    seg->wscale = -1;

    if (flags & TC_TCP_ACK) {
        seg->ack = s->t_nxt;
        s->t_acked = s->t_nxt;
    }

    return seg;
}


/* Moves snd_nxt to nxt (after sending up to it), and snd_max with it. */
static void
sess_sent_to(tc_sess_t *s, uint32_t nxt)
{
    s->snd_nxt = nxt;
    if (tc_seq_gt(nxt, s->snd_max)) {
        s->snd_max = nxt;
    }
}


static void
sess_emit_syn(tc_sess_t *s, const tc_sess_conf_t *conf, tc_sess_out_t *out,
              bool retrans)
{
    tc_sess_seg_t *seg;

    seg = sess_emit(s, out, s->c_isn, TC_TCP_SYN);
    if (seg == NULL) {
        return;
    }
    seg->mss = conf->mss;
    seg->wscale = TC_SESS_WSCALE;
    seg->retrans = retrans;
}


/* Appends in-order client bytes; TC_ERROR when the buffer limit is hit. */
static int
sess_buf_append(tc_sess_t *s, const tc_sess_conf_t *conf, const uint8_t *p,
                size_t len)
{
    if (tc_buf_len(&s->buf) + len > conf->buf_max) {
        return TC_ERROR;
    }
    return tc_buf_append(&s->buf, p, len);
}


/* Drops n acked bytes from the front of the buffer. */
static void
sess_buf_consume(tc_sess_t *s, size_t n)
{
    n = tc_min(n, tc_buf_len(&s->buf));
    tc_buf_consume(&s->buf, n);
    s->data_seq += (uint32_t) n;
    /* an idle keep-alive session should not pin a big buffer */
    tc_buf_trim(&s->buf, 4096);
}


/* The newest request boundary (marks_n > 0). */
static tc_sess_mark_t *
sess_mark_last(tc_sess_t *s)
{
    return &s->marks[(s->marks_head + s->marks_n - 1) % TC_SESS_MARKS_MAX];
}


static void
sess_mark_push(tc_sess_t *s, uint32_t seq, uint32_t ack, tc_msec_t now)
{
    tc_sess_mark_t *m;
    unsigned        i;

    if (s->marks_n == TC_SESS_MARKS_MAX) {
        /* too many requests in flight to pace one by one: the newest
         * boundary is dropped, so that request goes with the previous one;
         * but the client's FIN or RST replaces the newest, so the end of
         * the connection always waits for the target's answers */
        if (s->c_fin || s->c_rst) {
            m = sess_mark_last(s);
            m->seq = seq;
            m->ack = ack;
        }
        return;
    }

    i = (s->marks_head + s->marks_n) % TC_SESS_MARKS_MAX;
    s->marks[i].seq = seq;
    s->marks[i].ack = ack;
    s->marks[i].at = now;
    s->marks_n++;
}


static void
sess_mark_pop(tc_sess_t *s)
{
    s->marks_head = (s->marks_head + 1) % TC_SESS_MARKS_MAX;
    s->marks_n--;
    s->waiting = false;
}


/*
 * Records a request boundary when a client segment carrying data (or a
 * FIN/RST) acks more of the online server's bytes than the previous one:
 * the client had waited for an answer.
 */
static void
sess_note_request(tc_sess_t *s, const tc_sess_conf_t *conf, uint32_t seq,
                  uint8_t flags, uint32_t ack, tc_msec_t now)
{
    if (!(flags & TC_TCP_ACK)) {
        return;
    }

    if (!s->have_last_ack) {
        s->last_ack = ack;
        s->have_last_ack = true;
        return;
    }

    if (tc_seq_gt(ack, s->last_ack)) {
        s->last_ack = ack;
        if (!conf->no_wait) {
            sess_mark_push(s, seq, ack, now);
        }
    }
}


/*
 * Follows how much the online server answered, from the client's acks:
 * compared with what the target answered, it shows a target that stopped
 * serving a connection even when TCP delivered every byte to it.
 */
static void
sess_note_answer(tc_sess_t *s, const tc_pkt_view_t *pkt)
{
    if (!(pkt->flags & TC_TCP_ACK)) {
        return;
    }
    if (!s->have_ack_base) {
        s->have_ack_base = true;
        s->ack_base = pkt->ack;
        s->ack_max = pkt->ack;
    } else if (tc_seq_gt(pkt->ack, s->ack_max)) {
        s->ack_max = pkt->ack;
    }
}


/* ---- start ---- */

int
tc_sess_start(tc_sess_t *s, const tc_sess_conf_t *conf,
              const tc_endpoint_t *client, const tc_pkt_view_t *pkt,
              tc_msec_t now, tc_sess_out_t *out)
{
    bool syn = tc_sess_is_syn(pkt);

    sess_out_reset(out);

    if (!tc_sess_can_start(pkt)) {
        return TC_DECLINED;
    }

    s->client = *client;
    s->state = TC_SESS_SYN_SENT;
    s->c_isn = syn ? pkt->seq : pkt->seq - 1;
    s->c_nxt = s->c_isn + 1;
    s->data_seq = s->c_nxt;
    s->snd_una = s->c_isn;
    s->snd_nxt = s->c_isn + 1;
    s->snd_max = s->snd_nxt;
    s->t_mss = conf->mss;
    s->cwnd = 10u * conf->mss;
    s->rto = 1000;
    s->rto_at = now + s->rto;
    s->syn_sent_at = now;
    s->last_activity = now;
    s->end_reason = TC_END_NORMAL;

    sess_emit_syn(s, conf, out, false);

    if (syn) {
        conf->ledger->sess_opened++;
    } else {
        /* already open when capture began: this segment's ack is the
         * online server's position, the baseline for request marks */
        conf->ledger->sess_midstream++;
        sess_client_input(s, conf, pkt, now, out);
    }

    conf->ledger->sess_active++;
    sess_compute_wakeup(s, conf, out);
    return TC_OK;
}


bool
tc_sess_can_start(const tc_pkt_view_t *pkt)
{
    return !(pkt->flags & TC_TCP_RST) &&
           (tc_sess_is_syn(pkt) || pkt->payload_len > 0);
}


bool
tc_sess_is_new_syn(const tc_sess_t *s, const tc_pkt_view_t *pkt)
{
    return tc_sess_is_syn(pkt) &&
           (s->state == TC_SESS_CLOSED || pkt->seq != s->c_isn);
}


/* ---- timers ---- */

/* Nothing in flight, nothing held: a keep-alive connection at rest. */
static bool
sess_quiescent(const tc_sess_t *s)
{
    return s->state == TC_SESS_ESTABLISHED && tc_buf_len(&s->buf) == 0 &&
           s->snd_una == s->snd_max && s->marks_n == 0 && s->ooo_n == 0;
}


/* -k for a session at rest, -t for one with work outstanding. */
static tc_msec_t
sess_idle_limit(const tc_sess_t *s, const tc_sess_conf_t *conf)
{
    return sess_quiescent(s) ? conf->keepalive_timeout : conf->idle_timeout;
}


static bool sess_closing_mark(const tc_sess_t *s);
static bool sess_answered_since_send(const tc_sess_t *s);


static void
sess_compute_wakeup(const tc_sess_t *s, const tc_sess_conf_t *conf,
                    tc_sess_out_t *out)
{
    tc_msec_t w, t;

    if (s->state == TC_SESS_CLOSED) {
        out->wakeup = s->closed_at + conf->linger;
        return;
    }

    w = s->last_activity + sess_idle_limit(s, conf);

    if (s->rto_at != 0) {
        w = tc_min(w, s->rto_at);
    }
    if (s->waiting) {
        t = s->wait_since + conf->reply_timeout;
        w = tc_min(w, t);
        if (!sess_closing_mark(s)) {
            /* catch-up; never for the close, which only waits (a time
             * already past here would make a busy timer) */
            t = s->marks[s->marks_head].at + conf->max_lag;
            w = tc_min(w, t);
        } else if (sess_answered_since_send(s)) {
            t = s->t_last + conf->close_settle;
            w = tc_min(w, t);
        }
    }
    if (s->c_rst && s->fin_sent) {
        t = s->t_last + conf->reply_timeout;
        w = tc_min(w, t);
    }
    if (s->ooo_n > 0) {
        t = s->gap_since + conf->gap_timeout;
        w = tc_min(w, t);
    }

    out->wakeup = w;
}


/* The retransmission timeout from the round trip, within the bounds. */
static void
sess_rto_reset(tc_sess_t *s, const tc_sess_conf_t *conf)
{
    s->rto = tc_min(tc_max(conf->rto_min, 3 * s->srtt), conf->rto_max);
}


static void
sess_arm_rto(tc_sess_t *s, tc_msec_t now)
{
    if (s->snd_una != s->snd_max ||
        (tc_buf_len(&s->buf) > 0 && s->t_win == 0)) {
        if (s->rto_at == 0) {
            s->rto_at = now + s->rto;
        }
    } else {
        s->rto_at = 0;
    }
}


/* ---- client input ---- */

static void
sess_ooo_free(tc_sess_t *s)
{
    unsigned i;

    for (i = 0; i < s->ooo_n; i++) {
        free(s->ooo[i].data);
    }
    s->ooo_n = 0;
}


/* Keeps a segment that arrived ahead of a hole, until the hole fills. */
static void
sess_ooo_store(tc_sess_t *s, const tc_pkt_view_t *pkt, tc_msec_t now)
{
    tc_sess_ooo_t *o;

    if (s->ooo_n == TC_SESS_OOO_MAX) {
        return; /* the gap timer will end the session */
    }

    o = &s->ooo[s->ooo_n];
    o->data = malloc(pkt->payload_caplen ? pkt->payload_caplen : 1);
    if (o->data == NULL) {
        return;
    }
    memcpy(o->data, pkt->payload, pkt->payload_caplen);
    o->seq = pkt->seq;
    o->ack = pkt->ack;
    o->len = pkt->payload_caplen;
    o->flags = pkt->flags;
    s->ooo_n++;

    if (s->gap_since == 0) {
        s->gap_since = now;
    }
}


/*
 * Accepts one client segment's bytes and flags in order: trims what was
 * already accepted (client retransmissions), stores what is ahead of a hole.
 * Returns TC_ERROR when the session buffer limit is hit.
 */
static int
sess_accept(tc_sess_t *s, const tc_sess_conf_t *conf, uint32_t seq,
            uint32_t ack, uint8_t flags, const uint8_t *p, uint32_t len,
            tc_msec_t now)
{
    uint32_t skip;

    if (s->c_fin || s->c_rst) {
        return TC_OK;
    }

    skip = 0;
    if (tc_seq_lt(seq, s->c_nxt)) {
        skip = tc_min(s->c_nxt - seq, len);
        conf->ledger->bytes_dup += skip;
        if (skip == len && !(flags & (TC_TCP_FIN | TC_TCP_RST))) {
            return TC_OK;
        }
    }

    if (len > skip) {
        sess_note_request(s, conf, s->c_nxt, flags, ack, now);
        if (sess_buf_append(s, conf, p + skip, len - skip) != TC_OK) {
            return TC_ERROR;
        }
        s->c_nxt += len - skip;
        conf->ledger->bytes_captured += len - skip;
    }

    if (flags & TC_TCP_RST) {
        /*
         * A client that resets has had all the answers it wanted; the
         * target must answer too before it sees the end, or it drops what
         * it has not read yet.  So the RST waits like a request, and goes
         * to the target as a FIN (see sess_send_close).
         */
        s->c_rst = true;
        if (!conf->no_wait &&
            !(s->marks_n > 0 && sess_mark_last(s)->seq == s->c_nxt)) {
            sess_mark_push(s, s->c_nxt, ack, now);
        }
    } else if (flags & TC_TCP_FIN) {
        s->c_fin = true; /* first: sess_mark_push() must know it */
        sess_note_request(s, conf, s->c_nxt, flags, ack, now);
        s->c_nxt++;
    }

    return TC_OK;
}


/* Moves stored segments that the stream has reached into the buffer. */
static int
sess_ooo_drain(tc_sess_t *s, const tc_sess_conf_t *conf, tc_msec_t now)
{
    unsigned       i;
    bool           progress = true;
    tc_sess_ooo_t *o;

    while (progress && s->ooo_n > 0) {
        progress = false;
        for (i = 0; i < s->ooo_n; i++) {
            o = &s->ooo[i];
            if (tc_seq_gt(o->seq, s->c_nxt)) {
                continue;
            }
            if (sess_accept(s, conf, o->seq, o->ack, o->flags, o->data, o->len,
                            now) != TC_OK) {
                return TC_ERROR;
            }
            free(o->data);
            s->ooo[i] = s->ooo[--s->ooo_n];
            progress = true;
            break;
        }
    }

    s->gap_since = (s->ooo_n > 0) ? now : 0;
    return TC_OK;
}


void
tc_sess_client(tc_sess_t *s, const tc_sess_conf_t *conf,
               const tc_pkt_view_t *pkt, tc_msec_t now, tc_sess_out_t *out)
{
    sess_out_reset(out);
    sess_client_input(s, conf, pkt, now, out);
}


static void
sess_client_input(tc_sess_t *s, const tc_sess_conf_t *conf,
                  const tc_pkt_view_t *pkt, tc_msec_t now, tc_sess_out_t *out)
{
    uint32_t seq = pkt->seq;
    int      rc;

    if (s->state == TC_SESS_CLOSED) {
        conf->ledger->pkts_late++;
        return;
    }

    s->last_activity = now;
    sess_note_answer(s, pkt);

    if (pkt->flags & TC_TCP_SYN) {
        /* a retransmitted SYN: our own SYN timer covers it */
        goto send;
    }

    if (pkt->payload_len > pkt->payload_caplen) {
        /* a capture that cut the payload cannot be replayed byte-exact */
        conf->ledger->bytes_gap += pkt->payload_len - pkt->payload_caplen;
    }

    if (tc_seq_gt(seq, s->c_nxt + TC_SESS_SEQ_FAR) ||
        tc_seq_lt(seq + pkt->payload_caplen, s->c_nxt - TC_SESS_SEQ_FAR)) {
        /* not this connection's sequence space (e.g. a new connection on
         * the same port whose SYN was not captured) */
        conf->ledger->pkts_late++;
        return;
    }

    if (tc_seq_gt(seq, s->c_nxt)) {
        if (pkt->payload_caplen > 0 ||
            (pkt->flags & (TC_TCP_FIN | TC_TCP_RST))) {
            sess_ooo_store(s, pkt, now);
        }
        goto send;
    }

    if (pkt->payload_caplen == 0 && !(pkt->flags & (TC_TCP_FIN | TC_TCP_RST))) {
        /* a pure ACK: it sets the baseline of the online server's ack */
        if (!s->have_last_ack && (pkt->flags & TC_TCP_ACK)) {
            s->last_ack = pkt->ack;
            s->have_last_ack = true;
        }
        goto send;
    }

    rc = sess_accept(s, conf, seq, pkt->ack, pkt->flags, pkt->payload,
                     pkt->payload_caplen, now);
    if (rc == TC_OK && s->ooo_n > 0) {
        rc = sess_ooo_drain(s, conf, now);
    }
    if (rc != TC_OK) {
        sess_abort(s, conf, TC_END_MEMORY, now, out);
        return;
    }

send:
    sess_try_send(s, conf, now, out);
    sess_compute_wakeup(s, conf, out);
}


/* ---- sending ---- */

/* The mark at the end of the stream, put there by the client's FIN or RST. */
static bool
sess_closing_mark(const tc_sess_t *s)
{
    return (s->c_fin || s->c_rst) &&
           s->marks[s->marks_head].seq == sess_data_end(s);
}


/* Sequence space the target has used since its SYN: its answer's size
 * (its FIN included, as the client's acks include the online server's). */
static uint32_t
sess_target_answered(const tc_sess_t *s)
{
    return s->t_nxt - (s->t_isn + 1);
}


/* Whether the target sent bytes after our last new client bytes went. */
static bool
sess_answered_since_send(const tc_sess_t *s)
{
    return tc_seq_gt(s->t_nxt, s->wait_t_nxt);
}


/*
 * The client's FIN or RST may pass on: the target has answered as much as
 * the online server had, or it answered after our last request and has
 * been silent for close_settle.  Answers legitimately differ in size (a
 * cache miss, an INCR's value, a shared list's length): waiting for the
 * exact count then only delays every such close by the reply timeout.
 */
static bool
sess_close_may_pass(tc_sess_t *s, const tc_sess_conf_t *conf, tc_msec_t now)
{
    if (sess_target_answered(s) >= s->marks[s->marks_head].ack - s->ack_base) {
        return true;
    }
    if (sess_answered_since_send(s) && now - s->t_last >= conf->close_settle) {
        conf->ledger->reply_close_short++;
        return true;
    }
    return false;
}


/*
 * Everything before the next mark is sent: wait for the target's answer to
 * it.  "Answered" means the target sent bytes after our last new client
 * bytes went out, which may already be true: the target often answers
 * before the client's next request is even captured.  Returns true when
 * the mark can be passed now.
 *
 * The client's FIN or RST (the closing mark) waits for more: the target
 * must first have answered as much as the online server had (the client
 * acked it all), i.e. have read every request (or answered and fallen
 * silent: see sess_close_may_pass).  A server that sees the end of a
 * connection with requests still unread may reset it and drop them.  No
 * catch-up there; the reply timeout is the fallback.  "Had" is the ack of
 * the client's FIN or RST itself (the mark's), not the highest ack seen:
 * the client's last ACK acks the online server's FIN too, which the target
 * sends only after ours.
 */
static bool
sess_wait_done(tc_sess_t *s, const tc_sess_conf_t *conf, tc_msec_t now)
{
    bool closing = sess_closing_mark(s);

    if (!s->waiting) {
        s->waiting = true;
        s->wait_t_nxt = s->t_nxt_at_send;
        s->wait_since = now;
    }

    if (s->t_fin || (closing ? sess_close_may_pass(s, conf, now)
                             : sess_answered_since_send(s))) {
        sess_mark_pop(s);
        conf->ledger->reply_waits++;
        return true;
    }

    if (!closing && now - s->marks[s->marks_head].at >= conf->max_lag) {
        /* the replay is behind the client: waiting for each answer would
         * only let the lag grow, so this request goes now (pipelined) */
        sess_mark_pop(s);
        conf->ledger->reply_catchups++;
        return true;
    }
    return false;
}


/* Sends client bytes allowed by the target's window, cwnd and pacing;
 * returns true if it stopped at a mark that has just been passed. */
static bool
sess_send_data(tc_sess_t *s, const tc_sess_conf_t *conf, tc_msec_t now,
               tc_sess_out_t *out)
{
    uint32_t       limit, wnd, wnd_end, len, mss;
    tc_sess_seg_t *seg;
    bool           retrans;

    limit = sess_data_end(s);
    if (s->marks_n > 0 && tc_seq_lt(s->marks[s->marks_head].seq, limit)) {
        limit = s->marks[s->marks_head].seq;
    }

    wnd = tc_min(s->t_win, s->cwnd);
    wnd_end = s->snd_una + wnd;
    mss = tc_min(s->t_mss, conf->mss);

    while (tc_seq_lt(s->snd_nxt, limit) && tc_seq_lt(s->snd_nxt, wnd_end)) {
        if (out->n >= TC_SESS_OUT_MAX - 2) {
            out->more = true;
            break;
        }
        len = tc_min(limit - s->snd_nxt, wnd_end - s->snd_nxt);
        len = tc_min(len, mss);
        retrans = tc_seq_lt(s->snd_nxt, s->snd_max);
        seg = sess_emit(s, out, s->snd_nxt, TC_TCP_ACK);
        seg->payload = tc_buf_pos(&s->buf) + (s->snd_nxt - s->data_seq);
        seg->len = len;
        seg->retrans = retrans;
        if (s->snd_nxt + len == limit) {
            seg->flags |= TC_TCP_PSH;
        }
        if (tc_seq_gt(s->snd_nxt + len, s->snd_max)) {
            conf->ledger->bytes_sent +=
                s->snd_nxt + len - (retrans ? s->snd_max : s->snd_nxt);
            s->t_nxt_at_send = s->t_nxt;
        }
        sess_sent_to(s, s->snd_nxt + len);
    }

    return s->marks_n > 0 && s->snd_nxt == s->marks[s->marks_head].seq &&
           sess_wait_done(s, conf, now);
}


/*
 * Sends the client's FIN once every byte before it is through.  A client
 * RST is sent as a FIN too: a server that reads a FIN still serves the
 * requests queued before it, one that reads an RST throws them away.
 */
static void
sess_send_close(tc_sess_t *s, tc_sess_out_t *out)
{
    uint32_t       end = sess_data_end(s);
    tc_sess_seg_t *seg;

    if (s->marks_n > 0 || s->snd_nxt != end || s->fin_sent ||
        !(s->c_fin || s->c_rst)) {
        return;
    }

    seg = sess_emit(s, out, end, TC_TCP_FIN | TC_TCP_ACK);
    if (seg != NULL) {
        seg->retrans = tc_seq_lt(end, s->snd_max);
        s->fin_sent = true;
        sess_sent_to(s, end + 1);
    }
}


/*
 * The client reset; its FIN stand-in is acked and the target has been quiet
 * for reply_timeout (it did not close): reset it now.
 */
static bool
sess_rst_due(const tc_sess_t *s, const tc_sess_conf_t *conf, tc_msec_t now)
{
    return s->c_rst && s->fin_sent && s->snd_una == s->snd_max &&
           now - s->t_last >= conf->reply_timeout;
}


static void
sess_try_send(tc_sess_t *s, const tc_sess_conf_t *conf, tc_msec_t now,
              tc_sess_out_t *out)
{
    if (s->state != TC_SESS_ESTABLISHED) {
        return;
    }

    while (sess_send_data(s, conf, now, out)) {
        /* passed a mark the target had already answered: go on */
    }
    sess_send_close(s, out);

    if (s->state == TC_SESS_ESTABLISHED) {
        sess_arm_rto(s, now);
    }
}


void
tc_sess_flush(tc_sess_t *s, const tc_sess_conf_t *conf, tc_msec_t now,
              tc_sess_out_t *out)
{
    sess_out_reset(out);
    sess_try_send(s, conf, now, out);
    sess_compute_wakeup(s, conf, out);
}


/* ---- ending ---- */

static void
sess_close(tc_sess_t *s, const tc_sess_conf_t *conf, int reason, tc_msec_t now)
{
    tc_ledger_t *l = conf->ledger;
    uint32_t     unacked;

    if (s->state == TC_SESS_CLOSED) {
        return;
    }

    /* the buffer holds exactly the client bytes the target never acked */
    unacked = (uint32_t) tc_buf_len(&s->buf);

    if (s->have_ack_base && s->state == TC_SESS_ESTABLISHED) {
        l->answer_online += s->ack_max - s->ack_base;
        l->answer_target += sess_target_answered(s);
    }
    l->bytes_lost += unacked;
    l->sess_ended[reason]++;
    l->sess_active--;

    s->state = TC_SESS_CLOSED;
    s->end_reason = reason;
    s->closed_at = now;
    s->rto_at = 0;
    s->waiting = false;
    sess_ooo_free(s);
}


/* Ends the session now; appends its RST to what out already holds. */
static void
sess_abort(tc_sess_t *s, const tc_sess_conf_t *conf, int reason, tc_msec_t now,
           tc_sess_out_t *out)
{
    if (s->state == TC_SESS_ESTABLISHED && !s->rst_sent) {
        sess_emit(s, out, s->snd_nxt, TC_TCP_RST | TC_TCP_ACK);
        s->rst_sent = true;
    }

    if (reason == TC_END_SEQ_GAP && s->ooo_n > 0) {
        conf->ledger->bytes_gap += s->ooo[0].seq - s->c_nxt;
    }

    sess_close(s, conf, reason, now); /* no-op if it had ended already */
    out->done = true;
    out->wakeup = 0;
}


void
tc_sess_abort(tc_sess_t *s, const tc_sess_conf_t *conf, int reason,
              tc_msec_t now, tc_sess_out_t *out)
{
    sess_out_reset(out);
    sess_abort(s, conf, reason, now, out);
}


void
tc_sess_free(tc_sess_t *s)
{
    sess_ooo_free(s);
    tc_buf_free(&s->buf);
}


/* ---- target input ---- */

/* The handshake answer while our SYN is out. */
static void
sess_reply_syn_sent(tc_sess_t *s, const tc_sess_conf_t *conf,
                    const tc_pkt_view_t *pkt, tc_msec_t now, tc_sess_out_t *out)
{
    bool ack_ok = (pkt->flags & TC_TCP_ACK) && pkt->ack == s->c_isn + 1;

    if (pkt->flags & TC_TCP_RST) {
        if (ack_ok) {
            sess_close(s, conf, TC_END_TARGET_REFUSED, now);
            out->done = true;
        }
        return;
    }

    if ((pkt->flags & TC_TCP_SYN) && ack_ok) {
        s->state = TC_SESS_ESTABLISHED;
        s->t_isn = pkt->seq;
        s->t_nxt = pkt->seq + 1;
        s->t_nxt_at_send = s->t_nxt;
        s->snd_una = s->c_isn + 1;
        s->t_wscale = (pkt->wscale >= 0) ? (uint8_t) pkt->wscale : 0;
        s->t_win = pkt->window; /* a SYN-ACK's window is never scaled */
        s->t_mss = pkt->mss ? pkt->mss : 536;
        s->srtt =
            conf->fixed_rtt ? conf->fixed_rtt : tc_max(now - s->syn_sent_at, 1);
        sess_rto_reset(s, conf);
        s->rto_at = 0;
        s->retries = 0;
        sess_try_send(s, conf, now, out);
        if (s->t_acked != s->t_nxt || out->n == 0) {
            sess_emit(s, out, s->snd_nxt, TC_TCP_ACK);
        }
        return;
    }

    if ((pkt->flags & TC_TCP_ACK) && !ack_ok && s->retries < 3) {
        /* the target still holds an older connection on this port (e.g.
         * TIME_WAIT): reset it as RFC 793 says, then resend our SYN */
        sess_emit(s, out, pkt->ack, TC_TCP_RST);
        s->retries++;
        sess_emit_syn(s, conf, out, true);
    }
}


/* Takes the target's ack and window; frees acked bytes. */
static void
sess_take_ack(tc_sess_t *s, const tc_sess_conf_t *conf,
              const tc_pkt_view_t *pkt, tc_msec_t now)
{
    uint32_t ack = pkt->ack, end, acked;

    if (!(pkt->flags & TC_TCP_ACK)) {
        return;
    }

    if (tc_seq_ge(ack, s->snd_una) && tc_seq_le(ack, s->snd_max)) {
        s->t_win = (uint32_t) pkt->window << s->t_wscale;
    }

    if (!tc_seq_gt(ack, s->snd_una) || tc_seq_gt(ack, s->snd_max)) {
        return;
    }

    end = sess_data_end(s);
    acked = (tc_seq_lt(ack, end) ? ack : end) - s->data_seq;
    if (tc_seq_gt(s->data_seq + acked, s->data_seq)) {
        sess_buf_consume(s, acked);
        conf->ledger->bytes_acked += acked;
        if (s->copy == 0) {
            conf->ledger->bytes_acked_orig += acked;
        }
        s->cwnd = tc_min(s->cwnd + acked, TC_SESS_CWND_MAX);
    }

    s->snd_una = ack;
    if (tc_seq_lt(s->snd_nxt, s->snd_una)) {
        s->snd_nxt = s->snd_una;
    }
    s->retries = 0;
    s->rto_at = 0;
    sess_rto_reset(s, conf);
    sess_arm_rto(s, now);
}


/* Takes the target's bytes and FIN: they move our ack (t_nxt). */
static bool
sess_take_data(tc_sess_t *s, const tc_pkt_view_t *pkt)
{
    uint32_t end = pkt->seq + pkt->payload_len;

    if (pkt->flags & TC_TCP_FIN) {
        end++;
    }

    if (end == pkt->seq) {
        return false;
    }

    if (tc_seq_gt(end, s->t_nxt) &&
        tc_seq_le(pkt->seq, s->t_nxt + 0x40000000u)) {
        s->t_nxt = end;
        if (pkt->flags & TC_TCP_FIN) {
            s->t_fin = true;
        }
    }

    /* new data or a retransmission: either way the target wants an ACK */
    return true;
}


static void
sess_release_marks(tc_sess_t *s, const tc_sess_conf_t *conf, tc_msec_t now)
{
    if (s->waiting) {
        (void) sess_wait_done(s, conf, now);
    }

    if (s->t_fin) {
        /* no more answers will come: nothing to wait for */
        while (s->marks_n > 0) {
            sess_mark_pop(s);
        }
    }
}


tc_sess_src_e
tc_sess_reply_source(tc_sess_t *s, const tc_endpoint_t *target,
                     const tc_pkt_view_t *pkt)
{
    tc_endpoint_t src = tc_pkt_src(pkt);
    bool          from_target;

    if (s->peer_known) {
        return tc_endpoint_eq(&src, &s->peer) ? TC_SESS_SRC_PEER
                                              : TC_SESS_SRC_FOREIGN;
    }
    from_target = tc_endpoint_eq(&src, target);
    if (!from_target &&
        (!(pkt->flags & TC_TCP_ACK) || pkt->ack != s->c_isn + 1)) {
        return TC_SESS_SRC_FOREIGN;
    }
    s->peer = src;
    s->peer_known = true;
    return from_target ? TC_SESS_SRC_PEER : TC_SESS_SRC_NEW;
}


void
tc_sess_reply(tc_sess_t *s, const tc_sess_conf_t *conf,
              const tc_pkt_view_t *pkt, tc_msec_t now, tc_sess_out_t *out)
{
    bool need_ack;

    sess_out_reset(out);

    if (s->state == TC_SESS_CLOSED) {
        goto done;
    }

    s->last_activity = now;
    s->t_last = now;

    if (s->state == TC_SESS_SYN_SENT) {
        sess_reply_syn_sent(s, conf, pkt, now, out);
        goto done;
    }

    if (pkt->flags & TC_TCP_RST) {
        if (tc_seq_ge(pkt->seq, s->t_nxt - 1) &&
            tc_seq_le(pkt->seq, s->t_nxt + 0x40000000u)) {
            /* Even with every byte acked this is not a normal end: a
             * server resets a connection whose data it did not read, so
             * requests may have been dropped unseen. */
            sess_close(s, conf, TC_END_TARGET_RST, now);
            out->done = true;
        }
        goto done;
    }

    if ((pkt->flags & TC_TCP_SYN) && pkt->seq == s->t_isn) {
        /* a retransmitted SYN-ACK: our ACK was lost or is late */
        sess_emit(s, out, s->snd_nxt, TC_TCP_ACK);
        goto done;
    }

    sess_take_ack(s, conf, pkt, now);
    need_ack = sess_take_data(s, pkt);
    sess_release_marks(s, conf, now);
    sess_try_send(s, conf, now, out);

    if (s->state == TC_SESS_ESTABLISHED && need_ack && out->n == 0) {
        sess_emit(s, out, s->snd_nxt, TC_TCP_ACK);
    }

    if (s->state == TC_SESS_ESTABLISHED && s->fin_sent && s->t_fin &&
        s->snd_una == s->snd_max) {
        sess_close(s, conf, TC_END_NORMAL, now);
    }

done:
    sess_compute_wakeup(s, conf, out);
}


/* ---- timer ---- */

static void
sess_retransmit(tc_sess_t *s, const tc_sess_conf_t *conf, tc_msec_t now,
                tc_sess_out_t *out)
{
    if (s->state == TC_SESS_SYN_SENT) {
        if (++s->retries > conf->syn_retries_max) {
            sess_abort(s, conf, TC_END_SYN_TIMEOUT, now, out);
            return;
        }
        s->rto = tc_min(s->rto * 2, 30000);
        s->rto_at = now + s->rto;
        sess_emit_syn(s, conf, out, true);
        return;
    }

    if (s->snd_una == s->snd_max) {
        /* zero window: probe with an old sequence number; the target
         * answers with an ACK carrying its current window */
        s->rto = tc_min(s->rto * 2, conf->rto_max);
        s->rto_at = now + s->rto;
        sess_emit(s, out, s->snd_una - 1, TC_TCP_ACK);
        return;
    }

    if (++s->retries > conf->retries_max) {
        sess_abort(s, conf, TC_END_RETRANS_LIMIT, now, out);
        return;
    }

    /* go back to the oldest unacked byte; slow start again */
    s->rto = tc_min(s->rto * 2, conf->rto_max);
    s->rto_at = 0;
    s->snd_nxt = s->snd_una;
    s->cwnd = 2u * tc_min(s->t_mss, conf->mss);
    if (s->fin_sent && tc_seq_le(s->snd_una, sess_data_end(s))) {
        s->fin_sent = false;
    }
    sess_try_send(s, conf, now, out);
    s->rto_at = now + s->rto;
}


void
tc_sess_timer(tc_sess_t *s, const tc_sess_conf_t *conf, tc_msec_t now,
              tc_sess_out_t *out)
{
    bool rest;

    sess_out_reset(out);

    if (s->state == TC_SESS_CLOSED) {
        if (now - s->closed_at >= conf->linger) {
            out->done = true;
        }
        goto done;
    }

    if (s->ooo_n > 0 && now - s->gap_since >= conf->gap_timeout) {
        sess_abort(s, conf, TC_END_SEQ_GAP, now, out);
        return;
    }

    if (now - s->last_activity >= sess_idle_limit(s, conf)) {
        /* at rest, everything delivered: ending it loses nothing (if the
         * client speaks again, a session attaches mid-stream) */
        rest = sess_quiescent(s);
        conf->ledger->sess_keepalive += rest;
        sess_abort(s, conf, rest ? TC_END_NORMAL : TC_END_IDLE_TIMEOUT, now,
                   out);
        return;
    }

    if (s->rto_at != 0 && now >= s->rto_at) {
        sess_retransmit(s, conf, now, out);
        if (s->state == TC_SESS_CLOSED) {
            return;
        }
    }

    if (s->waiting && now - s->wait_since >= conf->reply_timeout) {
        /* the target never answered this request: send the next anyway */
        sess_mark_pop(s);
        conf->ledger->reply_timeouts++;
    }
    sess_try_send(s, conf, now, out);

    if (s->state == TC_SESS_ESTABLISHED && sess_rst_due(s, conf, now)) {
        sess_emit(s, out, s->snd_nxt, TC_TCP_RST | TC_TCP_ACK);
        s->rst_sent = true;
        sess_close(s, conf, TC_END_NORMAL, now);
    }

done:
    sess_compute_wakeup(s, conf, out);
}
