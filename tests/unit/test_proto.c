/*
 * test_proto.c: unit tests of the control protocol codec (tc_proto.c).
 *
 * Inputs to the decoders are copied so that they end exactly at a PROT_NONE
 * guard page, and encoders write so that buf + cap is the guard page: any
 * read or write one byte too far crashes instead of passing silently.
 * Malformed frames are built by hand here, byte by byte, so the tests do not
 * share a bug with the encoder.
 */
#include "tc_config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "t_harness.h"
#include "tc_proto.h"

#define FRAME_MAX (TC_PROTO_HDR_LEN + TC_PROTO_MAX_BODY)
#define ROUTE_MAX ((TC_PROTO_MAX_BODY - 4) / TC_PROTO_ROUTE_ENTRY)

/* A mapping whose data ends right before an inaccessible page. */
typedef struct {
    uint8_t *map;
    size_t   map_len;
} guard_t;


static uint8_t *
guard_alloc(guard_t *g, size_t n)
{
    size_t ps = (size_t) sysconf(_SC_PAGESIZE);
    size_t data = (n + ps - 1) / ps * ps;

    if (data == 0) {
        data = ps;
    }

    g->map_len = data + ps;
    g->map = mmap(NULL, g->map_len, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (g->map == MAP_FAILED) {
        perror("mmap");
        abort();
    }
    if (mprotect(g->map + data, ps, PROT_NONE) == -1) {
        perror("mprotect");
        abort();
    }

    return g->map + data - n;
}


static uint8_t *
guard_copy(guard_t *g, const uint8_t *src, size_t n)
{
    uint8_t *p = guard_alloc(g, n);

    if (n > 0) {
        memcpy(p, src, n);
    }
    return p;
}


static void
guard_free(guard_t *g)
{
    munmap(g->map, g->map_len);
}


static void
wr16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t) (v >> 8);
    p[1] = (uint8_t) v;
}


static void
wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t) (v >> 24);
    p[1] = (uint8_t) (v >> 16);
    p[2] = (uint8_t) (v >> 8);
    p[3] = (uint8_t) v;
}


/* Builds a frame by hand (independently of the encoder); returns its size. */
static size_t
raw_frame(uint8_t *buf, uint8_t version, uint8_t type, const uint8_t *body,
          uint32_t body_len)
{
    wr32(buf, TC_PROTO_MAGIC);
    buf[4] = version;
    buf[5] = type;
    wr16(buf + 6, 0);
    wr32(buf + 8, body_len);
    if (body_len > 0) {
        memcpy(buf + TC_PROTO_HDR_LEN, body, body_len);
    }
    return TC_PROTO_HDR_LEN + body_len;
}


/* Decodes frame[0..n) from a guarded copy; *f's body is valid until free. */
static int
decode_guarded(guard_t *g, const uint8_t *frame, size_t n, tc_frame_t *f)
{
    uint8_t *p = guard_copy(g, frame, n);

    return tc_proto_decode(p, n, f);
}


static void
test_type_str(void)
{
    T_CHECK(strcmp(tc_proto_type_str(TC_MSG_HELLO), "HELLO") == 0);
    T_CHECK(strcmp(tc_proto_type_str(TC_MSG_ROUTE), "ROUTE") == 0);
    T_CHECK(strcmp(tc_proto_type_str(TC_MSG_REPLY), "REPLY") == 0);
    T_CHECK(strcmp(tc_proto_type_str(TC_MSG_PING), "PING") == 0);
    T_CHECK(strcmp(tc_proto_type_str(TC_MSG_PONG), "PONG") == 0);
    T_CHECK(strcmp(tc_proto_type_str(0), "unknown") == 0);
    T_CHECK(strcmp(tc_proto_type_str(TC_MSG_CHECK), "CHECK") == 0);
    T_CHECK(strcmp(tc_proto_type_str(TC_MSG_CHECK_REPLY), "CHECK_REPLY") == 0);
    T_CHECK(strcmp(tc_proto_type_str(8), "unknown") == 0);
    T_CHECK(strcmp(tc_proto_type_str(-1), "unknown") == 0);
    T_CHECK(strcmp(tc_proto_type_str(255), "unknown") == 0);
}


/* The exact bytes of a PING frame pin the header layout and byte order. */
static void
test_wire_ping(void)
{
    static const uint8_t want[] = {
        0x54, 0x43, 0x50, 0x59, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x08, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
    };
    uint8_t    buf[64];
    tc_frame_t f;
    uint64_t   token = 0;
    guard_t    g;

    T_CHECK_EQ(tc_proto_encode_ping(buf, sizeof(buf), TC_MSG_PING,
                                    0x0102030405060708ull),
               sizeof(want));
    T_CHECK(memcmp(buf, want, sizeof(want)) == 0);

    T_CHECK_EQ(decode_guarded(&g, want, sizeof(want), &f), sizeof(want));
    T_CHECK_EQ(f.version, TC_PROTO_VERSION);
    T_CHECK_EQ(f.type, TC_MSG_PING);
    T_CHECK_EQ(f.flags, 0);
    T_CHECK_EQ(f.body_len, 8);
    T_CHECK_EQ(tc_proto_decode_ping(&f, &token), TC_OK);
    T_CHECK(token == 0x0102030405060708ull);
    guard_free(&g);
}


static void
test_wire_hello(void)
{
    static const uint8_t want[] = {
        0x54, 0x43, 0x50, 0x59, 0x01, 0x01, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x0d, 0x01, 0x02, 0x00, 0x00, 0x80, 0x00,
        0x00, 0x01, 0x00, 0x03, 'a',  'b',  'c',
    };
    tc_msg_hello_t m;
    uint8_t        buf[64];

    memset(&m, 0, sizeof(m));
    m.version = 1;
    m.role = TC_ROLE_INTERCEPT;
    m.caps = 0x80000001u;
    strcpy(m.name, "abc");
    T_CHECK_EQ(tc_proto_encode_hello(buf, sizeof(buf), &m), sizeof(want));
    T_CHECK(memcmp(buf, want, sizeof(want)) == 0);
}


static void
hello_round_trip(const char *name, uint8_t role, uint32_t caps)
{
    tc_msg_hello_t m, d;
    tc_frame_t     f;
    uint8_t        buf[128];
    size_t         n;
    guard_t        g;

    memset(&m, 0, sizeof(m));
    m.version = TC_PROTO_VERSION;
    m.role = role;
    m.caps = caps;
    strcpy(m.name, name);

    n = tc_proto_encode_hello(buf, sizeof(buf), &m);
    T_CHECK_EQ(n, TC_PROTO_HDR_LEN + 10 + strlen(name));

    T_CHECK_EQ(decode_guarded(&g, buf, n, &f), (int) n);
    T_CHECK_EQ(f.type, TC_MSG_HELLO);
    memset(&d, 0xa5, sizeof(d));
    T_CHECK_EQ(tc_proto_decode_hello(&f, &d), TC_OK);
    T_CHECK_EQ(d.version, TC_PROTO_VERSION);
    T_CHECK_EQ(d.role, role);
    T_CHECK_EQ(d.caps, caps);
    T_CHECK(strcmp(d.name, name) == 0);
    guard_free(&g);
}


