/*
 * tc_session.h: the pure session state machine.  One tc_sess_t emulates one
 * client's TCP connection toward the target.  It has no sockets, reads no
 * clock and touches no globals: each call takes the session, one event and
 * the current time, and fills a tc_sess_out_t with the segments to send and
 * the time it next wants to be woken.  The caller builds and sends the
 * segments (payload pointers stay valid until the next call on the session)
 * and arms a timer.
 *
 * Sequence spaces: the client's bytes keep their own sequence numbers (the
 * SYN we send carries the client's ISN, or a synthesized one for a session
 * that was already open when capture began).  Toward the target we ack the
 * highest byte the target has sent (seen through intercept), so the target
 * never retransmits forever, whatever the online server answered.
 */
#ifndef TC_SESSION_H_INCLUDED
#define TC_SESSION_H_INCLUDED

#include "tc_core.h"
#include "tc_addr.h"
#include "tc_buf.h"
#include "tc_ledger.h"
#include "tc_pkt.h"

#define TC_SESS_OUT_MAX   64 /* segments per call; call again if full */
#define TC_SESS_OOO_MAX   8  /* out-of-order client segments kept */
#define TC_SESS_MARKS_MAX 32 /* request boundaries waiting for replies */

typedef enum {
    TC_SESS_SYN_SENT = 1, /* SYN sent, waiting for the target's SYN-ACK */
    TC_SESS_ESTABLISHED,  /* data flows; FINs are tracked by flags */
    TC_SESS_CLOSED        /* done; lingers to absorb late packets */
} tc_sess_state_e;

/* Settings shared by every session (from the command line). */
typedef struct {
    uint16_t  mss;     /* largest payload we send (default 1460) */
    bool      no_wait; /* -W: do not wait for replies */
    tc_msec_t rto_min; /* retransmission timeout floor */
    tc_msec_t rto_max;
    unsigned  retries_max; /* data retransmissions before giving up */
    unsigned  syn_retries_max;
    tc_msec_t reply_timeout;        /* held request released after this */
    tc_msec_t max_lag;              /* a request held this long after the
                                       client sent it goes without waiting */
    tc_msec_t close_settle;         /* the client's close goes once the target,
                                       having answered, is silent this long */
    tc_msec_t    idle_timeout;      /* -t: no progress, work pending */
    tc_msec_t    keepalive_timeout; /* -k: no traffic, nothing pending */
    tc_msec_t    fixed_rtt;         /* -R: instead of the measured RTT */
    tc_msec_t    gap_timeout;       /* missing client bytes waited for */
    tc_msec_t    linger;            /* closed sessions absorb late packets */
    size_t       buf_max;           /* client bytes buffered per session */
    tc_ledger_t *ledger;            /* counters, owned by the caller */
} tc_sess_conf_t;

/* One segment to send to the target. */
typedef struct {
    uint32_t       seq;
    uint32_t       ack;
    uint8_t        flags;
    uint16_t       window; /* raw header value */
    uint16_t       mss;    /* SYN only */
    int8_t         wscale; /* SYN only; -1 none */
    bool           retrans;
    const uint8_t *payload; /* into the session buffer */
    uint32_t       len;
} tc_sess_seg_t;

typedef struct {
    tc_sess_seg_t segs[TC_SESS_OUT_MAX];
    unsigned      n;
    tc_msec_t     wakeup; /* next time the session wants tc_sess_timer(),
                             0 = no timer needed */
    bool done;            /* the session may be freed now */
    bool more;            /* segs filled up: call tc_sess_flush() again */
} tc_sess_out_t;

typedef struct {
    uint32_t  seq; /* first byte of the request */
    uint32_t  ack; /* the online server's ack when the client sent it */
    tc_msec_t at;  /* when it was captured */
} tc_sess_mark_t;

typedef struct {
    uint32_t seq;
    uint32_t ack;
    uint32_t len;
    uint8_t  flags;
    uint8_t *data; /* malloc'ed copy */
} tc_sess_ooo_t;

typedef struct tc_sess_s tc_sess_t;

struct tc_sess_s {
    tc_sess_state_e state;
    tc_endpoint_t   client;     /* as the target sees it */
    tc_endpoint_t   peer;       /* where its replies come from, once known */
    bool            peer_known; /* (see tc_sess_reply_source) */

    /* client stream */
    uint32_t c_isn;         /* seq of the client's SYN */
    uint32_t c_nxt;         /* next in-order client seq expected */
    bool     c_fin;         /* client FIN accepted (at c_nxt - 1) */
    bool     c_rst;         /* client RST seen: send after the data */
    uint32_t last_ack;      /* online server ack of the last request */
    bool     have_last_ack; /* last_ack is known */
    bool     have_ack_base; /* ack_base is known */
    uint32_t ack_base;      /* online server's first byte the client acked */
    uint32_t ack_max;       /* ... and its highest (so its answer's size) */
    uint32_t data_seq;      /* seq of the first byte in buf */

    /* client bytes not yet acked by the target: [data_seq, + len(buf)) */
    tc_buf_t buf;

    /* toward the target */
    uint32_t snd_una; /* oldest unacked seq */
    uint32_t snd_nxt; /* next seq to send */
    uint32_t snd_max; /* highest seq sent so far */
    uint32_t t_isn;
    uint32_t t_nxt;   /* highest target seq seen + 1: our ack */
    uint32_t t_acked; /* t_nxt value we last sent in an ACK */
    uint32_t t_win;   /* target window in bytes (scaled) */
    uint8_t  t_wscale;
    uint16_t t_mss;
    bool     t_fin; /* target sent FIN */
    bool     fin_sent;
    bool     rst_sent;
    uint32_t cwnd; /* bytes; simple slow start */

