/*
 * capture_nfq.c: the NFQUEUE input (libnetfilter_queue).  The user's rule
 * (iptables -I OUTPUT -p tcp --sport PORT -j NFQUEUE --queue-num N) hands
 * the target's replies to us; we read the first copy_range bytes of each,
 * let tc_icp_packet() decide, and tell the kernel ACCEPT or DROP.
 *
 * Never fail-open: without NFQA_CFG_F_FAIL_OPEN a reply the kernel cannot
 * queue to us (queue or socket full) is dropped, not sent to the client.
 * And when intercept stops, destroying the queue drops what is pending.
 *
 * Syscalls per packet: the queued packets are read NFQ_BATCH datagrams
 * (one packet each) per recvmmsg(), and DROP, by far the common verdict,
 * is given to consecutive drops as one batch verdict (every queued id up to
 * the last one).  An ACCEPT first flushes the pending drops below it.
 */
#include "tc_config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netfilter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libnetfilter_queue/libnetfilter_queue.h>

#include "tc_log.h"
#include "intercept.h"

#define NFQ_RCVBUF    (8 * 1024 * 1024)
#define NFQ_BUF_MIN   (64 * 1024)
#define NFQ_PROC_PATH "/proc/net/netfilter/nfnetlink_queue"
#define NFQ_BATCH     32 /* datagrams per recvmmsg() */

typedef struct {
    tc_icp_capture_t      *cap;
    struct nfq_handle     *h;
    struct nfq_q_handle   *qh;
    int                    fd;
    unsigned               queue_num;
    uint8_t               *buf; /* NFQ_BATCH slots, one per datagram */
    struct mmsghdr         msgs[NFQ_BATCH];
    struct iovec           iov[NFQ_BATCH];
    uint64_t               handled;      /* packets handed to the handler */
    bool                   drop_pending; /* a batch DROP is owed */
    uint32_t               drop_id;      /* ... up to this packet id */
    bool                   enobufs_logged;
    bool                   verdict_logged;
    tc_icp_capture_stats_t stats;
} nfq_t;

static int  nfq_open_input(tc_icp_capture_t *cap, const tc_icp_conf_t *conf);
static int  nfq_get_fd(const tc_icp_capture_t *cap);
static int  nfq_dispatch(tc_icp_capture_t *cap, unsigned budget);
static void nfq_close_input(tc_icp_capture_t *cap);
static void nfq_stats(const tc_icp_capture_t *cap, tc_icp_capture_stats_t *out);
static int  nfq_on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg,
                          struct nfq_data *nfa, void *data);

const tc_icp_capture_ops_t tc_icp_capture_nfq = {
    "nfqueue",    nfq_open_input,  nfq_get_fd,
    nfq_dispatch, nfq_close_input, nfq_stats,
};


/* Configures the queue: copy range, length, GSO.  TC_OK or TC_ERROR. */
static int
nfq_setup_queue(nfq_t *q, const tc_icp_conf_t *conf)
{
    if (nfq_set_mode(q->qh, NFQNL_COPY_PACKET, conf->copy_range) < 0) {
        tc_log_error(TC_LOG_EMERG, errno, "nfq_set_mode(copy %u bytes)",
                     (unsigned) conf->copy_range);
        return TC_ERROR;
    }

    if (nfq_set_queue_maxlen(q->qh, conf->queue_len) < 0) {
        tc_log_error(TC_LOG_WARN, errno,
                     "nfq_set_queue_maxlen(%u): keeping the kernel default",
                     (unsigned) conf->queue_len);
    }

    /* Without it the kernel segments GSO replies in software before
     * queueing them: more work, and many more packets for us. */
    if (nfq_set_queue_flags(q->qh, NFQA_CFG_F_GSO, NFQA_CFG_F_GSO) < 0) {
        tc_log_error(TC_LOG_WARN, errno,
                     "NFQUEUE GSO flag not supported: "
                     "large replies are segmented by the kernel");
    }

    return TC_OK;
}


/* Makes the netlink socket non-blocking and its receive buffer large, so
 * a burst of replies waits in the socket rather than being dropped. */
static int
nfq_setup_socket(nfq_t *q)
{
    int size = NFQ_RCVBUF, flags;

    q->fd = nfq_fd(q->h);

    flags = fcntl(q->fd, F_GETFL);
    if (flags == -1 || fcntl(q->fd, F_SETFL, flags | O_NONBLOCK) == -1 ||
        fcntl(q->fd, F_SETFD, FD_CLOEXEC) == -1) {
        tc_log_error(TC_LOG_EMERG, errno, "NFQUEUE socket flags");
        return TC_ERROR;
    }

    /* SO_RCVBUFFORCE passes net.core.rmem_max (we are privileged). */
    if (setsockopt(q->fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) ==
            -1 &&
        setsockopt(q->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)) == -1) {
        tc_log_error(TC_LOG_WARN, errno, "NFQUEUE receive buffer");
    }

    return TC_OK;
}


