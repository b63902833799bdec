/*
 * tc_pkt.c: bounds-checked IP+TCP parsing, segment building and Internet
 * checksums (RFC 1071 full sums, RFC 1624 incremental updates).
 *
 * Byte order of checksums: sums are taken over 16-bit words read from the
 * buffer with memcpy, i.e. in host order.  The one's-complement sum is
 * byte-order independent (RFC 1071, section 2(B)), so the folded result,
 * stored back with memcpy, is the correct header value on any host, and no
 * byte swapping happens on the per-packet path.  A uint16_t checksum in this
 * module is therefore always "the two bytes as they sit in the header".
 *
 * Every header field is read and written byte by byte (tc_get_be16() and
 * friends), never through a cast to a struct, so unaligned buffers and
 * strict-aliasing rules are not a concern.
 */
#include "tc_config.h"

#include <string.h>

#include "tc_bytes.h"
#include "tc_pkt.h"

#define TC_IPPROTO_TCP 6

/* IPv4 flags/fragment-offset word: MF bit and the 13-bit offset. */
#define TC_IP_DF      0x4000
#define TC_IP_MF      0x2000
#define TC_IP_OFFMASK 0x1fff

/* TCP option kinds (RFC 9293, RFC 7323, RFC 2018). */
#define TC_TCPOPT_EOL     0
#define TC_TCPOPT_NOP     1
#define TC_TCPOPT_MSS     2
#define TC_TCPOPT_WSCALE  3
#define TC_TCPOPT_SACK_OK 4
#define TC_TCPOPT_TS      8
#define TC_TCP_WSCALE_MAX 14

/* Offsets of the checksum fields inside their headers. */
#define TC_IPV4_CSUM_OFF 10
#define TC_TCP_CSUM_OFF  16

static inline uint16_t csum_fold16(uint32_t sum);
static inline uint32_t csum_delta(uint32_t delta, const void *old,
                                  const void *new_, size_t len);
static inline uint16_t csum_apply(uint16_t csum, uint32_t delta);
static int    parse_ipv4(const uint8_t *buf, size_t caplen, tc_pkt_view_t *out);
static int    parse_ipv6(const uint8_t *buf, size_t caplen, tc_pkt_view_t *out);
static int    parse_tcp(const uint8_t *buf, size_t caplen, bool len_known,
                        tc_pkt_view_t *out);
static void   parse_tcp_options(const uint8_t *opt, size_t len,
                                tc_pkt_view_t *out);
static size_t build_tcp_options(uint8_t *opt, const tc_seg_t *seg);
static void   build_ip_header(uint8_t *buf, const tc_seg_t *seg, size_t iphl,
                              size_t tcplen);
static uint32_t rewrite_field(uint8_t *field, const uint8_t *nb, size_t len,
                              uint32_t delta);
static void     store_csum(uint8_t *p, uint32_t delta);
static void rewrite_addr(uint8_t *field, tc_addr_t *cur, const tc_addr_t *want,
                         size_t alen, uint32_t *ip_delta, uint32_t *tcp_delta);
static const char *pkt_err_name(int err, bool key);


/*
 * tc_csum_add: the one's-complement sum of len bytes, added to sum.
 *
 * Why 64-bit words: with an end-around carry, a one's-complement sum of
 * 64-bit words folds to the same 16-bit value as the sum of 16-bit words
 * (2^16 == 1 mod 0xffff), and it does a quarter of the additions.  The
 * carry is recovered with a compare (acc < w after the add).
 *
 * An odd trailing byte is summed as if followed by a zero byte (RFC 1071),
 * so chaining calls is only correct when every chunk but the last has an
 * even length.  data may be unaligned.  Returns the unfolded 32-bit sum.
 */