static void
test_hello_round_trip(void)
{
    char           name63[64], name64[65];
    tc_msg_hello_t m;
    uint8_t        buf[128];

    memset(name63, 'x', 63);
    name63[63] = '\0';

    hello_round_trip("", TC_ROLE_TCPCOPY, 0);
    hello_round_trip("tcpcopy@online-1", TC_ROLE_TCPCOPY, TC_CAP_REPLY_PAYLOAD);
    hello_round_trip("intercept", TC_ROLE_INTERCEPT, 0xffffffffu);
    hello_round_trip(name63, TC_ROLE_INTERCEPT, 0);

    /* A name that fills the whole array has no NUL: refused. */
    memset(&m, 0, sizeof(m));
    m.role = TC_ROLE_TCPCOPY;
    memset(name64, 'y', 64);
    memcpy(m.name, name64, sizeof(m.name));
    T_CHECK_EQ(tc_proto_encode_hello(buf, sizeof(buf), &m), 0);

    /* Roles other than tcpcopy and intercept are refused. */
    memset(&m, 0, sizeof(m));
    m.role = 0;
    T_CHECK_EQ(tc_proto_encode_hello(buf, sizeof(buf), &m), 0);
    m.role = 3;
    T_CHECK_EQ(tc_proto_encode_hello(buf, sizeof(buf), &m), 0);
}


static void
set_route(tc_msg_route_t *r, uint8_t op, uint8_t family, uint16_t port,
          uint8_t seed)
{
    int i;

    memset(r, 0, sizeof(*r));
    r->op = op;
    r->addr.family = family;
    r->port = port;
    for (i = 0; i < (family == TC_AF_INET ? 4 : 16); i++) {
        r->addr.addr[i] = (uint8_t) (seed + i * 17);
    }
}


/* Encodes n routes, decodes them from a guarded copy and compares. */
static void
route_round_trip(const tc_msg_route_t *r, size_t n)
{
    tc_msg_route_t d;
    tc_frame_t     f;
    uint8_t       *buf;
    size_t         len, i, want = TC_PROTO_HDR_LEN + 4 + 20 * n;
    guard_t        g;

    buf = malloc(want);
    T_CHECK(buf != NULL);
    len = tc_proto_encode_route(buf, want, r, n);
    T_CHECK_EQ(len, want);

    T_CHECK_EQ(decode_guarded(&g, buf, len, &f), (int) want);
    T_CHECK_EQ(f.type, TC_MSG_ROUTE);
    T_CHECK_EQ(tc_proto_route_count(&f), (int) n);
    for (i = 0; i < n; i++) {
        memset(&d, 0xa5, sizeof(d));
        T_CHECK_EQ(tc_proto_route_at(&f, (int) i, &d), TC_OK);
        T_CHECK_EQ(d.op, r[i].op);
        T_CHECK_EQ(d.port, r[i].port);
        T_CHECK(memcmp(&d.addr, &r[i].addr, sizeof(d.addr)) == 0);
    }
    T_CHECK_EQ(tc_proto_route_at(&f, (int) n, &d), TC_ERROR);
    T_CHECK_EQ(tc_proto_route_at(&f, -1, &d), TC_ERROR);
    guard_free(&g);
    free(buf);
}


static void
test_route_round_trip(void)
{
    tc_msg_route_t r[3], *many;
    uint8_t        buf[128], *big;
    size_t         i;

    set_route(&r[0], TC_ROUTE_ADD, TC_AF_INET, 80, 10);
    route_round_trip(r, 1);

    set_route(&r[0], TC_ROUTE_DEL, TC_AF_INET6, 65535, 1);
    route_round_trip(r, 1);

    set_route(&r[0], TC_ROUTE_ADD, TC_AF_INET, 1, 192);
    set_route(&r[1], TC_ROUTE_ADD, TC_AF_INET6, 443, 32);
    set_route(&r[2], TC_ROUTE_DEL, TC_AF_INET, 0, 7);
    route_round_trip(r, 3);

    /* The most entries one frame can carry, and one more. */
    many = calloc(ROUTE_MAX + 1, sizeof(*many));
    T_CHECK(many != NULL);
    for (i = 0; i <= ROUTE_MAX; i++) {
        set_route(&many[i], (uint8_t) (1 + i % 2),
                  i % 3 ? TC_AF_INET : TC_AF_INET6, (uint16_t) i, (uint8_t) i);
    }
    T_CHECK_EQ(ROUTE_MAX, 3276);
    route_round_trip(many, ROUTE_MAX);
    big = malloc(2 * FRAME_MAX);
    T_CHECK(big != NULL);
    T_CHECK_EQ(tc_proto_encode_route(big, 2 * FRAME_MAX, many, ROUTE_MAX + 1),
               0);
    T_CHECK_EQ(tc_proto_encode_route(big, 2 * FRAME_MAX, many, ROUTE_MAX),
               TC_PROTO_HDR_LEN + 4 + 20 * ROUTE_MAX);
    free(big);
    free(many);

    /* Invalid arguments. */
    T_CHECK_EQ(tc_proto_encode_route(buf, sizeof(buf), r, 0), 0);
    T_CHECK_EQ(tc_proto_encode_route(buf, sizeof(buf), NULL, 1), 0);
    set_route(&r[1], 0, TC_AF_INET, 1, 1);
    T_CHECK_EQ(tc_proto_encode_route(buf, sizeof(buf), r, 2), 0);
    set_route(&r[1], 3, TC_AF_INET, 1, 1);
    T_CHECK_EQ(tc_proto_encode_route(buf, sizeof(buf), r, 2), 0);
    set_route(&r[1], TC_ROUTE_ADD, TC_AF_NONE, 1, 1);
    T_CHECK_EQ(tc_proto_encode_route(buf, sizeof(buf), r, 2), 0);
    set_route(&r[1], TC_ROUTE_ADD, 5, 1, 1);
    T_CHECK_EQ(tc_proto_encode_route(buf, sizeof(buf), r, 2), 0);
}


/* IPv4 padding: junk in the struct is not sent, junk on the wire is not
 * returned. */