/* Logs why opening failed, except for EPERM, which the caller reports
 * (it has a clearer message for that).  errno is preserved. */
static void
nfq_log_open_error(const char *what, unsigned num)
{
    int err = errno;

    if (err != EPERM) {
        tc_log_error(TC_LOG_EMERG, err, "%s (NFQUEUE %u)", what, num);
    }
    errno = err;
}


static int
nfq_open_input(tc_icp_capture_t *cap, const tc_icp_conf_t *conf)
{
    nfq_t *q;
    size_t slot, i;
    int    err;

    q = calloc(1, sizeof(*q));
    if (q == NULL) {
        return TC_ERROR;
    }
    q->cap = cap;
    q->fd = -1;
    q->queue_num = conf->queue_num;
    cap->priv = q;

    /* A datagram is one packet's copy_range bytes and its attributes. */
    slot = tc_max((size_t) NFQ_BUF_MIN, conf->copy_range + 8192u);
    q->buf = malloc(slot * NFQ_BATCH);
    for (i = 0; q->buf != NULL && i < NFQ_BATCH; i++) {
        q->iov[i].iov_base = q->buf + i * slot;
        q->iov[i].iov_len = slot;
        q->msgs[i].msg_hdr.msg_iov = &q->iov[i];
        q->msgs[i].msg_hdr.msg_iovlen = 1;
    }
    q->h = (q->buf == NULL) ? NULL : nfq_open();
    if (q->h == NULL) {
        nfq_log_open_error("nfq_open()", q->queue_num);
        goto failed;
    }

    /* Kernels before 3.8 need the family bound to the queue handler (an
     * unbind first clears a stale binding); newer kernels ignore both, but
     * still want CAP_NET_ADMIN, so this is where EPERM shows first. */
    if (nfq_unbind_pf(q->h, AF_INET) < 0 && errno == EPERM) {
        goto failed;
    }
    if (nfq_bind_pf(q->h, AF_INET) < 0) {
        nfq_log_open_error("nfq_bind_pf(AF_INET)", q->queue_num);
        goto failed;
    }
    (void) nfq_bind_pf(q->h, AF_INET6);

    q->qh = nfq_create_queue(q->h, (uint16_t) q->queue_num, nfq_on_packet, q);
    if (q->qh == NULL) {
        /* Binding the family worked, so we are privileged: EPERM here
         * means another socket (another intercept?) owns the queue. */
        if (errno == EPERM) {
            errno = EBUSY;
            tc_log_error(TC_LOG_EMERG, 0,
                         "NFQUEUE %u is in use by another process "
                         "(another intercept?)",
                         q->queue_num);
            goto failed;
        }
        nfq_log_open_error("nfq_create_queue()", q->queue_num);
        goto failed;
    }

    if (nfq_setup_queue(q, conf) != TC_OK || nfq_setup_socket(q) != TC_OK) {
        goto failed;
    }

    tc_log_error(TC_LOG_NOTICE, 0,
                 "NFQUEUE %u open: copy %u bytes, max length %u", q->queue_num,
                 (unsigned) conf->copy_range, (unsigned) conf->queue_len);
    return TC_OK;

failed:
    err = errno;
    nfq_close_input(cap);
    errno = err;
    return TC_ERROR;
}


static int
nfq_get_fd(const tc_icp_capture_t *cap)
{
    const nfq_t *q = cap->priv;

    return q->fd;
}


/* Gives the pending batch DROP verdict, if any. */
static void
nfq_flush_drops(nfq_t *q)
{
    if (!q->drop_pending) {
        return;
    }

    q->drop_pending = false;
    if (nfq_set_verdict_batch(q->qh, q->drop_id, NF_DROP) < 0) {
        q->stats.verdict_errors++;
        if (!q->verdict_logged) {
            q->verdict_logged = true;
            tc_log_error(TC_LOG_ERR, errno,
                         "NFQUEUE batch verdict failed "
                         "(counted as verdict_errors from now on)");
        }
    }
}


/* libnetfilter_queue's callback: one queued packet. */
static int
nfq_on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg,
              struct nfq_data *nfa, void *data)
{
    nfq_t                       *q = data;
    struct nfqnl_msg_packet_hdr *ph;
    unsigned char               *pkt;
    uint32_t                     id;
    int                          len, verdict;

    (void) msg;