uint32_t
tc_csum_add(uint32_t sum, const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t       acc = sum, w, w2, w3, w4;
    uint8_t        tail[8];

    /* Unrolled by four: the loads are independent, the carries are not. */
    while (len >= 32) {
        memcpy(&w, p, 8);
        memcpy(&w2, p + 8, 8);
        memcpy(&w3, p + 16, 8);
        memcpy(&w4, p + 24, 8);
        acc += w;
        acc += (acc < w);
        acc += w2;
        acc += (acc < w2);
        acc += w3;
        acc += (acc < w3);
        acc += w4;
        acc += (acc < w4);
        p += 32;
        len -= 32;
    }

    while (len >= 8) {
        memcpy(&w, p, 8);
        acc += w;
        acc += (acc < w);
        p += 8;
        len -= 8;
    }

    if (len > 0) {
        /* Zero padding keeps each byte in its 16-bit word's position. */
        memset(tail, 0, sizeof(tail));
        memcpy(tail, p, len);
        memcpy(&w, tail, 8);
        acc += w;
        acc += (acc < w);
    }

    /* 64 -> 33 -> 32 bits; the second step cannot carry again. */
    acc = (acc & 0xffffffff) + (acc >> 32);
    acc = (acc & 0xffffffff) + (acc >> 32);

    return (uint32_t) acc;
}


/* Folds a 32-bit sum to 16 bits with end-around carry (no complement).
 * A non-zero sum never folds to 0, which RFC 1624 eqn. 3 relies on. */
static inline uint16_t
csum_fold16(uint32_t sum)
{
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);

    return (uint16_t) sum;
}


/*
 * tc_csum_fold: folds sum to 16 bits and complements it.  The result is the
 * header value in memory order (store it with memcpy).
 */
uint16_t
tc_csum_fold(uint32_t sum)
{
    return (uint16_t) ~csum_fold16(sum);
}


/*
 * Accumulates the RFC 1624 term (~m + m') for one changed field into delta.
 * ~m is summed as 0xffff - fold(m): the same value modulo 0xffff.  Each call
 * adds at most 0x1fffe, so a handful of calls cannot overflow 32 bits.
 */
static inline uint32_t
csum_delta(uint32_t delta, const void *old, const void *new_, size_t len)
{
    delta += 0xffffu - csum_fold16(tc_csum_add(0, old, len));
    delta += csum_fold16(tc_csum_add(0, new_, len));

    return delta;
}


/*
 * HC' = ~(~HC + delta), RFC 1624 eqn. 3.  When HC was computed from scratch
 * over data whose sum is non-zero (true of any IPv4 or TCP header, thanks
 * to the version and protocol fields), ~HC is non-zero, the end-around-carry
 * sum cannot fold to 0, and the result equals a from-scratch checksum bit
 * for bit (no 0x0000 / 0xffff ambiguity).
 */
static inline uint16_t
csum_apply(uint16_t csum, uint32_t delta)
{
    return tc_csum_fold((uint32_t) (uint16_t) ~csum + delta);
}


/*
 * tc_csum_adjust: RFC 1624 eqn. 3 for len bytes (len even, at an even
 * offset in the checksummed data) changed from old to new_.  csum is the
 * stored header value (memory order); returns the new stored value.
 */
uint16_t
tc_csum_adjust(uint16_t csum, const void *old, const void *new_, size_t len)
{
    return csum_apply(csum, csum_delta(0, old, new_, len));
}


/*
 * tc_tcp_checksum: the TCP checksum from scratch over tcp_len bytes of
 * segment, with the pseudo header of RFC 9293 (IPv4) or RFC 8200 (IPv6).
 * The family is src's; the stored checksum field (bytes 16..17) is
 * skipped, as if zero.  Returns the value to store at tcp + 16.
 */
