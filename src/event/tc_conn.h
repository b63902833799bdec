/*
 * tc_conn.h: one framed control-channel connection on the reactor, the
 * part that tcpcopy's control client (tc_ctl.c), its --check
 * (tc_check_run.c) and intercept's control server (server.c) share.
 *
 * A non-blocking TCP socket with an input tc_buf decoded into tc_proto
 * frames as bytes arrive, and an output tc_buf sent with partial writes
 * (write readiness is watched only while bytes are left over).  The
 * owner keeps its own state machine and policies (HELLO, backoff,
 * high-water marks, what to log) in three callbacks; tc_conn says only
 * what happened:
 *
 *   connected  a tc_conn_connect() completed (queue the HELLO here);
 *   frame      one whole frame, its body valid during the call only;
 *              returns TC_OK, or TC_DONE when the owner closed the
 *              connection (or freed it) from inside the call;
 *   fail       the connection cannot go on (tc_conn_fail_e, errno or 0).
 *              The socket is still open, so last words can be queued and
 *              flushed; the owner must call tc_conn_close() (or free the
 *              struct after it) before returning.
 *
 * tc_conn never touches the struct again after a callback closed it, so
 * an owner may free it from any callback.
 */
#ifndef TC_CONN_H_INCLUDED
#define TC_CONN_H_INCLUDED

#include "tc_core.h"
#include "tc_addr.h"
#include "tc_buf.h"
#include "tc_event.h"
#include "tc_proto.h"

typedef enum {
    TC_CONN_ECONNECT = 1, /* the non-blocking connect failed: err */
    TC_CONN_EOF,          /* the peer closed the connection */
    TC_CONN_ERECV,        /* recv() failed: err */
    TC_CONN_ESEND,        /* send() failed: err (0: it returned 0) */
    TC_CONN_EVERSION,     /* a frame of another version: peer_version */
    TC_CONN_EFRAME        /* a bad magic or an oversized length */
} tc_conn_fail_e;

typedef struct tc_conn_s tc_conn_t;

typedef void (*tc_conn_connected_pt)(tc_conn_t *c);
typedef int (*tc_conn_frame_pt)(tc_conn_t *c, const tc_frame_t *f);
typedef void (*tc_conn_fail_pt)(tc_conn_t *c, tc_conn_fail_e why, int err);

typedef struct {
    tc_conn_connected_pt connected; /* NULL if never connecting */
    tc_conn_frame_pt     frame;
    tc_conn_fail_pt      fail;
} tc_conn_handler_t;

/* Embedded in the owner's struct; set up with tc_conn_init(). */
struct tc_conn_s {
    tc_event_loop_t         *loop;
    const tc_conn_handler_t *handler;
    void                    *data; /* the owner's, for the callbacks */
    int                      fd;   /* -1 when closed */
    bool                     connecting;
    bool                     write_armed;  /* TC_EV_WRITE watched */
    uint8_t                  peer_version; /* with TC_CONN_EVERSION */
    tc_msec_t                last_rx; /* cached clock of the last bytes in */
    uint64_t                 sent;    /* bytes sent since tc_conn_init */
    tc_buf_t                 in;      /* undecoded bytes (a partial frame) */
    tc_buf_t                 out;     /* queued frames: append, then flush */
};

/* Sets up a closed connection whose events go to handler with data. */
void tc_conn_init(tc_conn_t *c, tc_event_loop_t *loop,
                  const tc_conn_handler_t *handler, void *data);

/*
 * Starts a non-blocking connect to peer (TCP_NODELAY); its end is told by
 * handler->connected or by fail(TC_CONN_ECONNECT).  Returns TC_OK, or
 * TC_ERROR with errno set and *why saying which step failed ("socket
 * failed", "connect failed", "cannot watch socket"); c is closed then.
 */
int tc_conn_connect(tc_conn_t *c, const tc_endpoint_t *peer, const char **why);

/*
 * Opens a non-blocking listening TCP socket on ep (SO_REUSEADDR: a
 * restarted daemon must not wait out TIME_WAIT).  Returns the fd, or -1
 * with errno set and *step naming what failed ("socket()", "bind",
 * "listen()") for the caller's own message.
 */
int tc_conn_listen(const tc_endpoint_t *ep, int backlog, const char **step);

/*
 * Takes an accepted non-blocking socket and watches it for input.
 * Returns TC_OK, or TC_ERROR (errno set) and then fd is still the
 * caller's to close.
 */
int tc_conn_attach(tc_conn_t *c, int fd);

/*
 * Sends the output queue until it is empty or the socket is full, and
 * watches write readiness only while bytes are left (they then go from
 * the write event).  An emptied queue of more than 1 MB is freed.
 * Returns TC_OK, or TC_DONE after fail(TC_CONN_ESEND) (c closed by then).
 * Does nothing while connecting.
 */
int tc_conn_flush(tc_conn_t *c);

/* Stops watching and closes the socket, and frees both buffers.  Safe on
 * a closed connection. */
void tc_conn_close(tc_conn_t *c);

#endif /* TC_CONN_H_INCLUDED */
