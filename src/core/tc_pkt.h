/*
 * tc_pkt.h: bounds-checked parsing of IP+TCP packets, building of TCP
 * segments, and checksums (full and RFC 1624 incremental).
 *
 * Parsing is pure: (buf, caplen) in, a view out; no allocation, no globals.
 * Every read is checked against caplen; header length fields are
 * cross-checked against each other and against caplen.  A view points into
 * the caller's buffer and is valid as long as that buffer is.
 */
#ifndef TC_PKT_H_INCLUDED
#define TC_PKT_H_INCLUDED

#include "tc_core.h"
#include "tc_addr.h"

#define TC_TCP_FIN 0x01
#define TC_TCP_SYN 0x02
#define TC_TCP_RST 0x04
#define TC_TCP_PSH 0x08
#define TC_TCP_ACK 0x10
#define TC_TCP_URG 0x20
#define TC_TCP_ECE 0x40
#define TC_TCP_CWR 0x80

#define TC_IPV4_HDR_MIN 20
#define TC_IPV6_HDR_LEN 40
#define TC_TCP_HDR_MIN  20
/* Largest IP+TCP header: 60 + 60 (IPv4) or 40 + 60 (IPv6, no ext hdrs). */
#define TC_PKT_HDR_MAX 120

/* Why a packet was not parsed; each has a ledger counter. */
typedef enum {
    TC_PKT_OK = 0,
    TC_PKT_ETRUNC,   /* caplen shorter than the headers it announces */
    TC_PKT_EVERSION, /* IP version neither 4 nor 6 */
    TC_PKT_EIPHDR,   /* IPv4 ihl < 5, or total length < headers */
    TC_PKT_EPROTO,   /* not TCP (including IPv6 extension headers) */
    TC_PKT_EFRAG,    /* an IP fragment: TCP header not reliably present */
    TC_PKT_ETCPHDR,  /* TCP data offset < 5 or past the IP payload */
    TC_PKT_NERR
} tc_pkt_err_e;

typedef struct {
    uint8_t        ip_version; /* 4 or 6 */
    uint8_t        ttl;        /* TTL or hop limit */
    uint16_t       ip_id;      /* IPv4 identification, 0 for IPv6 */
    tc_addr_t      src;
    tc_addr_t      dst;
    const uint8_t *ip;       /* start of the IP header */
    uint16_t       ip_hlen;  /* IP header bytes */
    uint32_t       ip_len;   /* IP total length by header (may > caplen);
                                IPv4 tot_len 0 (TSO/BIG TCP) => caplen */
    const uint8_t *tcp;      /* start of the TCP header */
    uint16_t       tcp_hlen; /* data offset * 4 */
    uint16_t       sport;    /* host order */
    uint16_t       dport;
    uint32_t       seq;
    uint32_t       ack;
    uint8_t        flags;  /* TC_TCP_* */
    uint16_t       window; /* raw, unscaled */
    const uint8_t *payload;
    uint32_t       payload_len;    /* by header lengths */
    uint32_t       payload_caplen; /* bytes present in the buffer (<= len) */
    /* TCP options (parsed leniently: a malformed option list stops the
     * option walk but does not reject the packet). */
    uint16_t mss;    /* 0 if absent */
    int8_t   wscale; /* -1 if absent; clamped to 14 */
    bool     sack_ok;
    bool     has_ts;
    uint32_t ts_val;
    uint32_t ts_ecr;
} tc_pkt_view_t;

/* The packet's source and destination endpoints (the keys of the session,
 * flow and route tables). */
static inline tc_endpoint_t
tc_pkt_src(const tc_pkt_view_t *v)
{
    return (tc_endpoint_t){.ip = v->src, .port = v->sport};
}

static inline tc_endpoint_t
tc_pkt_dst(const tc_pkt_view_t *v)
{
    return (tc_endpoint_t){.ip = v->dst, .port = v->dport};
}

/*
 * Parses an IP packet that starts at buf (no link-layer header).  Returns
 * TC_PKT_OK and fills *out, or a tc_pkt_err_e reason (out is then
 * unspecified).  Bytes past the IP total length (padding) are ignored.
 */
int tc_pkt_parse(const uint8_t *buf, size_t caplen, tc_pkt_view_t *out);

/* A short constant name for a tc_pkt_err_e ("truncated", ...). */
const char *tc_pkt_err_str(int err);

/* The same reason as a short key for ledgers and metrics ("trunc", ...). */
const char *tc_pkt_err_key(int err);

/* What tc_pkt_build() writes. */
typedef struct {
    tc_addr_t src;
    tc_addr_t dst;
    uint16_t  sport; /* host order */
    uint16_t  dport;
    uint32_t  seq;
    uint32_t  ack;
    uint8_t   flags;
    uint16_t  window; /* raw value written to the header */
    uint16_t  ip_id;
    uint8_t   ttl;    /* 0 means 64 */
    uint16_t  mss;    /* MSS option written when non-zero */
    int8_t    wscale; /* window-scale option written when >= 0 */
    bool      sack_ok;
} tc_seg_t;

/*
 * Builds one IPv4 (or IPv6) + TCP segment with payload into buf and fills
 * both checksums from scratch (IPv4 DF set).  Returns the packet length,
 * or 0 if it does not fit in cap or the address family is unknown.
 */
size_t tc_pkt_build(uint8_t *buf, size_t cap, const tc_seg_t *seg,
                    const uint8_t *payload, size_t len);

/* In-place rewrite of selected fields; NULL / negative means "keep". */
typedef struct {
    const tc_addr_t *src;
    const tc_addr_t *dst;
    int32_t          sport; /* -1 keeps */
    int32_t          dport; /* -1 keeps */
    bool             set_seq;
    uint32_t         seq;
    bool             set_ack;
    uint32_t         ack;
} tc_pkt_rewrite_t;

/*
 * Rewrites the fields named in rw in the packet v was parsed from (v->ip
 * must point into writable memory: pkt).  Checksums are updated
 * incrementally (RFC 1624, eqn. 3), so the payload is not re-read and a
 * packet whose payload was not fully captured keeps a correct checksum.
 * Family changes are not supported.  Returns TC_OK or TC_ERROR.
 */
int tc_pkt_rewrite(uint8_t *pkt, tc_pkt_view_t *v, const tc_pkt_rewrite_t *rw);

/* One's-complement sum of len bytes added to sum (not folded). */
uint32_t tc_csum_add(uint32_t sum, const void *data, size_t len);

/* Folds a 32-bit sum and returns the complemented 16-bit checksum, in
 * network byte order as it is stored in headers. */
uint16_t tc_csum_fold(uint32_t sum);

/* The TCP checksum computed from scratch over a whole segment (pseudo
 * header from src/dst, the checksum field itself taken as zero). */
uint16_t tc_tcp_checksum(const tc_addr_t *src, const tc_addr_t *dst,
                         const uint8_t *tcp, size_t tcp_len);

/* The IPv4 header checksum from scratch (field taken as zero). */
uint16_t tc_ipv4_checksum(const uint8_t *ip, size_t hlen);

/*
 * RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m').  Adjusts the stored checksum
 * csum (as stored, network order) for a change of len bytes (len even) from
 * old to new.  Returns the new stored checksum.
 */
uint16_t tc_csum_adjust(uint16_t csum, const void *old, const void *new_,
                        size_t len);

#endif /* TC_PKT_H_INCLUDED */