uint16_t
tc_tcp_checksum(const tc_addr_t *src, const tc_addr_t *dst, const uint8_t *tcp,
                size_t tcp_len)
{
    uint8_t  ph[40];
    size_t   alen, n;
    uint32_t sum;

    alen = (src->family == TC_AF_INET6) ? 16 : 4;
    memcpy(ph, src->addr, alen);
    memcpy(ph + alen, dst->addr, alen);
    n = 2 * alen;

    /*
     * IPv4: zero, protocol, 16-bit length.  The length goes in as a 32-bit
     * big-endian value (high word first) so that a BIG TCP segment over
     * 64 KiB still gets a well-defined sum; below 64 KiB the high word is
     * zero and this is exactly the RFC layout.  IPv6: 32-bit length, three
     * zero bytes, next header.
     */
    if (alen == 4) {
        ph[n++] = 0;
        ph[n++] = TC_IPPROTO_TCP;
        tc_put_be32(ph + n, (uint32_t) tcp_len);
        n += 4;
    } else {
        tc_put_be32(ph + n, (uint32_t) tcp_len);
        n += 4;
        ph[n++] = 0;
        ph[n++] = 0;
        ph[n++] = 0;
        ph[n++] = TC_IPPROTO_TCP;
    }

    sum = tc_csum_add(0, ph, n);

    if (tcp_len < TC_TCP_CSUM_OFF + 2) {
        return tc_csum_fold(tc_csum_add(sum, tcp, tcp_len));
    }

    sum = tc_csum_add(sum, tcp, TC_TCP_CSUM_OFF);
    sum = tc_csum_add(sum, tcp + TC_TCP_CSUM_OFF + 2,
                      tcp_len - TC_TCP_CSUM_OFF - 2);

    return tc_csum_fold(sum);
}


/*
 * tc_ipv4_checksum: the IPv4 header checksum from scratch over hlen bytes,
 * skipping the checksum field (bytes 10..11).  Returns the value to store
 * at ip + 10.
 */
uint16_t
tc_ipv4_checksum(const uint8_t *ip, size_t hlen)
{
    uint32_t sum;

    if (hlen < TC_IPV4_CSUM_OFF + 2) {
        return tc_csum_fold(tc_csum_add(0, ip, hlen));
    }

    sum = tc_csum_add(0, ip, TC_IPV4_CSUM_OFF);
    sum = tc_csum_add(sum, ip + TC_IPV4_CSUM_OFF + 2,
                      hlen - TC_IPV4_CSUM_OFF - 2);

    return tc_csum_fold(sum);
}


/*
 * tc_pkt_parse: see tc_pkt.h.  Only the version nibble is read before the
 * family-specific parser checks its own minimum length.
 */
int
tc_pkt_parse(const uint8_t *buf, size_t caplen, tc_pkt_view_t *out)
{
    if (caplen < 1) {
        return TC_PKT_ETRUNC;
    }

    switch (buf[0] >> 4) {
    case 4:
        return parse_ipv4(buf, caplen, out);
    case 6:
        return parse_ipv6(buf, caplen, out);
    default:
        return TC_PKT_EVERSION;
    }
}


/*
 * The IPv4 header.  Checks run in this order so each failure has one
 * reason: fixed header captured, ihl sane, tot_len >= ihl, options
 * captured, protocol, fragment.  The TCP checks follow in parse_tcp().
 */
static int
parse_ipv4(const uint8_t *buf, size_t caplen, tc_pkt_view_t *out)
{
    size_t   ihl;
    uint16_t tot_len, frag;

    if (caplen < TC_IPV4_HDR_MIN) {
        return TC_PKT_ETRUNC;
    }

    ihl = (size_t) (buf[0] & 0x0f) * 4;
    if (ihl < TC_IPV4_HDR_MIN) {
        return TC_PKT_EIPHDR;
    }

    tot_len = tc_get_be16(buf + 2);
    if (tot_len != 0 && tot_len < ihl) {
        return TC_PKT_EIPHDR;
    }

    if (caplen < ihl) {
        return TC_PKT_ETRUNC;
    }

    if (buf[9] != TC_IPPROTO_TCP) {
        return TC_PKT_EPROTO;
    }

    /* A later fragment has no TCP header; a first one has a TCP header but
     * only part of the segment, so neither can be replayed on its own. */
    frag = tc_get_be16(buf + 6);
    if (frag & (TC_IP_MF | TC_IP_OFFMASK)) {
        return TC_PKT_EFRAG;
    }

    out->ip_version = 4;
    out->ttl = buf[8];
    out->ip_id = tc_get_be16(buf + 4);
    memset(&out->src, 0, sizeof(out->src));
    memset(&out->dst, 0, sizeof(out->dst));
    out->src.family = TC_AF_INET;
    out->dst.family = TC_AF_INET;
    memcpy(out->src.addr, buf + 12, 4);
    memcpy(out->dst.addr, buf + 16, 4);
    out->ip = buf;
    out->ip_hlen = (uint16_t) ihl;

    /* tot_len 0: a TSO/GRO "BIG TCP" super-packet seen before
     * segmentation; its real length is whatever was captured. */
    if (tot_len == 0) {
        out->ip_len = (caplen > UINT32_MAX) ? UINT32_MAX : (uint32_t) caplen;
        return parse_tcp(buf, caplen, false, out);
    }

    out->ip_len = tot_len;
    return parse_tcp(buf, caplen, true, out);
}


