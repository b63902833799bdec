/*
 * tc_ctl.h: tcpcopy's side of the control channel.  N connections (-C N,
 * default 1) to each intercept (-s A,B,...), each reconnecting with
 * backoff.  ROUTE changes are batched and flushed once per reactor
 * iteration to every ready intercept; within one intercept a session's
 * ROUTE goes on one connection only, chosen by a hash of the session's
 * client endpoint (tc_ctl_pick), so intercept sends that session's replies
 * on it and the reply stream is spread over N TCP connections.  REPLY
 * frames from any connection are handed to the reply callback as they are
 * decoded.
 */
#ifndef TC_CTL_H_INCLUDED
#define TC_CTL_H_INCLUDED

#include "tc_core.h"
#include "tc_addr.h"
#include "tc_event.h"
#include "tc_ledger.h"
#include "tc_metrics.h"
#include "tc_proto.h"

#define TC_CTL_CONNS_MAX 16 /* -C: connections per intercept */
#define TC_CTL_PEERS_MAX 16 /* -s: intercepts */

typedef struct tc_ctl_s tc_ctl_t;

/* A reply header arrived (reply->pkt valid during the call only). */
typedef void (*tc_ctl_reply_pt)(void *data, const tc_msg_reply_t *reply);

/* One or more connections became ready (after HELLO), or took over the
 * sessions of a sibling that went down: re-announce every route with
 * tc_ctl_route() from inside the call (it is sent to those connections
 * only).  Called at the end of a reactor iteration, at most once each. */
typedef void (*tc_ctl_ready_pt)(void *data);

/*
 * Creates the client and starts per_peer (1..TC_CTL_CONNS_MAX) connections
 * to every peer.  The peers are copied; the ledger must outlive the
 * client.  Returns NULL on allocation failure or a bad per_peer.
 */
tc_ctl_t *tc_ctl_create(tc_event_loop_t *loop, const tc_endpoint_t *peers,
                        size_t npeers, unsigned per_peer, tc_ledger_t *ledger,
                        tc_ctl_reply_pt on_reply, tc_ctl_ready_pt on_ready,
                        void *data);

/* Queues a ROUTE add/del for ep to every ready intercept (sent at the end
 * of the reactor iteration).  Counted as unsent if none is ready. */
void tc_ctl_route(tc_ctl_t *ctl, uint8_t op, const tc_endpoint_t *ep);

/* Number of intercepts with at least one connection whose handshake is
 * done. */
size_t tc_ctl_ready_count(const tc_ctl_t *ctl);

/* Logs one line per control connection: state, replies received, routes
 * sent, connects and disconnects (SIGUSR1 and exit).  NULL is ignored. */
void tc_ctl_log_conns(const tc_ctl_t *ctl);

/* Writes the per-connection counters as Prometheus families
 * (tcpcopy_control_conn_*{intercept=,conn=}) into t. */
void tc_ctl_prom(const tc_ctl_t *ctl, tc_mtext_t *t);

/*
 * Pure: the connection slot (0..n-1) that carries the routes, and so the
 * replies, of the session whose client endpoint is ep, among n
 * connections to one intercept.  Stable for a given ep and n; spreads
 * endpoints evenly; uses other bits of the endpoint hash than -r's
 * sampling and the session table, so it is not skewed by either.
 */
unsigned tc_ctl_pick(const tc_endpoint_t *ep, unsigned n);

/*
 * Pure: the connection that stands in for slot while it is down: the first
 * ready one from slot upwards (wrapping), given bit i of ready_mask set
 * when connection i of n (<= TC_CTL_CONNS_MAX) is ready.  Returns its
 * index, or -1 when none is ready.
 */
int tc_ctl_fallback(uint32_t ready_mask, unsigned n, unsigned slot);

/* Closes every connection and frees the client. */
void tc_ctl_destroy(tc_ctl_t *ctl);

#endif /* TC_CTL_H_INCLUDED */
