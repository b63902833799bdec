/*
 * tc_capture.h: capture backends behind one ops struct, chosen at run time
 * (raw socket by default; libpcap and offline files plug in here).
 */
#ifndef TC_CAPTURE_H_INCLUDED
#define TC_CAPTURE_H_INCLUDED

#include "tc_core.h"

/* Called for every captured IP packet (link header already stripped). */
typedef void (*tc_capture_pkt_pt)(void *data, const uint8_t *pkt,
                                  size_t caplen);

typedef struct tc_capture_s tc_capture_t;

typedef struct {
    const char *name;
    /* Opens the capture; TC_OK or TC_ERROR (errno set; err text filled). */
    int (*open)(tc_capture_t *cap, char *err, size_t errlen);
    /* Reads what is ready, at most budget packets; returns the number
     * read, or TC_ERROR when the capture can read nothing more (every
     * -i device gone): tcpcopy then stops. */
    int (*read)(tc_capture_t *cap, unsigned budget);
    void (*close)(tc_capture_t *cap);
    /* Brings cap->drops up to date where the backend must ask the kernel
     * for them (libpcap), when the ledger is about to be shown; NULL where
     * they are counted while reading. */
    void (*update_drops)(tc_capture_t *cap);
} tc_capture_ops_t;

struct tc_capture_s {
    const tc_capture_ops_t *ops;
    /* set by the caller before open() */
    const uint16_t *ports; /* destination ports to keep */
    size_t          nports;
    size_t          bufsize; /* kernel buffer, bytes */
    const char     *devices; /* pcap: -i DEV[,DEV] or "any" */
    const char     *filter;  /* pcap: -F, NULL = built from ports */
    size_t          snaplen; /* pcap: -S, bytes of IP packet kept */
    /* set by the backend */
    int               fd; /* pollable fd */
    tc_capture_pkt_pt handler;
    void             *data;
    uint64_t          drops; /* kernel drops so far */
    void             *priv;  /* backend state */
};

extern const tc_capture_ops_t tc_capture_raw_ops;
extern const tc_capture_ops_t tc_capture_pcap_ops;

#endif /* TC_CAPTURE_H_INCLUDED */
