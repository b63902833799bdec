/*
 * test_conn.c: the framed control-channel connection on a real loop:
 * frames cut anywhere arrive whole and in order, a big output queue leaves
 * through partial writes and the write event, each failure is told with
 * its reason, an owner may free the connection from a callback, and a
 * loopback connect ends in connected or ECONNECT.
 */
#include "tc_config.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "t_harness.h"
#include "tc_conn.h"
#include "tc_time.h"

#define T_ROUTES 3000 /* a ROUTE frame of 60 KB */

typedef struct {
    tc_conn_t     *conn;
    unsigned       frames;
    uint64_t       tokens; /* sum of PING tokens */
    size_t         routes;
    unsigned       connected;
    tc_conn_fail_e why;
    int            err;
    bool           free_on_frame; /* conn is heap-allocated: free it */
} t_owner_t;


static void
t_connected(tc_conn_t *c)
{
    ((t_owner_t *) c->data)->connected++;
}


static int
t_frame(tc_conn_t *c, const tc_frame_t *f)
{
    t_owner_t *o = c->data;
    uint64_t   token;

    o->frames++;
    if (f->type == TC_MSG_PING && tc_proto_decode_ping(f, &token) == TC_OK) {
        o->tokens += token;
    } else if (f->type == TC_MSG_ROUTE) {
        o->routes += (size_t) tc_proto_route_count(f);
    }
    if (o->free_on_frame) {
        tc_conn_close(c);
        free(c);
        o->conn = NULL;
        return TC_DONE;
    }
    return TC_OK;
}


static void
t_fail(tc_conn_t *c, tc_conn_fail_e why, int err)
{
    t_owner_t *o = c->data;

    o->why = why;
    o->err = err;
    tc_conn_close(c);
}


static const tc_conn_handler_t t_handler = {t_connected, t_frame, t_fail};


/* A loop and a connection attached to one end of a socket pair. */
static tc_event_loop_t *
t_pair(tc_conn_t *c, t_owner_t *o, int *peer)
{
    tc_event_loop_t *loop = tc_event_loop_create(NULL);
    int              sv[2];

    memset(o, 0, sizeof(*o));
    o->conn = c;
    if (loop == NULL ||
        socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == -1) {
        return NULL;
    }
    tc_conn_init(c, loop, &t_handler, o);
    if (tc_conn_attach(c, sv[0]) != TC_OK) {
        return NULL;
    }
    *peer = sv[1];
    return loop;
}


static void
t_spin(tc_event_loop_t *loop, int n)
{
    while (n-- > 0) {
        (void) tc_event_run_once(loop, 5);
    }
}


/* PINGs and a big ROUTE written a few bytes at a time. */
static void
test_frames_cut_anywhere(void)
{
    static tc_msg_route_t routes[T_ROUTES];
    static uint8_t        wire[80000];
    tc_event_loop_t      *loop;
    tc_conn_t             c;
    t_owner_t             o;
    size_t                len = 0, off, step;
    int                   peer, i;

    loop = t_pair(&c, &o, &peer);
    T_CHECK(loop != NULL);
    if (loop == NULL) {
        return;
    }

    for (i = 0; i < T_ROUTES; i++) {
        routes[i].op = TC_ROUTE_ADD;
        tc_addr_set4(&routes[i].addr, (const uint8_t *) "\x0a\x4d\x01\x02");
        routes[i].port = (uint16_t) (1000 + i);
    }
    for (i = 1; i <= 3; i++) {
        len += tc_proto_encode_ping(wire + len, sizeof(wire) - len, TC_MSG_PING,
                                    (uint64_t) i);
    }
    len +=
        tc_proto_encode_route(wire + len, sizeof(wire) - len, routes, T_ROUTES);
    len +=
        tc_proto_encode_ping(wire + len, sizeof(wire) - len, TC_MSG_PING, 100);
    T_CHECK(len > 60000);

    for (off = 0, step = 1; off < len; off += step, step = step * 3 % 7919) {
        step = tc_min(step, len - off);
        T_CHECK_EQ(write(peer, wire + off, step), step);
        t_spin(loop, 1);
    }
    t_spin(loop, 2);

    T_CHECK_EQ(o.frames, 5);
    T_CHECK_EQ(o.tokens, 106);
    T_CHECK_EQ(o.routes, T_ROUTES);
    T_CHECK_EQ(o.why, 0);
    T_CHECK_EQ(tc_buf_len(&c.in), 0);

    close(peer);
    t_spin(loop, 1);
    T_CHECK_EQ(o.why, TC_CONN_EOF);
    T_CHECK_EQ(c.fd, -1);
    tc_event_loop_destroy(loop);
}


/* 4 MB queued: the first flush leaves most behind and watches writes;
 * the loop sends the rest as the peer reads, in order. */
static void
test_output_partial_writes(void)
{
    tc_event_loop_t *loop;
    tc_conn_t        c;
    t_owner_t        o;
    uint8_t         *room, buf[65536];
    size_t           total = 4u << 20, got = 0, i, bad = 0;
    ssize_t          n;
    int              peer, rounds;

    loop = t_pair(&c, &o, &peer);
    T_CHECK(loop != NULL);
    if (loop == NULL) {
        return;
    }
    room = tc_buf_reserve(&c.out, total);
    T_CHECK(room != NULL);
    for (i = 0; i < total; i++) {
        room[i] = (uint8_t) (i % 251);
    }
    tc_buf_commit(&c.out, total);

    T_CHECK_EQ(tc_conn_flush(&c), TC_OK);
    T_CHECK(tc_buf_len(&c.out) > 0);
    T_CHECK(c.write_armed);

    for (rounds = 0; got < total && rounds < 100000; rounds++) {
        while ((n = read(peer, buf, sizeof(buf))) > 0) {
            for (i = 0; i < (size_t) n; i++) {
                bad += buf[i] != (uint8_t) ((got + i) % 251);
            }
            got += (size_t) n;
        }
        t_spin(loop, 1);
    }
    T_CHECK_EQ(got, total);
    T_CHECK_EQ(bad, 0);
    T_CHECK_EQ(c.sent, total);
    T_CHECK(!c.write_armed);
    T_CHECK(c.out.data == NULL); /* emptied above 1 MB: freed */

    tc_conn_close(&c);
    close(peer);
    tc_event_loop_destroy(loop);
}


