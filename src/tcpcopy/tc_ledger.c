/*
 * tc_ledger.c: tcpcopy's ledger described once.  The table below is the
 * only place that says which counters exist and how they are shown: the
 * log line (tc_ledger_format) and the Prometheus families
 * (tc_ledger_prom.c) are both generated from it, so a counter cannot be in
 * one view and missing from the other.  tests/unit/test_ledger.c checks
 * that every field of tc_ledger_t has an entry and shows in both views.
 */
#include "tc_config.h"

#include <stddef.h>
#include <stdio.h>

#include "tc_ledger.h"

static bool ledger_offline(const void *base);

/* Field f as a counter or gauge; help on a family's first field only. */
#define CNT(grp, key, metric, label, lval, help, f)                            \
    {                                                                          \
        grp, key, metric, label, lval, help, offsetof(tc_ledger_t, f),         \
            TC_STAT_COUNTER, 0, NULL                                           \
    }
#define GAUGE(grp, key, metric, help, f)                                       \
    {                                                                          \
        grp, key, metric, NULL, NULL, help, offsetof(tc_ledger_t, f),          \
            TC_STAT_GAUGE, 0, NULL                                             \
    }
/* --offline only: the file's records */
#define OFF(key, lval, help, f)                                                \
    {                                                                          \
        "offline", key, "tcpcopy_offline_records_total", "outcome", lval,      \
            help, offsetof(tc_ledger_t, f), TC_STAT_COUNTER, 0, ledger_offline \
    }
#define OFF1(key, metric, help, f, type)                                       \
    {                                                                          \
        "offline", key, metric, NULL, NULL, help, offsetof(tc_ledger_t, f),    \
            type, 0, ledger_offline                                            \
    }
#define ENDED(grp, key, lval, help, f)                                         \
    CNT(grp, key, "tcpcopy_sessions_ended_total", "reason", lval, help, f)

