/*
 * tc_metrics.c: the Prometheus endpoint (see tc_metrics.h).
 */
#include "tc_config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tc_conn.h"
#include "tc_log.h"
#include "tc_metrics.h"

#define TC_METRICS_REQ_MAX 1024

typedef struct {
    tc_metrics_t *srv;
    int           fd; /* -1: slot free */
    size_t        in_len;
    char          in[TC_METRICS_REQ_MAX];
    char         *out; /* response, malloc'ed when the request is complete */
    size_t        out_len;
    size_t        out_sent;
    tc_timer_t    timer; /* closes a connection that takes too long */
} tc_mconn_t;

struct tc_metrics_s {
    tc_event_loop_t     *loop;
    int                  lfd;
    tc_metrics_render_pt render;
    void                *data;
    tc_mconn_t           conns[TC_METRICS_CONNS];
};

static void tc_metrics_accept(void *data, uint32_t events);
static void tc_mconn_io(void *data, uint32_t events);
static void tc_mconn_timeout(tc_timer_t *timer);
static void tc_mconn_close(tc_mconn_t *c);
static void tc_mtext_printf(tc_mtext_t *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));


static void
tc_mtext_printf(tc_mtext_t *t, const char *fmt, ...)
{
    va_list ap;
    int     n;

    if (t->overflow) {
        return;
    }
    va_start(ap, fmt);
    n = vsnprintf(t->buf + t->len, t->size - t->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t) n >= t->size - t->len) {
        t->overflow = true; /* a half line must not be served */
        return;
    }
    t->len += (size_t) n;
}


