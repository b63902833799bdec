/*
 * capture_raw.c: the default capture, a raw IPv4 socket with protocol TCP.
 * The kernel hands it a copy of every TCP segment delivered to this host,
 * IP header included, after the real stack has seen it; the connections of
 * the online server are not disturbed.  Packets are read in batches with
 * recvmmsg(); SO_RXQ_OVFL reports how many the socket had to drop.
 */
#include "tc_config.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tc_capture.h"

#define RAW_BATCH    64
#define RAW_PKT_MAX  65536
#define RAW_RCVBUF   (32 * 1024 * 1024)

typedef struct {
    struct mmsghdr msgs[RAW_BATCH];
    struct iovec   iov[RAW_BATCH];
    char           ctrl[RAW_BATCH][CMSG_SPACE(sizeof(uint32_t))];
    uint8_t        bufs[RAW_BATCH][RAW_PKT_MAX];
    uint32_t       last_ovfl;
} raw_priv_t;


static int
raw_open(tc_capture_t *cap, char *err, size_t errlen)
{
    int         fd, one = 1, size = RAW_RCVBUF;
    raw_priv_t *p;

    fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
    if (fd == -1) {
        snprintf(err, errlen, "raw capture socket: %s%s", strerror(errno),
                 errno == EPERM ? " (needs root or CAP_NET_RAW)" : "");
        return TC_ERROR;
    }

    /* a big buffer rides out bursts; FORCE works as root, else best effort */
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) == -1) {
        (void) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
    }
    (void) setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one));

    p = calloc(1, sizeof(*p));
    if (p == NULL) {
        close(fd);
        snprintf(err, errlen, "out of memory");
        return TC_ERROR;
    }

    cap->fd = fd;
    cap->priv = p;
    return TC_OK;
}


static void
raw_prepare(raw_priv_t *p)
{
    int i;

    for (i = 0; i < RAW_BATCH; i++) {
        p->iov[i].iov_base = p->bufs[i];
        p->iov[i].iov_len = RAW_PKT_MAX;
        memset(&p->msgs[i].msg_hdr, 0, sizeof(struct msghdr));
        p->msgs[i].msg_hdr.msg_iov = &p->iov[i];
        p->msgs[i].msg_hdr.msg_iovlen = 1;
        p->msgs[i].msg_hdr.msg_control = p->ctrl[i];
        p->msgs[i].msg_hdr.msg_controllen = sizeof(p->ctrl[i]);
    }
}


/* SO_RXQ_OVFL: a running count of drops on this socket. */
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
        raw_prepare(p);
        n = recvmmsg(cap->fd, p->msgs, RAW_BATCH, MSG_DONTWAIT, NULL);
        if (n == -1) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
                break;
            }
            return TC_ERROR;
        }
        for (i = 0; i < n; i++) {
            raw_note_drops(cap, p, &p->msgs[i].msg_hdr);
            cap->handler(cap->data, p->bufs[i], p->msgs[i].msg_len);
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


const tc_capture_ops_t tc_capture_raw_ops = {
    "raw", raw_open, raw_read, raw_close
};
