/*
 * tc_ledger.c: formatting of tcpcopy's accounting line.
 */
#include "tc_config.h"

#include <stdio.h>

#include "tc_ledger.h"


char *
tc_ledger_format(const tc_ledger_t *l, char *buf, size_t size)
{
    const uint64_t *e = l->sess_ended;

    snprintf(
        buf, size,
        "sessions active=%llu opened=%llu midstream=%llu "
        "closed=%llu aborted{target_rst=%llu refused=%llu "
        "syn_timeout=%llu retrans_limit=%llu idle=%llu seq_gap=%llu "
        "port_reuse=%llu memory=%llu shutdown=%llu} | "
        "client bytes captured=%llu sent=%llu acked=%llu lost=%llu "
        "gap=%llu dup=%llu | segs sent=%llu retrans=%llu "
        "send_err=%llu | pkts captured=%llu matched=%llu "
        "bad=%llu late=%llu drops=%llu | replies=%llu unknown=%llu "
        "waits=%llu wait_timeouts=%llu catchups=%llu | ctl up=%llu down=%llu "
        "routes=%llu unsent=%llu",
        (unsigned long long) l->sess_active,
        (unsigned long long) l->sess_opened,
        (unsigned long long) l->sess_midstream,
        (unsigned long long) e[TC_END_NORMAL],
        (unsigned long long) e[TC_END_TARGET_RST],
        (unsigned long long) e[TC_END_TARGET_REFUSED],
        (unsigned long long) e[TC_END_SYN_TIMEOUT],
        (unsigned long long) e[TC_END_RETRANS_LIMIT],
        (unsigned long long) e[TC_END_IDLE_TIMEOUT],
        (unsigned long long) e[TC_END_SEQ_GAP],
        (unsigned long long) e[TC_END_PORT_REUSE],
        (unsigned long long) e[TC_END_MEMORY],
        (unsigned long long) e[TC_END_SHUTDOWN],
        (unsigned long long) l->bytes_captured,
        (unsigned long long) l->bytes_sent, (unsigned long long) l->bytes_acked,
        (unsigned long long) l->bytes_lost, (unsigned long long) l->bytes_gap,
        (unsigned long long) l->bytes_dup, (unsigned long long) l->segs_sent,
        (unsigned long long) l->segs_retrans,
        (unsigned long long) l->send_errors,
        (unsigned long long) l->pkts_captured,
        (unsigned long long) l->pkts_matched,
        (unsigned long long) l->pkts_parse_err,
        (unsigned long long) l->pkts_late,
        (unsigned long long) l->capture_drops, (unsigned long long) l->replies,
        (unsigned long long) l->replies_unknown,
        (unsigned long long) l->reply_waits,
        (unsigned long long) l->reply_timeouts,
        (unsigned long long) l->reply_catchups,
        (unsigned long long) l->ctl_connects,
        (unsigned long long) l->ctl_disconnects,
        (unsigned long long) l->ctl_routes_sent,
        (unsigned long long) l->ctl_routes_unsent);
    return buf;
}
