/*
 * tc_metrics.h: a Prometheus text endpoint served by the daemon's own event
 * loop (--metrics ADDR:PORT on both daemons).
 *
 * A tiny HTTP/1.0 server: "GET /metrics" is answered with the text the
 * daemon's render callback writes, anything else with 404 or 405; one
 * response per connection, then close.  Every socket is non-blocking, the
 * request buffer is 1 KB per connection, at most TC_METRICS_CONNS
 * connections at a time, each closed after TC_METRICS_TIMEOUT ms: a slow or
 * hostile scraper cannot hold the daemon.
 */
#ifndef TC_METRICS_H_INCLUDED
#define TC_METRICS_H_INCLUDED

#include "tc_addr.h"
#include "tc_core.h"
#include "tc_event.h"

#define TC_METRICS_CONNS   8
#define TC_METRICS_TIMEOUT 5000
#define TC_METRICS_MAX     (256 * 1024) /* largest response body */

typedef struct tc_metrics_s tc_metrics_t;

/* Text being built: writes past size are dropped and flagged. */
typedef struct {
    char  *buf;
    size_t size;
    size_t len;
    bool   overflow;
} tc_mtext_t;

/* Writes the whole exposition into t with the tc_mtext_* helpers. */
typedef void (*tc_metrics_render_pt)(void *data, tc_mtext_t *t);

/*
 * Listens on ep and serves render(data) at /metrics from loop.  Returns
 * the server, or NULL after logging why (bind failure, no memory).
 */
tc_metrics_t *tc_metrics_open(tc_event_loop_t *loop, const tc_endpoint_t *ep,
                              tc_metrics_render_pt render, void *data);

/* Closes the listener and every open connection; NULL is fine. */
void tc_metrics_close(tc_metrics_t *m);

/* "# HELP name help\n# TYPE name type\n"; type "counter" or "gauge". */
void tc_mtext_head(tc_mtext_t *t, const char *name, const char *type,
                   const char *help);

/* "name{labels} value\n"; labels may be NULL or "" (no braces). */
void tc_mtext_value(tc_mtext_t *t, const char *name, const char *labels,
                    uint64_t value);

/* tc_mtext_head and one unlabelled value. */
void tc_mtext_one(tc_mtext_t *t, const char *name, const char *type,
                  const char *help, uint64_t value);

/*
 * Builds the whole HTTP response to a request (pure: used by the server
 * and the unit tests).  req/len is what was received so far.  Returns
 * TC_AGAIN while the request head is incomplete (and fits in 1 KB), else
 * TC_OK with the response in out (status line, headers and, for GET
 * /metrics, the body rendered by render).
 */
int tc_metrics_respond(const char *req, size_t len, tc_metrics_render_pt render,
                       void *data, tc_mtext_t *out);

#endif /* TC_METRICS_H_INCLUDED */