static void
test_route_ipv4_padding(void)
{
    tc_msg_route_t r, d;
    tc_frame_t     f;
    uint8_t        buf[64];
    size_t         n, i;
    guard_t        g;

    set_route(&r, TC_ROUTE_ADD, TC_AF_INET, 8080, 1);
    memset(r.addr.addr + 4, 0xee, 12);
    memset(buf, 0xcc, sizeof(buf));
    n = tc_proto_encode_route(buf, sizeof(buf), &r, 1);
    T_CHECK_EQ(n, TC_PROTO_HDR_LEN + 24);
    for (i = 4; i < 16; i++) {
        T_CHECK_EQ(buf[TC_PROTO_HDR_LEN + 4 + 4 + i], 0);
    }

    /* Port and address bytes on the wire, big-endian. */
    T_CHECK_EQ(buf[TC_PROTO_HDR_LEN + 4 + 2], 8080 >> 8);
    T_CHECK_EQ(buf[TC_PROTO_HDR_LEN + 4 + 3], 8080 & 0xff);

    memset(buf + TC_PROTO_HDR_LEN + 4 + 4 + 4, 0x77, 12);
    T_CHECK_EQ(decode_guarded(&g, buf, n, &f), (int) n);
    memset(&d, 0xa5, sizeof(d));
    T_CHECK_EQ(tc_proto_route_at(&f, 0, &d), TC_OK);
    T_CHECK_EQ(d.addr.family, TC_AF_INET);
    T_CHECK(memcmp(d.addr.addr, r.addr.addr, 4) == 0);
    for (i = 4; i < 16; i++) {
        T_CHECK_EQ(d.addr.addr[i], 0);
    }
    guard_free(&g);
}


static void
reply_round_trip(uint8_t family, uint8_t flags, size_t hdr_len, size_t pkt_len,
                 uint32_t orig_len)
{
    tc_msg_reply_t d;
    tc_frame_t     f;
    uint8_t       *pkt, *buf;
    size_t         i, n, want = TC_PROTO_HDR_LEN + 8 + pkt_len;
    guard_t        g;

    pkt = malloc(pkt_len);
    buf = malloc(want);
    T_CHECK(pkt != NULL && buf != NULL);
    for (i = 0; i < pkt_len; i++) {
        pkt[i] = (uint8_t) (i * 7 + 3);
    }

    n = tc_proto_encode_reply(buf, want, family, flags, pkt, hdr_len, pkt_len,
                              orig_len);
    T_CHECK_EQ(n, want);

    T_CHECK_EQ(decode_guarded(&g, buf, n, &f), (int) want);
    T_CHECK_EQ(f.type, TC_MSG_REPLY);
    memset(&d, 0xa5, sizeof(d));
    T_CHECK_EQ(tc_proto_decode_reply(&f, &d), TC_OK);
    T_CHECK_EQ(d.family, family);
    T_CHECK_EQ(d.flags, flags);
    T_CHECK_EQ(d.hdr_len, hdr_len);
    T_CHECK_EQ(d.orig_len, orig_len);
    T_CHECK_EQ(d.pkt_len, pkt_len);
    T_CHECK(memcmp(d.pkt, pkt, pkt_len) == 0);
    guard_free(&g);
    free(buf);
    free(pkt);
}


static void
test_reply_round_trip(void)
{
    uint8_t pkt[128], buf[256], *big;

    memset(pkt, 0, sizeof(pkt));

    reply_round_trip(TC_AF_INET, 0, 40, 40, 40);
    reply_round_trip(TC_AF_INET, 0, 20, 20, 1500);
    reply_round_trip(TC_AF_INET, TC_REPLY_F_PAYLOAD, 40, 40, 40);
    reply_round_trip(TC_AF_INET, TC_REPLY_F_PAYLOAD, 52, 152, 1500);
    reply_round_trip(TC_AF_INET6, 0, 60, 60, 60);
    reply_round_trip(TC_AF_INET6, TC_REPLY_F_PAYLOAD, 72, 1072, 1072);
    /* Unknown flag bits pass through both ways. */
    reply_round_trip(TC_AF_INET, 0xfe, 40, 40, 40);
    /* The largest body: 8 + pkt_len == TC_PROTO_MAX_BODY. */
    reply_round_trip(TC_AF_INET6, TC_REPLY_F_PAYLOAD, 60, TC_PROTO_MAX_BODY - 8,
                     0xffffffffu);
    reply_round_trip(TC_AF_INET6, 0, TC_PROTO_MAX_BODY - 8,
                     TC_PROTO_MAX_BODY - 8, TC_PROTO_MAX_BODY - 8);
    big = calloc(1, 2 * FRAME_MAX);
    T_CHECK(big != NULL);
    T_CHECK_EQ(tc_proto_encode_reply(big + FRAME_MAX, FRAME_MAX, TC_AF_INET6,
                                     TC_REPLY_F_PAYLOAD, big, 60,
                                     TC_PROTO_MAX_BODY - 7, 100000),
               0);
    T_CHECK_EQ(tc_proto_encode_reply(big + FRAME_MAX, FRAME_MAX, TC_AF_INET6,
                                     TC_REPLY_F_PAYLOAD, big, 60,
                                     TC_PROTO_MAX_BODY - 8, 100000),
               FRAME_MAX);
    T_CHECK_EQ(tc_proto_encode_reply(big + FRAME_MAX, FRAME_MAX, TC_AF_INET6,
                                     TC_REPLY_F_PAYLOAD, big, 65536, 65536,
                                     100000),
               0);
    free(big);

    /* Invalid arguments. */
    T_CHECK_EQ(tc_proto_encode_reply(buf, sizeof(buf), 0, 0, pkt, 40, 40, 40),
               0);
    T_CHECK_EQ(tc_proto_encode_reply(buf, sizeof(buf), 5, 0, pkt, 40, 40, 40),
               0);
    T_CHECK_EQ(tc_proto_encode_reply(buf, sizeof(buf), TC_AF_INET, 0, NULL, 40,
                                     40, 40),
               0);
    T_CHECK_EQ(tc_proto_encode_reply(buf, sizeof(buf), TC_AF_INET, 0, pkt, 19,
                                     19, 40),
               0);
    T_CHECK_EQ(tc_proto_encode_reply(buf, sizeof(buf), TC_AF_INET,
                                     TC_REPLY_F_PAYLOAD, pkt, 41, 40, 40),
               0);
    T_CHECK_EQ(tc_proto_encode_reply(buf, sizeof(buf), TC_AF_INET, 0, pkt, 40,
                                     40, 39),
               0);
    T_CHECK_EQ(tc_proto_encode_reply(buf, sizeof(buf), TC_AF_INET, 0, pkt, 40,
                                     41, 100),
               0);
}


static void
test_ping_round_trip(void)
{
    static const uint64_t tokens[] = {0, 1, 0x8000000000000000ull,
                                      0xffffffffffffffffull,
                                      0x0123456789abcdefull};
    tc_frame_t            f;
    uint64_t              t;
    uint8_t               buf[32];
    size_t                i, n;
    int                   type;
    guard_t               g;

    for (type = TC_MSG_PING; type <= TC_MSG_PONG; type++) {
        for (i = 0; i < tc_nelems(tokens); i++) {
            n = tc_proto_encode_ping(buf, sizeof(buf), (uint8_t) type,
                                     tokens[i]);
            T_CHECK_EQ(n, 20);
            T_CHECK_EQ(decode_guarded(&g, buf, n, &f), 20);
            T_CHECK_EQ(f.type, type);
            t = ~tokens[i];
            T_CHECK_EQ(tc_proto_decode_ping(&f, &t), TC_OK);
            T_CHECK(t == tokens[i]);
            guard_free(&g);
        }
    }

    T_CHECK_EQ(tc_proto_encode_ping(buf, sizeof(buf), TC_MSG_HELLO, 1), 0);
    T_CHECK_EQ(tc_proto_encode_ping(buf, sizeof(buf), 0, 1), 0);
    T_CHECK_EQ(tc_proto_encode_ping(buf, sizeof(buf), TC_MSG_CHECK, 1), 0);
}


