/*
 * tc_proto.c: encoder and decoder of the control protocol frames described in
 * tc_proto.h.
 *
 * Every multi-byte field is read and written one byte at a time in network
 * order, so the code never depends on the host's byte order, on alignment or
 * on a compiler's struct layout.  Decoders trust nothing in a frame: each
 * length is checked against the bytes actually present before any read, and
 * a body must be exactly as long as its type says, so a frame either decodes
 * completely or is rejected whole.  Encoders check all sizes before writing
 * a byte, and only produce frames their own decoder accepts.
 */
#include "tc_config.h"

#include <limits.h>
#include <string.h>

#include "tc_bytes.h"
#include "tc_proto.h"

/* Frame header: magic u32 | version u8 | type u8 | flags u16 | length u32. */
#define HDR_OFF_MAGIC   0
#define HDR_OFF_VERSION 4
#define HDR_OFF_TYPE    5
#define HDR_OFF_FLAGS   6
#define HDR_OFF_LEN     8

/* HELLO: version u8 | role u8 | reserved u16 | caps u32 | name_len u16. */
#define HELLO_OFF_VERSION  0
#define HELLO_OFF_ROLE     1
#define HELLO_OFF_RESERVED 2
#define HELLO_OFF_CAPS     4
#define HELLO_OFF_NAME_LEN 8
#define HELLO_FIXED        10

/* ROUTE: count u16 | reserved u16, then entries of
 * op u8 | family u8 | port u16 | addr[16]. */
#define ROUTE_OFF_COUNT    0
#define ROUTE_OFF_RESERVED 2
#define ROUTE_FIXED        4
#define ENTRY_OFF_OP       0
#define ENTRY_OFF_FAMILY   1
#define ENTRY_OFF_PORT     2
#define ENTRY_OFF_ADDR     4
#define ENTRY_ADDR_LEN     16
#define ROUTE_MAX_COUNT                                                        \
    ((TC_PROTO_MAX_BODY - ROUTE_FIXED) / TC_PROTO_ROUTE_ENTRY)

/* REPLY: family u8 | flags u8 | hdr_len u16 | orig_len u32, then pkt. */
#define REPLY_OFF_FAMILY   0
#define REPLY_OFF_FLAGS    1
#define REPLY_OFF_HDR_LEN  2
#define REPLY_OFF_ORIG_LEN 4
#define REPLY_FIXED        8
/* The smallest IP header; a reply header shorter than that is garbage. */
#define REPLY_MIN_HDR 20

/* PING, PONG: token u64. */
#define PING_LEN 8

/* CHECK: token u32 | flags u32.  CHECK_REPLY: token u32, then items of
 * tag u8 | len u8 | value[len]. */
#define CHECK_LEN     8
#define CREP_FIXED    4
#define ITEM_HDR      2
#define ITEM_NUM_LEN  8
#define TAG_VERSION   0x40
#define TAG_DEVICES   0x41
#define TAG_FILTER    0x42
#define TAG_RP_FILTER 0x43
#define CREP_BODY_MAX                                                          \
    (CREP_FIXED + TC_CHECK_N_MAX * (ITEM_HDR + ITEM_NUM_LEN) +                 \
     (ITEM_HDR + TC_CHECK_VERSION_MAX) + 2 * (ITEM_HDR + TC_CHECK_TEXT_MAX) +  \
     TC_CHECK_RPF_MAX * (ITEM_HDR + 1 + TC_CHECK_IFNAME_MAX))

/* The wire sizes are a contract with every peer: pin them. */
_Static_assert(4 + 1 + 1 + 2 + 4 == TC_PROTO_HDR_LEN, "frame header size");
_Static_assert(HDR_OFF_LEN + 4 == TC_PROTO_HDR_LEN, "frame header layout");
_Static_assert(1 + 1 + 2 + 16 == TC_PROTO_ROUTE_ENTRY, "route entry size");
_Static_assert(ENTRY_OFF_ADDR + ENTRY_ADDR_LEN == TC_PROTO_ROUTE_ENTRY,
               "route entry layout");
