/*
 * tc_pcap.c: live libpcap capture on a device list (see tc_pcap.h).
 *
 * Each device is a pcap_t, non-blocking, without promiscuous mode (we want
 * the frames addressed to this host, not a copy of the whole segment).
 * intercept asks for immediate mode (a reply header that waits for a
 * buffer block to fill would reach tcpcopy late, and its session would
 * stall; its snaplen is small, so the fixed ring slots are too).  tcpcopy
 * asks for blocks: it needs whole GRO-merged segments (64 KB snaplen), and
 * in immediate mode every ring slot would be that big.  Their selectable
 * fds sit in one private epoll set whose fd is what the caller polls.
 *
 * "Inbound only" is libpcap's direction setting, tested in user space, not
 * "inbound" in the kernel filter: libpcap runs the filter itself on the
 * block the kernel was filling when the filter was set, and its own BPF
 * interpreter rejects every packet on the packet-type test, so the first
 * block of the capture was lost (measured with tcpdump too: 330 packets,
 * not counted as drops).  The kernel keeps our own outgoing frames out of
 * the ring with PACKET_IGNORE_OUTGOING instead.
 *
 * A deleted device is not always reported by libpcap: the kernel flags the
 * packet socket once, when the device goes down on its way out, and if
 * libpcap looks while the device still exists it takes that for a link
 * going down (kept, rightly: a flap must not end the capture) and never
 * hears of it again.  So the epoll set also holds a route netlink socket
 * listening for RTM_DELLINK: a device deleted is dropped like one whose
 * read failed.
 */
#include "tc_config.h"

#include <errno.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "tc_link.h"
#include "tc_log.h"
#include "tc_pcap.h"

#define PCAP_LINK_ROOM  64 /* link header + VLAN tags above snaplen */
#define PCAP_TIMEOUT_MS 10 /* libpcap wants one even in immediate mode */
#define PCAP_NAME_MAX   64
/* dispatch calls between two looks at the link events when every call
 * finds packets (a call that finds none always looks) */
#define PCAP_LINKS_EVERY 64

typedef struct {
    tc_pcap_t *pc;
    pcap_t    *p;
    int        dlt;
    int        fd;
    unsigned   ifindex; /* 0: "any", or unknown */
    bool       failed;  /* a read error: skipped from now on */
    char       name[PCAP_NAME_MAX];
} tc_pcap_dev_t;

struct tc_pcap_s {
    tc_pcap_conf_t  conf;
    int             epfd;
    size_t          ndevs;
    size_t          nfailed;   /* devices with failed set */
    int             links_fd;  /* RTM_DELLINK events, or -1 */
    unsigned        links_due; /* dispatch calls since the last look */
    tc_pcap_dev_t   devs[TC_PCAP_DEVICES_MAX];
    tc_pcap_stats_t stats;
};


/* Maps a pcap_activate() error to errno, so callers can say "needs
 * root" the same way for every input. */
static int
activate_errno(int rc)
{
    switch (rc) {
    case PCAP_ERROR_PERM_DENIED:
        return EPERM;
    case PCAP_ERROR_NO_SUCH_DEVICE:
        return ENODEV;
    case PCAP_ERROR_IFACE_NOT_UP:
        return ENETDOWN;
    default:
        return EIO;
    }
}


/* Creates and activates d->p for d->name.  TC_OK, or TC_ERROR with err
 * filled and errno set. */
static int
dev_activate(tc_pcap_dev_t *d, const tc_pcap_conf_t *conf, char *err,
             size_t errlen)
{
    char ebuf[PCAP_ERRBUF_SIZE];
    int  rc;

    ebuf[0] = '\0';
    d->p = pcap_create(d->name, ebuf);
    if (d->p == NULL) {
        snprintf(err, errlen, "pcap_create(%s): %s", d->name, ebuf);
        errno = ENODEV;
        return TC_ERROR;
    }

    (void) pcap_set_snaplen(d->p, (int) (conf->snaplen + PCAP_LINK_ROOM));
    (void) pcap_set_promisc(d->p, 0);
    if (conf->block_ms > 0) {
        /* without immediate mode libpcap uses TPACKET_V3, and the timeout
         * is how long a block that is not full may wait */
        (void) pcap_set_timeout(d->p, (int) tc_min(conf->block_ms, 1000u));
    } else {
        (void) pcap_set_timeout(d->p, PCAP_TIMEOUT_MS);
        if (TC_HAVE_PCAP_SET_IMMEDIATE_MODE) {
            (void) pcap_set_immediate_mode(d->p, 1);
        }
    }
    if (conf->bufsize > 0) {
        (void) pcap_set_buffer_size(d->p, (int) tc_min(conf->bufsize,
                                                       (size_t) 1 << 30));
    }

    rc = pcap_activate(d->p);
    if (rc < 0) {
        snprintf(err, errlen, "cannot capture on %s: %s%s", d->name,
                 pcap_geterr(d->p),
                 rc == PCAP_ERROR_PERM_DENIED ? " (needs root or CAP_NET_RAW)"
                                              : "");
        errno = activate_errno(rc);
        return TC_ERROR;
    }
    if (rc > 0) {
        tc_log_error(TC_LOG_WARN, 0, "pcap on %s: %s", d->name,
                     pcap_geterr(d->p));
    }

    return TC_OK;
}