    ph = nfq_get_msg_packet_hdr(nfa);
    if (ph == NULL) {
        /* No id: nothing we could give a verdict on. */
        q->stats.recv_errors++;
        return 0;
    }
    id = ntohl(ph->packet_id);

    len = nfq_get_payload(nfa, &pkt);
    q->handled++;

    /* No payload cannot happen in COPY_PACKET mode; drop if it does. */
    verdict = (len < 0) ? TC_ICP_DROP
                        : q->cap->handler(q->cap->ctx, pkt, (size_t) len);

    if (verdict != TC_ICP_ACCEPT) {
        q->drop_pending = true;
        q->drop_id = id;
        return 0;
    }

    nfq_flush_drops(q);
    if (nfq_set_verdict(qh, id, NF_ACCEPT, 0, NULL) < 0) {
        q->stats.verdict_errors++;
    }
    return 0;
}


static void
nfq_recv_error(nfq_t *q, int err)
{
    if (err == ENOBUFS) {
        /* The socket overflowed: the kernel dropped queued replies (their
         * headers are lost to tcpcopy; the replies themselves were
         * dropped, not leaked). */
        q->stats.enobufs++;
        if (!q->enobufs_logged) {
            q->enobufs_logged = true;
            tc_log_error(TC_LOG_WARN, 0,
                         "NFQUEUE %u: socket overflowed, the kernel dropped "
                         "replies (counted as enobufs from now on)",
                         q->queue_num);
        }
        return;
    }

    q->stats.recv_errors++;
    tc_log_error(TC_LOG_ERR, err, "NFQUEUE %u: recv()", q->queue_num);
}


static int
nfq_dispatch(tc_icp_capture_t *cap, unsigned budget)
{
    nfq_t   *q = cap->priv;
    uint64_t before;
    unsigned done = 0, want;
    int      n, i;

    while (done < budget) {
        want = tc_min(budget - done, (unsigned) NFQ_BATCH);
        n = recvmmsg(q->fd, q->msgs, want, 0, NULL);

        if (n > 0) {
            before = q->handled;
            for (i = 0; i < n; i++) {
                (void) nfq_handle_packet(q->h, (char *) q->iov[i].iov_base,
                                         (int) q->msgs[i].msg_len);
            }
            /* A datagram without a packet still counts against the budget
             * so this loop always ends. */
            done += (unsigned) tc_max(q->handled - before, (uint64_t) n);
            /* Fewer than asked: the socket is empty (an error met after
             * the first datagram is kept by the kernel for the next call,
             * and makes the fd readable). */
            if ((unsigned) n < want) {
                break;
            }
            continue;
        }

        if (n == -1 && errno == EINTR) {
            continue;
        }
        if (n == -1 && errno == ENOBUFS) {
            nfq_recv_error(q, ENOBUFS);
            continue;
        }
        if (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK) {
            nfq_recv_error(q, errno);
        }
        break;
    }

    nfq_flush_drops(q);
    return (int) done;
}


static void
nfq_close_input(tc_icp_capture_t *cap)
{
    nfq_t *q = cap->priv;

    if (q == NULL) {
        return;
    }

    if (q->qh != NULL) {
        nfq_flush_drops(q);
        /* The kernel drops whatever is still queued: nothing leaks. */
        nfq_destroy_queue(q->qh);
    }
    if (q->h != NULL) {
        nfq_close(q->h);
    }

    free(q->buf);
    free(q);
    cap->priv = NULL;
}


/* Reads the kernel's own counters for our queue: queue_dropped (queue
 * full), user_dropped (socket full) and the id sequence (how many packets
 * were ever queued to it: --check tells a missing rule by it).  Missing
 * file: zeros, and queue_listed stays false. */
static void
nfq_proc_stats(const nfq_t *q, tc_icp_capture_stats_t *out)
{
    FILE              *f;
    char               line[256];
    unsigned           num, portid, total, mode, range;
    unsigned long long qdrop, udrop, idseq;

    f = fopen(NFQ_PROC_PATH, "re");
    if (f == NULL) {
        return;
    }

    while (fgets(line, sizeof(line), f) != NULL) {
        if (sscanf(line, "%u %u %u %u %u %llu %llu %llu", &num, &portid, &total,
                   &mode, &range, &qdrop, &udrop, &idseq) == 8 &&
            num == q->queue_num) {
            out->kernel_dropped = qdrop;
            out->kernel_user_dropped = udrop;
            out->queue_id_seq = idseq;
            out->queue_listed = true;
            break;
        }
    }

    fclose(f);
}


static void
nfq_stats(const tc_icp_capture_t *cap, tc_icp_capture_stats_t *out)
{
    const nfq_t *q = cap->priv;

    *out = q->stats;
    nfq_proc_stats(q, out);
}
