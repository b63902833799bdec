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
#include <string.h>

#include "tc_log.h"
#include "tc_pcap.h"
#include "intercept.h"

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


/* One captured reply, link header already stripped (data is the
 * tc_icp_capture_t). */
static void
icp_pcap_packet(void *data, const uint8_t *ip, size_t caplen, size_t wire_len)
{
    tc_icp_capture_t *cap = data;

    (void) wire_len;
    /* The verdict has no one to go to: the assistant's kernel discards
     * the reply whatever we decide. */
    (void) cap->handler(cap->ctx, ip, caplen);
}


/* The backend's state (cap->priv) is the tc_pcap_t itself: libpcap counts
 * what it received and dropped. */
static int
icp_pcap_open(tc_icp_capture_t *cap, const tc_icp_conf_t *conf)
{
    tc_pcap_conf_t pconf;
    char           err[512];
    int            saved;

    memset(&pconf, 0, sizeof(pconf));
    pconf.devices = conf->pcap_devices;
    pconf.filter = conf->pcap_filter;
    pconf.snaplen = conf->copy_range;
    pconf.bufsize = (size_t) conf->pcap_buffer_mb << 20;
    /* A reply is received by the assistant; outbound copies would only be
     * our own control traffic. */
    pconf.inbound = true;
    pconf.handler = icp_pcap_packet;
    pconf.data = cap;

    cap->priv = tc_pcap_open(&pconf, err, sizeof(err));
    if (cap->priv == NULL) {
        saved = errno;
        if (saved != EPERM) {
            tc_log_error(TC_LOG_EMERG, 0, "%s", err);
        }
        errno = saved;
        return TC_ERROR;
    }

    tc_log_error(TC_LOG_NOTICE, 0,
                 "pcap input open on %s, filter \"%s\", link type %d, "
                 "buffer %u MB",
                 conf->pcap_devices, conf->pcap_filter,
                 tc_pcap_datalink(cap->priv), conf->pcap_buffer_mb);
    return TC_OK;
}


static int
icp_pcap_fd(const tc_icp_capture_t *cap)
{
    return tc_pcap_fd(cap->priv);
}


static int
icp_pcap_dispatch(tc_icp_capture_t *cap, unsigned budget)
{
    return tc_pcap_dispatch(cap->priv, budget);
}


static void
icp_pcap_close(tc_icp_capture_t *cap)
{
    tc_pcap_close(cap->priv);
    cap->priv = NULL;
}


static void
icp_pcap_stats(const tc_icp_capture_t *cap, tc_icp_capture_stats_t *out)
{
    tc_pcap_stats_t ps;

    tc_pcap_stats(cap->priv, &ps);
    memset(out, 0, sizeof(*out));
    out->kernel_dropped = ps.kernel_dropped;
    out->kernel_user_dropped = ps.if_dropped;
    out->recv_errors = ps.read_errors;
    out->link_not_ip = ps.not_ip + ps.truncated;
}
