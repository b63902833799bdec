/*
 * fuzz_proto.c: libFuzzer target for the control protocol codec.
 *
 * The input is treated as a byte stream from a peer: frames are decoded back
 * to back until the stream ends, turns partial, or turns invalid.  Each frame
 * goes through the body decoder of its type; whatever decodes is encoded
 * again into a buffer of exactly the frame's size (so ASan sees any write
 * past it), and the new frame must decode to the same values.  Encoding the
 * decoded values must also be refused one byte short.  Any disagreement
 * aborts, which libFuzzer reports as a crash.
 */
#include "tc_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "tc_proto.h"


/* Decodes the single frame at buf[0..len) and checks it is all of it. */
static void
redecode(const uint8_t *buf, size_t len, uint8_t type, tc_frame_t *f)
{
    int rc;

    rc = tc_proto_decode(buf, len, f);
    F_CHECK(rc >= 0 && (size_t) rc == len);
    F_CHECK(f->type == type && f->version == TC_PROTO_VERSION);
    F_CHECK(f->flags == 0);
}


static void
check_hello(const tc_frame_t *f, size_t flen)
{
    tc_msg_hello_t m, m2;
    tc_frame_t     f2;
    uint8_t       *buf;

    if (tc_proto_decode_hello(f, &m) != TC_OK) {
        return;
    }
    F_CHECK(strlen(m.name) <= TC_PROTO_NAME_MAX);

    buf = malloc(flen);
    F_CHECK(buf != NULL);
    F_CHECK(tc_proto_encode_hello(buf, flen - 1, &m) == 0);
    F_CHECK(tc_proto_encode_hello(buf, flen, &m) == flen);

    redecode(buf, flen, TC_MSG_HELLO, &f2);
    F_CHECK(tc_proto_decode_hello(&f2, &m2) == TC_OK);
    F_CHECK(m2.version == m.version && m2.role == m.role);
    F_CHECK(m2.caps == m.caps && strcmp(m2.name, m.name) == 0);
    free(buf);
}


/* Decodes every entry of a ROUTE frame into a new array (NULL if any entry
 * is bad); *n gets the count. */
static tc_msg_route_t *
route_entries(const tc_frame_t *f, size_t *n)
{
    tc_msg_route_t *r;
    int             count, i;

    count = tc_proto_route_count(f);
    if (count == TC_ERROR) {
        return NULL;
    }
    F_CHECK(count >= 1);

    r = calloc((size_t) count, sizeof(*r));
    F_CHECK(r != NULL);
    for (i = 0; i < count; i++) {
        if (tc_proto_route_at(f, i, &r[i]) != TC_OK) {
            free(r);
            return NULL;
        }
    }
    F_CHECK(tc_proto_route_at(f, count, &r[0]) == TC_ERROR);

    *n = (size_t) count;
    return r;
}


static void
check_route(const tc_frame_t *f, size_t flen)
{
    tc_msg_route_t *r, *r2;
    tc_frame_t      f2;
    uint8_t        *buf;
    size_t          n, n2 = 0;

    r = route_entries(f, &n);
    if (r == NULL) {
        return;
    }

    buf = malloc(flen);
    F_CHECK(buf != NULL);
    F_CHECK(tc_proto_encode_route(buf, flen - 1, r, n) == 0);
    F_CHECK(tc_proto_encode_route(buf, flen, r, n) == flen);

    redecode(buf, flen, TC_MSG_ROUTE, &f2);
    r2 = route_entries(&f2, &n2);
    F_CHECK(r2 != NULL && n2 == n);
    /* Whole structs compare equal: IPv4 padding is zeroed both times. */
    F_CHECK(memcmp(r, r2, n * sizeof(*r)) == 0);

    free(r2);
    free(buf);
    free(r);
}


static void
check_reply(const tc_frame_t *f, size_t flen)
{
    tc_msg_reply_t m, m2;
    tc_frame_t     f2;
    uint8_t       *buf;

    if (tc_proto_decode_reply(f, &m) != TC_OK) {
        return;
    }
    F_CHECK(m.hdr_len <= m.pkt_len && m.orig_len >= m.hdr_len);
    F_CHECK(m.pkt + m.pkt_len == f->body + f->body_len);

    buf = malloc(flen);
    F_CHECK(buf != NULL);
    F_CHECK(tc_proto_encode_reply(buf, flen - 1, m.family, m.flags, m.pkt,
                                  m.hdr_len, m.pkt_len, m.orig_len) == 0);
    F_CHECK(tc_proto_encode_reply(buf, flen, m.family, m.flags, m.pkt,
                                  m.hdr_len, m.pkt_len, m.orig_len) == flen);

    redecode(buf, flen, TC_MSG_REPLY, &f2);
    F_CHECK(tc_proto_decode_reply(&f2, &m2) == TC_OK);
    F_CHECK(m2.family == m.family && m2.flags == m.flags);
    F_CHECK(m2.hdr_len == m.hdr_len && m2.orig_len == m.orig_len);
    F_CHECK(m2.pkt_len == m.pkt_len);
    F_CHECK(memcmp(m2.pkt, m.pkt, m.pkt_len) == 0);
    free(buf);
}


