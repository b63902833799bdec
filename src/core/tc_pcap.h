/*
 * tc_pcap.h: live libpcap capture on one or more devices, as one pollable
 * fd.  Both daemons use it: intercept's -i input on an assistant host and
 * tcpcopy's -i capture.  It opens each device non-blocking in immediate
 * mode with the BPF filter, strips the link-layer header (tc_link.h) and
 * hands the IP packet to a callback; pcap_stats() feeds the drop counters.
 *
 * Several devices are watched through one internal epoll fd, itself
 * readable when any device is: the caller's reactor sees one fd.
 *
 * Two delivery modes, chosen by the caller (tc_pcap_conf_t.block_ms):
 * immediate (each packet readable at once; libpcap then uses fixed-size
 * ring slots of about snaplen bytes each, so a 64 MB ring with a 64 KB
 * snaplen holds only ~1,000 packets) or blocks (TPACKET_V3: packets packed
 * by their real size into blocks handed over when full or after block_ms,
 * so the same ring holds hundreds of thousands of small packets).
 */
#ifndef TC_PCAP_H_INCLUDED
#define TC_PCAP_H_INCLUDED

#include "tc_core.h"

#define TC_PCAP_DEVICES_MAX 16

/* One captured IP packet: caplen bytes from the IP header on; wire_len is
 * the length on the wire minus the link header.  Only valid during the
 * call. */
typedef void (*tc_pcap_pkt_pt)(void *data, const uint8_t *ip, size_t caplen,
                               size_t wire_len);

typedef struct {
    const char    *devices;  /* "eth0" or "eth0,eth1" or "any" */
    const char    *filter;   /* BPF expression; NULL or "" keeps all */
    size_t         snaplen;  /* IP bytes wanted per packet (link hdr added) */
    size_t         bufsize;  /* kernel buffer per device; 0 = default */
    bool           inbound;  /* only packets the host receives */
    unsigned       block_ms; /* 0 = immediate, else the longest block wait */
    tc_pcap_pkt_pt handler;
    void          *data;
} tc_pcap_conf_t;

typedef struct {
    uint64_t received;       /* frames handed over by libpcap */
    uint64_t not_ip;         /* frames that carried no IP packet */
    uint64_t truncated;      /* link headers cut short by the snaplen */
    uint64_t kernel_dropped; /* pcap_stats ps_drop: buffer full */
    uint64_t if_dropped;     /* pcap_stats ps_ifdrop: interface drops */
    uint64_t read_errors;    /* pcap_dispatch() failures */
} tc_pcap_stats_t;

typedef struct tc_pcap_s tc_pcap_t;

/*
 * Opens every device of conf->devices (conf is copied; the strings must
 * outlive the capture).  Returns the capture, or NULL with a one-line
 * reason in err (and errno: EPERM when not privileged).
 */
tc_pcap_t *tc_pcap_open(const tc_pcap_conf_t *conf, char *err, size_t errlen);

/* The fd to poll for readability. */
int tc_pcap_fd(const tc_pcap_t *pc);

/* Handles at most budget ready packets over all devices without blocking.
 * A device whose read fails (it was deleted: "The interface disappeared";
 * one taken down merely goes quiet) is dropped with an error logged.
 * Returns how many were handled, or TC_ERROR once every device failed:
 * the capture can read nothing more. */
int tc_pcap_dispatch(tc_pcap_t *pc, unsigned budget);

/* Fills out with the counters (kernel drops summed over the devices). */
void tc_pcap_stats(tc_pcap_t *pc, tc_pcap_stats_t *out);

/* Link type of the first device (TC_DLT_*), for logs. */
int tc_pcap_datalink(const tc_pcap_t *pc);

/* Closes every device and frees pc.  NULL is ignored. */
void tc_pcap_close(tc_pcap_t *pc);

#endif /* TC_PCAP_H_INCLUDED */
