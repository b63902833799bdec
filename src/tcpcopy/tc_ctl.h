/*
 * tc_ctl.h: tcpcopy's side of the control channel.  One connection per
 * intercept (-s A,B,...), each reconnecting with backoff.  ROUTE changes are
 * batched and flushed once per reactor iteration to every ready intercept;
 * REPLY frames are handed to the reply callback as they are decoded.
 */
#ifndef TC_CTL_H_INCLUDED
#define TC_CTL_H_INCLUDED

#include "tc_core.h"
#include "tc_addr.h"
#include "tc_event.h"
#include "tc_ledger.h"
#include "tc_proto.h"

typedef struct tc_ctl_s tc_ctl_t;

/* A reply header arrived (reply->pkt valid during the call only). */
typedef void (*tc_ctl_reply_pt)(void *data, const tc_msg_reply_t *reply);

/* An intercept became ready (after HELLO): re-announce every route. */
typedef void (*tc_ctl_ready_pt)(void *data);

/*
 * Creates the client and starts connecting to every peer.  The strings and
 * the ledger must outlive the client.  Returns NULL on allocation failure.
 */
tc_ctl_t *tc_ctl_create(tc_event_loop_t *loop, const tc_endpoint_t *peers,
                        size_t npeers, tc_ledger_t *ledger,
                        tc_ctl_reply_pt on_reply, tc_ctl_ready_pt on_ready,
                        void *data);

/* Queues a ROUTE add/del for ep to every ready intercept (sent at the end
 * of the reactor iteration).  Counted as unsent if none is ready. */
void tc_ctl_route(tc_ctl_t *ctl, uint8_t op, const tc_endpoint_t *ep);

/* Number of intercepts whose handshake is done. */
size_t tc_ctl_ready_count(const tc_ctl_t *ctl);

/* Closes every connection and frees the client. */
void tc_ctl_destroy(tc_ctl_t *ctl);

#endif /* TC_CTL_H_INCLUDED */
