/*
 * intercept.h: what intercept's modules share.  The configuration (filled
 * once from the command line, read-only afterwards), the ledger of
 * counters, and the cycle that ties the route table (router.c), the control
 * server (server.c) and the capture input (capture_*.c) to one event loop.
 *
 * Data flow: the capture input hands each queued reply to tc_icp_packet()
 * (reply.c), which returns the verdict and hands the reply's header to the
 * control connection that owns the client (tc_icp_server_reply()), or to
 * the router to hold until that owner announces itself.
 */
#ifndef TC_INTERCEPT_H_INCLUDED
#define TC_INTERCEPT_H_INCLUDED

#include <string.h>

#include "tc_core.h"
#include "tc_addr.h"
#include "tc_event.h"
#include "tc_pkt.h"
#include "nat.h"
#include "router.h"

#define TC_ICP_VERSION "0.1.0"

#define TC_ICP_PASS_MAX           64
#define TC_ICP_QUEUE_LEN_DEFAULT  8192
#define TC_ICP_COPY_RANGE_DEFAULT 128 /* IPv4 60 + TCP 60, rounded up */
#define TC_ICP_STATS_DEFAULT      5
#define TC_ICP_CONNS_MAX          1024
#define TC_ICP_OUT_HWM            (8u << 20) /* per control connection */
#define TC_ICP_NAT_BUF            65536      /* -D: bytes of a reply copied */

typedef struct tc_icp_cycle_s   tc_icp_cycle_t;
typedef struct tc_icp_server_s  tc_icp_server_t;
typedef struct tc_icp_capture_s tc_icp_capture_t;

typedef struct {
    tc_endpoint_t listen;                /* -b, -p */
    unsigned      queue_num;             /* --queue-num */
    uint32_t      queue_len;             /* -q */
    uint32_t      copy_range;            /* --copy-range: bytes of each reply */
    tc_addr_t     pass[TC_ICP_PASS_MAX]; /* -x */
    size_t        npass;
    tc_msec_t     hold_ms;        /* --hold-ms */
    const char   *pcap_devices;   /* -i: libpcap input instead of NFQUEUE */
    const char   *pcap_filter;    /* -F: BPF filter of the pcap input */
    unsigned      pcap_buffer_mb; /* --buffer-size */
    tc_icp_nat_t  nat[TC_ICP_NAT_MAX]; /* -D INNER-OUTER */
    size_t        nnat;
} tc_icp_conf_t;

/* Verdicts, as the capture input should apply them. */
typedef enum { TC_ICP_DROP = 1, TC_ICP_ACCEPT } tc_icp_verdict_e;

/* Counters since start; the periodic ledger line prints them. */
typedef struct {
    uint64_t packets; /* replies handed over by the capture */
    uint64_t tcp;     /* parsed as IP+TCP */
    uint64_t perr[TC_PKT_NERR];
    uint64_t accept;
    uint64_t drop;
    uint64_t pass;       /* accepted: client on the pass list */
    uint64_t delivered;  /* REPLY frames queued (held ones included) */
    uint64_t no_conn;    /* routed to a connection that is gone */
    uint64_t queue_full; /* REPLYs dropped: owner's queue over HWM */
    uint64_t conns_accepted;
    uint64_t conns_closed;
    uint64_t conns_refused;  /* over TC_ICP_CONNS_MAX */
    uint64_t proto_errors;   /* malformed frames, bad HELLOs, versions */
    uint64_t frames_unknown; /* frames of types intercept does not take */
    uint64_t nat_rewritten;  /* -D: replies whose source was put back */
} tc_icp_ledger_t;

struct tc_icp_cycle_s {
    const tc_icp_conf_t *conf;
    tc_event_loop_t     *loop;
    tc_router_t         *router;
    tc_icp_server_t     *server;
    tc_icp_capture_t    *capture;
    tc_timer_t           hold_timer; /* next held-reply expiry */
    uint8_t             *nat_buf;    /* -D: a writable copy of the reply */
    tc_icp_ledger_t      ledger;
};

/* ---- reply.c: the per-packet path ---- */

/*
 * Handles one queued reply: pkt holds caplen bytes from the start of its
 * IP header (ctx is the tc_icp_cycle_t).  Counts it, queues or holds its
 * header for the owning tcpcopy, and returns the verdict: TC_ICP_ACCEPT
 * for non-TCP packets and pass-list clients, TC_ICP_DROP for every other
 * reply (including TCP packets too broken to parse: a reply must never
 * leak to a real client).  pkt is only read during the call.
 */
int tc_icp_packet(void *ctx, const uint8_t *pkt, size_t caplen);

/* The router's deliver callback (ctx is the cycle): queues a held header
 * for its late owner. */