/* Builds one valid frame of each type into buf; returns the total length
 * and each frame's end offset in ends[5]. */
static size_t
build_stream(uint8_t *buf, size_t cap, size_t ends[5])
{
    tc_msg_hello_t h;
    tc_msg_route_t r[2];
    uint8_t        pkt[60];
    size_t         off = 0;

    memset(&h, 0, sizeof(h));
    h.version = TC_PROTO_VERSION;
    h.role = TC_ROLE_TCPCOPY;
    strcpy(h.name, "t");
    memset(pkt, 0x45, sizeof(pkt));
    set_route(&r[0], TC_ROUTE_ADD, TC_AF_INET, 5000, 9);
    set_route(&r[1], TC_ROUTE_DEL, TC_AF_INET6, 5001, 99);

    off += tc_proto_encode_hello(buf + off, cap - off, &h);
    ends[0] = off;
    off += tc_proto_encode_route(buf + off, cap - off, r, 2);
    ends[1] = off;
    off += tc_proto_encode_reply(buf + off, cap - off, TC_AF_INET,
                                 TC_REPLY_F_PAYLOAD, pkt, 40, 60, 60);
    ends[2] = off;
    off += tc_proto_encode_ping(buf + off, cap - off, TC_MSG_PING, 42);
    ends[3] = off;
    off += tc_proto_encode_ping(buf + off, cap - off, TC_MSG_PONG, 42);
    ends[4] = off;

    return off;
}


/* Every strict prefix of a valid frame is PARTIAL, whatever its type. */
static void
test_prefixes_partial(void)
{
    uint8_t    buf[512];
    size_t     ends[5], start = 0, i, k;
    tc_frame_t f;
    guard_t    g;
    int        rc;

    build_stream(buf, sizeof(buf), ends);

    for (i = 0; i < 5; i++) {
        for (k = 0; k < ends[i] - start; k++) {
            rc = decode_guarded(&g, buf + start, k, &f);
            T_CHECK_EQ(rc, TC_PARSE_PARTIAL);
            guard_free(&g);
        }
        rc = decode_guarded(&g, buf + start, k, &f);
        T_CHECK_EQ(rc, (int) k);
        guard_free(&g);
        start = ends[i];
    }
}


static void
test_bad_header(void)
{
    uint8_t    buf[64], body[8] = {0};
    tc_frame_t f;
    size_t     n;
    guard_t    g;

    /* Wrong magic, in each of its bytes. */
    for (n = 0; n < 4; n++) {
        raw_frame(buf, TC_PROTO_VERSION, TC_MSG_PING, body, 8);
        buf[n] ^= 0x20;
        T_CHECK_EQ(decode_guarded(&g, buf, 20, &f), TC_PARSE_INVALID);
        guard_free(&g);
        /* Even from the header alone. */
        T_CHECK_EQ(decode_guarded(&g, buf, 12, &f), TC_PARSE_INVALID);
        guard_free(&g);
    }

    /* Magic is checked before the version. */
    raw_frame(buf, 2, TC_MSG_PING, body, 8);
    buf[0] = 'X';
    T_CHECK_EQ(decode_guarded(&g, buf, 20, &f), TC_PARSE_INVALID);
    guard_free(&g);

    /* Version mismatch reports the peer's version. */
    raw_frame(buf, 2, TC_MSG_PING, body, 8);
    T_CHECK_EQ(decode_guarded(&g, buf, 20, &f), TC_PROTO_EVERSION);
    T_CHECK_EQ(f.version, 2);
    guard_free(&g);
    raw_frame(buf, 0, TC_MSG_HELLO, body, 0);
    T_CHECK_EQ(decode_guarded(&g, buf, 12, &f), TC_PROTO_EVERSION);
    T_CHECK_EQ(f.version, 0);
    guard_free(&g);

    /* Version is checked before the length. */
    raw_frame(buf, 9, TC_MSG_PING, body, 0);
    wr32(buf + 8, 0xffffffffu);
    T_CHECK_EQ(decode_guarded(&g, buf, 12, &f), TC_PROTO_EVERSION);
    guard_free(&g);

    /* Oversized lengths are invalid from the header alone. */
    raw_frame(buf, TC_PROTO_VERSION, TC_MSG_REPLY, body, 0);
    wr32(buf + 8, TC_PROTO_MAX_BODY + 1);
    T_CHECK_EQ(decode_guarded(&g, buf, 12, &f), TC_PARSE_INVALID);
    guard_free(&g);
    wr32(buf + 8, 0xffffffffu);
    T_CHECK_EQ(decode_guarded(&g, buf, 12, &f), TC_PARSE_INVALID);
    guard_free(&g);
    wr32(buf + 8, 0x80000000u);
    T_CHECK_EQ(decode_guarded(&g, buf, 12, &f), TC_PARSE_INVALID);
    guard_free(&g);

    /* The largest legal length waits for its body. */
    wr32(buf + 8, TC_PROTO_MAX_BODY);
    T_CHECK_EQ(decode_guarded(&g, buf, 12, &f), TC_PARSE_PARTIAL);
    guard_free(&g);

    /* Header flags and unknown types are returned as they are. */
    raw_frame(buf, TC_PROTO_VERSION, 200, body, 3);
    wr16(buf + 6, 0xbeef);
    T_CHECK_EQ(decode_guarded(&g, buf, 15, &f), 15);
    T_CHECK_EQ(f.type, 200);
    T_CHECK_EQ(f.flags, 0xbeef);
    T_CHECK_EQ(f.body_len, 3);
    guard_free(&g);

    /* An empty body is a complete frame. */
    raw_frame(buf, TC_PROTO_VERSION, 0, body, 0);
    T_CHECK_EQ(decode_guarded(&g, buf, 12, &f), 12);
    T_CHECK_EQ(f.body_len, 0);
    guard_free(&g);
}


/* Decodes a hand-built HELLO body; returns the body decoder's verdict. */
static int
hello_body(const uint8_t *body, uint32_t len, tc_msg_hello_t *m)
{
    uint8_t    buf[256];
    tc_frame_t f;
    size_t     n;
    guard_t    g;
    int        rc;

    n = raw_frame(buf, TC_PROTO_VERSION, TC_MSG_HELLO, body, len);
    rc = decode_guarded(&g, buf, n, &f);
    T_CHECK_EQ(rc, (int) n);
    rc = tc_proto_decode_hello(&f, m);
    guard_free(&g);
    return rc;
}