_Static_assert(1 + 1 + 2 + 4 == REPLY_FIXED, "reply fixed part size");
_Static_assert(1 + 1 + 2 + 4 + 2 == HELLO_FIXED, "hello fixed part size");
_Static_assert(HELLO_OFF_NAME_LEN + 2 == HELLO_FIXED, "hello layout");
_Static_assert(sizeof(uint64_t) == PING_LEN, "ping size");
/* tc_proto_decode() returns a whole frame's length as an int. */
_Static_assert(TC_PROTO_HDR_LEN + (long long) TC_PROTO_MAX_BODY <= INT_MAX,
               "frame length fits the decoder's return value");
/* A ROUTE count field must be able to say how many entries fit. */
_Static_assert(ROUTE_MAX_COUNT <= UINT16_MAX, "route count fits u16");
_Static_assert(TC_PROTO_NAME_MAX < UINT16_MAX, "name_len fits u16");
_Static_assert(sizeof(((tc_addr_t *) 0)->addr) == ENTRY_ADDR_LEN,
               "tc_addr_t holds a wire address");
/* Number tags sit below the text tags, and every bit fits in has. */
_Static_assert(TC_CHECK_N_MAX < TAG_VERSION, "number tags below text tags");
_Static_assert(TC_CHECK_N_MAX <= 32, "one has bit per number");
/* Every item length fits its u8, and a whole report fits one frame. */
_Static_assert(TC_CHECK_TEXT_MAX <= UINT8_MAX, "text length fits u8");
_Static_assert(1 + TC_CHECK_IFNAME_MAX <= UINT8_MAX, "rp_filter item fits");
_Static_assert(TC_PROTO_HDR_LEN + CREP_BODY_MAX <= TC_CHECK_FRAME_MAX,
               "a report fits TC_CHECK_FRAME_MAX");
_Static_assert(TC_CHECK_RPF_MAX <= 255, "rp_filter count fits a byte");


static inline bool
family_ok(uint8_t family)
{
    return family == TC_AF_INET || family == TC_AF_INET6;
}


/*
 * Writes the frame header for a body of body_len bytes and returns the whole
 * frame's length, or 0 if the frame does not fit in cap or the body is over
 * TC_PROTO_MAX_BODY (callers check their own limits first; this is the last
 * line that keeps an undecodable frame off the wire).
 */
static size_t
put_header(uint8_t *buf, size_t cap, uint8_t type, size_t body_len)
{
    size_t total = TC_PROTO_HDR_LEN + body_len;

    if (buf == NULL || body_len > TC_PROTO_MAX_BODY || cap < total) {
        return 0;
    }

    tc_put_be32(buf + HDR_OFF_MAGIC, TC_PROTO_MAGIC);
    buf[HDR_OFF_VERSION] = TC_PROTO_VERSION;
    buf[HDR_OFF_TYPE] = type;
    tc_put_be16(buf + HDR_OFF_FLAGS, 0); /* no frame flags defined yet */
    tc_put_be32(buf + HDR_OFF_LEN, (uint32_t) body_len);

    return total;
}


/*
 * Decodes the header of the frame at buf (len bytes available).  The checks
 * run in a fixed order so a peer speaking another protocol is told apart
 * from a peer speaking another version of this one: magic, version, length,
 * then completeness of the body.  Fills out (body points into buf) and
 * returns header + body length, TC_PARSE_PARTIAL, TC_PARSE_INVALID or
 * TC_PROTO_EVERSION (out->version is then the peer's version).
 */
