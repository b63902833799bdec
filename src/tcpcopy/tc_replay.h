/*
 * tc_replay.h: tcpcopy's engine.  It owns the session table and joins the
 * pieces: captured packets -> transfer match -> session -> segments -> send;
 * reply headers from intercept -> session -> segments -> send; session
 * timers; ROUTE announcements; the ledger.
 */
#ifndef TC_REPLAY_H_INCLUDED
#define TC_REPLAY_H_INCLUDED

#include "tc_core.h"
#include "tc_addr.h"
#include "tc_capture.h"
#include "tc_ctl.h"
#include "tc_event.h"
#include "tc_ledger.h"
#include "tc_send.h"
#include "tc_session.h"
#include "tc_table.h"

/* One -x item: traffic to [local_ip:]local_port goes to target. */
typedef struct {
    tc_addr_t     local_ip; /* TC_AF_NONE: any local address */
    uint16_t      local_port;
    tc_endpoint_t target;
} tc_transfer_t;

#define TC_TRANSFERS_MAX 64

typedef struct tc_replay_s tc_replay_t;

struct tc_replay_s {
    tc_event_loop_t *loop;
    tc_sess_conf_t   conf;
    tc_ledger_t      ledger;
    tc_transfer_t    transfers[TC_TRANSFERS_MAX];
    size_t           ntransfers;
    tc_table_t       table;
    tc_sender_t      sender;
    tc_ctl_t        *ctl;
    tc_sess_out_t    out;             /* scratch for one session call */
    uint64_t         send_err_logged; /* bit per errno already logged */
    uint8_t          pkt[TC_PKT_HDR_MAX + 65536];
};

/* Sets up the table; the caller fills conf, transfers, sender, ctl.
 * TC_OK or TC_ERROR. */
int tc_replay_init(tc_replay_t *r, tc_event_loop_t *loop);

/* A captured IP packet (tc_capture_pkt_pt). */
void tc_replay_packet(void *data, const uint8_t *pkt, size_t caplen);

/* A reply header from intercept (tc_ctl_reply_pt). */
void tc_replay_reply(void *data, const tc_msg_reply_t *reply);

/* An intercept (re)connected: announce every live session (tc_ctl_ready_pt). */
void tc_replay_resync(void *data);

/* Ends every session (RST to the target, counted as shutdown).  Replies
 * may still arrive afterwards; they find no session. */
void tc_replay_shutdown(tc_replay_t *r);

/* Frees the table; call once nothing can deliver packets any more. */
void tc_replay_done(tc_replay_t *r);

#endif /* TC_REPLAY_H_INCLUDED */