/*
 * The IPv6 fixed header.  Extension headers are not walked: any next header
 * but TCP is TC_PKT_EPROTO (the capture filter is expected to ask for TCP).
 */
static int
parse_ipv6(const uint8_t *buf, size_t caplen, tc_pkt_view_t *out)
{
    uint16_t plen;

    if (caplen < TC_IPV6_HDR_LEN) {
        return TC_PKT_ETRUNC;
    }

    if (buf[6] != TC_IPPROTO_TCP) {
        return TC_PKT_EPROTO;
    }

    out->ip_version = 6;
    out->ttl = buf[7];
    out->ip_id = 0;
    out->src.family = TC_AF_INET6;
    out->dst.family = TC_AF_INET6;
    memcpy(out->src.addr, buf + 8, 16);
    memcpy(out->dst.addr, buf + 24, 16);
    out->ip = buf;
    out->ip_hlen = TC_IPV6_HDR_LEN;

    /* Payload length 0: a jumbogram or an IPv6 BIG TCP packet whose
     * hop-by-hop header the kernel already stripped; use caplen. */
    plen = tc_get_be16(buf + 4);
    if (plen == 0) {
        out->ip_len = (caplen > UINT32_MAX) ? UINT32_MAX : (uint32_t) caplen;
        return parse_tcp(buf, caplen, false, out);
    }

    out->ip_len = (uint32_t) TC_IPV6_HDR_LEN + plen;
    return parse_tcp(buf, caplen, true, out);
}


/*
 * The TCP header, at buf + out->ip_hlen, with out->ip_len set.  len_known
 * is false when ip_len was taken from caplen (no length in the header):
 * then a short packet can only be a truncated capture, not a lying header.
 */
static int
parse_tcp(const uint8_t *buf, size_t caplen, bool len_known, tc_pkt_view_t *out)
{
    const uint8_t *tcp;
    size_t         hlen, thlen, end;

    hlen = out->ip_hlen;

    if (len_known && out->ip_len < hlen + TC_TCP_HDR_MIN) {
        return TC_PKT_EIPHDR;
    }

    if (caplen < hlen + TC_TCP_HDR_MIN) {
        return TC_PKT_ETRUNC;
    }

    tcp = buf + hlen;
    thlen = (size_t) (tcp[12] >> 4) * 4;
    if (thlen < TC_TCP_HDR_MIN) {
        return TC_PKT_ETCPHDR;
    }

    if (len_known && out->ip_len < hlen + thlen) {
        return TC_PKT_ETCPHDR;
    }

    if (caplen < hlen + thlen) {
        return TC_PKT_ETRUNC;
    }

    out->tcp = tcp;
    out->tcp_hlen = (uint16_t) thlen;
    out->sport = tc_get_be16(tcp);
    out->dport = tc_get_be16(tcp + 2);
    out->seq = tc_get_be32(tcp + 4);
    out->ack = tc_get_be32(tcp + 8);
    out->flags = tcp[13];
    out->window = tc_get_be16(tcp + 14);

    /* Trailing bytes past ip_len (Ethernet padding) are not payload; bytes
     * missing below ip_len (snaplen) are counted but not present. */
    end = tc_min(caplen, (size_t) out->ip_len);
    out->payload = tcp + thlen;
    out->payload_len = out->ip_len - (uint32_t) (hlen + thlen);
    out->payload_caplen = (uint32_t) (end - hlen - thlen);

    parse_tcp_options(tcp + TC_TCP_HDR_MIN, thlen - TC_TCP_HDR_MIN, out);

    return TC_PKT_OK;
}


/*
 * Walks the TCP option list (len bytes, all captured).  Lenient by design:
 * a real stack accepts a segment with odd options, and so must a replay
 * tool, so a malformed list only ends the walk.  A known kind with the wrong
 * length is skipped by its length and ignored.
 */
