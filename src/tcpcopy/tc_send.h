/*
 * tc_send.h: send backends behind one ops struct (raw IP socket by default;
 * datalink injection plugs in here).
 */
#ifndef TC_SEND_H_INCLUDED
#define TC_SEND_H_INCLUDED

#include "tc_core.h"
#include "tc_addr.h"

typedef struct tc_sender_s tc_sender_t;

typedef struct {
    const char *name;
    int (*open)(tc_sender_t *snd, char *err, size_t errlen);
    /* Sends one IP packet to dst; TC_OK, or TC_ERROR with errno set. */
    int (*send)(tc_sender_t *snd, const uint8_t *pkt, size_t len,
                const tc_addr_t *dst);
    /* Optional (NULL: nothing to do): the upkeep that must not slow the
     * send path down (the datalink sender's next-hop look-ups), called
     * at the end of every loop iteration; cheap when nothing is due. */
    void (*tick)(tc_sender_t *snd);
    void (*close)(tc_sender_t *snd);
} tc_send_ops_t;

struct tc_sender_s {
    const tc_send_ops_t *ops;
    int                  fd;
    void                *priv;
    /* datalink sender (-o): set by the caller before open() */
    const char *device;     /* -o DEV */
    uint8_t     dst_mac[6]; /* --dst-mac, if has_dst_mac */
    bool        has_dst_mac;
    /* set by open(): the largest IP packet the device takes (its MTU), 0
     * when the kernel's route decides (raw IP socket) */
    size_t mtu;
};

/* IPv4 + TCP headers of a replayed data segment (no TCP options). */
#define TC_SEND_HDR_MAX 40

extern const tc_send_ops_t tc_send_raw_ops;
extern const tc_send_ops_t tc_send_pcap_ops;

/* Picks the sender the options ask for (-o: datalink through
 * snd->device, else the raw IP socket) and opens it.  TC_OK, or TC_ERROR
 * with the reason in err. */
int tc_sender_open(tc_sender_t *snd, char *err, size_t errlen);

#endif /* TC_SEND_H_INCLUDED */