static void
test_bad_hello(void)
{
    uint8_t        b[128];
    tc_msg_hello_t m;
    uint32_t       i;

    memset(b, 'n', sizeof(b));
    b[0] = 1;
    b[1] = TC_ROLE_TCPCOPY;
    wr16(b + 2, 0xffff); /* reserved: ignored */
    wr32(b + 4, 0);
    wr16(b + 8, 5);
    T_CHECK_EQ(hello_body(b, 15, &m), TC_OK);
    T_CHECK(strcmp(m.name, "nnnnn") == 0);

    /* Body length must be exactly 10 + name_len. */
    T_CHECK_EQ(hello_body(b, 14, &m), TC_ERROR);
    T_CHECK_EQ(hello_body(b, 16, &m), TC_ERROR);
    for (i = 0; i < 10; i++) {
        T_CHECK_EQ(hello_body(b, i, &m), TC_ERROR);
    }

    /* name_len 63 is the limit, 64 is not. */
    wr16(b + 8, 63);
    T_CHECK_EQ(hello_body(b, 73, &m), TC_OK);
    T_CHECK_EQ(strlen(m.name), 63);
    wr16(b + 8, 64);
    T_CHECK_EQ(hello_body(b, 74, &m), TC_ERROR);
    wr16(b + 8, 0xffff);
    T_CHECK_EQ(hello_body(b, 10, &m), TC_ERROR);

    /* A NUL inside the name would cut it short. */
    wr16(b + 8, 5);
    b[12] = '\0';
    T_CHECK_EQ(hello_body(b, 15, &m), TC_ERROR);
    b[12] = 'n';

    /* Unknown roles. */
    b[1] = 0;
    T_CHECK_EQ(hello_body(b, 15, &m), TC_ERROR);
    b[1] = 3;
    T_CHECK_EQ(hello_body(b, 15, &m), TC_ERROR);
    b[1] = TC_ROLE_INTERCEPT;
    T_CHECK_EQ(hello_body(b, 15, &m), TC_OK);
}


/* Decodes a hand-built ROUTE body: route count, and entry 0's verdict. */
static int
route_body(const uint8_t *body, uint32_t len, int *entry0)
{
    uint8_t        buf[256];
    tc_frame_t     f;
    tc_msg_route_t r;
    size_t         n;
    guard_t        g;
    int            rc;

    n = raw_frame(buf, TC_PROTO_VERSION, TC_MSG_ROUTE, body, len);
    rc = decode_guarded(&g, buf, n, &f);
    T_CHECK_EQ(rc, (int) n);
    rc = tc_proto_route_count(&f);
    *entry0 = tc_proto_route_at(&f, 0, &r);
    guard_free(&g);
    return rc;
}


static void
test_bad_route(void)
{
    uint8_t b[128];
    int     e0;
    size_t  i;

    memset(b, 0, sizeof(b));
    wr16(b, 2);
    for (i = 0; i < 2; i++) {
        b[4 + 20 * i] = TC_ROUTE_ADD;
        b[4 + 20 * i + 1] = TC_AF_INET6;
    }
    T_CHECK_EQ(route_body(b, 44, &e0), 2);
    T_CHECK_EQ(e0, TC_OK);

    /* Body length must be exactly 4 + 20 * count. */
    T_CHECK_EQ(route_body(b, 43, &e0), TC_ERROR);
    T_CHECK_EQ(e0, TC_ERROR);
    T_CHECK_EQ(route_body(b, 45, &e0), TC_ERROR);
    T_CHECK_EQ(route_body(b, 24, &e0), TC_ERROR);
    T_CHECK_EQ(e0, TC_ERROR);
    for (i = 0; i < 4; i++) {
        T_CHECK_EQ(route_body(b, (uint32_t) i, &e0), TC_ERROR);
        T_CHECK_EQ(e0, TC_ERROR);
    }

    /* count 0, even with a 4-byte body, is malformed. */
    wr16(b, 0);
    T_CHECK_EQ(route_body(b, 4, &e0), TC_ERROR);
    wr16(b, 0xffff);
    T_CHECK_EQ(route_body(b, 44, &e0), TC_ERROR);
    wr16(b, 2);

    /* Bad op or family: the framing is fine, the entry is not. */
    b[4] = 0;
    T_CHECK_EQ(route_body(b, 44, &e0), 2);
    T_CHECK_EQ(e0, TC_ERROR);
    b[4] = 3;
    T_CHECK_EQ(route_body(b, 44, &e0), 2);
    T_CHECK_EQ(e0, TC_ERROR);
    b[4] = TC_ROUTE_DEL;
    b[5] = TC_AF_NONE;
    T_CHECK_EQ(route_body(b, 44, &e0), 2);
    T_CHECK_EQ(e0, TC_ERROR);
    b[5] = 2; /* AF_INET's socket value is not a wire family */
    T_CHECK_EQ(route_body(b, 44, &e0), 2);
    T_CHECK_EQ(e0, TC_ERROR);
    b[5] = TC_AF_INET;
    T_CHECK_EQ(route_body(b, 44, &e0), 2);
    T_CHECK_EQ(e0, TC_OK);
}


/* Decodes a hand-built REPLY body; returns the body decoder's verdict. */
static int
reply_body(const uint8_t *body, uint32_t len)
{
    uint8_t        buf[256];
    tc_frame_t     f;
    tc_msg_reply_t r;
    size_t         n;
    guard_t        g;
    int            rc;

    n = raw_frame(buf, TC_PROTO_VERSION, TC_MSG_REPLY, body, len);
    rc = decode_guarded(&g, buf, n, &f);
    T_CHECK_EQ(rc, (int) n);
    rc = tc_proto_decode_reply(&f, &r);
    guard_free(&g);
    return rc;
}


static void
set_reply(uint8_t *b, uint8_t family, uint8_t flags, unsigned hdr_len,
          uint32_t orig_len)
{
    b[0] = family;
    b[1] = flags;
    wr16(b + 2, hdr_len);
    wr32(b + 4, orig_len);
}