int
tc_proto_decode(const uint8_t *buf, size_t len, tc_frame_t *out)
{
    uint32_t body_len;

    memset(out, 0, sizeof(*out));

    if (len < TC_PROTO_HDR_LEN) {
        return TC_PARSE_PARTIAL;
    }

    if (tc_get_be32(buf + HDR_OFF_MAGIC) != TC_PROTO_MAGIC) {
        return TC_PARSE_INVALID;
    }

    out->version = buf[HDR_OFF_VERSION];
    if (out->version != TC_PROTO_VERSION) {
        return TC_PROTO_EVERSION;
    }

    body_len = tc_get_be32(buf + HDR_OFF_LEN);
    if (body_len > TC_PROTO_MAX_BODY) {
        return TC_PARSE_INVALID;
    }

    if (len - TC_PROTO_HDR_LEN < body_len) {
        return TC_PARSE_PARTIAL;
    }

    out->type = buf[HDR_OFF_TYPE];
    out->flags = tc_get_be16(buf + HDR_OFF_FLAGS);
    out->body_len = body_len;
    out->body = buf + TC_PROTO_HDR_LEN;

    return (int) (TC_PROTO_HDR_LEN + body_len);
}


/*
 * Decodes a HELLO body into out.  The name must be exactly name_len bytes
 * with no NUL inside (it ends up in log lines as a C string, and a NUL would
 * silently cut it).  Returns TC_OK, or TC_ERROR for a malformed body or a
 * frame of another type (out is then unspecified).
 */
int
tc_proto_decode_hello(const tc_frame_t *f, tc_msg_hello_t *out)
{
    const uint8_t *b = f->body;
    size_t         name_len;

    if (f->type != TC_MSG_HELLO || f->body_len < HELLO_FIXED) {
        return TC_ERROR;
    }

    name_len = tc_get_be16(b + HELLO_OFF_NAME_LEN);
    if (name_len > TC_PROTO_NAME_MAX || f->body_len != HELLO_FIXED + name_len) {
        return TC_ERROR;
    }

    if (memchr(b + HELLO_FIXED, '\0', name_len) != NULL) {
        return TC_ERROR;
    }

    out->version = b[HELLO_OFF_VERSION];
    out->role = b[HELLO_OFF_ROLE];
    if (out->role != TC_ROLE_TCPCOPY && out->role != TC_ROLE_INTERCEPT) {
        return TC_ERROR;
    }

    /* reserved u16 is ignored: a later version may use it */
    out->caps = tc_get_be32(b + HELLO_OFF_CAPS);
    memcpy(out->name, b + HELLO_FIXED, name_len);
    out->name[name_len] = '\0';

    return TC_OK;
}


/*
 * Decodes a REPLY body.  out->pkt points into the frame's body, so it lives
 * as long as the caller's input buffer.  Returns TC_OK, or TC_ERROR for a
 * malformed body or a frame of another type.  Unknown flag bits are passed
 * through in out->flags for the caller to judge.
 */
int
tc_proto_decode_reply(const tc_frame_t *f, tc_msg_reply_t *out)
{
    const uint8_t *b = f->body;
    uint32_t       pkt_len;

    if (f->type != TC_MSG_REPLY || f->body_len < REPLY_FIXED) {
        return TC_ERROR;
    }

    out->family = b[REPLY_OFF_FAMILY];
    out->flags = b[REPLY_OFF_FLAGS];
    out->hdr_len = tc_get_be16(b + REPLY_OFF_HDR_LEN);
    out->orig_len = tc_get_be32(b + REPLY_OFF_ORIG_LEN);
    pkt_len = f->body_len - REPLY_FIXED;

    if (!family_ok(out->family) || out->hdr_len < REPLY_MIN_HDR ||
        out->hdr_len > pkt_len || out->orig_len < out->hdr_len) {
        return TC_ERROR;
    }

    /* Payload bytes travel only when the flag says so, so a receiver that
     * did not ask for payloads never mistakes them for a longer header. */
    if (!(out->flags & TC_REPLY_F_PAYLOAD) && pkt_len != out->hdr_len) {
        return TC_ERROR;
    }

    out->pkt = b + REPLY_FIXED;
    out->pkt_len = pkt_len;

    return TC_OK;
}


/*
 * Decodes a PING or PONG body into *token.  Returns TC_OK, or TC_ERROR for a
 * body that is not exactly 8 bytes or a frame of another type.
 */
int
tc_proto_decode_ping(const tc_frame_t *f, uint64_t *token)
{
    if ((f->type != TC_MSG_PING && f->type != TC_MSG_PONG) ||
        f->body_len != PING_LEN) {
        return TC_ERROR;
    }

    *token = tc_get_be64(f->body);
    return TC_OK;
}


