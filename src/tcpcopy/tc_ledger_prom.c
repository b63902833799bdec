/*
 * tc_ledger_prom.c: tcpcopy's ledger as Prometheus metrics.  Counters that
 * share a name differ by one label (stage, reason, kind); each family is a
 * table, so a counter cannot be printed under the wrong label.
 */
#include "tc_config.h"

#include <stdio.h>

#include "tc_ledger_prom.h"

typedef struct {
    const char     *label; /* the label pair, e.g. stage="sent" */
    const uint64_t *value;
} prom_item_t;

static void prom_family(tc_mtext_t *t, const char *name, const char *type,
                        const char *help, const prom_item_t *items, size_t n);


static void
prom_family(tc_mtext_t *t, const char *name, const char *type, const char *help,
            const prom_item_t *items, size_t n)
{
    size_t i;

    tc_mtext_head(t, name, type, help);
    for (i = 0; i < n; i++) {
        tc_mtext_value(t, name, items[i].label, *items[i].value);
    }
}


static void
prom_sessions(const tc_ledger_t *l, tc_mtext_t *t)
{
    char   label[64];
    size_t r;

    tc_mtext_one(t, "tcpcopy_sessions_open", "gauge",
                 "Sessions with the target open now.", l->sess_active);
    tc_mtext_one(t, "tcpcopy_sessions_opened_total", "counter",
                 "Sessions started from a captured SYN.", l->sess_opened);
    tc_mtext_one(t, "tcpcopy_sessions_midstream_total", "counter",
                 "Sessions joined after their SYN (synthesized handshake).",
                 l->sess_midstream);

    tc_mtext_head(t, "tcpcopy_sessions_ended_total", "counter",
                  "Sessions ended, by reason (normal is the only one that is "
                  "not a loss).");
    for (r = 0; r < TC_END_NREASONS; r++) {
        snprintf(label, sizeof(label), "reason=\"%s\"",
                 tc_end_reason_str((int) r));
        tc_mtext_value(t, "tcpcopy_sessions_ended_total", label,
                       l->sess_ended[r]);
    }
    tc_mtext_value(t, "tcpcopy_sessions_ended_total", "reason=\"keepalive\"",
                   l->sess_keepalive);

    {
        const prom_item_t skipped[] = {
            {"reason=\"sampled_out\"", &l->sess_sampled_out},
            {"reason=\"no_syn\"", &l->sess_no_syn},
            {"reason=\"no_room\"", &l->sess_refused},
        };
        prom_family(t, "tcpcopy_sessions_not_replayed_total", "counter",
                    "Client connections not replayed, by reason.", skipped,
                    tc_nelems(skipped));
    }
    tc_mtext_one(t, "tcpcopy_memory_bytes", "gauge",
                 "Bytes held by sessions now.", l->mem_used);
}


static void
prom_traffic(const tc_ledger_t *l, tc_mtext_t *t)
{
    const prom_item_t bytes[] = {
        {"stage=\"captured\"", &l->bytes_captured},
        {"stage=\"sent\"", &l->bytes_sent},
        {"stage=\"acked\"", &l->bytes_acked},
        {"stage=\"lost\"", &l->bytes_lost},
        {"stage=\"gap\"", &l->bytes_gap},
        {"stage=\"dup\"", &l->bytes_dup},
    };
    const prom_item_t answers[] = {
        {"side=\"online\"", &l->answer_online},
        {"side=\"target\"", &l->answer_target},
    };
    const prom_item_t pkts[] = {
        {"stage=\"captured\"", &l->pkts_captured},
        {"stage=\"matched\"", &l->pkts_matched},
        {"stage=\"parse_error\"", &l->pkts_parse_err},
        {"stage=\"no_session\"", &l->pkts_no_session},
        {"stage=\"late\"", &l->pkts_late},
    };
    const prom_item_t segs[] = {
        {"kind=\"sent\"", &l->segs_sent},
        {"kind=\"retrans\"", &l->segs_retrans},
    };
    const prom_item_t errs[] = {
        {"errno=\"any\"", &l->send_errors},
        {"errno=\"EPERM\"", &l->send_eperm},
        {"errno=\"EMSGSIZE\"", &l->send_emsgsize},
        {"errno=\"ENOBUFS\"", &l->send_enobufs},
    };

    prom_family(t, "tcpcopy_client_bytes_total", "counter",
                "Client payload bytes by stage.", bytes, tc_nelems(bytes));
    prom_family(t, "tcpcopy_answer_bytes_total", "counter",
                "Answer bytes of ended sessions, online server vs target.",
                answers, tc_nelems(answers));
    prom_family(t, "tcpcopy_packets_total", "counter",
                "Captured TCP packets by what became of them.", pkts,
                tc_nelems(pkts));
    tc_mtext_one(t, "tcpcopy_capture_drops_total", "counter",
                 "Packets the kernel dropped from the capture socket.",
                 l->capture_drops);
    prom_family(t, "tcpcopy_segments_total", "counter",
                "Segments sent to the target.", segs, tc_nelems(segs));
    prom_family(t, "tcpcopy_send_errors_total", "counter",
                "sendto() failures toward the target.", errs, tc_nelems(errs));
}