static void
test_bad_reply(void)
{
    uint8_t  b[128];
    uint32_t i;

    memset(b, 0x45, sizeof(b));
    set_reply(b, TC_AF_INET, 0, 40, 40);
    T_CHECK_EQ(reply_body(b, 48), TC_OK);

    /* Too short for the fixed part, or for hdr_len. */
    for (i = 0; i < 8; i++) {
        T_CHECK_EQ(reply_body(b, i), TC_ERROR);
    }
    T_CHECK_EQ(reply_body(b, 47), TC_ERROR);

    /* Without the payload flag, no bytes beyond the header. */
    T_CHECK_EQ(reply_body(b, 49), TC_ERROR);
    set_reply(b, TC_AF_INET, TC_REPLY_F_PAYLOAD, 40, 40);
    T_CHECK_EQ(reply_body(b, 49), TC_OK);
    T_CHECK_EQ(reply_body(b, 47), TC_ERROR);

    /* hdr_len below an IP header. */
    set_reply(b, TC_AF_INET, 0, 19, 40);
    T_CHECK_EQ(reply_body(b, 27), TC_ERROR);
    set_reply(b, TC_AF_INET, 0, 0, 40);
    T_CHECK_EQ(reply_body(b, 8), TC_ERROR);
    set_reply(b, TC_AF_INET, 0, 20, 20);
    T_CHECK_EQ(reply_body(b, 28), TC_OK);

    /* orig_len below hdr_len. */
    set_reply(b, TC_AF_INET, 0, 40, 39);
    T_CHECK_EQ(reply_body(b, 48), TC_ERROR);

    /* Unknown families. */
    set_reply(b, 0, 0, 40, 40);
    T_CHECK_EQ(reply_body(b, 48), TC_ERROR);
    set_reply(b, 10, 0, 40, 40); /* AF_INET6's socket value */
    T_CHECK_EQ(reply_body(b, 48), TC_ERROR);
    set_reply(b, TC_AF_INET6, 0, 40, 40);
    T_CHECK_EQ(reply_body(b, 48), TC_OK);
}


static void
test_bad_ping_and_type(void)
{
    uint8_t        buf[64], body[16] = {0};
    tc_frame_t     f;
    tc_msg_hello_t h;
    tc_msg_reply_t r;
    tc_msg_route_t rt;
    uint64_t       t;
    uint32_t       len;
    size_t         n;
    guard_t        g;

    for (len = 0; len < 16; len++) {
        n = raw_frame(buf, TC_PROTO_VERSION, TC_MSG_PONG, body, len);
        T_CHECK_EQ(decode_guarded(&g, buf, n, &f), (int) n);
        T_CHECK_EQ(tc_proto_decode_ping(&f, &t), len == 8 ? TC_OK : TC_ERROR);
        guard_free(&g);
    }

    /* A body decoder refuses a frame of another type. */
    n = tc_proto_encode_ping(buf, sizeof(buf), TC_MSG_PING, 7);
    T_CHECK_EQ(decode_guarded(&g, buf, n, &f), (int) n);
    T_CHECK_EQ(tc_proto_decode_hello(&f, &h), TC_ERROR);
    T_CHECK_EQ(tc_proto_decode_reply(&f, &r), TC_ERROR);
    T_CHECK_EQ(tc_proto_route_count(&f), TC_ERROR);
    T_CHECK_EQ(tc_proto_route_at(&f, 0, &rt), TC_ERROR);
    f.type = TC_MSG_HELLO;
    T_CHECK_EQ(tc_proto_decode_ping(&f, &t), TC_ERROR);
    guard_free(&g);
}


/* Frames back to back in one buffer decode in sequence, then a torn one. */
static void
test_back_to_back(void)
{
    uint8_t              buf[1024], *p;
    size_t               ends[5], total, off = 0, i;
    tc_frame_t           f;
    tc_msg_hello_t       h;
    tc_msg_reply_t       r;
    tc_msg_route_t       rt;
    uint64_t             t;
    guard_t              g;
    int                  rc;
    static const uint8_t types[] = {TC_MSG_HELLO, TC_MSG_ROUTE, TC_MSG_REPLY,
                                    TC_MSG_PING,  TC_MSG_PONG,  77};

    total = build_stream(buf, sizeof(buf), ends);
    /* An unknown type in the middle of the stream is skipped by length. */
    total += raw_frame(buf + total, TC_PROTO_VERSION, 77, buf, 5);
    /* And the first 7 bytes of another PING. */
    T_CHECK_EQ(tc_proto_encode_ping(buf + total, sizeof(buf) - total,
                                    TC_MSG_PING, 43),
               20);

    p = guard_copy(&g, buf, total + 7);
    for (i = 0; i < tc_nelems(types); i++) {
        rc = tc_proto_decode(p + off, total + 7 - off, &f);
        T_CHECK(rc > 0);
        if (rc <= 0) {
            break;
        }
        T_CHECK_EQ(f.type, types[i]);
        off += (size_t) rc;
        T_CHECK_EQ(off, i < 5 ? ends[i] : total);
    }
    T_CHECK_EQ(tc_proto_decode(p + off, total + 7 - off, &f), TC_PARSE_PARTIAL);
    guard_free(&g);

    /* The bodies decode too. */
    p = guard_copy(&g, buf, total);
    off = (size_t) tc_proto_decode(p, total, &f);
    T_CHECK_EQ(tc_proto_decode_hello(&f, &h), TC_OK);
    T_CHECK(strcmp(h.name, "t") == 0);
    off += (size_t) tc_proto_decode(p + off, total - off, &f);
    T_CHECK_EQ(tc_proto_route_count(&f), 2);
    T_CHECK_EQ(tc_proto_route_at(&f, 1, &rt), TC_OK);
    T_CHECK_EQ(rt.port, 5001);
    off += (size_t) tc_proto_decode(p + off, total - off, &f);
    T_CHECK_EQ(tc_proto_decode_reply(&f, &r), TC_OK);
    T_CHECK_EQ(r.pkt_len, 60);
    off += (size_t) tc_proto_decode(p + off, total - off, &f);
    T_CHECK_EQ(tc_proto_decode_ping(&f, &t), TC_OK);
    T_CHECK(t == 42);
    guard_free(&g);
}


/*
 * Runs encode at every cap below need (buffer ending at a guard page, so a
 * write past cap crashes) and expects 0, then at need exactly.
 */
typedef size_t (*encode_pt)(uint8_t *buf, size_t cap, const void *arg);

static void
check_caps(encode_pt encode, const void *arg, size_t need)
{
    uint8_t *p;
    size_t   cap, bad = 0;
    guard_t  g;

    p = guard_alloc(&g, need);
    for (cap = 0; cap < need; cap++) {
        /* p + need - cap .. p + need is exactly cap bytes before the guard */
        if (encode(p + need - cap, cap, arg) != 0) {
            bad++;
        }
    }
    T_CHECK_EQ(bad, 0);
    T_CHECK_EQ(encode(p, need, arg), need);
    guard_free(&g);
}


typedef struct {
    const tc_msg_route_t *routes;
    size_t                n;
    const uint8_t        *pkt;
    size_t                pkt_len;
} enc_arg_t;


static size_t
enc_hello(uint8_t *buf, size_t cap, const void *arg)
{
    return tc_proto_encode_hello(buf, cap, arg);
}


static size_t
enc_route(uint8_t *buf, size_t cap, const void *arg)
{
    const enc_arg_t *a = arg;

    return tc_proto_encode_route(buf, cap, a->routes, a->n);
}


static size_t
enc_reply(uint8_t *buf, size_t cap, const void *arg)
{
    const enc_arg_t *a = arg;

    return tc_proto_encode_reply(buf, cap, TC_AF_INET, TC_REPLY_F_PAYLOAD,
                                 a->pkt, 40, a->pkt_len, 1500);
}