/* In the order of the log line. */
const tc_stat_t tc_ledger_stats[] = {
    GAUGE("sessions", "active", "tcpcopy_sessions_open",
          "Sessions with the target open now.", sess_active),
    CNT("sessions", "opened", "tcpcopy_sessions_opened_total", NULL, NULL,
        "Sessions started from a captured SYN.", sess_opened),
    CNT("sessions", "midstream", "tcpcopy_sessions_midstream_total", NULL, NULL,
        "Sessions joined after their SYN (synthesized handshake).",
        sess_midstream),
    ENDED("sessions", "closed", "normal",
          "Sessions ended, by reason (normal and keepalive are the ones "
          "that are not a loss).",
          sess_ended[TC_END_NORMAL]),
    ENDED("sessions", "keepalive_closed", "keepalive", NULL, sess_keepalive),

    CNT("not replayed", "sampled_out", "tcpcopy_sessions_not_replayed_total",
        "reason", "sampled_out", "Client connections not replayed, by reason.",
        sess_sampled_out),
    CNT("not replayed", "no_syn", "tcpcopy_sessions_not_replayed_total",
        "reason", "no_syn", NULL, sess_no_syn),
    CNT("not replayed", "no_room", "tcpcopy_sessions_not_replayed_total",
        "reason", "no_room", NULL, sess_refused),

    /* the label values are tc_end_reason_str()'s (checked by the test) */
    ENDED("aborted", "target_rst", "target_rst", NULL,
          sess_ended[TC_END_TARGET_RST]),
    ENDED("aborted", "refused", "target_refused", NULL,
          sess_ended[TC_END_TARGET_REFUSED]),
    ENDED("aborted", "syn_timeout", "syn_timeout", NULL,
          sess_ended[TC_END_SYN_TIMEOUT]),
    ENDED("aborted", "retrans_limit", "retrans_limit", NULL,
          sess_ended[TC_END_RETRANS_LIMIT]),
    ENDED("aborted", "idle", "idle_timeout", NULL,
          sess_ended[TC_END_IDLE_TIMEOUT]),
    ENDED("aborted", "seq_gap", "seq_gap", NULL, sess_ended[TC_END_SEQ_GAP]),
    ENDED("aborted", "port_reuse", "port_reuse", NULL,
          sess_ended[TC_END_PORT_REUSE]),
    ENDED("aborted", "memory", "memory", NULL, sess_ended[TC_END_MEMORY]),
    ENDED("aborted", "shutdown", "shutdown", NULL, sess_ended[TC_END_SHUTDOWN]),

    CNT("client bytes", "captured", "tcpcopy_client_bytes_total", "stage",
        "captured",
        "Client payload bytes by stage (acked_copy0: acked in copy 0 of -n, "
        "so acked / acked_copy0 is the multiple delivered).",
        bytes_captured),
    CNT("client bytes", "sent", "tcpcopy_client_bytes_total", "stage", "sent",
        NULL, bytes_sent),
    CNT("client bytes", "acked", "tcpcopy_client_bytes_total", "stage", "acked",
        NULL, bytes_acked),
    CNT("client bytes", "acked_copy0", "tcpcopy_client_bytes_total", "stage",
        "acked_copy0", NULL, bytes_acked_orig),
    CNT("client bytes", "lost", "tcpcopy_client_bytes_total", "stage", "lost",
        NULL, bytes_lost),
    CNT("client bytes", "gap", "tcpcopy_client_bytes_total", "stage", "gap",
        NULL, bytes_gap),
    CNT("client bytes", "dup", "tcpcopy_client_bytes_total", "stage", "dup",
        NULL, bytes_dup),

    CNT("answers", "online", "tcpcopy_answer_bytes_total", "side", "online",
        "Answer bytes of ended sessions, online server vs target.",
        answer_online),
    CNT("answers", "target", "tcpcopy_answer_bytes_total", "side", "target",
        NULL, answer_target),

    CNT("segs", "sent", "tcpcopy_segments_total", "kind", "sent",
        "Segments sent to the target.", segs_sent),
    CNT("segs", "retrans", "tcpcopy_segments_total", "kind", "retrans", NULL,
        segs_retrans),
    CNT("segs", "send_err", "tcpcopy_send_errors_total", "errno", "any",
        "sendto() failures toward the target.", send_errors),
    CNT("segs", "emsgsize", "tcpcopy_send_errors_total", "errno", "EMSGSIZE",
        NULL, send_emsgsize),
    CNT("segs", "eperm", "tcpcopy_send_errors_total", "errno", "EPERM", NULL,
        send_eperm),
    CNT("segs", "enobufs", "tcpcopy_send_errors_total", "errno", "ENOBUFS",
        NULL, send_enobufs),

    CNT("pkts", "captured", "tcpcopy_packets_total", "stage", "captured",
        "Captured TCP packets by what became of them.", pkts_captured),
    CNT("pkts", "matched", "tcpcopy_packets_total", "stage", "matched", NULL,
        pkts_matched),
    CNT("pkts", "bad", "tcpcopy_packets_total", "stage", "parse_error", NULL,
        pkts_parse_err),
    CNT("pkts", "no_session", "tcpcopy_packets_total", "stage", "no_session",
        NULL, pkts_no_session),
    CNT("pkts", "late", "tcpcopy_packets_total", "stage", "late", NULL,
        pkts_late),
    CNT("pkts", "drops", "tcpcopy_capture_drops_total", NULL, NULL,
        "Packets the kernel dropped from the capture socket.", capture_drops),

    CNT("", "replies", "tcpcopy_replies_total", "kind", "received",
        "Target reply headers received from intercept.", replies),
    CNT("", "unknown", "tcpcopy_replies_total", "kind", "unknown", NULL,
        replies_unknown),
    CNT("", "foreign", "tcpcopy_replies_total", "kind", "foreign", NULL,
        replies_foreign),
    CNT("", "bad", "tcpcopy_replies_total", "kind", "bad", NULL, replies_bad),
    CNT("", "waits", "tcpcopy_request_waits_total", "outcome", "held",
        "Requests held until the target answered the previous one.",
        reply_waits),
    CNT("", "wait_timeouts", "tcpcopy_request_waits_total", "outcome",
        "timeout", NULL, reply_timeouts),
    CNT("", "catchups", "tcpcopy_request_waits_total", "outcome", "catchup",
        NULL, reply_catchups),
    CNT("", "close_short", "tcpcopy_request_waits_total", "outcome",
        "close_short", NULL, reply_close_short),

    GAUGE("memory", "bytes", "tcpcopy_memory_bytes",
          "Bytes held by sessions now.", mem_used),

    CNT("ctl", "up", "tcpcopy_control_total", "event", "connect",
        "Control channel events.", ctl_connects),
    CNT("ctl", "down", "tcpcopy_control_total", "event", "disconnect", NULL,
        ctl_disconnects),
    CNT("ctl", "routes", "tcpcopy_control_total", "event", "route_sent", NULL,
        ctl_routes_sent),
    CNT("ctl", "unsent", "tcpcopy_control_total", "event", "route_unsent", NULL,
        ctl_routes_unsent),
    GAUGE("ctl", "ready", "tcpcopy_intercepts_ready",
          "Intercepts connected with the handshake done.", ctl_ready),

    OFF1("records", "tcpcopy_offline_records_read_total",
         "Packet records read from the capture file (every loop).", off_records,
         TC_STAT_COUNTER),
    OFF("replayed", "replayed", "Capture file records by what became of them.",
        off_replayed),
    OFF("server_side", "server_side", NULL, off_server),
    OFF("other_port", "other_port", NULL, off_other_port),
    OFF("not_tcp", "not_tcp", NULL, off_not_tcp),
    OFF("not_ip", "not_ip", NULL, off_not_ip),
    OFF("over_snaplen", "over_snaplen", NULL, off_over_snaplen),
    OFF("bad_iface", "bad_iface", NULL, off_bad_iface),
    OFF("truncated", "truncated", NULL, off_truncated),
    OFF1("loops", "tcpcopy_offline_loops",
         "Times through the capture file asked for (-T).", off_loops,
         TC_STAT_GAUGE),

    /* -n: shown in the log line only when copying (with the multiple
     * delivered after it, see tc_ledger_format) */
    {"", "copies", "tcpcopy_copies", NULL, NULL,
     "Sessions replayed per client connection (-n).",
     offsetof(tc_ledger_t, copies), TC_STAT_GAUGE, 2, NULL},
};

