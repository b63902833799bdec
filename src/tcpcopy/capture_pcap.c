/*
 * capture_pcap.c: libpcap live capture (-i DEV[,DEV...] or any), for hosts
 * where the raw socket misses traffic (it sees only what the local stack
 * receives for TCP, after the host firewall) and to filter in the kernel
 * with any BPF expression (-F).  Without -F the filter keeps TCP segments
 * to the transferred ports.  Only inbound packets are captured: the
 * segments tcpcopy itself sends to the target (to the same ports) must
 * never come back as client traffic.
 *
 * Packets come in blocks (TPACKET_V3, see tc_pcap.h), not one by one: in
 * immediate mode every ring slot is as large as the snaplen (64 KB, for
 * GRO-merged segments), and the default 64 MB ring held 1,023 packets.  A
 * burst while tcpcopy was not scheduled overflowed it: 3,181 packets of
 * redis-benchmark -P 16 -c 10 sent while tcpcopy was stopped, 2,159
 * dropped.  Blocks pack packets by their real size: the same burst ten
 * times over (31,306 packets) is held whole, as by the raw socket.
 *
 * A block that is not full is handed over after PCAP_BLOCK_MS: the most
 * this delays a packet, and what decides how full blocks get below ~50,000
 * packets/s.  The ring has -B / 256 KB blocks (256 with 64 MB), so it
 * rides out a stall of 256 x PCAP_BLOCK_MS at least.  With 10 ms, short
 * connections at ~11,000/s (55,000 packets/s) while tcpcopy got a quarter
 * of a core lost 50,000 packets once blocks a third full had filled the
 * ring; with 25 ms none (the raw socket: none).
 */
#include "tc_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc_capture.h"
#include "tc_pcap.h"

#define PCAP_FILTER_MAX  2048
#define PCAP_SNAPLEN_DEF 65535
#define PCAP_BLOCK_MS    25 /* ms a block that is not full may wait */

typedef struct {
    tc_pcap_t *pc;
    char       filter[PCAP_FILTER_MAX];
} cap_pcap_t;


/* "tcp and (dst port P1 or dst port P2 ...)"; TC_OK or TC_ERROR if it
 * does not fit. */
static int
build_filter(const uint16_t *ports, size_t nports, char *out, size_t size)
{
    size_t i, n;
    int    k;

    k = snprintf(out, size, "tcp");
    for (i = 0; i < nports && k > 0 && (size_t) k < size; i++) {
        n = (size_t) k;
        k += snprintf(out + n, size - n, "%s dst port %u",
                      i == 0 ? " and (" : " or", ports[i]);
    }
    if (k > 0 && (size_t) k < size && nports > 0) {
        n = (size_t) k;
        k += snprintf(out + n, size - n, ")");
    }

    return (k > 0 && (size_t) k < size) ? TC_OK : TC_ERROR;
}


/* tc_pcap hands over the IP packet; the engine wants (pkt, caplen). */
static void
pcap_packet(void *data, const uint8_t *ip, size_t caplen, size_t wire_len)
{
    tc_capture_t *cap = data;

    (void) wire_len;
    cap->handler(cap->data, ip, caplen);
}


static int
pcap_open_capture(tc_capture_t *cap, char *err, size_t errlen)
{
    tc_pcap_conf_t conf;
    cap_pcap_t    *p;

    p = calloc(1, sizeof(*p));
    if (p == NULL) {
        snprintf(err, errlen, "out of memory");
        return TC_ERROR;
    }

    /* a user's -F goes to libpcap whole; the buffer holds a built one */
    if (cap->filter == NULL && build_filter(cap->ports, cap->nports, p->filter,
                                            sizeof(p->filter)) != TC_OK) {
        snprintf(err, errlen, "too many ports for a capture filter");
        free(p);
        return TC_ERROR;
    }

    memset(&conf, 0, sizeof(conf));
    conf.devices = cap->devices;
    conf.filter = cap->filter != NULL ? cap->filter : p->filter;
    conf.snaplen = cap->snaplen ? cap->snaplen : PCAP_SNAPLEN_DEF;
    conf.bufsize = cap->bufsize;
    conf.inbound = true;
    conf.block_ms = PCAP_BLOCK_MS;
    conf.handler = pcap_packet;
    conf.data = cap;

    p->pc = tc_pcap_open(&conf, err, errlen);
    if (p->pc == NULL) {
        free(p);
        return TC_ERROR;
    }

    cap->fd = tc_pcap_fd(p->pc);
    cap->priv = p;
    return TC_OK;
}


/*
 * The kernel's drop counters, asked for now: the ledger is about to be
 * shown.  Only then: pcap_stats() costs a getsockopt() and a read of the
 * device's statistics per device, and nothing else looks at the drops.
 */
static void
pcap_update_drops(tc_capture_t *cap)
{
    cap_pcap_t     *p = cap->priv;
    tc_pcap_stats_t st;

    tc_pcap_stats(p->pc, &st);
    cap->drops = st.kernel_dropped + st.if_dropped;
}


static int
pcap_read(tc_capture_t *cap, unsigned budget)
{
    cap_pcap_t *p = cap->priv;

    return tc_pcap_dispatch(p->pc, budget);
}


static void
pcap_close_capture(tc_capture_t *cap)
{
    cap_pcap_t *p = cap->priv;

    if (p != NULL) {
        tc_pcap_close(p->pc);
        free(p);
    }
    cap->priv = NULL;
    cap->fd = -1;
}


const tc_capture_ops_t tc_capture_pcap_ops = {
    .name = "pcap",
    .open = pcap_open_capture,
    .read = pcap_read,
    .close = pcap_close_capture,
    .update_drops = pcap_update_drops,
};
