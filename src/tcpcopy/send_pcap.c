/*
 * send_pcap.c: the datalink sender (-o DEV).  Segments leave through an
 * AF_PACKET socket bound to DEV with an Ethernet header we build: the
 * destination MAC is the next hop toward the target, taken from the
 * kernel's route and neighbour tables (tc_neigh.c) or fixed by --dst-mac.
 * No IP-layer rule of this host (raw-socket restrictions, OUTPUT
 * filtering, source address checks) sees them.
 *
 * A target's next hop is looked up when the first segment goes to it, then
 * kept and looked up again every NEIGH_REFRESH ms, so a target that moves
 * (failover, new MAC) is followed.  Those later look-ups read /proc, so
 * they are made by the tick (dl_tick, at the end of a loop iteration), not
 * by the send path.  While a next hop is not resolved yet, segments go
 * through the raw IP sender (send_raw.c) instead: nothing is lost, and the
 * kernel resolves the neighbour as a side effect of routing them.  Those
 * are counted as fallbacks.
 */
#include "tc_config.h"

#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "tc_link.h"
#include "tc_log.h"
#include "tc_neigh.h"
#include "tc_send.h"
#include "tc_sock.h"
#include "tc_time.h"

#define NEIGH_SLOTS   64   /* as many targets as -x may name */
#define NEIGH_REFRESH 5000 /* ms a resolved MAC is trusted */
#define NEIGH_RETRY   10   /* ms before the first retry while unresolved */
#define PKT_MAX       65536
#define DL_SNDBUF     (16 * 1024 * 1024)

typedef struct {
    uint32_t  dst_be;
    bool      resolved;
    tc_msec_t due;   /* when to look it up again */
    tc_msec_t retry; /* unresolved: the next wait, doubling to REFRESH */
    uint8_t   mac[TC_ETHER_ADDR_LEN];
} neigh_slot_t;

typedef struct {
    tc_sender_t        ip; /* fallback while a MAC is unknown */
    uint8_t            src_mac[TC_ETHER_ADDR_LEN];
    uint8_t            eth[TC_ETHER_HDR_LEN]; /* the frame's header */
    struct sockaddr_ll sll;
    neigh_slot_t       slots[NEIGH_SLOTS]; /* [0, nslots) in use */
    size_t             nslots;
    tc_msec_t          due; /* the earliest slots[].due */
    uint64_t           fallbacks;
    uint64_t           unresolved; /* neither MAC nor fallback worked */
} dl_priv_t;