const size_t tc_ledger_nstats = tc_nelems(tc_ledger_stats);

_Static_assert(sizeof(tc_ledger_t) % sizeof(uint64_t) == 0,
               "tc_ledger_t holds uint64_t fields only");

#define CONN(key, metric, type, help, f)                                       \
    {                                                                          \
        "", key, metric, NULL, NULL, help, offsetof(tc_ledger_conn_t, f),      \
            type, 0, NULL                                                      \
    }

const tc_stat_t tc_ledger_conn_stats[] = {
    /* the log line starts with "ready" or "down" instead of a key */
    CONN(NULL, "tcpcopy_control_conn_ready", TC_STAT_GAUGE,
         "1 when the control connection is up (HELLO done).", ready),
    CONN("replies", "tcpcopy_control_conn_replies_total", TC_STAT_COUNTER,
         "Reply headers received, by control connection.", replies),
    CONN("routes", "tcpcopy_control_conn_routes_total", TC_STAT_COUNTER,
         "ROUTE entries sent, by control connection.", routes),
    CONN("connects", "tcpcopy_control_conn_connects_total", TC_STAT_COUNTER,
         "Handshakes completed, by control connection.", connects),
    CONN("disconnects", "tcpcopy_control_conn_disconnects_total",
         TC_STAT_COUNTER, "Ready connections lost, by control connection.",
         disconnects),
};

const size_t tc_ledger_conn_nstats = tc_nelems(tc_ledger_conn_stats);


static bool
ledger_offline(const void *base)
{
    const tc_ledger_t *l = base;

    return l->off_loops > 0;
}


char *
tc_ledger_format(const tc_ledger_t *l, char *buf, size_t size)
{
    size_t off;

    off = tc_stats_format(tc_ledger_stats, tc_ledger_nstats, l, buf, size);

    /* -n: the multiple of the traffic delivered, a ratio of two fields
     * (in the metrics: acked / acked_copy0 of tcpcopy_client_bytes_total) */
    if (l->copies > 1 && off + 1 < size) {
        snprintf(buf + off, size - off, " delivered=%.2fx",
                 l->bytes_acked_orig
                     ? (double) l->bytes_acked / (double) l->bytes_acked_orig
                     : 0.0);
    }
    return buf;
}


char *
tc_ledger_conn_format(const tc_ledger_conn_t *c, char *buf, size_t size)
{
    (void) tc_stats_format(tc_ledger_conn_stats, tc_ledger_conn_nstats, c, buf,
                           size);
    return buf;
}
