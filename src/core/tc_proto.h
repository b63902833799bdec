/*
 * tc_proto.h: the control protocol between tcpcopy and intercept, one codec
 * for both daemons.
 *
 * Every frame: magic u32 | version u8 | type u8 | flags u16 | length u32 |
 * body[length], all big-endian.  No packed structs: fields are written and
 * read byte by byte, and sizes are pinned with _Static_assert in tc_proto.c.
 *
 * Bodies (big-endian):
 *   HELLO  version u8 | role u8 | reserved u16 | caps u32 |
 *          name_len u16 | name[name_len]                  (name_len <= 63)
 *   ROUTE  count u16 | reserved u16 | count x entry, entry (20 bytes) =
 *          op u8 | family u8 | port u16 | addr[16]         (count >= 1)
 *   REPLY  family u8 | flags u8 | hdr_len u16 | orig_len u32 |
 *          pkt[...]  -- the reply's IP+TCP header (hdr_len bytes) and,
 *          when TC_REPLY_F_PAYLOAD is set, payload bytes after it; orig_len
 *          is the IP packet's full length as intercept saw it
 *   PING, PONG  token u64
 * Decoders reject: a wrong magic, a length over TC_PROTO_MAX_BODY, a body
 * shorter or longer than its type requires, unknown families and ops.
 */
#ifndef TC_PROTO_H_INCLUDED
#define TC_PROTO_H_INCLUDED

#include "tc_core.h"
#include "tc_addr.h"

#define TC_PROTO_MAGIC       0x54435059u /* "TCPY" */
#define TC_PROTO_VERSION     1
#define TC_PROTO_PORT        36524
#define TC_PROTO_HDR_LEN     12
#define TC_PROTO_MAX_BODY    65536
#define TC_PROTO_ROUTE_ENTRY 20
#define TC_PROTO_NAME_MAX    63

typedef enum {
    TC_MSG_HELLO = 1,
    TC_MSG_ROUTE = 2,
    TC_MSG_REPLY = 3,
    TC_MSG_PING = 4,
    TC_MSG_PONG = 5
} tc_msg_type_e;

typedef enum { TC_ROLE_TCPCOPY = 1, TC_ROLE_INTERCEPT = 2 } tc_role_e;

/* Capabilities announced in HELLO. */
#define TC_CAP_REPLY_PAYLOAD 0x00000001u /* tcpcopy wants reply payloads */

typedef enum { TC_ROUTE_ADD = 1, TC_ROUTE_DEL = 2 } tc_route_op_e;

#define TC_REPLY_F_PAYLOAD 0x01

/* decode returns this when the frame's version is not TC_PROTO_VERSION;
 * out->version then holds the peer's version for the log line. */
#define TC_PROTO_EVERSION -3

typedef struct {
    uint8_t version;
    uint8_t type; /* tc_msg_type_e; unknown types are returned
                     as they are, for the caller to count/skip */
    uint16_t       flags;
    uint32_t       body_len;
    const uint8_t *body; /* points into the decoded buffer */
} tc_frame_t;

typedef struct {
    uint8_t  version;
    uint8_t  role; /* tc_role_e */
    uint32_t caps;
    char     name[TC_PROTO_NAME_MAX + 1]; /* NUL-terminated */
} tc_msg_hello_t;

typedef struct {
    uint8_t   op; /* tc_route_op_e */
    tc_addr_t addr;
    uint16_t  port; /* host order */
} tc_msg_route_t;

typedef struct {
    uint8_t        family; /* TC_AF_INET or TC_AF_INET6 */
    uint8_t        flags;  /* TC_REPLY_F_* */
    uint16_t       hdr_len;
    uint32_t       orig_len;
    const uint8_t *pkt;     /* hdr_len bytes, then payload if any */
    uint32_t       pkt_len; /* bytes at pkt (>= hdr_len) */
} tc_msg_reply_t;

/*
 * Decodes one frame from the start of a byte stream.  Returns the number of
 * bytes the frame occupies (header + body), TC_PARSE_PARTIAL if more bytes
 * are needed, TC_PARSE_INVALID for a bad magic or oversized length, or
 * TC_PROTO_EVERSION.
 */
int tc_proto_decode(const uint8_t *buf, size_t len, tc_frame_t *out);

/* Body decoders for a frame of the matching type: TC_OK or TC_ERROR. */
int tc_proto_decode_hello(const tc_frame_t *f, tc_msg_hello_t *out);
int tc_proto_decode_reply(const tc_frame_t *f, tc_msg_reply_t *out);
int tc_proto_decode_ping(const tc_frame_t *f, uint64_t *token);

/* ROUTE frames carry count entries: returns count (>= 1) or TC_ERROR if the
 * body is malformed; then tc_proto_route_at() reads entry i (TC_OK or
 * TC_ERROR for a bad op/family). */
int tc_proto_route_count(const tc_frame_t *f);
int tc_proto_route_at(const tc_frame_t *f, int i, tc_msg_route_t *out);

/*
 * Encoders write one whole frame into buf and return its length, or 0 if it
 * does not fit in cap (nothing useful is written then) or an argument is out
 * of range.
 */
size_t tc_proto_encode_hello(uint8_t *buf, size_t cap, const tc_msg_hello_t *m);
size_t tc_proto_encode_route(uint8_t *buf, size_t cap,
                             const tc_msg_route_t *routes, size_t n);
size_t tc_proto_encode_reply(uint8_t *buf, size_t cap, uint8_t family,
                             uint8_t flags, const uint8_t *pkt, size_t hdr_len,
                             size_t pkt_len, uint32_t orig_len);
size_t tc_proto_encode_ping(uint8_t *buf, size_t cap, uint8_t type,
                            uint64_t token); /* TC_MSG_PING or _PONG */

const char *tc_proto_type_str(int type);

#endif /* TC_PROTO_H_INCLUDED */