static void
parse_tcp_options(const uint8_t *opt, size_t len, tc_pkt_view_t *out)
{
    size_t  i, olen;
    uint8_t kind;

    out->mss = 0;
    out->wscale = -1;
    out->sack_ok = false;
    out->has_ts = false;
    out->ts_val = 0;
    out->ts_ecr = 0;

    i = 0;
    while (i < len) {
        kind = opt[i];
        if (kind == TC_TCPOPT_EOL) {
            break;
        }
        if (kind == TC_TCPOPT_NOP) {
            i++;
            continue;
        }

        if (len - i < 2) {
            break;
        }
        olen = opt[i + 1];
        if (olen < 2 || olen > len - i) {
            break;
        }

        if (kind == TC_TCPOPT_MSS && olen == 4) {
            out->mss = tc_get_be16(opt + i + 2);
        } else if (kind == TC_TCPOPT_WSCALE && olen == 3) {
            /* RFC 7323 2.3: treat a shift above 14 as 14. */
            out->wscale = (int8_t) tc_min(opt[i + 2], TC_TCP_WSCALE_MAX);
        } else if (kind == TC_TCPOPT_SACK_OK && olen == 2) {
            out->sack_ok = true;
        } else if (kind == TC_TCPOPT_TS && olen == 10) {
            out->has_ts = true;
            out->ts_val = tc_get_be32(opt + i + 2);
            out->ts_ecr = tc_get_be32(opt + i + 6);
        }

        i += olen;
    }
}


/* One row per reason: a short key for ledgers and metrics, and a text. */
static const struct {
    const char *key;
    const char *text;
} tc_pkt_errs[TC_PKT_NERR] = {
    [TC_PKT_OK] = {"ok", "ok"},
    [TC_PKT_ETRUNC] = {"trunc", "truncated"},
    [TC_PKT_EVERSION] = {"ipver", "bad ip version"},
    [TC_PKT_EIPHDR] = {"iphdr", "bad ip header"},
    [TC_PKT_EPROTO] = {"notcp", "not tcp"},
    [TC_PKT_EFRAG] = {"frag", "ip fragment"},
    [TC_PKT_ETCPHDR] = {"tcphdr", "bad tcp header"},
};


/* The key or the text of err; "unknown" for a value outside the table. */
static const char *
pkt_err_name(int err, bool key)
{
    if (err < 0 || err >= TC_PKT_NERR || tc_pkt_errs[err].text == NULL) {
        return "unknown";
    }
    return key ? tc_pkt_errs[err].key : tc_pkt_errs[err].text;
}


const char *
tc_pkt_err_str(int err)
{
    return pkt_err_name(err, false);
}


const char *
tc_pkt_err_key(int err)
{
    return pkt_err_name(err, true);
}


/*
 * Writes the options tc_seg_t asks for at opt and returns their length, a
 * multiple of 4 (at most 12).  Window scale is preceded by a NOP so the
 * pair fills one 32-bit word; the list is padded with EOL bytes.
 */
static size_t
build_tcp_options(uint8_t *opt, const tc_seg_t *seg)
{
    size_t n = 0;

    /* Written whenever set (tc_pkt.h); RFC 9293 wants it on SYNs only,
     * which is the caller's choice to make. */
    if (seg->mss != 0) {
        opt[n++] = TC_TCPOPT_MSS;
        opt[n++] = 4;
        tc_put_be16(opt + n, seg->mss);
        n += 2;
    }

    if (seg->wscale >= 0) {
        opt[n++] = TC_TCPOPT_NOP;
        opt[n++] = TC_TCPOPT_WSCALE;
        opt[n++] = 3;
        opt[n++] = (uint8_t) tc_min(seg->wscale, TC_TCP_WSCALE_MAX);
    }

    if (seg->sack_ok) {
        opt[n++] = TC_TCPOPT_SACK_OK;
        opt[n++] = 2;
    }

    while (n % 4 != 0) {
        opt[n++] = TC_TCPOPT_EOL;
    }

    return n;
}


/*
 * Writes the IP header (iphl bytes: 20 means IPv4, 40 IPv6) for a TCP
 * segment of tcplen bytes, including the IPv4 header checksum.
 */