/* Compiles and installs conf's filter, if any.  TC_OK or TC_ERROR with
 * err filled. */
static int
dev_filter(tc_pcap_dev_t *d, const tc_pcap_conf_t *conf, char *err,
           size_t errlen)
{
    struct bpf_program prog;

    if (conf->filter == NULL || conf->filter[0] == '\0') {
        return TC_OK;
    }
    if (pcap_compile(d->p, &prog, conf->filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        snprintf(err, errlen, "invalid filter \"%s\": %s", conf->filter,
                 pcap_geterr(d->p));
        errno = EINVAL;
        return TC_ERROR;
    }
    if (pcap_setfilter(d->p, &prog) != 0) {
        snprintf(err, errlen, "pcap_setfilter(%s): %s", d->name,
                 pcap_geterr(d->p));
        pcap_freecode(&prog);
        errno = EINVAL;
        return TC_ERROR;
    }
    pcap_freecode(&prog);
    return TC_OK;
}


/* Direction, filter, non-blocking mode, link type and fd of an activated
 * device.  TC_OK or TC_ERROR with err filled. */
static int
dev_setup(tc_pcap_dev_t *d, const tc_pcap_conf_t *conf, char *err,
          size_t errlen)
{
    char ebuf[PCAP_ERRBUF_SIZE];
    int  one = 1;

    /* Our own sent packets must not come back as captured input.  The
     * kernel leaves them out of the ring (PACKET_IGNORE_OUTGOING, Linux
     * 4.20): else every segment tcpcopy sends through the captured device
     * takes ring space and a copy before libpcap discards it. */
    if (conf->inbound) {
        (void) setsockopt(pcap_fileno(d->p), SOL_PACKET, PACKET_IGNORE_OUTGOING,
                          &one, sizeof(one));
        if (pcap_setdirection(d->p, PCAP_D_IN) != 0) {
            tc_log_error(TC_LOG_WARN, 0,
                         "pcap on %s: cannot capture inbound only: %s", d->name,
                         pcap_geterr(d->p));
        }
    }

    if (dev_filter(d, conf, err, errlen) != TC_OK) {
        return TC_ERROR;
    }

    d->dlt = pcap_datalink(d->p);
    if (!tc_link_supported(d->dlt)) {
        snprintf(err, errlen, "%s: link type %s (%d) is not supported", d->name,
                 pcap_datalink_val_to_name(d->dlt), d->dlt);
        errno = EPROTONOSUPPORT;
        return TC_ERROR;
    }

    if (pcap_setnonblock(d->p, 1, ebuf) != 0) {
        snprintf(err, errlen, "pcap_setnonblock(%s): %s", d->name, ebuf);
        errno = EIO;
        return TC_ERROR;
    }

    d->fd = pcap_get_selectable_fd(d->p);
    if (d->fd == -1) {
        snprintf(err, errlen, "%s: no selectable fd", d->name);
        errno = EIO;
        return TC_ERROR;
    }

    return TC_OK;
}


/* Subscribes to link events (best effort: without them, a deletion
 * libpcap misses goes unnoticed, as before). */
static void
links_watch(tc_pcap_t *pc)
{
    struct sockaddr_nl sa;
    struct epoll_event ev;
    int                fd;

    fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
                NETLINK_ROUTE);
    if (fd == -1) {
        return;
    }
    memset(&sa, 0, sizeof(sa));
    sa.nl_family = AF_NETLINK;
    sa.nl_groups = RTMGRP_LINK;
    memset(&ev, 0, sizeof(ev));
    ev.events = EPOLLIN;
    ev.data.ptr = NULL;
    if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) == -1 ||
        epoll_ctl(pc->epfd, EPOLL_CTL_ADD, fd, &ev) == -1) {
        close(fd);
        return;
    }
    pc->links_fd = fd;
}


