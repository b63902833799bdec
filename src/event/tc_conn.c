/*
 * tc_conn.c: the framed control-channel connection (see tc_conn.h).
 */
#include "tc_config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tc_conn.h"
#include "tc_time.h"

/* Input room asked for before each recv(); recv() takes all the free room,
 * and a partial frame grows the buffer up to one whole frame. */
#define CONN_READ_ROOM (16 * 1024)
/* Reads per wake-up: the fd is level-triggered, so a busy peer is read on
 * in the next iteration and cannot starve the others. */
#define CONN_READS 16
/* An emptied output queue bigger than this is freed: a burst is over, and
 * an idle peer must not pin megabytes. */
#define CONN_OUT_KEEP (1024u * 1024)

static void conn_io(void *data, uint32_t events);
static void conn_connected(tc_conn_t *c);
static void conn_read(tc_conn_t *c);
static int  conn_frames(tc_conn_t *c);


void
tc_conn_init(tc_conn_t *c, tc_event_loop_t *loop,
             const tc_conn_handler_t *handler, void *data)
{
    memset(c, 0, sizeof(*c));
    c->loop = loop;
    c->handler = handler;
    c->data = data;
    c->fd = -1;
}


int
tc_conn_listen(const tc_endpoint_t *ep, int backlog, const char **step)
{
    struct sockaddr_storage ss;
    socklen_t               len;
    int                     fd, one = 1, err;

    len = tc_endpoint_to_sockaddr(ep, &ss);
    fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd == -1) {
        *step = "socket()";
        return -1;
    }
    (void) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));

    if (bind(fd, (struct sockaddr *) &ss, len) == -1) {
        *step = "bind";
    } else if (listen(fd, backlog) == -1) {
        *step = "listen()";
    } else {
        return fd;
    }
    err = errno;
    close(fd);
    errno = err;
    return -1;
}


int
tc_conn_connect(tc_conn_t *c, const tc_endpoint_t *peer, const char **why)
{
    struct sockaddr_storage ss;
    socklen_t               len;
    int                     one = 1, err;

    len = tc_endpoint_to_sockaddr(peer, &ss);
    c->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd == -1) {
        *why = "socket failed";
        return TC_ERROR;
    }
    (void) setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

    if (connect(c->fd, (struct sockaddr *) &ss, len) == -1 &&
        errno != EINPROGRESS) {
        *why = "connect failed";
        goto out_close;
    }

    /* writable: the connect is over, one way or the other */
    if (tc_event_add(c->loop, c->fd, TC_EV_READ | TC_EV_WRITE, conn_io, c) !=
        TC_OK) {
        *why = "cannot watch socket";
        goto out_close;
    }
    c->connecting = true;
    c->write_armed = true;
    return TC_OK;

out_close:
    err = errno;
    close(c->fd);
    c->fd = -1;
    errno = err;
    return TC_ERROR;
}


int
tc_conn_attach(tc_conn_t *c, int fd)
{
    if (tc_event_add(c->loop, fd, TC_EV_READ, conn_io, c) != TC_OK) {
        return TC_ERROR;
    }
    c->fd = fd;
    return TC_OK;
}


void
tc_conn_close(tc_conn_t *c)
{
    if (c->fd != -1) {
        (void) tc_event_del(c->loop, c->fd);
        close(c->fd);
        c->fd = -1;
    }
    c->connecting = false;
    c->write_armed = false;
    tc_buf_free(&c->in);
    tc_buf_free(&c->out);
}


int
tc_conn_flush(tc_conn_t *c)
{
    ssize_t n;
    bool    want;

    if (c->connecting) {
        return TC_OK; /* the HELLO leaves from the connected callback */
    }

    while (tc_buf_len(&c->out) > 0) {
        n = send(c->fd, tc_buf_pos(&c->out), tc_buf_len(&c->out),
                 MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            tc_buf_consume(&c->out, (size_t) n);
            c->sent += (uint64_t) n;
            continue;
        }
        if (n == -1 && errno == EINTR) {
            continue;
        }
        if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            break;
        }
        c->handler->fail(c, TC_CONN_ESEND, n == 0 ? 0 : errno);
        return TC_DONE;
    }

    tc_buf_trim(&c->out, CONN_OUT_KEEP);

    want = tc_buf_len(&c->out) > 0;
    if (want != c->write_armed &&
        tc_event_mod(c->loop, c->fd, TC_EV_READ | (want ? TC_EV_WRITE : 0)) ==
            TC_OK) {
        c->write_armed = want;
    }
    return TC_OK;
}


static void
conn_io(void *data, uint32_t events)
{
    tc_conn_t *c = data;

    if (c->connecting) {
        conn_connected(c);
        return;
    }

    if ((events & TC_EV_WRITE) && tc_conn_flush(c) != TC_OK) {
        return;
    }
    if (events & (TC_EV_READ | TC_EV_ERROR)) {
        conn_read(c);
    }
}


/* The socket of a connect in progress became writable (or failed). */
static void
conn_connected(tc_conn_t *c)
{
    socklen_t len = sizeof(int);
    int       err = 0;

    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1 || err != 0) {
        c->handler->fail(c, TC_CONN_ECONNECT, err != 0 ? err : errno);
        return;
    }
    c->connecting = false;
    c->last_rx = tc_time_now();
    c->handler->connected(c);
}


/* Reads and decodes up to CONN_READS times, until EAGAIN or a close. */
static void
conn_read(tc_conn_t *c)
{
    uint8_t *room;
    ssize_t  n;
    int      i;

    for (i = 0; i < CONN_READS; i++) {
        room = tc_buf_reserve(&c->in, CONN_READ_ROOM);
        if (room == NULL) {
            c->handler->fail(c, TC_CONN_ERECV, ENOMEM);
            return;
        }

        n = recv(c->fd, room, tc_buf_room(&c->in), MSG_DONTWAIT);
        if (n > 0) {
            tc_buf_commit(&c->in, (size_t) n);
            c->last_rx = tc_time_now();
            if (conn_frames(c) != TC_OK) {
                return;
            }
            continue;
        }
        if (n == 0) {
            c->handler->fail(c, TC_CONN_EOF, 0);
            return;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return;
        }
        if (errno != EINTR) {
            c->handler->fail(c, TC_CONN_ERECV, errno);
            return;
        }
    }
}


/* Hands every whole frame of the input to the owner and keeps the partial
 * tail.  Returns TC_OK, or TC_DONE when c was closed meanwhile. */
static int
conn_frames(tc_conn_t *c)
{
    tc_frame_t f;
    int        used;

    for (;;) {
        used = tc_proto_decode(tc_buf_pos(&c->in), tc_buf_len(&c->in), &f);
        if (used == TC_PARSE_PARTIAL) {
            return TC_OK;
        }
        if (used == TC_PROTO_EVERSION) {
            c->peer_version = f.version;
            c->handler->fail(c, TC_CONN_EVERSION, 0);
            return TC_DONE;
        }
        if (used < 0) {
            c->handler->fail(c, TC_CONN_EFRAME, 0);
            return TC_DONE;
        }
        if (c->handler->frame(c, &f) != TC_OK) {
            return TC_DONE;
        }
        tc_buf_consume(&c->in, (size_t) used);
    }
}