static int
dl_open_sockets(tc_sender_t *snd, dl_priv_t *p, char *err, size_t errlen)
{
    struct ifreq ifr;

    /* protocol 0: this socket sends only, it never receives a copy */
    snd->fd =
        tc_sock_open(AF_PACKET, SOCK_RAW, 0, "datalink socket", err, errlen);
    if (snd->fd == -1) {
        return TC_ERROR;
    }
    tc_sock_buffer(snd->fd, SO_SNDBUF, DL_SNDBUF);

    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", snd->device);
    if (ioctl(snd->fd, SIOCGIFHWADDR, &ifr) == -1) {
        snprintf(err, errlen, "-o %s: %s", snd->device, strerror(errno));
        return TC_ERROR;
    }
    memcpy(p->src_mac, ifr.ifr_hwaddr.sa_data, TC_ETHER_ADDR_LEN);
    if (ioctl(snd->fd, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu > 0) {
        snd->mtu = (size_t) ifr.ifr_mtu;
    }

    p->ip.ops = &tc_send_raw_ops;
    return p->ip.ops->open(&p->ip, err, errlen);
}


static int
dl_open(tc_sender_t *snd, char *err, size_t errlen)
{
    dl_priv_t *p;

    p = calloc(1, sizeof(*p));
    if (p == NULL) {
        snprintf(err, errlen, "out of memory");
        return TC_ERROR;
    }
    p->ip.fd = -1;
    snd->fd = -1;
    snd->priv = p;

    /* the frame carries its own link header: SOCK_RAW reads only the
     * device (and family) of the address */
    p->sll.sll_family = AF_PACKET;
    p->sll.sll_ifindex = (int) if_nametoindex(snd->device);
    if (p->sll.sll_ifindex == 0) {
        snprintf(err, errlen, "-o %s: no such device", snd->device);
        return TC_ERROR;
    }

    return dl_open_sockets(snd, p, err, errlen);
}


/* Looks the next hop of s up now and says when to again.  A failed
 * look-up keeps the last known MAC: the neighbour entry may be going
 * stale while the host is still there. */
static void
dl_resolve(tc_sender_t *snd, neigh_slot_t *s)
{
    if (tc_neigh_resolve(snd->device, s->dst_be, s->mac) == TC_OK) {
        s->resolved = true;
    }
    if (s->resolved) {
        s->due = tc_time_now() + NEIGH_REFRESH;
        return;
    }
    s->due = tc_time_now() + s->retry;
    s->retry = tc_min(s->retry * 2, (tc_msec_t) NEIGH_REFRESH);
}


/* The slot for dst_be: found, or a new one (with more targets than
 * slots, the one due next recycled), looked up at once. */
static neigh_slot_t *
dl_slot(tc_sender_t *snd, dl_priv_t *p, uint32_t dst_be)
{
    neigh_slot_t *s, *old = &p->slots[0];
    size_t        i;

    for (i = 0; i < p->nslots; i++) {
        s = &p->slots[i];
        if (s->dst_be == dst_be) {
            return s;
        }
        if (s->due < old->due) {
            old = s;
        }
    }
    if (p->nslots < NEIGH_SLOTS) {
        old = &p->slots[p->nslots++];
    }

    memset(old, 0, sizeof(*old));
    old->dst_be = dst_be;
    old->retry = NEIGH_RETRY;
    dl_resolve(snd, old);
    p->due = tc_min(p->due, old->due);
    return old;
}


/* The tick: the look-ups that are due, off the send path. */
static void
dl_tick(tc_sender_t *snd)
{
    dl_priv_t    *p = snd->priv;
    neigh_slot_t *s;
    tc_msec_t     now = tc_time_now();
    size_t        i;

    if (p->due > now) {
        return;
    }
    p->due = now + NEIGH_REFRESH;
    for (i = 0; i < p->nslots; i++) {
        s = &p->slots[i];
        if (s->due <= now) {
            dl_resolve(snd, s);
        }
        p->due = tc_min(p->due, s->due);
    }
}


static int
dl_fallback(dl_priv_t *p, const uint8_t *pkt, size_t len, const tc_addr_t *dst)
{
    p->fallbacks++;
    if (p->ip.ops->send(&p->ip, pkt, len, dst) != TC_OK) {
        p->unresolved++;
        return TC_ERROR;
    }
    return TC_OK;
}


/* Sends header and packet as one frame, gathered by the kernel: the
 * packet is not copied behind a header here first. */
static int
dl_send(tc_sender_t *snd, const uint8_t *pkt, size_t len, const tc_addr_t *dst)
{
    dl_priv_t     *p = snd->priv;
    const uint8_t *mac;
    neigh_slot_t  *s;
    uint32_t       dst_be;
    struct iovec   iov[2];
    struct msghdr  mh;

    if (len == 0 || len > PKT_MAX) {
        errno = EMSGSIZE;
        return TC_ERROR;
    }

    if (snd->has_dst_mac) {
        mac = snd->dst_mac;
    } else {
        memcpy(&dst_be, dst->addr, 4);
        s = dl_slot(snd, p, dst_be);
        if (!s->resolved) {
            return dl_fallback(p, pkt, len, dst);
        }
        mac = s->mac;
    }

    (void) tc_link_ether_header(p->eth, mac, p->src_mac, pkt[0] >> 4);
    iov[0].iov_base = p->eth;
    iov[0].iov_len = sizeof(p->eth);
    iov[1].iov_base = (void *) pkt; /* sendmsg() only reads it */
    iov[1].iov_len = len;
    memset(&mh, 0, sizeof(mh));
    mh.msg_name = &p->sll;
    mh.msg_namelen = sizeof(p->sll);
    mh.msg_iov = iov;
    mh.msg_iovlen = 2;

    return sendmsg(snd->fd, &mh, 0) == -1 ? TC_ERROR : TC_OK;
}


static void
dl_close(tc_sender_t *snd)
{
    dl_priv_t *p = snd->priv;

    if (snd->fd != -1) {
        close(snd->fd);
        snd->fd = -1;
    }
    if (p == NULL) {
        return;
    }
    if (p->fallbacks > 0) {
        tc_log_error(TC_LOG_NOTICE, 0,
                     "datalink sender: %llu segments went through the IP "
                     "socket while the next hop was not resolved (%llu "
                     "failed)",
                     (unsigned long long) p->fallbacks,
                     (unsigned long long) p->unresolved);
    }
    if (p->ip.ops != NULL) {
        p->ip.ops->close(&p->ip);
    }
    free(p);
    snd->priv = NULL;
}


const tc_send_ops_t tc_send_pcap_ops = {
    .name = "datalink",
    .open = dl_open,
    .send = dl_send,
    .tick = dl_tick,
    .close = dl_close,
};
