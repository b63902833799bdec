/*
 * tc_check.h: `tcpcopy --check`, a test of the whole path before any
 * replay, in three steps, each said in plain words with its fix:
 *
 *   1. every intercept (-s) is reachable and speaks our protocol version;
 *   2. every intercept's report about its host (CHECK / CHECK_REPLY):
 *      its input, ip_forward, rp_filter, what it ever received;
 *   3. a probe: a SYN from a client address to every target (-x), through
 *      the configured sender (raw IP or -o), whose SYN-ACK must come back
 *      through intercept, and must not reach this host (where the clients
 *      would get it); then an RST ends the probe on the target.
 *
 * The verdicts are pure functions of what was observed (tc_check.c, unit
 * tested); the sockets, the probe and the waiting are in tc_check_run.c.
 */
#ifndef TC_CHECK_H_INCLUDED
#define TC_CHECK_H_INCLUDED

#include "tc_core.h"
#include "tc_addr.h"
#include "tc_plan.h"
#include "tc_proto.h"

#define TC_CHECK_WAIT_MS    2000 /* for the target's answer to the probe */
#define TC_CHECK_CONNECT_MS 2000 /* for each intercept's HELLO and report */
#define TC_CHECK_PEERS_MAX  16
#define TC_CHECK_LINE_MAX   1024

/* What the command line asked for; main.c fills it. */
typedef struct {
    bool      enabled; /* --check */
    bool      has_src; /* --check-src given */
    tc_addr_t src;     /* --check-src ADDR */
} tc_check_conf_t;

/* How far the talk with one intercept went (step 1). */
typedef enum {
    TC_CHECK_LINK_NONE = 0, /* not tried yet */
    TC_CHECK_LINK_READY,    /* HELLO exchanged */
    TC_CHECK_LINK_CONNECT,  /* connect() failed: err */
    TC_CHECK_LINK_TIMEOUT,  /* no connection or no HELLO in time */
    TC_CHECK_LINK_CLOSED,   /* closed by the peer before its HELLO */
    TC_CHECK_LINK_VERSION,  /* another protocol version: peer_version */
    TC_CHECK_LINK_FOREIGN   /* not an intercept (bad magic or HELLO) */
} tc_check_link_e;

/* Everything learnt about one intercept. */
typedef struct {
    tc_endpoint_t        peer;
    tc_check_link_e      link;
    int                  err;          /* errno of a failed connect */
    unsigned             peer_version; /* with TC_CHECK_LINK_VERSION */
    bool                 can_report;   /* its HELLO granted TC_CAP_CHECK */
    bool                 has_before;   /* report before the probe */
    bool                 has_after;    /* report after the probe */
    tc_msg_check_reply_t before;
    tc_msg_check_reply_t after;
} tc_check_icp_t;

/* What a packet of the target toward the probe's source was. */
typedef enum {
    TC_CHECK_SEEN_NONE = 0,
    TC_CHECK_SEEN_SYNACK, /* the target answers */
    TC_CHECK_SEEN_RST,    /* nothing listens there */
    TC_CHECK_SEEN_OTHER   /* something else (an old connection?) */
} tc_check_seen_e;

/* The probe of one target (step 3). */
typedef struct {
    tc_endpoint_t   target;
    tc_endpoint_t   src;         /* the probe's client endpoint */
    bool            src_guessed; /* no --check-src, no -c: this host's */
    bool            src_local;   /* src is an address of this host */
    int             send_err;    /* errno if the SYN could not be sent */
    tc_check_seen_e seen;        /* through intercept */
    size_t          seen_by;     /* index of that intercept */
    tc_msec_t       seen_ms;     /* after how long */
    tc_check_seen_e leaked;      /* arrived at this host */
    bool            leak_watch;  /* this host was watched for leaks */
} tc_check_probe_t;

/*
 * Step 1 for icp: writes "ok, ..." or "FAILED: why. Fix: ..." into buf
 * (len bytes, always NUL-terminated).  Returns TC_OK when the link is
 * usable for replay, TC_ERROR otherwise.
 */
int tc_check_say_link(const tc_check_icp_t *icp, char *buf, size_t len);

/*
 * Step 2 for icp (its report before the probe): the facts, and a failure
 * for what breaks replay whatever the probe says (an assistant that
 * forwards the replies on to the clients).  An intercept too old to
 * report is not a failure.  Returns TC_OK or TC_ERROR as above.
 */
int tc_check_say_report(const tc_check_icp_t *icp, char *buf, size_t len);

/*
 * Step 3 for probe p, with the intercepts' reports (icps[0..n)) to narrow
 * down why no answer came.  Returns TC_OK only when the target answered
 * through intercept and nothing reached this host.
 */
int tc_check_say_probe(const tc_check_probe_t *p, const tc_check_icp_t *icps,
                       size_t n, char *buf, size_t len);

/*
 * Classifies pkt (len bytes from its IP header: a reply header from
 * intercept, or a packet seen here) as the target's answer to the probe
 * from src to target whose SYN carried sequence number isn.  Returns
 * TC_CHECK_SEEN_NONE for any packet of another connection.
 */
tc_check_seen_e tc_check_classify(const uint8_t *pkt, size_t len,
                                  const tc_endpoint_t *src,
                                  const tc_endpoint_t *target, uint32_t isn);

/* The first address of a -c map: the first of a list, or the first host
 * of a network. */
void tc_check_map_first(const tc_addrmap_t *m, tc_addr_t *out);

/*
 * Runs the check with tcpcopy's options (the transfers, the sender and
 * the -c map of r; intercepts[0..n)), printing one line per step and a
 * summary on stdout.  Returns the process exit status: 0 only when replay
 * will work, 1 otherwise.
 */
struct tc_replay_s;
int tc_check_main(const tc_check_conf_t *conf, struct tc_replay_s *r,
                  const tc_endpoint_t *intercepts, size_t n);

#endif /* TC_CHECK_H_INCLUDED */
