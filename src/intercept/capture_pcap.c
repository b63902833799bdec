/*
 * capture_pcap.c: the libpcap input (-i DEV[,DEV...] -F FILTER), for the
 * advanced architecture.  intercept runs on an assistant host; the target
 * routes its replies to the clients via that host
 * (ip route add CLIENT_NET via ASSISTANT), whose kernel discards them
 * because it does not forward (ip_forward=0).  We only watch: there are no
 * verdicts, tc_icp_packet()'s answer is ignored, and nothing we do or fail
 * to do can let a reply reach a client.
 */
#include "tc_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc_log.h"
#include "tc_pcap.h"
#include "intercept.h"

typedef struct {
    tc_icp_capture_t      *cap;
    tc_pcap_t             *pc;
    tc_icp_capture_stats_t stats;
} icp_pcap_t;

static int  icp_pcap_open(tc_icp_capture_t *cap, const tc_icp_conf_t *conf);
static int  icp_pcap_fd(const tc_icp_capture_t *cap);
static int  icp_pcap_dispatch(tc_icp_capture_t *cap, unsigned budget);
static void icp_pcap_close(tc_icp_capture_t *cap);
static void icp_pcap_stats(const tc_icp_capture_t *cap,
                           tc_icp_capture_stats_t *out);

const tc_icp_capture_ops_t tc_icp_capture_pcap = {
    "pcap",         icp_pcap_open,  icp_pcap_fd, icp_pcap_dispatch,
    icp_pcap_close, icp_pcap_stats,
};


/* One captured reply, link header already stripped. */
static void
icp_pcap_packet(void *data, const uint8_t *ip, size_t caplen, size_t wire_len)
{
    icp_pcap_t *q = data;

    (void) wire_len;
    q->stats.received++;
    /* The verdict has no one to go to: the assistant's kernel discards
     * the reply whatever we decide. */
    (void) q->cap->handler(q->cap->ctx, ip, caplen);
}


static int
icp_pcap_open(tc_icp_capture_t *cap, const tc_icp_conf_t *conf)
{
    tc_pcap_conf_t pconf;
    icp_pcap_t    *q;
    char           err[512];
    int            saved;

    q = calloc(1, sizeof(*q));
    if (q == NULL) {
        return TC_ERROR;
    }
    q->cap = cap;
    cap->priv = q;

    memset(&pconf, 0, sizeof(pconf));
    pconf.devices = conf->pcap_devices;
    pconf.filter = conf->pcap_filter;
    pconf.snaplen = conf->copy_range;
    pconf.bufsize = (size_t) conf->pcap_buffer_mb << 20;
    /* A reply is received by the assistant; outbound copies would only be
     * our own control traffic. */
    pconf.inbound = true;
    pconf.handler = icp_pcap_packet;
    pconf.data = q;

    q->pc = tc_pcap_open(&pconf, err, sizeof(err));
    if (q->pc == NULL) {
        saved = errno;
        if (saved != EPERM) {
            tc_log_error(TC_LOG_EMERG, 0, "%s", err);
        }
        free(q);
        cap->priv = NULL;
        errno = saved;
        return TC_ERROR;
    }

    tc_log_error(TC_LOG_NOTICE, 0,
                 "pcap input open on %s, filter \"%s\", link type %d, "
                 "buffer %u MB",
                 conf->pcap_devices, conf->pcap_filter, tc_pcap_datalink(q->pc),
                 conf->pcap_buffer_mb);
    return TC_OK;
}


static int
icp_pcap_fd(const tc_icp_capture_t *cap)
{
    const icp_pcap_t *q = cap->priv;

    return tc_pcap_fd(q->pc);
}


static int
icp_pcap_dispatch(tc_icp_capture_t *cap, unsigned budget)
{
    icp_pcap_t *q = cap->priv;

    return tc_pcap_dispatch(q->pc, budget);
}


static void
icp_pcap_close(tc_icp_capture_t *cap)
{
    icp_pcap_t *q = cap->priv;

    if (q == NULL) {
        return;
    }
    tc_pcap_close(q->pc);
    free(q);
    cap->priv = NULL;
}


static void
icp_pcap_stats(const tc_icp_capture_t *cap, tc_icp_capture_stats_t *out)
{
    icp_pcap_t     *q = cap->priv;
    tc_pcap_stats_t ps;

    memset(out, 0, sizeof(*out));
    if (q == NULL) {
        return;
    }

    tc_pcap_stats(q->pc, &ps);
    *out = q->stats;
    out->kernel_dropped = ps.kernel_dropped;
    out->kernel_user_dropped = ps.if_dropped;
    out->recv_errors = ps.read_errors;
    out->link_not_ip = ps.not_ip + ps.truncated;
}