/*
 * Decodes a CHECK body into *token.  Returns TC_OK, or TC_ERROR for a body
 * that is not exactly 8 bytes or a frame of another type.  The flags word
 * is reserved: a later version may set bits this one ignores.
 */
int
tc_proto_decode_check(const tc_frame_t *f, uint32_t *token)
{
    if (f->type != TC_MSG_CHECK || f->body_len != CHECK_LEN) {
        return TC_ERROR;
    }

    *token = tc_get_be32(f->body);
    return TC_OK;
}


/* Copies a text item of len bytes into dst (cap bytes with the NUL), the
 * rest zeroed: a repeated item leaves no tail of the earlier one.
 * TC_ERROR if it is too long or holds a NUL. */
static int
get_text(char *dst, size_t cap, const uint8_t *v, size_t len)
{
    if (len >= cap || memchr(v, '\0', len) != NULL) {
        return TC_ERROR;
    }
    memset(dst, 0, cap); /* len < cap: the NUL too */
    memcpy(dst, v, len);
    return TC_OK;
}


/* Decodes one CHECK_REPLY item (its value is len bytes at v) into out. */
static int
crep_item(tc_msg_check_reply_t *out, uint8_t tag, const uint8_t *v, size_t len)
{
    tc_check_rpf_t *e;

    if (tag >= 1 && tag <= TC_CHECK_N_MAX) {
        if (len != ITEM_NUM_LEN) {
            return TC_ERROR;
        }
        tc_check_set(out, (tc_check_num_e) (tag - 1), tc_get_be64(v));
        return TC_OK;
    }

    switch (tag) {
    case TAG_VERSION:
        return get_text(out->version, sizeof(out->version), v, len);
    case TAG_DEVICES:
        return get_text(out->devices, sizeof(out->devices), v, len);
    case TAG_FILTER:
        return get_text(out->filter, sizeof(out->filter), v, len);
    case TAG_RP_FILTER:
        if (len < 2 || out->nrpf == TC_CHECK_RPF_MAX) {
            return TC_ERROR;
        }
        e = &out->rpf[out->nrpf];
        e->value = v[0];
        if (get_text(e->dev, sizeof(e->dev), v + 1, len - 1) != TC_OK) {
            return TC_ERROR;
        }
        out->nrpf++;
        return TC_OK;
    default:
        return TC_OK; /* from a newer intercept: skipped */
    }
}


/*
 * Decodes a CHECK_REPLY body into out (zeroed first).  Every item is
 * checked against the bytes left in the body before it is read.  Returns
 * TC_OK, or TC_ERROR as tc_proto.h lists (out is then unspecified).
 */
int
tc_proto_decode_check_reply(const tc_frame_t *f, tc_msg_check_reply_t *out)
{
    const uint8_t *b = f->body;
    size_t         off, len;

    memset(out, 0, sizeof(*out));
    if (f->type != TC_MSG_CHECK_REPLY || f->body_len < CREP_FIXED) {
        return TC_ERROR;
    }
    out->token = tc_get_be32(b);

    for (off = CREP_FIXED; off < f->body_len; off += ITEM_HDR + len) {
        if (f->body_len - off < ITEM_HDR) {
            return TC_ERROR;
        }
        len = b[off + 1];
        if (f->body_len - off - ITEM_HDR < len) {
            return TC_ERROR;
        }
        if (crep_item(out, b[off], b + off + ITEM_HDR, len) != TC_OK) {
            return TC_ERROR;
        }
    }

    return TC_OK;
}


/*
 * Checks a ROUTE body's framing: count >= 1 and a body of exactly count
 * entries.  Returns count, or TC_ERROR for a malformed body or a frame of
 * another type.  Entries are checked one by one in tc_proto_route_at().
 */
int
tc_proto_route_count(const tc_frame_t *f)
{
    uint16_t count;

    if (f->type != TC_MSG_ROUTE || f->body_len < ROUTE_FIXED) {
        return TC_ERROR;
    }

    count = tc_get_be16(f->body + ROUTE_OFF_COUNT);
    if (count == 0 ||
        f->body_len != ROUTE_FIXED + (uint32_t) count * TC_PROTO_ROUTE_ENTRY) {
        return TC_ERROR;
    }

    return count;
}