    /* pacing: request boundaries waiting for the target's answer */
    tc_sess_mark_t marks[TC_SESS_MARKS_MAX];
    unsigned       marks_head;
    unsigned       marks_n;
    bool           waiting;       /* all before marks[head] sent; waiting */
    uint32_t       wait_t_nxt;    /* t_nxt when the previous request went */
    uint32_t       t_nxt_at_send; /* t_nxt when new client bytes last went */
    tc_msec_t      wait_since;

    tc_sess_ooo_t ooo[TC_SESS_OOO_MAX];
    unsigned      ooo_n;
    tc_msec_t     gap_since; /* 0 = no gap */

    /* timers (absolute, 0 = off) */
    tc_msec_t rto_at;
    tc_msec_t rto;
    unsigned  retries;
    tc_msec_t syn_sent_at;
    tc_msec_t srtt;
    tc_msec_t last_activity;
    tc_msec_t t_last; /* last reply from the target */
    tc_msec_t closed_at;

    int end_reason; /* tc_end_reason_e once closed */

    uint16_t copy; /* 0: the client's own session; 1..n-1:
                      the copies of -n */
};

/*
 * Starts a session from a captured client packet: a SYN (normal start) or a
 * data segment of a connection that was already open (a handshake is
 * synthesized).  sess must be zeroed memory owned by the caller; client is
 * the endpoint the target will see.  Emits the SYN.  Returns TC_OK, or
 * TC_DECLINED if the packet cannot start a session (no SYN and no data).
 */
int tc_sess_start(tc_sess_t *sess, const tc_sess_conf_t *conf,
                  const tc_endpoint_t *client, const tc_pkt_view_t *pkt,
                  tc_msec_t now, tc_sess_out_t *out);

/* Feeds one captured client packet (already matched to this session). */
void tc_sess_client(tc_sess_t *sess, const tc_sess_conf_t *conf,
                    const tc_pkt_view_t *pkt, tc_msec_t now,
                    tc_sess_out_t *out);

/* Where a reply comes from (tc_sess_reply_source). */
typedef enum {
    TC_SESS_SRC_PEER,   /* the session's answerer: feed the reply */
    TC_SESS_SRC_NEW,    /* it acks the SYN from another endpoint than the
                           target (NAT between): the answerer from now on */
    TC_SESS_SRC_FOREIGN /* another connection's: not for this session */
} tc_sess_src_e;

/*
 * Replies reach a session by its client endpoint alone, so one may belong to
 * another connection of that endpoint; fed to the session, its sequence
 * numbers would corrupt it.  A session's replies all come from one
 * endpoint: the target, or whatever answers the SYN sent to it (a target
 * behind NAT, on a floating address, in a container intercept -D was not
 * told about), named by the first reply that acks that SYN.
 */
tc_sess_src_e tc_sess_reply_source(tc_sess_t *sess, const tc_endpoint_t *target,
                                   const tc_pkt_view_t *pkt);

/* Feeds one reply header from the target (seen by intercept). */
void tc_sess_reply(tc_sess_t *sess, const tc_sess_conf_t *conf,
                   const tc_pkt_view_t *pkt, tc_msec_t now, tc_sess_out_t *out);

/* The session's timer fired (now >= the wakeup it asked for). */
void tc_sess_timer(tc_sess_t *sess, const tc_sess_conf_t *conf, tc_msec_t now,
                   tc_sess_out_t *out);

/* Sends what can be sent now (after out->more, or a send error). */
void tc_sess_flush(tc_sess_t *sess, const tc_sess_conf_t *conf, tc_msec_t now,
                   tc_sess_out_t *out);

/*
 * Ends the session now for reason (shutdown, port reuse, memory): out is
 * emptied, then gets an RST to the target if the target knows the session;
 * unacked bytes are counted as lost.  The session is then CLOSED and
 * out->done is set (also when it had ended already: nothing is sent then).
 */
void tc_sess_abort(tc_sess_t *sess, const tc_sess_conf_t *conf, int reason,
                   tc_msec_t now, tc_sess_out_t *out);

/* Frees the buffers the session owns (not sess itself). */
void tc_sess_free(tc_sess_t *sess);

/* True for a client's SYN (not a SYN-ACK): a connection's first packet. */
static inline bool
tc_sess_is_syn(const tc_pkt_view_t *pkt)
{
    return (pkt->flags & TC_TCP_SYN) && !(pkt->flags & TC_TCP_ACK);
}

/* True if the packet can start a session: a SYN, or data of a connection
 * that was already open when capture began (never an RST). */
bool tc_sess_can_start(const tc_pkt_view_t *pkt);

/* True if a SYN with this seq starts a new connection on the session's
 * client port (a port reuse), not a retransmitted SYN. */
bool tc_sess_is_new_syn(const tc_sess_t *sess, const tc_pkt_view_t *pkt);

const char *tc_sess_state_str(int state);

/* Fills conf with the defaults. */
void tc_sess_conf_default(tc_sess_conf_t *conf, tc_ledger_t *ledger);

#endif /* TC_SESSION_H_INCLUDED */