static size_t
enc_ping(uint8_t *buf, size_t cap, const void *arg)
{
    (void) arg;
    return tc_proto_encode_ping(buf, cap, TC_MSG_PONG, 99);
}


static void
test_encode_caps(void)
{
    tc_msg_hello_t  h;
    tc_msg_route_t *many;
    uint8_t        *pkt;
    enc_arg_t       a;
    size_t          i;

    memset(&h, 0, sizeof(h));
    h.role = TC_ROLE_TCPCOPY;
    check_caps(enc_hello, &h, 22);
    memset(h.name, 'z', TC_PROTO_NAME_MAX);
    check_caps(enc_hello, &h, 22 + TC_PROTO_NAME_MAX);

    many = calloc(ROUTE_MAX, sizeof(*many));
    T_CHECK(many != NULL);
    for (i = 0; i < ROUTE_MAX; i++) {
        set_route(&many[i], TC_ROUTE_ADD, TC_AF_INET6, 1, (uint8_t) i);
    }
    a.routes = many;
    a.n = 1;
    check_caps(enc_route, &a, 36);
    a.n = ROUTE_MAX;
    check_caps(enc_route, &a, TC_PROTO_HDR_LEN + 4 + 20 * ROUTE_MAX);
    free(many);

    pkt = calloc(1, TC_PROTO_MAX_BODY);
    T_CHECK(pkt != NULL);
    a.pkt = pkt;
    a.pkt_len = 40;
    check_caps(enc_reply, &a, 60);
    a.pkt_len = TC_PROTO_MAX_BODY - 8;
    check_caps(enc_reply, &a, FRAME_MAX);
    free(pkt);

    check_caps(enc_ping, NULL, 20);
}


/* A report with every kind of item, as intercept on an assistant sends. */
static void
full_report(tc_msg_check_reply_t *m)
{
    memset(m, 0, sizeof(*m));
    m->token = 0xa1b2c3d4;
    tc_check_set(m, TC_CHECK_N_INPUT, TC_CHECK_INPUT_PCAP);
    tc_check_set(m, TC_CHECK_N_IP_FORWARD, 0);
    tc_check_set(m, TC_CHECK_N_PACKETS, 0x0102030405060708ull);
    tc_check_set(m, TC_CHECK_N_UPTIME, 17);
    strcpy(m->version, "0.1.0");
    strcpy(m->devices, "eth0,eth1");
    memset(m->filter, 'f', TC_CHECK_TEXT_MAX);
    strcpy(m->rpf[0].dev, "all");
    m->rpf[0].value = 2;
    memset(m->rpf[1].dev, 'd', TC_CHECK_IFNAME_MAX);
    m->rpf[1].value = 255;
    m->nrpf = 2;
}


static void
test_check_round_trip(void)
{
    tc_msg_check_reply_t m, d;
    tc_frame_t           f;
    uint8_t              buf[2048];
    uint32_t             token = 0;
    uint64_t             ping;
    size_t               n;
    guard_t              g;

    n = tc_proto_encode_check(buf, sizeof(buf), 0xdeadbeef);
    T_CHECK_EQ(n, TC_PROTO_HDR_LEN + 8);
    T_CHECK_EQ(buf[5], TC_MSG_CHECK);
    T_CHECK_EQ(decode_guarded(&g, buf, n, &f), (int) n);
    T_CHECK_EQ(tc_proto_decode_check(&f, &token), TC_OK);
    T_CHECK_EQ(token, 0xdeadbeef);
    T_CHECK_EQ(tc_proto_decode_ping(&f, &ping), TC_ERROR);
    guard_free(&g);

    full_report(&m);
    n = tc_proto_encode_check_reply(buf, sizeof(buf), &m);
    /* 4 numbers of 10, version 7, devices 11, filter 257, two rpf 6 + 18 */
    T_CHECK_EQ(n, TC_PROTO_HDR_LEN + 4 + 40 + 7 + 11 + 257 + 6 + 18);
    T_CHECK_EQ(decode_guarded(&g, buf, n, &f), (int) n);
    memset(&d, 0xa5, sizeof(d));
    T_CHECK_EQ(tc_proto_decode_check_reply(&f, &d), TC_OK);
    T_CHECK(memcmp(&m, &d, sizeof(m)) == 0);
    T_CHECK(tc_check_has(&d, TC_CHECK_N_IP_FORWARD));
    T_CHECK(!tc_check_has(&d, TC_CHECK_N_QUEUE_SEQ));
    T_CHECK_EQ(tc_proto_decode_check(&f, &token), TC_ERROR);
    guard_free(&g);

    /* An empty report: the token alone. */
    memset(&m, 0, sizeof(m));
    n = tc_proto_encode_check_reply(buf, sizeof(buf), &m);
    T_CHECK_EQ(n, TC_PROTO_HDR_LEN + 4);
    T_CHECK_EQ(decode_guarded(&g, buf, n, &f), (int) n);
    T_CHECK_EQ(tc_proto_decode_check_reply(&f, &d), TC_OK);
    T_CHECK_EQ(d.has, 0);
    T_CHECK_EQ(d.nrpf, 0);
    guard_free(&g);
}


/* Wire bytes built by hand: numbers big-endian, unknown tags skipped, the
 * last of a repeated number kept. */
static void
test_check_reply_wire(void)
{
    static const uint8_t body[] = {
        0,
        0,
        0,
        9, /* token */
        TC_CHECK_N_QUEUE_SEQ + 1,
        8,
        0,
        0,
        0,
        0,
        0,
        0,
        1,
        2,
        0x7f,
        3,
        'x',
        'y',
        'z', /* unknown tag: skipped */
        TC_CHECK_N_QUEUE_SEQ + 1,
        8,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        5,
        0x43,
        5,
        1,
        'e',
        't',
        'h',
        '0', /* rp_filter eth0 = 1 */
        0x40,
        0, /* empty version */
    };
    tc_msg_check_reply_t d;
    tc_frame_t           f;
    uint8_t              buf[128];
    size_t               n;
    guard_t              g;

    n = raw_frame(buf, TC_PROTO_VERSION, TC_MSG_CHECK_REPLY, body,
                  sizeof(body));
    T_CHECK_EQ(decode_guarded(&g, buf, n, &f), (int) n);
    T_CHECK_EQ(tc_proto_decode_check_reply(&f, &d), TC_OK);
    T_CHECK_EQ(d.token, 9);
    T_CHECK_EQ(d.has, 1u << TC_CHECK_N_QUEUE_SEQ);
    T_CHECK_EQ(d.num[TC_CHECK_N_QUEUE_SEQ], 5);
    T_CHECK_EQ(d.nrpf, 1);
    T_CHECK(strcmp(d.rpf[0].dev, "eth0") == 0);
    T_CHECK_EQ(d.rpf[0].value, 1);
    T_CHECK_EQ(d.version[0], '\0');
    guard_free(&g);
}