/*
 * Decodes entry i (0-based) of a ROUTE frame into out.  The frame's framing
 * is checked again here, so a caller that skipped tc_proto_route_count()
 * still cannot read past the body.  For IPv4 only the first 4 address bytes
 * count; the rest of out->addr is zeroed whatever the wire held, so the
 * result can be compared and hashed as a whole.  Returns TC_OK, or TC_ERROR
 * for a bad index, op or family.
 */
int
tc_proto_route_at(const tc_frame_t *f, int i, tc_msg_route_t *out)
{
    const uint8_t *e;
    int            count;

    count = tc_proto_route_count(f);
    if (count == TC_ERROR || i < 0 || i >= count) {
        return TC_ERROR;
    }

    e = f->body + ROUTE_FIXED + (size_t) i * TC_PROTO_ROUTE_ENTRY;

    memset(out, 0, sizeof(*out));
    out->op = e[ENTRY_OFF_OP];
    out->addr.family = e[ENTRY_OFF_FAMILY];
    out->port = tc_get_be16(e + ENTRY_OFF_PORT);

    if ((out->op != TC_ROUTE_ADD && out->op != TC_ROUTE_DEL) ||
        !family_ok(out->addr.family)) {
        return TC_ERROR;
    }

    memcpy(out->addr.addr, e + ENTRY_OFF_ADDR,
           out->addr.family == TC_AF_INET ? 4 : ENTRY_ADDR_LEN);

    return TC_OK;
}


/*
 * Encodes a HELLO frame from m (name must be NUL-terminated within
 * TC_PROTO_NAME_MAX + 1 bytes; role TC_ROLE_*).  Returns the frame length,
 * or 0 if it does not fit in cap or m is invalid.
 */
size_t
tc_proto_encode_hello(uint8_t *buf, size_t cap, const tc_msg_hello_t *m)
{
    size_t   name_len, total;
    uint8_t *b;

    name_len = strnlen(m->name, sizeof(m->name));
    if (name_len > TC_PROTO_NAME_MAX ||
        (m->role != TC_ROLE_TCPCOPY && m->role != TC_ROLE_INTERCEPT)) {
        return 0;
    }

    total = put_header(buf, cap, TC_MSG_HELLO, HELLO_FIXED + name_len);
    if (total == 0) {
        return 0;
    }

    b = buf + TC_PROTO_HDR_LEN;
    b[HELLO_OFF_VERSION] = m->version;
    b[HELLO_OFF_ROLE] = m->role;
    tc_put_be16(b + HELLO_OFF_RESERVED, 0);
    tc_put_be32(b + HELLO_OFF_CAPS, m->caps);
    tc_put_be16(b + HELLO_OFF_NAME_LEN, (uint16_t) name_len);
    memcpy(b + HELLO_FIXED, m->name, name_len);

    return total;
}


/* Writes one route entry; IPv4 addresses are padded with zeros. */
static void
put_route_entry(uint8_t *e, const tc_msg_route_t *r)
{
    size_t alen = r->addr.family == TC_AF_INET ? 4 : ENTRY_ADDR_LEN;

    e[ENTRY_OFF_OP] = r->op;
    e[ENTRY_OFF_FAMILY] = r->addr.family;
    tc_put_be16(e + ENTRY_OFF_PORT, r->port);
    memset(e + ENTRY_OFF_ADDR, 0, ENTRY_ADDR_LEN);
    memcpy(e + ENTRY_OFF_ADDR, r->addr.addr, alen);
}


/*
 * Encodes one ROUTE frame carrying routes[0..n-1] (n >= 1, at most what fits
 * in TC_PROTO_MAX_BODY, i.e. 3276; every op and family valid).  Returns the
 * frame length, or 0 if it does not fit in cap or an argument is invalid.
 * Callers with more routes split them over several frames.
 */