static void
build_ip_header(uint8_t *buf, const tc_seg_t *seg, size_t iphl, size_t tcplen)
{
    uint16_t csum;
    uint8_t  ttl = seg->ttl ? seg->ttl : 64;

    if (iphl == TC_IPV4_HDR_MIN) {
        buf[0] = 0x45; /* version 4, ihl 5: no IP options */
        buf[1] = 0;
        tc_put_be16(buf + 2, (uint16_t) (iphl + tcplen));
        tc_put_be16(buf + 4, seg->ip_id);
        /* DF: a replayed segment must not be fragmented on the way. */
        tc_put_be16(buf + 6, TC_IP_DF);
        buf[8] = ttl;
        buf[9] = TC_IPPROTO_TCP;
        memcpy(buf + 12, seg->src.addr, 4);
        memcpy(buf + 16, seg->dst.addr, 4);
        csum = tc_ipv4_checksum(buf, iphl);
        memcpy(buf + TC_IPV4_CSUM_OFF, &csum, 2);
        return;
    }

    tc_put_be32(buf, 0x60000000); /* version 6, class 0, flow 0 */
    tc_put_be16(buf + 4, (uint16_t) tcplen);
    buf[6] = TC_IPPROTO_TCP;
    buf[7] = ttl;
    memcpy(buf + 8, seg->src.addr, 16);
    memcpy(buf + 24, seg->dst.addr, 16);
}


/*
 * tc_pkt_build: see tc_pkt.h.  seg->src and seg->dst must have the same
 * family.  payload may be NULL when len is 0.  Nothing is written when the
 * result is 0.
 */
size_t
tc_pkt_build(uint8_t *buf, size_t cap, const tc_seg_t *seg,
             const uint8_t *payload, size_t len)
{
    uint8_t  opt[12], *tcp;
    size_t   iphl, optlen, tcplen, total;
    uint16_t csum;

    if (seg->src.family != seg->dst.family) {
        return 0;
    }
    if (seg->src.family == TC_AF_INET) {
        iphl = TC_IPV4_HDR_MIN;
    } else if (seg->src.family == TC_AF_INET6) {
        iphl = TC_IPV6_HDR_LEN;
    } else {
        return 0;
    }

    optlen = build_tcp_options(opt, seg);
    tcplen = TC_TCP_HDR_MIN + optlen + len;

    /* Both length fields are 16 bits (IPv4 total, IPv6 payload). */
    if (len > 0xffff ||
        tcplen > 0xffff - (iphl == TC_IPV4_HDR_MIN ? iphl : 0) ||
        iphl + tcplen > cap) {
        return 0;
    }
    total = iphl + tcplen;

    build_ip_header(buf, seg, iphl, tcplen);

    tcp = buf + iphl;
    tc_put_be16(tcp, seg->sport);
    tc_put_be16(tcp + 2, seg->dport);
    tc_put_be32(tcp + 4, seg->seq);
    tc_put_be32(tcp + 8, seg->ack);
    tcp[12] = (uint8_t) (((TC_TCP_HDR_MIN + optlen) / 4) << 4);
    tcp[13] = seg->flags;
    tc_put_be16(tcp + 14, seg->window);
    tc_put_be16(tcp + 16, 0);
    tc_put_be16(tcp + 18, 0); /* urgent pointer */
    memcpy(tcp + TC_TCP_HDR_MIN, opt, optlen);
    if (len > 0) {
        memcpy(tcp + TC_TCP_HDR_MIN + optlen, payload, len);
    }

    csum = tc_tcp_checksum(&seg->src, &seg->dst, tcp, tcplen);
    memcpy(tcp + TC_TCP_CSUM_OFF, &csum, 2);

    return total;
}


/*
 * Replaces one address (alen bytes at field, same family as want) and
 * accumulates the checksum deltas: the IPv4 header checksum covers the
 * address (ip_delta non-NULL), the TCP checksum covers it through the
 * pseudo header.  Both see the same bytes change, so the RFC 1624 term is
 * summed once and added to both.
 */
