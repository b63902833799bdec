/*
 * capture_raw.c: the default capture, a raw IPv4 socket with protocol TCP.
 * The kernel hands it a copy of every TCP segment delivered to this host,
 * IP header included, after the real stack has seen it; the connections of
 * the online server are not disturbed.  Packets are read in batches with
 * recvmmsg(); SO_RXQ_OVFL reports how many the socket had to drop.
 */
#include "tc_config.h"

#include <errno.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tc_capture.h"
#include "tc_log.h"
#include "tc_sock.h"

#define RAW_BATCH     64
#define RAW_PKT_MAX   65536
#define RAW_PORTS_MAX 64

typedef struct {
    struct mmsghdr msgs[RAW_BATCH];
    struct iovec   iov[RAW_BATCH];
    char           ctrl[RAW_BATCH][CMSG_SPACE(sizeof(uint32_t))];
    uint8_t        bufs[RAW_BATCH][RAW_PKT_MAX];
    uint32_t       last_ovfl;
} raw_priv_t;


/*
 * Keeps, in the kernel, only TCP segments to one of the transferred ports:
 * everything else the host receives (the control channel's own traffic,
 * ssh, ...) never costs a copy or buffer space.  Non-first fragments have
 * no port to test and are kept, to be counted by the parser.
 */
static int
raw_attach_filter(int fd, const uint16_t *ports, size_t nports)
{
    struct sock_filter f[8 + RAW_PORTS_MAX];
    struct sock_fprog  prog;
    size_t             i, n = 0, accept;

    if (nports == 0 || nports > RAW_PORTS_MAX) {
        return TC_OK; /* keep everything; the engine matches ports */
    }

    accept = 4 + nports + 1; /* index of the "ret keep" instruction */

    /* A = fragment offset; a non-first fragment is kept */
    f[n++] = (struct sock_filter) BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 6);
    f[n++] = (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x1fff,
                                           (uint8_t) (accept - 2), 0);
    /* X = IP header length; A = TCP destination port */
    f[n++] = (struct sock_filter) BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0);
    f[n++] = (struct sock_filter) BPF_STMT(BPF_LD | BPF_H | BPF_IND, 2);
    for (i = 0; i < nports; i++) {
        f[n] =
            (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ports[i],
                                          (uint8_t) (accept - n - 1), 0);
        n++;
    }
    f[n++] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, 0);
    f[n++] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, 0x40000);

    prog.len = (unsigned short) n;
    prog.filter = f;
    if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) ==
        -1) {
        return TC_ERROR;
    }
    return TC_OK;
}


/* Points every message at its buffer and control room, once: recvmmsg()
 * leaves these alone but for msg_controllen (see raw_read). */
static void
raw_prepare(raw_priv_t *p)
{
    int i;

    for (i = 0; i < RAW_BATCH; i++) {
        p->iov[i].iov_base = p->bufs[i];
        p->iov[i].iov_len = RAW_PKT_MAX;
        p->msgs[i].msg_hdr.msg_iov = &p->iov[i];
        p->msgs[i].msg_hdr.msg_iovlen = 1;
        p->msgs[i].msg_hdr.msg_control = p->ctrl[i];
        p->msgs[i].msg_hdr.msg_controllen = sizeof(p->ctrl[i]);
    }
}


static int
raw_open(tc_capture_t *cap, char *err, size_t errlen)
{
    int         fd, one = 1;
    raw_priv_t *p;

    fd = tc_sock_open(AF_INET, SOCK_RAW, IPPROTO_TCP, "raw capture socket", err,
                      errlen);
    if (fd == -1) {
        return TC_ERROR;
    }

    if (raw_attach_filter(fd, cap->ports, cap->nports) != TC_OK) {
        snprintf(err, errlen, "capture filter: %s", strerror(errno));
        close(fd);
        return TC_ERROR;
    }

    /* a big buffer rides out bursts while this process is not scheduled */
    tc_sock_buffer(fd, SO_RCVBUF, cap->bufsize);
    (void) setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one));

    p = calloc(1, sizeof(*p));
    if (p == NULL) {
        close(fd);
        snprintf(err, errlen, "out of memory");
        return TC_ERROR;
    }

    raw_prepare(p);
    cap->fd = fd;
    cap->priv = p;
    return TC_OK;
}


/*
 * SO_RXQ_OVFL: the socket's drop count when the packet was queued, a
 * running total (and no control message while it is 0).  The batch's
 * last packet has the latest, so only it is looked at.
 */
static void
raw_note_drops(tc_capture_t *cap, raw_priv_t *p, struct msghdr *mh)
{
    struct cmsghdr *c;
    uint32_t        ovfl;

    for (c = CMSG_FIRSTHDR(mh); c != NULL; c = CMSG_NXTHDR(mh, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
            memcpy(&ovfl, CMSG_DATA(c), sizeof(ovfl));
            cap->drops += (uint32_t) (ovfl - p->last_ovfl);
            p->last_ovfl = ovfl;
        }
    }
}


static int
raw_read(tc_capture_t *cap, unsigned budget)
{
    raw_priv_t *p = cap->priv;
    int         n, i, total = 0;

    while ((unsigned) total < budget) {
        n = recvmmsg(cap->fd, p->msgs, RAW_BATCH, MSG_DONTWAIT, NULL);
        if (n == -1) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                /* a pending socket error (ENETDOWN...): reported once by
                 * the kernel, the socket goes on */
                tc_log_error(TC_LOG_ERR, errno, "capture read failed");
            }
            break;
        }
        if (n > 0) {
            raw_note_drops(cap, p, &p->msgs[n - 1].msg_hdr);
        }
        for (i = 0; i < n; i++) {
            cap->handler(cap->data, p->bufs[i], p->msgs[i].msg_len);
            /* the kernel wrote back what it used (0 without drops) */
            p->msgs[i].msg_hdr.msg_controllen = sizeof(p->ctrl[i]);
        }
        total += n;
        if (n < RAW_BATCH) {
            break;
        }
    }

    return total;
}


static void
raw_close(tc_capture_t *cap)
{
    if (cap->fd != -1) {
        close(cap->fd);
        cap->fd = -1;
    }
    free(cap->priv);
    cap->priv = NULL;
}


/* no update_drops: SO_RXQ_OVFL brings them with the packets */
const tc_capture_ops_t tc_capture_raw_ops = {
    .name = "raw",
    .open = raw_open,
    .read = raw_read,
    .close = raw_close,
};