static void
check_ping(const tc_frame_t *f, size_t flen)
{
    tc_frame_t f2;
    uint64_t   token, token2;
    uint8_t   *buf;

    if (tc_proto_decode_ping(f, &token) != TC_OK) {
        return;
    }

    buf = malloc(flen);
    F_CHECK(buf != NULL);
    F_CHECK(tc_proto_encode_ping(buf, flen - 1, f->type, token) == 0);
    F_CHECK(tc_proto_encode_ping(buf, flen, f->type, token) == flen);

    redecode(buf, flen, f->type, &f2);
    F_CHECK(tc_proto_decode_ping(&f2, &token2) == TC_OK);
    F_CHECK(token2 == token);
    free(buf);
}


static void
check_check(const tc_frame_t *f, size_t flen)
{
    tc_frame_t f2;
    uint32_t   token, token2;
    uint8_t   *buf;

    if (tc_proto_decode_check(f, &token) != TC_OK) {
        return;
    }

    buf = malloc(flen);
    F_CHECK(buf != NULL);
    F_CHECK(tc_proto_encode_check(buf, flen - 1, token) == 0);
    F_CHECK(tc_proto_encode_check(buf, flen, token) == flen);

    redecode(buf, flen, TC_MSG_CHECK, &f2);
    F_CHECK(tc_proto_decode_check(&f2, &token2) == TC_OK);
    F_CHECK(token2 == token);
    free(buf);
}


/* A decoded report encodes again (no longer than the frame: unknown tags
 * and repeats are dropped) and decodes to the very same struct. */
static void
check_check_reply(const tc_frame_t *f, size_t flen)
{
    tc_msg_check_reply_t *m, *m2;
    tc_frame_t            f2;
    uint8_t              *buf;
    size_t                n;

    m = malloc(sizeof(*m));
    m2 = malloc(sizeof(*m2));
    F_CHECK(m != NULL && m2 != NULL);

    if (tc_proto_decode_check_reply(f, m) == TC_OK) {
        F_CHECK(m->nrpf <= TC_CHECK_RPF_MAX);
        buf = malloc(flen);
        F_CHECK(buf != NULL);
        n = tc_proto_encode_check_reply(buf, flen, m);
        F_CHECK(n >= TC_PROTO_HDR_LEN + 4 && n <= flen);
        F_CHECK(tc_proto_encode_check_reply(buf, n - 1, m) == 0);

        redecode(buf, n, TC_MSG_CHECK_REPLY, &f2);
        F_CHECK(tc_proto_decode_check_reply(&f2, m2) == TC_OK);
        F_CHECK(memcmp(m, m2, sizeof(*m)) == 0);
        free(buf);
    }

    free(m2);
    free(m);
}


/* Body decoders must refuse frames of the wrong type. */
static void
check_wrong_type(const tc_frame_t *f)
{
    tc_msg_hello_t       h;
    tc_msg_reply_t       r;
    tc_msg_route_t       rt;
    uint64_t             t;
    uint32_t             t32;
    tc_msg_check_reply_t cr;

    if (f->type != TC_MSG_CHECK) {
        F_CHECK(tc_proto_decode_check(f, &t32) == TC_ERROR);
    }
    if (f->type != TC_MSG_CHECK_REPLY) {
        F_CHECK(tc_proto_decode_check_reply(f, &cr) == TC_ERROR);
    }
    if (f->type != TC_MSG_HELLO) {
        F_CHECK(tc_proto_decode_hello(f, &h) == TC_ERROR);
    }
    if (f->type != TC_MSG_REPLY) {
        F_CHECK(tc_proto_decode_reply(f, &r) == TC_ERROR);
    }
    if (f->type != TC_MSG_ROUTE) {
        F_CHECK(tc_proto_route_count(f) == TC_ERROR);
        F_CHECK(tc_proto_route_at(f, 0, &rt) == TC_ERROR);
    }
    if (f->type != TC_MSG_PING && f->type != TC_MSG_PONG) {
        F_CHECK(tc_proto_decode_ping(f, &t) == TC_ERROR);
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tc_frame_t f;
    size_t     off = 0, flen;
    int        rc;

    while (off < size) {
        rc = tc_proto_decode(data + off, size - off, &f);
        if (rc < 0) {
            /* Partial, invalid or another version: the stream stops. */
            F_CHECK(rc == TC_PARSE_PARTIAL || rc == TC_PARSE_INVALID ||
                    rc == TC_PROTO_EVERSION);
            break;
        }

        flen = (size_t) rc;
        F_CHECK(flen >= TC_PROTO_HDR_LEN && flen <= size - off);
        F_CHECK(flen == TC_PROTO_HDR_LEN + f.body_len);
        F_CHECK(f.body == data + off + TC_PROTO_HDR_LEN);
        F_CHECK(tc_proto_type_str(f.type) != NULL);

        check_wrong_type(&f);

        switch (f.type) {
        case TC_MSG_HELLO:
            check_hello(&f, flen);
            break;
        case TC_MSG_ROUTE:
            check_route(&f, flen);
            break;
        case TC_MSG_REPLY:
            check_reply(&f, flen);
            break;
        case TC_MSG_PING:
        case TC_MSG_PONG:
            check_ping(&f, flen);
            break;
        case TC_MSG_CHECK:
            check_check(&f, flen);
            break;
        case TC_MSG_CHECK_REPLY:
            check_check_reply(&f, flen);
            break;
        default:
            /* Unknown types are skipped by length, as a daemon would. */
            break;
        }

        off += flen;
    }

    return 0;
}