void tc_icp_held_deliver(void *ctx, uint32_t owner,
                         const tc_router_held_t *held);

/* Sets up the held-reply timer; once, before the cycle can be stopped. */
void tc_icp_hold_timer_init(tc_icp_cycle_t *cycle);

/* ---- server.c: the control server ---- */

/*
 * Listens on conf->listen and registers the listener and a tick hook (the
 * output flush) with cycle->loop.  Returns the server, or NULL after
 * logging why.  The server keeps cycle for its whole life.
 */
tc_icp_server_t *tc_icp_server_open(tc_icp_cycle_t *cycle);

/* Closes every control connection (their routes go with them) and the
 * listener, and frees the server.  Pending output is given one
 * non-blocking send first.  NULL is ignored. */
void tc_icp_server_close(tc_icp_server_t *srv);

/*
 * Queues one REPLY frame for connection id: pkt holds hdr_len header bytes
 * and pkt_len - hdr_len payload bytes (sent with TC_REPLY_F_PAYLOAD when
 * non-zero).  The bytes are copied.  Returns TC_OK, TC_AGAIN if the
 * connection's queue is over its high-water mark (counted as queue_full),
 * or TC_DECLINED if there is no such ready connection (counted as
 * no_conn).
 */
int tc_icp_server_reply(tc_icp_server_t *srv, uint32_t id, uint8_t family,
                        const uint8_t *pkt, size_t hdr_len, size_t pkt_len,
                        uint32_t orig_len);

/* Whether connection id negotiated reply payloads (TC_CAP_REPLY_PAYLOAD). */
bool tc_icp_server_wants_payload(const tc_icp_server_t *srv, uint32_t id);

/* Open control connections. */
size_t tc_icp_server_conns(const tc_icp_server_t *srv);

/* Logs one line per control connection (SIGUSR1). */
void tc_icp_server_log_conns(const tc_icp_server_t *srv);

/* ---- capture_*.c: input backends ---- */

/* Called by a backend for each packet; returns a tc_icp_verdict_e. */
typedef int (*tc_icp_packet_pt)(void *ctx, const uint8_t *pkt, size_t caplen);

typedef struct {
    uint64_t enobufs; /* the kernel could not queue to our socket */
    uint64_t recv_errors;
    uint64_t verdict_errors;      /* verdicts the kernel refused */
    uint64_t kernel_dropped;      /* kernel: queue full (from /proc) */
    uint64_t kernel_user_dropped; /* kernel: socket full (from /proc);
                                     pcap: interface drops */
    uint64_t link_not_ip;         /* pcap: frames without an IP packet */
    bool     queue_listed;        /* NFQUEUE: our queue's /proc line read */
    uint64_t queue_id_seq;        /* NFQUEUE: ids the kernel gave so far */
} tc_icp_capture_stats_t;

typedef struct {
    const char *name;
    /* Opens the input; TC_OK, or TC_ERROR with errno kept from the failing
     * call (EPERM: not privileged) after logging.  Called once. */
    int (*open)(tc_icp_capture_t *cap, const tc_icp_conf_t *conf);
    /* The fd to watch for readability. */
    int (*fd)(const tc_icp_capture_t *cap);
    /* Reads and handles at most budget packets; returns how many were
     * handled (budget means "maybe more"), or TC_ERROR when the input can
     * deliver nothing more (every -i device gone): intercept then stops. */
    int (*dispatch)(tc_icp_capture_t *cap, unsigned budget);
    /* Releases everything open() acquired.  Safe after a failed open. */
    void (*close)(tc_icp_capture_t *cap);
    /* Fills out with the backend's counters; only while open (see
     * tc_icp_capture_stats()). */
    void (*stats)(const tc_icp_capture_t *cap, tc_icp_capture_stats_t *out);
} tc_icp_capture_ops_t;

struct tc_icp_capture_s {
    const tc_icp_capture_ops_t *ops;
    tc_icp_packet_pt            handler;
    void                       *ctx;
    void                       *priv; /* the backend's state */
};

/* The capture input's counters into out: zeros when there is none, or it
 * is not open (start-up failed, or shutting down). */
static inline void
tc_icp_capture_stats(const tc_icp_cycle_t *c, tc_icp_capture_stats_t *out)
{
    memset(out, 0, sizeof(*out));
    if (c->capture != NULL && c->capture->priv != NULL) {
        c->capture->ops->stats(c->capture, out);
    }
}

extern const tc_icp_capture_ops_t tc_icp_capture_nfq;
extern const tc_icp_capture_ops_t tc_icp_capture_pcap;

#endif /* TC_INTERCEPT_H_INCLUDED */