size_t
tc_proto_encode_route(uint8_t *buf, size_t cap, const tc_msg_route_t *routes,
                      size_t n)
{
    size_t   i, total;
    uint8_t *b;

    if (routes == NULL || n == 0 || n > ROUTE_MAX_COUNT) {
        return 0;
    }

    for (i = 0; i < n; i++) {
        if ((routes[i].op != TC_ROUTE_ADD && routes[i].op != TC_ROUTE_DEL) ||
            !family_ok(routes[i].addr.family)) {
            return 0;
        }
    }

    total = put_header(buf, cap, TC_MSG_ROUTE,
                       ROUTE_FIXED + n * TC_PROTO_ROUTE_ENTRY);
    if (total == 0) {
        return 0;
    }

    b = buf + TC_PROTO_HDR_LEN;
    tc_put_be16(b + ROUTE_OFF_COUNT, (uint16_t) n);
    tc_put_be16(b + ROUTE_OFF_RESERVED, 0);

    for (i = 0; i < n; i++) {
        put_route_entry(b + ROUTE_FIXED + i * TC_PROTO_ROUTE_ENTRY, &routes[i]);
    }

    return total;
}


/*
 * Encodes a REPLY frame: pkt holds pkt_len bytes, the first hdr_len of them
 * the reply's IP+TCP header, the rest payload (allowed only with
 * TC_REPLY_F_PAYLOAD in flags).  The arguments must satisfy what
 * tc_proto_decode_reply() checks.  pkt is copied.  Returns the frame length,
 * or 0 if it does not fit in cap or an argument is invalid.
 */
size_t
tc_proto_encode_reply(uint8_t *buf, size_t cap, uint8_t family, uint8_t flags,
                      const uint8_t *pkt, size_t hdr_len, size_t pkt_len,
                      uint32_t orig_len)
{
    size_t   total;
    uint8_t *b;

    if (!family_ok(family) || pkt == NULL || hdr_len < REPLY_MIN_HDR ||
        hdr_len > UINT16_MAX || hdr_len > pkt_len || orig_len < hdr_len ||
        pkt_len > TC_PROTO_MAX_BODY - REPLY_FIXED) {
        return 0;
    }

    if (!(flags & TC_REPLY_F_PAYLOAD) && pkt_len != hdr_len) {
        return 0;
    }

    total = put_header(buf, cap, TC_MSG_REPLY, REPLY_FIXED + pkt_len);
    if (total == 0) {
        return 0;
    }

    b = buf + TC_PROTO_HDR_LEN;
    b[REPLY_OFF_FAMILY] = family;
    b[REPLY_OFF_FLAGS] = flags;
    tc_put_be16(b + REPLY_OFF_HDR_LEN, (uint16_t) hdr_len);
    tc_put_be32(b + REPLY_OFF_ORIG_LEN, orig_len);
    memcpy(b + REPLY_FIXED, pkt, pkt_len);

    return total;
}


/*
 * Encodes a PING or PONG frame (type TC_MSG_PING or TC_MSG_PONG) carrying
 * token.  Returns the frame length, or 0 if it does not fit in cap or type
 * is neither.
 */
size_t
tc_proto_encode_ping(uint8_t *buf, size_t cap, uint8_t type, uint64_t token)
{
    size_t total;

    if (type != TC_MSG_PING && type != TC_MSG_PONG) {
        return 0;
    }

    total = put_header(buf, cap, type, PING_LEN);
    if (total == 0) {
        return 0;
    }

    tc_put_be64(buf + TC_PROTO_HDR_LEN, token);
    return total;
}


/*
 * Encodes a CHECK frame carrying token (flags 0).  Returns the frame
 * length, or 0 if it does not fit in cap.
 */
size_t
tc_proto_encode_check(uint8_t *buf, size_t cap, uint32_t token)
{
    size_t total;

    total = put_header(buf, cap, TC_MSG_CHECK, CHECK_LEN);
    if (total == 0) {
        return 0;
    }

    tc_put_be32(buf + TC_PROTO_HDR_LEN, token);
    tc_put_be32(buf + TC_PROTO_HDR_LEN + 4, 0);
    return total;
}