/* Decodes a hand-made CHECK_REPLY body; returns the decoder's verdict. */
static int
decode_crep(const uint8_t *body, uint32_t len)
{
    tc_msg_check_reply_t d;
    tc_frame_t           f;
    uint8_t              buf[4096];
    size_t               n;
    guard_t              g;
    int                  rc;

    n = raw_frame(buf, TC_PROTO_VERSION, TC_MSG_CHECK_REPLY, body, len);
    if (decode_guarded(&g, buf, n, &f) != (int) n) {
        guard_free(&g);
        return 99;
    }
    rc = tc_proto_decode_check_reply(&f, &d);
    guard_free(&g);
    return rc;
}


static void
test_bad_check(void)
{
    static const uint8_t num_short[] = {0, 0, 0, 1, 1, 7, 0, 0, 0, 0, 0, 0, 0};
    static const uint8_t item_trunc[] = {0, 0, 0, 1, 0x40, 4, 'a', 'b'};
    static const uint8_t tag_only[] = {0, 0, 0, 1, 0x40};
    static const uint8_t text_nul[] = {0, 0, 0, 1, 0x41, 3, 'a', 0, 'b'};
    static const uint8_t rpf_noname[] = {0, 0, 0, 1, 0x43, 1, 2};
    static const uint8_t rpf_long[] = {0,   0,   0,   1,   0x43, 17,  1,   'a',
                                       'a', 'a', 'a', 'a', 'a',  'a', 'a', 'a',
                                       'a', 'a', 'a', 'a', 'a',  'a', 'a'};
    uint8_t              body[4 + 2 + 40], many[4 + 33 * 4];
    tc_msg_check_reply_t m;
    tc_frame_t           f;
    uint8_t              buf[2048];
    uint32_t             token;
    size_t               i, n;
    guard_t              g;

    T_CHECK_EQ(decode_crep(num_short, sizeof(num_short)), TC_ERROR);
    T_CHECK_EQ(decode_crep(item_trunc, sizeof(item_trunc)), TC_ERROR);
    T_CHECK_EQ(decode_crep(tag_only, sizeof(tag_only)), TC_ERROR);
    T_CHECK_EQ(decode_crep(text_nul, sizeof(text_nul)), TC_ERROR);
    T_CHECK_EQ(decode_crep(rpf_noname, sizeof(rpf_noname)), TC_ERROR);
    T_CHECK_EQ(decode_crep(rpf_long, sizeof(rpf_long)), TC_ERROR);
    T_CHECK_EQ(decode_crep(num_short, 3), TC_ERROR); /* no token */

    /* A version text of 32 bytes is one too many. */
    memset(body, 'v', sizeof(body));
    wr32(body, 1);
    body[4] = 0x40;
    body[5] = 32;
    T_CHECK_EQ(decode_crep(body, 4 + 2 + 32), TC_ERROR);
    body[5] = 31;
    T_CHECK_EQ(decode_crep(body, 4 + 2 + 31), TC_OK);

    /* 33 rp_filter entries: one more than a report holds. */
    wr32(many, 1);
    for (i = 0; i < 33; i++) {
        memcpy(many + 4 + i * 4, "\x43\x02\x01x", 4);
    }
    T_CHECK_EQ(decode_crep(many, 4 + 32 * 4), TC_OK);
    T_CHECK_EQ(decode_crep(many, sizeof(many)), TC_ERROR);

    /* CHECK is exactly 8 bytes. */
    n = raw_frame(buf, TC_PROTO_VERSION, TC_MSG_CHECK, body, 7);
    T_CHECK_EQ(decode_guarded(&g, buf, n, &f), (int) n);
    T_CHECK_EQ(tc_proto_decode_check(&f, &token), TC_ERROR);
    guard_free(&g);

    /* The encoder refuses what its decoder would. */
    full_report(&m);
    m.has |= 1u << TC_CHECK_N_MAX;
    T_CHECK_EQ(tc_proto_encode_check_reply(buf, sizeof(buf), &m), 0);
    full_report(&m);
    memset(m.version, 'v', sizeof(m.version));
    T_CHECK_EQ(tc_proto_encode_check_reply(buf, sizeof(buf), &m), 0);
    full_report(&m);
    m.rpf[1].dev[0] = '\0';
    T_CHECK_EQ(tc_proto_encode_check_reply(buf, sizeof(buf), &m), 0);
    full_report(&m);
    m.nrpf = TC_CHECK_RPF_MAX + 1;
    T_CHECK_EQ(tc_proto_encode_check_reply(buf, sizeof(buf), &m), 0);
}


static size_t
enc_check_reply(uint8_t *buf, size_t cap, const void *arg)
{
    return tc_proto_encode_check_reply(buf, cap, arg);
}


static size_t
enc_check(uint8_t *buf, size_t cap, const void *arg)
{
    (void) arg;
    return tc_proto_encode_check(buf, cap, 7);
}


/* The largest report fits a frame, and no encoder writes past cap. */
static void
test_check_caps(void)
{
    tc_msg_check_reply_t m;
    size_t               i, need;

    memset(&m, 0, sizeof(m));
    for (i = 0; i < TC_CHECK_N_MAX; i++) {
        tc_check_set(&m, (tc_check_num_e) i, i);
    }
    memset(m.version, 'v', TC_CHECK_VERSION_MAX);
    memset(m.devices, 'd', TC_CHECK_TEXT_MAX);
    memset(m.filter, 'f', TC_CHECK_TEXT_MAX);
    for (i = 0; i < TC_CHECK_RPF_MAX; i++) {
        memset(m.rpf[i].dev, 'e', TC_CHECK_IFNAME_MAX);
    }
    m.nrpf = TC_CHECK_RPF_MAX;
    need = TC_PROTO_HDR_LEN + 4 + TC_CHECK_N_MAX * 10 +
           (2 + TC_CHECK_VERSION_MAX) + 2 * (2 + TC_CHECK_TEXT_MAX) +
           TC_CHECK_RPF_MAX * (3 + TC_CHECK_IFNAME_MAX);
    check_caps(enc_check_reply, &m, need);
    check_caps(enc_check, NULL, TC_PROTO_HDR_LEN + 8);
}


int
main(void)
{
    T_RUN(test_type_str);
    T_RUN(test_wire_ping);
    T_RUN(test_wire_hello);
    T_RUN(test_hello_round_trip);
    T_RUN(test_route_round_trip);
    T_RUN(test_route_ipv4_padding);
    T_RUN(test_reply_round_trip);
    T_RUN(test_ping_round_trip);
    T_RUN(test_prefixes_partial);
    T_RUN(test_bad_header);
    T_RUN(test_bad_hello);
    T_RUN(test_bad_route);
    T_RUN(test_bad_reply);
    T_RUN(test_bad_ping_and_type);
    T_RUN(test_back_to_back);
    T_RUN(test_encode_caps);
    T_RUN(test_check_round_trip);
    T_RUN(test_check_reply_wire);
    T_RUN(test_bad_check);
    T_RUN(test_check_caps);
    return T_REPORT();
}