/* Opens one device and adds it to the epoll set. */
static int
dev_open(tc_pcap_t *pc, const char *name, size_t len, char *err, size_t errlen)
{
    tc_pcap_dev_t     *d;
    struct epoll_event ev;

    if (pc->ndevs == TC_PCAP_DEVICES_MAX || len == 0 || len >= PCAP_NAME_MAX) {
        snprintf(err, errlen, "bad device list \"%s\" (at most %d names)",
                 pc->conf.devices, TC_PCAP_DEVICES_MAX);
        errno = EINVAL;
        return TC_ERROR;
    }

    d = &pc->devs[pc->ndevs++];
    d->pc = pc;
    d->fd = -1;
    memcpy(d->name, name, len);
    d->name[len] = '\0';
    d->ifindex = if_nametoindex(d->name);

    if (dev_activate(d, &pc->conf, err, errlen) != TC_OK ||
        dev_setup(d, &pc->conf, err, errlen) != TC_OK) {
        return TC_ERROR;
    }

    memset(&ev, 0, sizeof(ev));
    ev.events = EPOLLIN;
    ev.data.ptr = d;
    if (epoll_ctl(pc->epfd, EPOLL_CTL_ADD, d->fd, &ev) == -1) {
        snprintf(err, errlen, "epoll_ctl(%s): %s", d->name, strerror(errno));
        return TC_ERROR;
    }

    return TC_OK;
}


tc_pcap_t *
tc_pcap_open(const tc_pcap_conf_t *conf, char *err, size_t errlen)
{
    tc_pcap_t  *pc;
    const char *name, *comma;
    int         saved;

    pc = calloc(1, sizeof(*pc));
    if (pc == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    pc->conf = *conf;

    pc->links_fd = -1;
    pc->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (pc->epfd == -1) {
        snprintf(err, errlen, "epoll_create1: %s", strerror(errno));
        goto failed;
    }
    links_watch(pc);

    for (name = conf->devices; name != NULL; name = comma ? comma + 1 : NULL) {
        comma = strchr(name, ',');
        if (dev_open(pc, name, comma ? (size_t) (comma - name) : strlen(name),
                     err, errlen) != TC_OK) {
            goto failed;
        }
    }

    return pc;

failed:
    saved = errno;
    tc_pcap_close(pc);
    errno = saved;
    return NULL;
}


int
tc_pcap_fd(const tc_pcap_t *pc)
{
    return pc->epfd;
}


int
tc_pcap_datalink(const tc_pcap_t *pc)
{
    return pc->ndevs > 0 ? pc->devs[0].dlt : -1;
}


/* libpcap's callback: one frame of device d (user). */
static void
on_frame(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
    tc_pcap_dev_t *d = (tc_pcap_dev_t *) user;
    tc_pcap_t     *pc = d->pc;
    size_t         off, wire;
    int            rc;

    pc->stats.received++;

    /* caplen, never len, bounds what we read */
    rc = tc_link_ip_offset(d->dlt, bytes, h->caplen);
    if (rc < 0) {
        if (rc == TC_LINK_TRUNCATED) {
            pc->stats.truncated++;
        } else {
            pc->stats.not_ip++;
        }
        return;
    }

    off = (size_t) rc;
    wire = (h->len > off) ? h->len - off : 0;
    pc->conf.handler(pc->conf.data, bytes + off, h->caplen - off, wire);
}


/* Device d is gone for good: it stops being polled, the others go on. */
static void
dev_fail(tc_pcap_dev_t *d, const char *why)
{
    tc_pcap_t *pc = d->pc;

    tc_log_error(TC_LOG_ERR, 0, "capture on %s failed: %s", d->name, why);
    (void) epoll_ctl(pc->epfd, EPOLL_CTL_DEL, d->fd, NULL);
    d->failed = true;
    pc->nfailed++;
}


/* Fails the live devices whose interface index is ifindex, or (ifindex 0:
 * events were lost) those whose index names no interface any more (asked
 * by index: a renamed device still captures; any other error of the
 * question is no answer, and the device is kept). */
static void
links_deleted(tc_pcap_t *pc, unsigned ifindex)
{
    tc_pcap_dev_t *d;
    size_t         i;
    char           name[IF_NAMESIZE];

    for (i = 0; i < pc->ndevs; i++) {
        d = &pc->devs[i];
        if (d->failed || d->ifindex == 0) {
            continue;
        }
        if (ifindex != 0
                ? d->ifindex == ifindex
                : if_indextoname(d->ifindex, name) == NULL && errno == ENXIO) {
            dev_fail(d, "the interface was deleted");
        }
    }
}


/* The interfaces an RTM_DELLINK datagram of n bytes deletes.  Only
 * AF_UNSPEC ones: the bridge code sends AF_BRIDGE ones for a port that
 * leaves its bridge and goes on existing. */
static void
links_parse(tc_pcap_t *pc, const char *buf, int n)
{
    const struct nlmsghdr  *nh;
    const struct ifinfomsg *ifi;

    for (nh = (const void *) buf; NLMSG_OK(nh, n); nh = NLMSG_NEXT(nh, n)) {
        if (nh->nlmsg_type != RTM_DELLINK ||
            nh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi))) {
            continue;
        }
        ifi = NLMSG_DATA(nh);
        if (ifi->ifi_family == AF_UNSPEC && ifi->ifi_index > 0) {
            links_deleted(pc, (unsigned) ifi->ifi_index);
        }
    }
}