static void
prom_control(const tc_ledger_t *l, size_t ctl_ready, tc_mtext_t *t)
{
    const prom_item_t replies[] = {
        {"kind=\"received\"", &l->replies},
        {"kind=\"unknown\"", &l->replies_unknown},
        {"kind=\"bad\"", &l->replies_bad},
    };
    const prom_item_t waits[] = {
        {"outcome=\"held\"", &l->reply_waits},
        {"outcome=\"timeout\"", &l->reply_timeouts},
        {"outcome=\"catchup\"", &l->reply_catchups},
    };
    const prom_item_t ctl[] = {
        {"event=\"connect\"", &l->ctl_connects},
        {"event=\"disconnect\"", &l->ctl_disconnects},
        {"event=\"route_sent\"", &l->ctl_routes_sent},
        {"event=\"route_unsent\"", &l->ctl_routes_unsent},
    };

    prom_family(t, "tcpcopy_replies_total", "counter",
                "Target reply headers received from intercept.", replies,
                tc_nelems(replies));
    prom_family(t, "tcpcopy_request_waits_total", "counter",
                "Requests held until the target answered the previous one.",
                waits, tc_nelems(waits));
    prom_family(t, "tcpcopy_control_total", "counter",
                "Control channel events.", ctl, tc_nelems(ctl));
    tc_mtext_one(t, "tcpcopy_intercepts_ready", "gauge",
                 "Intercepts connected with the handshake done.",
                 (uint64_t) ctl_ready);
}


/* --offline only: what became of the file's records. */
static void
prom_offline(const tc_ledger_t *l, tc_mtext_t *t)
{
    const prom_item_t recs[] = {
        {"outcome=\"replayed\"", &l->off_replayed},
        {"outcome=\"server_side\"", &l->off_server},
        {"outcome=\"other_port\"", &l->off_other_port},
        {"outcome=\"not_tcp\"", &l->off_not_tcp},
        {"outcome=\"not_ip\"", &l->off_not_ip},
        {"outcome=\"over_snaplen\"", &l->off_over_snaplen},
        {"outcome=\"bad_iface\"", &l->off_bad_iface},
        {"outcome=\"truncated\"", &l->off_truncated},
    };

    tc_mtext_one(t, "tcpcopy_offline_records_read_total", "counter",
                 "Packet records read from the capture file (every loop).",
                 l->off_records);
    prom_family(t, "tcpcopy_offline_records_total", "counter",
                "Capture file records by what became of them.", recs,
                tc_nelems(recs));
}


void
tc_ledger_prom(const tc_ledger_t *l, size_t ctl_ready, tc_mtext_t *t)
{
    prom_sessions(l, t);
    prom_traffic(l, t);
    prom_control(l, ctl_ready, t);
    if (l->off_loops > 0) {
        prom_offline(l, t);
    }
}