/* Another version, a bad magic: told once, with the peer's version. */
static void
test_bad_frames(void)
{
    tc_event_loop_t *loop;
    tc_conn_t        c;
    t_owner_t        o;
    uint8_t          wire[64];
    size_t           len;
    int              peer;

    loop = t_pair(&c, &o, &peer);
    if (loop == NULL) {
        T_CHECK(0);
        return;
    }
    len = tc_proto_encode_ping(wire, sizeof(wire), TC_MSG_PING, 1);
    wire[4] = 9; /* the version byte */
    T_CHECK_EQ(write(peer, wire, len), len);
    t_spin(loop, 1);
    T_CHECK_EQ(o.why, TC_CONN_EVERSION);
    T_CHECK_EQ(c.peer_version, 9);
    T_CHECK_EQ(c.fd, -1);
    close(peer);
    tc_event_loop_destroy(loop);

    loop = t_pair(&c, &o, &peer);
    if (loop == NULL) {
        T_CHECK(0);
        return;
    }
    memset(wire, 'G', sizeof(wire)); /* "GGGG": an HTTP client, say */
    T_CHECK_EQ(write(peer, wire, sizeof(wire)), sizeof(wire));
    t_spin(loop, 1);
    T_CHECK_EQ(o.why, TC_CONN_EFRAME);
    T_CHECK_EQ(o.frames, 0);
    close(peer);
    tc_event_loop_destroy(loop);
}


/* The owner frees the connection from its frame callback: nothing after
 * that frame is delivered or touched (ASan would tell). */
static void
test_free_from_callback(void)
{
    tc_event_loop_t *loop;
    tc_conn_t       *c = malloc(sizeof(*c));
    t_owner_t        o;
    uint8_t          wire[64];
    size_t           len;
    int              peer;

    loop = c == NULL ? NULL : t_pair(c, &o, &peer);
    if (loop == NULL) {
        T_CHECK(0);
        free(c);
        return;
    }
    o.free_on_frame = true;
    len = tc_proto_encode_ping(wire, sizeof(wire), TC_MSG_PING, 1);
    len += tc_proto_encode_ping(wire + len, sizeof(wire) - len, TC_MSG_PING, 2);
    T_CHECK_EQ(write(peer, wire, len), len);
    t_spin(loop, 2);
    T_CHECK_EQ(o.frames, 1);
    T_CHECK(o.conn == NULL);
    close(peer);
    tc_event_loop_destroy(loop);
}


/* Non-blocking connects on loopback: one to a listener, one refused. */
static void
test_connect(void)
{
    tc_event_loop_t   *loop = tc_event_loop_create(NULL);
    struct sockaddr_in sin;
    socklen_t          slen = sizeof(sin);
    tc_endpoint_t      ep;
    tc_conn_t          c;
    t_owner_t          o;
    const char        *why = NULL;
    int                lfd;

    memset(&o, 0, sizeof(o));
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (loop == NULL || lfd == -1 ||
        bind(lfd, (struct sockaddr *) &sin, sizeof(sin)) == -1 ||
        listen(lfd, 4) == -1 ||
        getsockname(lfd, (struct sockaddr *) &sin, &slen) == -1) {
        T_CHECK(0);
        return;
    }
    T_CHECK_EQ(tc_addr_parse("127.0.0.1", &ep.ip), TC_OK);
    ep.port = ntohs(sin.sin_port);

    tc_conn_init(&c, loop, &t_handler, &o);
    T_CHECK_EQ(tc_conn_connect(&c, &ep, &why), TC_OK);
    T_CHECK(c.connecting);
    T_CHECK_EQ(tc_conn_flush(&c), TC_OK); /* nothing while connecting */
    t_spin(loop, 3);
    T_CHECK_EQ(o.connected, 1);
    T_CHECK(!c.connecting && c.fd != -1);
    tc_conn_close(&c);

    close(lfd); /* nobody listens there now */
    tc_conn_init(&c, loop, &t_handler, &o);
    if (tc_conn_connect(&c, &ep, &why) == TC_OK) {
        t_spin(loop, 3);
        T_CHECK_EQ(o.why, TC_CONN_ECONNECT);
        T_CHECK_EQ(o.err, ECONNREFUSED);
    } else {
        T_CHECK_EQ(errno, ECONNREFUSED);
        T_CHECK(why != NULL && strcmp(why, "connect failed") == 0);
    }
    T_CHECK_EQ(o.connected, 1);
    T_CHECK_EQ(c.fd, -1);
    tc_event_loop_destroy(loop);
}


int
main(void)
{
    tc_time_update();
    T_RUN(test_frames_cut_anywhere);
    T_RUN(test_output_partial_writes);
    T_RUN(test_bad_frames);
    T_RUN(test_free_from_callback);
    T_RUN(test_connect);
    return T_REPORT();
}