/* Appends one item at b + *off (room checked by the caller's bound). */
static void
put_item(uint8_t *b, size_t *off, uint8_t tag, uint8_t first, const void *v,
         size_t len)
{
    b[*off] = tag;
    if (tag == TAG_RP_FILTER) {
        b[*off + 1] = (uint8_t) (len + 1);
        b[*off + 2] = first;
        memcpy(b + *off + 3, v, len);
        *off += ITEM_HDR + 1 + len;
        return;
    }
    b[*off + 1] = (uint8_t) len;
    memcpy(b + *off + ITEM_HDR, v, len);
    *off += ITEM_HDR + len;
}


/* Whether every text and entry of m is terminated within its bounds and
 * every rp_filter entry has a name. */
static bool
crep_valid(const tc_msg_check_reply_t *m)
{
    size_t i, n;

    if ((m->has >> TC_CHECK_N_MAX) != 0 || m->nrpf > TC_CHECK_RPF_MAX ||
        strnlen(m->version, sizeof(m->version)) == sizeof(m->version) ||
        strnlen(m->devices, sizeof(m->devices)) == sizeof(m->devices) ||
        strnlen(m->filter, sizeof(m->filter)) == sizeof(m->filter)) {
        return false;
    }

    for (i = 0; i < m->nrpf; i++) {
        n = strnlen(m->rpf[i].dev, sizeof(m->rpf[i].dev));
        if (n == 0 || n == sizeof(m->rpf[i].dev)) {
            return false;
        }
    }
    return true;
}


/*
 * Encodes a CHECK_REPLY frame from m: the numbers present, the non-empty
 * texts, the rp_filter entries.  The body is built in a local buffer whose
 * size is the largest possible report (CREP_BODY_MAX), so no item can
 * overrun it.  Returns the frame length, or 0 (see tc_proto.h).
 */
size_t
tc_proto_encode_check_reply(uint8_t *buf, size_t cap,
                            const tc_msg_check_reply_t *m)
{
    uint8_t body[CREP_BODY_MAX], v[ITEM_NUM_LEN];
    size_t  off = CREP_FIXED, i, total;

    if (!crep_valid(m)) {
        return 0;
    }
    tc_put_be32(body, m->token);

    for (i = 0; i < TC_CHECK_N_MAX; i++) {
        if (m->has & (1u << i)) {
            tc_put_be64(v, m->num[i]);
            put_item(body, &off, (uint8_t) (i + 1), 0, v, sizeof(v));
        }
    }
    if (m->version[0] != '\0') {
        put_item(body, &off, TAG_VERSION, 0, m->version, strlen(m->version));
    }
    if (m->devices[0] != '\0') {
        put_item(body, &off, TAG_DEVICES, 0, m->devices, strlen(m->devices));
    }
    if (m->filter[0] != '\0') {
        put_item(body, &off, TAG_FILTER, 0, m->filter, strlen(m->filter));
    }
    for (i = 0; i < m->nrpf; i++) {
        put_item(body, &off, TAG_RP_FILTER, m->rpf[i].value, m->rpf[i].dev,
                 strlen(m->rpf[i].dev));
    }

    total = put_header(buf, cap, TC_MSG_CHECK_REPLY, off);
    if (total == 0) {
        return 0;
    }
    memcpy(buf + TC_PROTO_HDR_LEN, body, off);
    return total;
}


/*
 * Returns the name of a frame type for log lines: a static string, "unknown"
 * for any type this version does not define.
 */
const char *
tc_proto_type_str(int type)
{
    switch (type) {
    case TC_MSG_HELLO:
        return "HELLO";
    case TC_MSG_ROUTE:
        return "ROUTE";
    case TC_MSG_REPLY:
        return "REPLY";
    case TC_MSG_PING:
        return "PING";
    case TC_MSG_PONG:
        return "PONG";
    case TC_MSG_CHECK:
        return "CHECK";
    case TC_MSG_CHECK_REPLY:
        return "CHECK_REPLY";
    }

    return "unknown";
}
