/*
 * test_metrics.c: the Prometheus endpoint's pure parts: the text builder
 * and tc_metrics_respond() (request framing, routing, status lines), and
 * both daemons' renderers produce well-formed, complete expositions.
 */
#include "tc_config.h"

#include <stdio.h>
#include <string.h>

#include "t_harness.h"
#include "tc_ledger_prom.h"
#include "tc_metrics.h"

static char out_buf[TC_METRICS_MAX + 256];


static void
render_small(void *data, tc_mtext_t *t)
{
    (void) data;
    tc_mtext_one(t, "x_total", "counter", "A test counter.", 42);
    tc_mtext_value(t, "y_total", "stage=\"sent\"", 7);
}


static void
render_huge(void *data, tc_mtext_t *t)
{
    int i;

    (void) data;
    for (i = 0; i < 100000; i++) {
        tc_mtext_value(t, "big_total", "k=\"vvvvvvvvvvvvvvvvvvvv\"", 1);
    }
}


static int
respond(const char *req, tc_metrics_render_pt render)
{
    tc_mtext_t out = {out_buf, sizeof(out_buf), 0, false};
    int        rc;

    rc = tc_metrics_respond(req, strlen(req), render, NULL, &out);
    out_buf[out.len < sizeof(out_buf) ? out.len : sizeof(out_buf) - 1] = '\0';
    return rc;
}


/* req gets a whole response that starts with status. */
static void
t_status(const char *req, tc_metrics_render_pt render, const char *status)
{
    T_CHECK_EQ(respond(req, render), TC_OK);
    T_CHECK(strncmp(out_buf, status, strlen(status)) == 0);
}


static void
test_text(void)
{
    char       buf[64];
    tc_mtext_t t = {buf, sizeof(buf), 0, false};

    tc_mtext_value(&t, "a", NULL, 1);
    tc_mtext_value(&t, "b", "", 2);
    tc_mtext_value(&t, "c", "l=\"x\"", 3);
    T_CHECK(!t.overflow);
    T_CHECK(strncmp(buf, "a 1\nb 2\nc{l=\"x\"} 3\n", t.len) == 0);

    /* A line that does not fit is not cut: the text is flagged. */
    tc_mtext_head(&t, "a_very_long_metric_name_total", "counter",
                  "help text that will not fit in what is left");
    T_CHECK(t.overflow);
    T_CHECK_EQ(t.len, strlen("a 1\nb 2\nc{l=\"x\"} 3\n"));
}


static void
test_respond(void)
{
    T_CHECK_EQ(respond("GET /metrics HTTP/1.0\r\n", render_small), TC_AGAIN);
    T_CHECK_EQ(respond("", render_small), TC_AGAIN);

    T_CHECK_EQ(respond("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n",
                       render_small),
               TC_OK);
    T_CHECK(strncmp(out_buf, "HTTP/1.0 200 OK\r\n", 17) == 0);
    T_CHECK(strstr(out_buf, "Content-Length: 89\r\n") != NULL);
    T_CHECK(strstr(out_buf, "\r\n\r\n# HELP x_total A test counter.\n"
                            "# TYPE x_total counter\nx_total 42\n"
                            "y_total{stage=\"sent\"} 7\n") != NULL);

    t_status("GET /metrics?x=1 HTTP/1.0\n\n", render_small, "HTTP/1.0 200 OK");

    t_status("GET / HTTP/1.0\r\n\r\n", render_small, "HTTP/1.0 404");
    t_status("GET /metricsX HTTP/1.0\r\n\r\n", render_small, "HTTP/1.0 404");
    t_status("POST /metrics HTTP/1.0\r\n\r\n", render_small, "HTTP/1.0 405");
    t_status("GET\r\n\r\n", render_small, "HTTP/1.0 405");

    t_status("GET /metrics HTTP/1.0\r\n\r\n", render_huge, "HTTP/1.0 500");
}


static void
test_oversized_request(void)
{
    static char req[2048];
    tc_mtext_t  out = {out_buf, sizeof(out_buf), 0, false};

    memset(req, 'a', sizeof(req));
    T_CHECK_EQ(tc_metrics_respond(req, 100, render_small, NULL, &out),
               TC_AGAIN);
    T_CHECK_EQ(tc_metrics_respond(req, 1024, render_small, NULL, &out), TC_OK);
    T_CHECK(strncmp(out_buf, "HTTP/1.0 400", 12) == 0);
}


static void
test_tcpcopy_ledger(void)
{
    static char buf[65536];
    tc_mtext_t  t = {buf, sizeof(buf), 0, false};
    tc_ledger_t l;

    memset(&l, 0, sizeof(l));
    l.bytes_sent = 1234;
    l.sess_ended[TC_END_TARGET_RST] = 3;
    l.sess_active = 5;
    l.ctl_ready = 1;
    tc_ledger_prom(&l, &t);
    buf[t.len] = '\0';
    T_CHECK(!t.overflow);
    T_CHECK(
        strstr(buf, "\ntcpcopy_client_bytes_total{stage=\"sent\"} 1234\n") !=
        NULL);
    T_CHECK(strstr(buf, "{stage=\"acked\"} 0\n") != NULL);
    T_CHECK(strstr(buf, "{stage=\"lost\"} 0\n") != NULL);
    T_CHECK(strstr(buf, "\ntcpcopy_sessions_open 5\n") != NULL);
    T_CHECK(strstr(buf, "\ntcpcopy_intercepts_ready 1\n") != NULL);
    T_CHECK(strstr(buf, "tcpcopy_sessions_ended_total{reason=\"") != NULL);
    T_CHECK(strstr(buf, "# TYPE tcpcopy_sessions_ended_total counter\n") !=
            NULL);
}


int
main(void)
{
    T_RUN(test_text);
    T_RUN(test_respond);
    T_RUN(test_oversized_request);
    T_RUN(test_tcpcopy_ledger);
    return T_REPORT();
}
