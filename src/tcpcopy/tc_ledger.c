/*
 * tc_ledger.c: formatting of tcpcopy's accounting line.  The line is built
 * from one table of (label, counter) pairs so a new counter cannot get its
 * format and its argument out of step.
 */
#include "tc_config.h"

#include <stdio.h>

#include "tc_ledger.h"

typedef struct {
    const char     *label; /* "|name" starts a group, "name" continues it */
    const uint64_t *value;
} ledger_item_t;


static size_t
ledger_put(char *buf, size_t size, size_t off, const char *label,
           uint64_t value)
{
    int n;

    if (off >= size) {
        return off;
    }
    n = snprintf(buf + off, size - off, "%s%s=%llu",
                 off == 0 ? "" : (label[0] == '|' ? " | " : " "),
                 label[0] == '|' ? label + 1 : label,
                 (unsigned long long) value);
    return n < 0 ? off : off + (size_t) n;
}


/* --offline: the file's records, only shown when replaying a file. */
static size_t
ledger_offline(const tc_ledger_t *l, char *buf, size_t size, size_t off)
{
    size_t              i;
    const ledger_item_t items[] = {
        {"|offline records", &l->off_records},
        {"replayed", &l->off_replayed},
        {"server_side", &l->off_server},
        {"other_port", &l->off_other_port},
        {"not_tcp", &l->off_not_tcp},
        {"not_ip", &l->off_not_ip},
        {"over_snaplen", &l->off_over_snaplen},
        {"bad_iface", &l->off_bad_iface},
        {"truncated", &l->off_truncated},
    };

    for (i = 0; i < tc_nelems(items); i++) {
        off = ledger_put(buf, size, off, items[i].label, *items[i].value);
    }
    return off;
}


char *
tc_ledger_format(const tc_ledger_t *l, char *buf, size_t size)
{
    const uint64_t *e = l->sess_ended;
    size_t          i, off = 0;
    ledger_item_t   items[] = {
          {"|sessions active", &l->sess_active},
          {"opened", &l->sess_opened},
          {"midstream", &l->sess_midstream},
          {"closed", &e[TC_END_NORMAL]},
          {"keepalive_closed", &l->sess_keepalive},
          {"|not replayed sampled_out", &l->sess_sampled_out},
          {"no_syn", &l->sess_no_syn},
          {"no_room", &l->sess_refused},
          {"|aborted target_rst", &e[TC_END_TARGET_RST]},
          {"refused", &e[TC_END_TARGET_REFUSED]},
          {"syn_timeout", &e[TC_END_SYN_TIMEOUT]},
          {"retrans_limit", &e[TC_END_RETRANS_LIMIT]},
          {"idle", &e[TC_END_IDLE_TIMEOUT]},
          {"seq_gap", &e[TC_END_SEQ_GAP]},
          {"port_reuse", &e[TC_END_PORT_REUSE]},
          {"memory", &e[TC_END_MEMORY]},
          {"shutdown", &e[TC_END_SHUTDOWN]},
          {"|client bytes captured", &l->bytes_captured},
          {"sent", &l->bytes_sent},
          {"acked", &l->bytes_acked},
          {"acked_copy0", &l->bytes_acked_orig},
          {"lost", &l->bytes_lost},
          {"gap", &l->bytes_gap},
          {"dup", &l->bytes_dup},
          {"|answers online", &l->answer_online},
          {"target", &l->answer_target},
          {"|segs sent", &l->segs_sent},
          {"retrans", &l->segs_retrans},
          {"send_err", &l->send_errors},
          {"emsgsize", &l->send_emsgsize},
          {"eperm", &l->send_eperm},
          {"enobufs", &l->send_enobufs},
          {"|pkts captured", &l->pkts_captured},
          {"matched", &l->pkts_matched},
          {"bad", &l->pkts_parse_err},
          {"late", &l->pkts_late},
          {"drops", &l->capture_drops},
          {"|replies", &l->replies},
          {"unknown", &l->replies_unknown},
          {"waits", &l->reply_waits},
          {"wait_timeouts", &l->reply_timeouts},
          {"catchups", &l->reply_catchups},
          {"|memory bytes", &l->mem_used},
          {"|ctl up", &l->ctl_connects},
          {"down", &l->ctl_disconnects},
          {"routes", &l->ctl_routes_sent},
          {"unsent", &l->ctl_routes_unsent},
    };

    buf[0] = '\0';
    for (i = 0; i < tc_nelems(items); i++) {
        off = ledger_put(buf, size, off, items[i].label, *items[i].value);
    }

    if (l->off_loops > 0) {
        off = ledger_offline(l, buf, size, off);
    }

    /* -n: the multiple of the traffic actually delivered */
    if (l->copies > 1 && off < size) {
        snprintf(buf + off, size - off, " | copies=%llu delivered=%.2fx",
                 (unsigned long long) l->copies,
                 l->bytes_acked_orig
                     ? (double) l->bytes_acked / (double) l->bytes_acked_orig
                     : 0.0);
    }
    return buf;
}