static void
rewrite_addr(uint8_t *field, tc_addr_t *cur, const tc_addr_t *want, size_t alen,
             uint32_t *ip_delta, uint32_t *tcp_delta)
{
    uint32_t d = csum_delta(0, field, want->addr, alen);

    if (ip_delta != NULL) {
        *ip_delta += d;
    }
    *tcp_delta += d;

    memcpy(field, want->addr, alen);
    /* memmove: want may be the view's own address (rw->src = &v->src). */
    memmove(cur->addr, want->addr, alen);
}


/* Overwrites len header bytes at field with nb; returns delta plus the
 * field's RFC 1624 term. */
static uint32_t
rewrite_field(uint8_t *field, const uint8_t *nb, size_t len, uint32_t delta)
{
    delta = csum_delta(delta, field, nb, len);
    memcpy(field, nb, len);

    return delta;
}


/*
 * Applies an accumulated delta to the checksum stored at p.  A zero delta
 * is a no-op modulo 0xffff (csum_apply would return the same value for any
 * valid checksum); skipping it leaves the packet byte for byte untouched
 * when nothing was asked for, and leaves p alone for IPv6 (no IP checksum).
 */
static void
store_csum(uint8_t *p, uint32_t delta)
{
    uint16_t csum;

    if (delta == 0) {
        return;
    }
    memcpy(&csum, p, 2);
    csum = csum_apply(csum, delta);
    memcpy(p, &csum, 2);
}


/*
 * tc_pkt_rewrite: see tc_pkt.h.  pkt is the writable start of the buffer v
 * was parsed from (the IP header itself, or any earlier point such as a
 * link-layer header); v->ip and v->tcp must lie at or after it.  Every
 * requested change is validated before anything is written, so TC_ERROR
 * leaves the packet and the view untouched.  Only header bytes are touched:
 * the payload need not have been captured.
 */
int
tc_pkt_rewrite(uint8_t *pkt, tc_pkt_view_t *v, const tc_pkt_rewrite_t *rw)
{
    uint8_t *ip, *tcp, nb[4];
    uint32_t ip_delta = 0, tcp_delta = 0;
    size_t   alen;

    if (v->ip < pkt || v->tcp < v->ip ||
        (rw->src != NULL && rw->src->family != v->src.family) ||
        (rw->dst != NULL && rw->dst->family != v->dst.family) ||
        rw->sport > 0xffff || rw->dport > 0xffff) {
        return TC_ERROR;
    }

    /* The caller vouched that the buffer is writable; v only kept a const
     * view of it.  Offsets, not casts, recover the writable pointers. */
    ip = pkt + (v->ip - pkt);
    tcp = pkt + (v->tcp - pkt);
    alen = (v->ip_version == 4) ? 4 : 16;

    if (rw->src != NULL) {
        rewrite_addr(ip + (alen == 4 ? 12 : 8), &v->src, rw->src, alen,
                     alen == 4 ? &ip_delta : NULL, &tcp_delta);
    }
    if (rw->dst != NULL) {
        rewrite_addr(ip + (alen == 4 ? 16 : 24), &v->dst, rw->dst, alen,
                     alen == 4 ? &ip_delta : NULL, &tcp_delta);
    }

    if (rw->sport >= 0) {
        tc_put_be16(nb, (uint16_t) rw->sport);
        tcp_delta = rewrite_field(tcp, nb, 2, tcp_delta);
        v->sport = (uint16_t) rw->sport;
    }
    if (rw->dport >= 0) {
        tc_put_be16(nb, (uint16_t) rw->dport);
        tcp_delta = rewrite_field(tcp + 2, nb, 2, tcp_delta);
        v->dport = (uint16_t) rw->dport;
    }
    if (rw->set_seq) {
        tc_put_be32(nb, rw->seq);
        tcp_delta = rewrite_field(tcp + 4, nb, 4, tcp_delta);
        v->seq = rw->seq;
    }
    if (rw->set_ack) {
        tc_put_be32(nb, rw->ack);
        tcp_delta = rewrite_field(tcp + 8, nb, 4, tcp_delta);
        v->ack = rw->ack;
    }

    store_csum(ip + TC_IPV4_CSUM_OFF, ip_delta);
    store_csum(tcp + TC_TCP_CSUM_OFF, tcp_delta);

    return TC_OK;
}
