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
 *   CHECK  token u32 | flags u32 (0; unknown bits ignored)
 *   CHECK_REPLY  token u32 | items, item = tag u8 | len u8 | value[len]:
 *          tag 1..TC_CHECK_N_MAX  a number, len 8, u64 (tc_check_num_e + 1)
 *          tag 0x40 VERSION       intercept's version, text <= 31 bytes
 *          tag 0x41 DEVICES       its capture devices (-i), text <= 255
 *          tag 0x42 FILTER        its capture filter (-F), text <= 255
 *          tag 0x43 RP_FILTER     value u8 | device name (1..15 bytes)
 *          other tags are skipped (a newer intercept may say more)
 *   CHECK and CHECK_REPLY travel only on a connection whose HELLOs both
 *   carry TC_CAP_CHECK (tcpcopy --check asks, intercept grants): an older
 *   intercept does not grant it, and tcpcopy says so instead of waiting.
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
    TC_MSG_PONG = 5,
    TC_MSG_CHECK = 6,      /* tcpcopy --check asks for intercept's report */
    TC_MSG_CHECK_REPLY = 7 /* intercept's report about its host */
} tc_msg_type_e;

typedef enum { TC_ROLE_TCPCOPY = 1, TC_ROLE_INTERCEPT = 2 } tc_role_e;

/* Capabilities announced in HELLO. */
#define TC_CAP_REPLY_PAYLOAD 0x00000001u /* tcpcopy wants reply payloads */
#define TC_CAP_CHECK         0x00000002u /* CHECK / CHECK_REPLY understood */

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

/* The numbers of a CHECK_REPLY (wire tag = value + 1). */
typedef enum {
    TC_CHECK_N_INPUT = 0,          /* TC_CHECK_INPUT_* */
    TC_CHECK_N_QUEUE_NUM,          /* NFQUEUE number */
    TC_CHECK_N_IP_FORWARD,         /* net.ipv4.ip_forward */
    TC_CHECK_N_PACKETS,            /* packets its input handed over */
    TC_CHECK_N_QUEUE_SEQ,          /* kernel's id sequence of its queue */
    TC_CHECK_N_QUEUE_DROPPED,      /* kernel: queue full */
    TC_CHECK_N_QUEUE_USER_DROPPED, /* kernel: socket full */
    TC_CHECK_N_CONNS,              /* control connections open */
    TC_CHECK_N_ROUTES,             /* client endpoints with an owner */
    TC_CHECK_N_DELIVERED,          /* REPLY frames queued since start */
    TC_CHECK_N_EXPIRED,            /* replies whose ROUTE never came */
    TC_CHECK_N_UPTIME,             /* seconds since intercept started */
    TC_CHECK_N_MAX
} tc_check_num_e;

typedef enum { TC_CHECK_INPUT_NFQUEUE = 1, TC_CHECK_INPUT_PCAP } tc_check_in_e;

#define TC_CHECK_VERSION_MAX 31
#define TC_CHECK_TEXT_MAX    255
#define TC_CHECK_IFNAME_MAX  15 /* IFNAMSIZ - 1 */
#define TC_CHECK_RPF_MAX     32
/* Room for the largest CHECK_REPLY frame (pinned in tc_proto.c). */
#define TC_CHECK_FRAME_MAX 1536

typedef struct {
    char    dev[TC_CHECK_IFNAME_MAX + 1]; /* "all", "default", "eth0" */
    uint8_t value;
} tc_check_rpf_t;

/* intercept's report about its host.  A number is valid only if its bit
 * (1 << tc_check_num_e) is in has: what intercept could not read (or an
 * older intercept does not know) is absent, never a made-up 0. */
typedef struct {
    uint32_t       token;
    uint32_t       has;
    uint64_t       num[TC_CHECK_N_MAX];
    char           version[TC_CHECK_VERSION_MAX + 1];
    char           devices[TC_CHECK_TEXT_MAX + 1];
    char           filter[TC_CHECK_TEXT_MAX + 1];
    size_t         nrpf;
    tc_check_rpf_t rpf[TC_CHECK_RPF_MAX];
} tc_msg_check_reply_t;


/* Sets number n of a report (and its bit in has). */
static inline void
tc_check_set(tc_msg_check_reply_t *r, tc_check_num_e n, uint64_t v)
{
    r->num[n] = v;
    r->has |= 1u << n;
}


/* Whether number n of a report is present. */
static inline bool
tc_check_has(const tc_msg_check_reply_t *r, tc_check_num_e n)
{
    return (r->has & (1u << n)) != 0;
}


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
int tc_proto_decode_check(const tc_frame_t *f, uint32_t *token);
/* Fills out from a CHECK_REPLY (strings NUL-terminated, unknown tags
 * skipped, a repeated number or text keeps the last value).  TC_ERROR for
 * a truncated item, a number not 8 bytes long, a text too long or holding
 * a NUL, a RP_FILTER without a name, or more than TC_CHECK_RPF_MAX. */
int tc_proto_decode_check_reply(const tc_frame_t *f, tc_msg_check_reply_t *out);

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
size_t tc_proto_encode_check(uint8_t *buf, size_t cap, uint32_t token);
/* Writes the numbers present in m->has, then the non-empty texts, then the
 * rp_filter entries.  0 if it does not fit, or m has an unknown bit in has,
 * an unterminated or over-long text, a nameless entry or nrpf too big. */
size_t tc_proto_encode_check_reply(uint8_t *buf, size_t cap,
                                   const tc_msg_check_reply_t *m);

const char *tc_proto_type_str(int type);

#endif /* TC_PROTO_H_INCLUDED */
