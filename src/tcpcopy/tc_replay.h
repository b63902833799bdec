/*
 * tc_replay.h: tcpcopy's engine.  It owns the flows (client connections)
 * and their sessions (one per copy, -n) and joins the pieces: captured
 * packets -> transfer match -> traffic controls -> flow -> sessions ->
 * segments -> send; reply headers from intercept -> session -> segments ->
 * send; session timers; ROUTE announcements; the memory bound; the ledger.
 */
#ifndef TC_REPLAY_H_INCLUDED
#define TC_REPLAY_H_INCLUDED

#include "tc_core.h"
#include "tc_addr.h"
#include "tc_capture.h"
#include "tc_ctl.h"
#include "tc_event.h"
#include "tc_ledger.h"
#include "tc_plan.h"
#include "tc_send.h"
#include "tc_session.h"
#include "tc_table.h"
#include "tc_transfer.h"

typedef struct tc_replay_s tc_replay_t;
typedef struct tc_rsess_s  tc_rsess_t;

/* The traffic controls (issue: copies, sampling, addresses, memory). */
typedef struct {
    unsigned     copies;     /* -n: sessions per client connection, 1.. */
    unsigned     shift;      /* -f: port plan shift for this instance */
    unsigned     sample_pct; /* -r: 1..100 */
    bool         ramp;       /* -g: share from 1 % to 100 % over 100 s */
    bool         syn_only;   /* -O: only connections whose SYN was seen */
    bool         map_addrs;  /* -c given */
    tc_addrmap_t addrmap;
    bool         map_loopback; /* -H given */
    tc_addr_t    loopback_src;
    size_t       mem_bound; /* -m in bytes; 0: no bound */
} tc_controls_t;

struct tc_replay_s {
    tc_event_loop_t *loop;
    tc_sess_conf_t   conf;
    tc_controls_t    ctl_conf;
    tc_ledger_t      ledger;
    tc_transfer_t    transfers[TC_TRANSFERS_MAX];
    size_t           ntransfers;
    tc_table_t       sessions; /* by the endpoint the target sees */
    tc_table_t       flows;    /* by the client's own endpoint */
    tc_rsess_t      *lru_head; /* least recently active session first */
    tc_rsess_t      *lru_tail;
    tc_msec_t        started;
    size_t           heap_base; /* -m: heap and RSS when the bound began */
    size_t           rss_base;
    tc_msec_t        mem_at;       /* -m: when the heap was last measured */
    size_t           mem_admitted; /* ... and the sessions admitted since */
    tc_sender_t      sender;
    tc_ctl_t        *ctl;
    tc_sess_out_t    out;             /* scratch for one session call */
    uint64_t         send_err_logged; /* bit per errno already logged */
    bool             nat_noted;       /* a target answering from elsewhere */
    uint8_t          pkt[TC_PKT_HDR_MAX + 65536];
};

/* Sets up the tables and default controls; the caller then fills conf,
 * ctl_conf, transfers, sender, ctl.  TC_OK or TC_ERROR. */
int tc_replay_init(tc_replay_t *r, tc_event_loop_t *loop);

/* A captured IP packet (tc_capture_pkt_pt). */
void tc_replay_packet(void *data, const uint8_t *pkt, size_t caplen);

/* The index of the -x transfer whose local side is ip:port, or -1: a
 * packet to it is a client packet, one from it the server's. */
int tc_replay_match(const tc_replay_t *r, const tc_addr_t *ip, uint16_t port);

/*
 * tc_replay_packet() for a caller that has parsed and matched the packet
 * already (offline replay classifies every record): v was parsed from pkt
 * (caplen bytes, kept alive for the call) and transfer is
 * tc_replay_match() of v's destination.
 */
void tc_replay_parsed(tc_replay_t *r, const uint8_t *pkt, size_t caplen,
                      const tc_pkt_view_t *v, int transfer);

/* A reply header from intercept (tc_ctl_reply_pt). */
void tc_replay_reply(void *data, const tc_msg_reply_t *reply);

/* An intercept (re)connected: announce every live session
 * (tc_ctl_ready_pt). */
void tc_replay_resync(void *data);

/* Fires every session's timer on the next loop iteration, so that shorter
 * timeouts put in conf apply to sessions already waiting (offline replay's
 * end of file). */
void tc_replay_wake_all(tc_replay_t *r);

/* Sessions with the target not yet ended (lingering closed ones do not
 * count). */
static inline uint64_t
tc_replay_live(const tc_replay_t *r)
{
    return r->ledger.sess_active;
}

/* Ends every session (RST to the target, counted as shutdown).  Replies
 * may still arrive afterwards; they find no session. */
void tc_replay_shutdown(tc_replay_t *r);

/* Frees the tables; call once nothing can deliver packets any more. */
void tc_replay_done(tc_replay_t *r);

#endif /* TC_REPLAY_H_INCLUDED */