/* Reads the pending link events: a bounded number of datagrams a call
 * (the epoll set stays readable for the rest). */
static void
links_read(tc_pcap_t *pc)
{
    char               buf[8192] __attribute__((aligned(4)));
    struct sockaddr_nl from;
    socklen_t          fromlen;
    ssize_t            n;
    int                i;

    pc->links_due = 0;
    for (i = 0; i < 16; i++) {
        fromlen = sizeof(from);
        n = recvfrom(pc->links_fd, buf, sizeof(buf), MSG_DONTWAIT,
                     (struct sockaddr *) &from, &fromlen);
        if (n == -1 && errno == ENOBUFS) {
            links_deleted(pc, 0); /* the socket overflowed: ask the kernel */
            continue;
        }
        if (n <= 0) {
            return;
        }
        if (from.nl_pid == 0) { /* the kernel's, no other process's */
            links_parse(pc, buf, (int) n);
        }
    }
}


int
tc_pcap_dispatch(tc_pcap_t *pc, unsigned budget)
{
    tc_pcap_dev_t *d;
    size_t         i;
    unsigned       done = 0;
    int            n;

    /* One pass over the devices, each may use what the others left. */
    for (i = 0; i < pc->ndevs && done < budget; i++) {
        d = &pc->devs[i];
        if (d->failed) {
            continue;
        }
        n = pcap_dispatch(d->p, (int) (budget - done), on_frame, (u_char *) d);
        if (n == PCAP_ERROR) {
            pc->stats.read_errors++;
            dev_fail(d, pcap_geterr(d->p));
            continue;
        }
        if (n > 0) {
            done += (unsigned) n;
        }
    }

    /* A wake-up without packets may be the link events' socket; under
     * steady traffic it is read every PCAP_LINKS_EVERY calls. */
    if (pc->links_fd != -1 &&
        (done == 0 || ++pc->links_due >= PCAP_LINKS_EVERY)) {
        links_read(pc);
    }

    /* Checked after the pass: the device that failed in it was the last
     * one, and nothing would ever wake this capture again. */
    if (pc->nfailed == pc->ndevs && pc->ndevs > 0) {
        return TC_ERROR;
    }
    return (int) done;
}


void
tc_pcap_stats(tc_pcap_t *pc, tc_pcap_stats_t *out)
{
    struct pcap_stat ps;
    size_t           i;

    *out = pc->stats;
    for (i = 0; i < pc->ndevs; i++) {
        if (pc->devs[i].p == NULL || pc->devs[i].failed) {
            continue;
        }
        memset(&ps, 0, sizeof(ps));
        if (pcap_stats(pc->devs[i].p, &ps) == 0) {
            out->kernel_dropped += ps.ps_drop;
            out->if_dropped += ps.ps_ifdrop;
        }
    }
}


void
tc_pcap_close(tc_pcap_t *pc)
{
    size_t i;

    if (pc == NULL) {
        return;
    }

    for (i = 0; i < pc->ndevs; i++) {
        if (pc->devs[i].p != NULL) {
            pcap_close(pc->devs[i].p);
        }
    }
    if (pc->links_fd != -1) {
        close(pc->links_fd);
    }
    if (pc->epfd != -1) {
        close(pc->epfd);
    }
    free(pc);
}