void
tc_mtext_head(tc_mtext_t *t, const char *name, const char *type,
              const char *help)
{
    tc_mtext_printf(t, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}


void
tc_mtext_value(tc_mtext_t *t, const char *name, const char *labels,
               uint64_t value)
{
    if (labels != NULL && labels[0] != '\0') {
        tc_mtext_printf(t, "%s{%s} %llu\n", name, labels,
                        (unsigned long long) value);
    } else {
        tc_mtext_printf(t, "%s %llu\n", name, (unsigned long long) value);
    }
}


void
tc_mtext_one(tc_mtext_t *t, const char *name, const char *type,
             const char *help, uint64_t value)
{
    tc_mtext_head(t, name, type, help);
    tc_mtext_value(t, name, NULL, value);
}


/* Where the request head ends (after the blank line), or 0. */
static size_t
tc_metrics_head_end(const char *req, size_t len)
{
    size_t i;

    for (i = 0; i + 1 < len; i++) {
        if (req[i] == '\n' && req[i + 1] == '\n') {
            return i + 2;
        }
        if (i + 3 < len && memcmp(req + i, "\r\n\r\n", 4) == 0) {
            return i + 4;
        }
    }
    return 0;
}


static void
tc_metrics_status(tc_mtext_t *out, const char *status, const char *text)
{
    tc_mtext_printf(out,
                    "HTTP/1.0 %s\r\nContent-Type: text/plain\r\n"
                    "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                    status, strlen(text), text);
}


int
tc_metrics_respond(const char *req, size_t len, tc_metrics_render_pt render,
                   void *data, tc_mtext_t *out)
{
    static const char ctype[] = "text/plain; version=0.0.4; charset=utf-8";
    tc_mtext_t        body;
    size_t            path_len;
    const char       *path, *end;

    if (tc_metrics_head_end(req, len) == 0) {
        if (len < TC_METRICS_REQ_MAX) {
            return TC_AGAIN;
        }
        tc_metrics_status(out, "400 Bad Request", "request too long\n");
        return TC_OK;
    }

    if (len < 4 || memcmp(req, "GET ", 4) != 0) {
        tc_metrics_status(out, "405 Method Not Allowed", "GET only\n");
        return TC_OK;
    }
    path = req + 4;
    end = memchr(path, ' ', len - 4);
    path_len = end ? (size_t) (end - path) : 0;
    if (!((path_len == 8 && memcmp(path, "/metrics", 8) == 0) ||
          (path_len > 8 && memcmp(path, "/metrics?", 9) == 0))) {
        tc_metrics_status(out, "404 Not Found", "try /metrics\n");
        return TC_OK;
    }

    /* The body goes after room for the headers, then moves into place. */
    body.buf = out->buf + 256;
    body.size = out->size > 256 ? out->size - 256 : 0;
    body.len = 0;
    body.overflow = false;
    render(data, &body);
    if (body.overflow) {
        tc_metrics_status(out, "500 Internal Server Error",
                          "metrics too large\n");
        return TC_OK;
    }

    tc_mtext_printf(out,
                    "HTTP/1.0 200 OK\r\nContent-Type: %s\r\n"
                    "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                    ctype, body.len);
    memmove(out->buf + out->len, body.buf, body.len);
    out->len += body.len;
    return TC_OK;
}


tc_metrics_t *
tc_metrics_open(tc_event_loop_t *loop, const tc_endpoint_t *ep,
                tc_metrics_render_pt render, void *data)
{
    tc_metrics_t *m;
    const char   *step;
    char          addr[TC_ENDPOINT_STRLEN];
    size_t        i;

    m = calloc(1, sizeof(*m));
    if (m == NULL) {
        tc_log_error(TC_LOG_EMERG, errno, "metrics: no memory");
        return NULL;
    }
    m->loop = loop;
    m->render = render;
    m->data = data;
    for (i = 0; i < TC_METRICS_CONNS; i++) {
        m->conns[i].fd = -1;
        m->conns[i].srv = m;
        tc_timer_init(&m->conns[i].timer, tc_mconn_timeout, &m->conns[i]);
    }

    tc_endpoint_str(ep, addr, sizeof(addr));
    m->lfd = tc_conn_listen(ep, 16, &step);
    if (m->lfd == -1) {
        if (step[0] == 's') {
            tc_log_error(TC_LOG_EMERG, errno, "metrics: socket()");
        } else {
            tc_log_error(TC_LOG_EMERG, errno, "metrics: cannot listen on %s",
                         addr);
        }
        goto out_free;
    }
    if (tc_event_add(loop, m->lfd, TC_EV_READ, tc_metrics_accept, m) != TC_OK) {
        tc_log_error(TC_LOG_EMERG, errno, "metrics: event loop");
        goto out_close;
    }

    tc_log_error(TC_LOG_NOTICE, 0, "metrics on http://%s/metrics", addr);
    return m;

out_close:
    close(m->lfd);
out_free:
    free(m);
    return NULL;
}


static void
tc_metrics_accept(void *data, uint32_t events)
{
    tc_metrics_t *m = data;
    tc_mconn_t   *c = NULL;
    size_t        i;
    int           fd;

    (void) events;
    fd = accept4(m->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd == -1) {
        return; /* EAGAIN, or an error the next accept retries */
    }

    for (i = 0; i < TC_METRICS_CONNS && c == NULL; i++) {
        if (m->conns[i].fd == -1) {
            c = &m->conns[i];
        }
    }
    if (c == NULL ||
        tc_event_add(m->loop, fd, TC_EV_READ, tc_mconn_io, c) != TC_OK) {
        close(fd); /* busy: the scraper retries at its next interval */
        return;
    }

    c->fd = fd;
    c->in_len = 0;
    tc_timer_set(m->loop, &c->timer, TC_METRICS_TIMEOUT);
}


/* Reads what is there; once the request is complete, builds the response
 * and switches the connection to writing. */
static int
tc_mconn_read(tc_mconn_t *c)
{
    tc_mtext_t out;
    ssize_t    n;

    n = read(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len);
    if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR)) {
        return TC_ERROR;
    }
    if (n == -1) {
        return TC_AGAIN;
    }
    c->in_len += (size_t) n;

    /* the response buffer is big: no allocation until there is a whole
     * request head (or a full input buffer) to answer */
    if (c->in_len < sizeof(c->in) &&
        tc_metrics_head_end(c->in, c->in_len) == 0) {
        return TC_AGAIN;
    }

    out.size = TC_METRICS_MAX + 256;
    out.buf = malloc(out.size);
    if (out.buf == NULL) {
        return TC_ERROR;
    }
    out.len = 0;
    out.overflow = false;
    /* not TC_AGAIN: the head is whole or the input buffer full (above) */
    (void) tc_metrics_respond(c->in, c->in_len, c->srv->render, c->srv->data,
                              &out);
    c->out = out.buf;
    c->out_len = out.len;
    c->out_sent = 0;
    return tc_event_mod(c->srv->loop, c->fd, TC_EV_WRITE) == TC_OK ? TC_OK
                                                                   : TC_ERROR;
}


static void
tc_mconn_io(void *data, uint32_t events)
{
    tc_mconn_t *c = data;
    ssize_t     n;

    if (c->out == NULL) {
        if (tc_mconn_read(c) == TC_ERROR) {
            tc_mconn_close(c);
        }
        return;
    }

    (void) events;
    /* a scraper that hangs up early must not raise SIGPIPE */
    n = send(c->fd, c->out + c->out_sent, c->out_len - c->out_sent,
             MSG_NOSIGNAL);
    if (n == -1 && (errno == EAGAIN || errno == EINTR)) {
        return;
    }
    if (n <= 0) {
        tc_mconn_close(c);
        return;
    }
    c->out_sent += (size_t) n;
    if (c->out_sent == c->out_len) {
        tc_mconn_close(c);
    }
}


static void
tc_mconn_timeout(tc_timer_t *timer)
{
    tc_mconn_close(timer->data);
}


static void
tc_mconn_close(tc_mconn_t *c)
{
    if (c->fd == -1) {
        return;
    }
    (void) tc_event_del(c->srv->loop, c->fd);
    close(c->fd);
    c->fd = -1;
    free(c->out);
    c->out = NULL;
    tc_timer_del(c->srv->loop, &c->timer);
}


void
tc_metrics_close(tc_metrics_t *m)
{
    size_t i;

    if (m == NULL) {
        return;
    }
    for (i = 0; i < TC_METRICS_CONNS; i++) {
        tc_mconn_close(&m->conns[i]);
    }
    (void) tc_event_del(m->loop, m->lfd);
    close(m->lfd);
    free(m);
}
