/*
 * test_pkt.c: unit tests for src/core/tc_pkt.c: parsing (truncation at
 * every length, header cross-checks, options), building, rewriting with
 * incremental checksums and the checksum helpers.
 *
 * Parser inputs are copied to the end of a mapping followed by a PROT_NONE
 * guard page, so a read one byte past caplen faults even without ASan
 * (and with it: the mapping is not heap memory ASan would know about).
 * Checksums are checked against a deliberately naive reference (big-endian
 * 16-bit words, RFC 1071 section 4.1) that shares no code with tc_pkt.c.
 */
#include "tc_config.h"

#include <stdlib.h>
#include <string.h>

#include "tc_pkt.h"
#include "t_guard.h"
#include "t_harness.h"

#define T_GUARD_BYTES (32 * 4096)

static int
parse_guarded(const void *pkt, size_t caplen, tc_pkt_view_t *v)
{
    return tc_pkt_parse(t_at_guard(pkt, caplen), caplen, v);
}


/* xorshift64*: deterministic, so a failure reproduces. */
static uint64_t
rnd(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545f4914f6cdd1dULL;
}


static void
rnd_bytes(uint64_t *s, uint8_t *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        p[i] = (uint8_t) rnd(s);
    }
}


static uint16_t
be16(const uint8_t *p)
{
    return (uint16_t) (p[0] << 8 | p[1]);
}


static void
set_be16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t) (v >> 8);
    p[1] = (uint8_t) v;
}


/* A stored (memory-order) checksum as its big-endian numeric value. */
static uint16_t
stored_be(uint16_t c)
{
    uint8_t b[2];

    memcpy(b, &c, 2);
    return be16(b);
}


/* Reference one's-complement sum, big-endian words, folded. */
static uint32_t
ref_sum(uint32_t s, const uint8_t *p, size_t len)
{
    size_t i;

    for (i = 0; i + 1 < len; i += 2) {
        s += (uint32_t) be16(p + i);
    }
    if (len & 1) {
        s += (uint32_t) p[len - 1] << 8;
    }
    while (s >> 16) {
        s = (s & 0xffff) + (s >> 16);
    }
    return s;
}


/* Reference TCP checksum (big-endian value) over a copy with the checksum
 * field zeroed. */
static uint16_t
ref_tcp_csum(const tc_addr_t *src, const tc_addr_t *dst, const uint8_t *tcp,
             size_t len)
{
    static uint8_t seg[70000];
    uint8_t        ph[40];
    size_t         alen = src->family == TC_AF_INET6 ? 16 : 4;
    uint32_t       s;

    memcpy(ph, src->addr, alen);
    memcpy(ph + alen, dst->addr, alen);
    s = ref_sum(0, ph, 2 * alen);
    s += 6 + (uint32_t) (len >> 16) + (uint32_t) (len & 0xffff);
    memcpy(seg, tcp, len);
    seg[16] = seg[17] = 0;
    return (uint16_t) ~ref_sum(s, seg, len);
}


static uint16_t
ref_ip_csum(const uint8_t *ip, size_t hlen)
{
    uint8_t h[60];

    memcpy(h, ip, hlen);
    h[10] = h[11] = 0;
    return (uint16_t) ~ref_sum(0, h, hlen);
}


static void
addr4(tc_addr_t *a, uint8_t a0, uint8_t a1, uint8_t a2, uint8_t a3)
{
    uint8_t b[4] = {a0, a1, a2, a3};

    tc_addr_set4(a, b);
}


static void
addr_rnd(tc_addr_t *a, int family, uint64_t *s)
{
    memset(a, 0, sizeof(*a));
    a->family = (uint8_t) family;
    rnd_bytes(s, a->addr, family == TC_AF_INET ? 4 : 16);
}


/* A typical segment: 10.0.0.1:40000 -> 10.0.0.2:80 with all options. */
static void
seg_default(tc_seg_t *seg, int family)
{
    uint64_t s = 42;

    memset(seg, 0, sizeof(*seg));
    if (family == TC_AF_INET) {
        addr4(&seg->src, 10, 0, 0, 1);
        addr4(&seg->dst, 10, 0, 0, 2);
    } else {
        addr_rnd(&seg->src, TC_AF_INET6, &s);
        addr_rnd(&seg->dst, TC_AF_INET6, &s);
    }
    seg->sport = 40000;
    seg->dport = 80;
    seg->seq = 0x01020304;
    seg->ack = 0xa0b0c0d0;
    seg->flags = TC_TCP_SYN | TC_TCP_ACK;
    seg->window = 65535;
    seg->ip_id = 0x1234;
    seg->mss = 1460;
    seg->wscale = 7;
    seg->sack_ok = true;
}


static void
test_csum_known(void)
{
    /* RFC 1071 4.1 example and a classic IPv4 header. */
    static const uint8_t rfc[8] = {0x00, 0x01, 0xf2, 0x03,
                                   0xf4, 0xf5, 0xf6, 0xf7};
    static const uint8_t hdr[20] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40,
                                    0x00, 0x40, 0x11, 0xb8, 0x61, 0xc0, 0xa8,
                                    0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};

    T_CHECK_EQ(stored_be(tc_csum_fold(tc_csum_add(0, rfc, 8))),
               (uint16_t) ~0xddf2);
    T_CHECK_EQ(stored_be(tc_ipv4_checksum(hdr, 20)), 0xb861);
    T_CHECK_EQ(stored_be(tc_csum_fold(0)), 0xffff);
    T_CHECK_EQ(stored_be(tc_csum_fold(tc_csum_add(0, hdr, 0))), 0xffff);
}


static void
test_csum_lengths_offsets(void)
{
    static uint8_t buf[600];
    uint64_t       s = 1;
    size_t         len, off;
    uint32_t       sum;

    rnd_bytes(&s, buf, sizeof(buf));
    /* Every length (odd ones included) at every alignment. */
    for (off = 0; off < 8; off++) {
        for (len = 0; len <= 520; len++) {
            T_CHECK_EQ(stored_be(tc_csum_fold(tc_csum_add(0, buf + off, len))),
                       (uint16_t) ~ref_sum(0, buf + off, len));
        }
    }

    /* Chained even chunks equal one call; a non-zero start sum is added. */
    sum = tc_csum_add(0, buf, 100);
    sum = tc_csum_add(sum, buf + 100, 333);
    T_CHECK_EQ(tc_csum_fold(sum), tc_csum_fold(tc_csum_add(0, buf, 433)));
    T_CHECK_EQ(tc_csum_fold(tc_csum_add(0x12345678, buf, 0)),
               tc_csum_fold(0x12345678));
    T_CHECK_EQ(tc_csum_fold(tc_csum_add(sum, buf, 0)), tc_csum_fold(sum));

    /* All 0xff: the carries must wrap many times. */
    memset(buf, 0xff, sizeof(buf));
    T_CHECK_EQ(stored_be(tc_csum_fold(tc_csum_add(0xffffffff, buf, 600))),
               (uint16_t) ~ref_sum(0xffff + 0xffff, buf, 600));
}


static void
test_csum_adjust_random(void)
{
    uint8_t  data[64], old[16];
    uint64_t s = 7;
    uint16_t c, c2;
    size_t   i, off, n, len;
    int      ok = 1;

    for (i = 0; i < 20000; i++) {
        len = 2 + (rnd(&s) % 31) * 2;
        rnd_bytes(&s, data, len);
        if (i % 5 == 0) {
            len--; /* odd total length: the change stays on even offsets */
        }
        c = tc_csum_fold(tc_csum_add(0, data, len));
        n = 2 * (1 + rnd(&s) % 8);
        n = tc_min(n, len & ~(size_t) 1);
        off = 2 * (rnd(&s) % ((len - n) / 2 + 1));
        memcpy(old, data + off, n);
        rnd_bytes(&s, data + off, n);
        if (i % 7 == 0) {
            memset(data + off, i % 2 ? 0xff : 0, n);
        }
        c2 = tc_csum_adjust(c, old, data + off, n);
        if (tc_csum_add(0, data, len) == 0) {
            /* All-zero data: from scratch gives 0xffff, RFC 1624 the
             * equivalent 0x0000 (one's-complement -0); never the case
             * for IP or TCP headers, whose sums cannot be zero. */
            ok &= (c2 == 0 || c2 == 0xffff);
            continue;
        }
        if (c2 != tc_csum_fold(tc_csum_add(0, data, len))) {
            ok = 0;
            printf("adjust mismatch at iteration %zu\n", i);
            break;
        }
    }
    T_CHECK(ok);
}


static void
test_tcp_checksum_ref(void)
{
    static uint8_t seg[1500];
    tc_addr_t      src, dst;
    uint64_t       s = 99;
    size_t         len;
    int            fam;

    for (fam = 4; fam <= 6; fam += 2) {
        addr_rnd(&src, fam, &s);
        addr_rnd(&dst, fam, &s);
        for (len = 20; len < 300; len++) {
            rnd_bytes(&s, seg, len);
            T_CHECK_EQ(stored_be(tc_tcp_checksum(&src, &dst, seg + 1, len - 1)),
                       ref_tcp_csum(&src, &dst, seg + 1, len - 1));
        }
    }
}


/* The 62-byte IPv4 test packet: 20 IP + 32 TCP (options) + 10 payload. */
static size_t
build_v4(uint8_t *buf, size_t cap)
{
    tc_seg_t seg;

    seg_default(&seg, TC_AF_INET);
    return tc_pkt_build(buf, cap, &seg, (const uint8_t *) "0123456789", 10);
}


static size_t
build_v6(uint8_t *buf, size_t cap)
{
    tc_seg_t seg;

    seg_default(&seg, TC_AF_INET6);
    return tc_pkt_build(buf, cap, &seg, (const uint8_t *) "0123456789", 10);
}


static void
test_parse_v4(void)
{
    uint8_t       pkt[128];
    tc_pkt_view_t v;
    size_t        n;
    tc_addr_t     a;

    n = build_v4(pkt, sizeof(pkt));
    T_CHECK_EQ(n, 62);
    T_CHECK_EQ(parse_guarded(pkt, n, &v), TC_PKT_OK);
    T_CHECK_EQ(v.ip_version, 4);
    T_CHECK_EQ(v.ttl, 64);
    T_CHECK_EQ(v.ip_id, 0x1234);
    addr4(&a, 10, 0, 0, 1);
    T_CHECK(tc_addr_eq(&v.src, &a));
    addr4(&a, 10, 0, 0, 2);
    T_CHECK(tc_addr_eq(&v.dst, &a));
    T_CHECK_EQ(v.ip_hlen, 20);
    T_CHECK_EQ(v.ip_len, 62);
    T_CHECK(v.tcp == v.ip + 20);
    T_CHECK_EQ(v.tcp_hlen, 32);
    T_CHECK_EQ(v.sport, 40000);
    T_CHECK_EQ(v.dport, 80);
    T_CHECK_EQ(v.seq, 0x01020304);
    T_CHECK_EQ(v.ack, 0xa0b0c0d0);
    T_CHECK_EQ(v.flags, TC_TCP_SYN | TC_TCP_ACK);
    T_CHECK_EQ(v.window, 65535);
    T_CHECK(v.payload == v.ip + 52);
    T_CHECK_EQ(v.payload_len, 10);
    T_CHECK_EQ(v.payload_caplen, 10);
    T_CHECK(memcmp(v.payload, "0123456789", 10) == 0);
    T_CHECK_EQ(v.mss, 1460);
    T_CHECK_EQ(v.wscale, 7);
    T_CHECK(v.sack_ok);
    T_CHECK(!v.has_ts);
    /* DF is set and both checksums verify against the reference. */
    T_CHECK_EQ(be16(pkt + 6), 0x4000);
    T_CHECK_EQ(be16(pkt + 10), ref_ip_csum(pkt, 20));
    T_CHECK_EQ(be16(pkt + 36), ref_tcp_csum(&v.src, &v.dst, pkt + 20, 42));
}


static void
test_parse_v6(void)
{
    uint8_t       pkt[128];
    tc_pkt_view_t v;
    tc_seg_t      seg;
    size_t        n;

    seg_default(&seg, TC_AF_INET6);
    n = build_v6(pkt, sizeof(pkt));
    T_CHECK_EQ(n, 82);
    T_CHECK_EQ(parse_guarded(pkt, n, &v), TC_PKT_OK);
    T_CHECK_EQ(v.ip_version, 6);
    T_CHECK_EQ(v.ttl, 64);
    T_CHECK_EQ(v.ip_id, 0);
    T_CHECK(tc_addr_eq(&v.src, &seg.src));
    T_CHECK(tc_addr_eq(&v.dst, &seg.dst));
    T_CHECK_EQ(v.ip_hlen, 40);
    T_CHECK_EQ(v.ip_len, 82);
    T_CHECK_EQ(v.tcp_hlen, 32);
    T_CHECK_EQ(v.payload_len, 10);
    T_CHECK_EQ(v.mss, 1460);
    T_CHECK_EQ(be16(pkt + 4), 42);
    T_CHECK_EQ(pkt[6], 6);
    T_CHECK_EQ(be16(pkt + 56), ref_tcp_csum(&v.src, &v.dst, pkt + 40, 42));
}


/* Every caplen from 0 to the full packet: ETRUNC until the headers are in,
 * then OK with payload_caplen growing. */
static void
check_truncations(const uint8_t *pkt, size_t full, size_t hdrs, int big)
{
    tc_pkt_view_t v;
    size_t        k;
    int           rc, ok = 1;

    for (k = 0; k <= full; k++) {
        rc = parse_guarded(pkt, k, &v);
        if (k < hdrs) {
            ok &= (rc == TC_PKT_ETRUNC);
            continue;
        }
        ok &= (rc == TC_PKT_OK);
        if (rc == TC_PKT_OK) {
            ok &= (v.payload_caplen == k - hdrs);
            ok &= (v.payload_len == (big ? k : full) - hdrs);
            ok &= (v.payload == v.ip + hdrs);
        }
        if (!ok) {
            printf("truncation at %zu of %zu: rc %d\n", k, full, rc);
            break;
        }
    }
    T_CHECK(ok);
}


static void
test_truncated(void)
{
    uint8_t pkt[200];
    size_t  n;

    n = build_v4(pkt, sizeof(pkt));
    check_truncations(pkt, n, 52, 0);
    n = build_v6(pkt, sizeof(pkt));
    check_truncations(pkt, n, 72, 0);

    /* IPv4 with 8 bytes of IP options (ihl 7). */
    n = build_v4(pkt, sizeof(pkt));
    memmove(pkt + 28, pkt + 20, n - 20);
    memset(pkt + 20, 1, 8); /* NOPs */
    pkt[0] = 0x47;
    set_be16(pkt + 2, n + 8);
    check_truncations(pkt, n + 8, 60, 0);

    /* BIG TCP (tot_len 0, IPv6 payload length 0): length is caplen. */
    n = build_v4(pkt, sizeof(pkt));
    set_be16(pkt + 2, 0);
    check_truncations(pkt, n, 52, 1);
    n = build_v6(pkt, sizeof(pkt));
    set_be16(pkt + 4, 0);
    check_truncations(pkt, n, 72, 1);
}


static void
test_bad_ihl(void)
{
    uint8_t       pkt[128];
    tc_pkt_view_t v;
    size_t        n;
    unsigned      ihl;

    for (ihl = 0; ihl < 5; ihl++) {
        n = build_v4(pkt, sizeof(pkt));
        pkt[0] = (uint8_t) (0x40 | ihl);
        T_CHECK_EQ(parse_guarded(pkt, n, &v), TC_PKT_EIPHDR);
    }

    /* 60-byte IP header in a 62-byte datagram: no room for TCP. */
    n = build_v4(pkt, sizeof(pkt));
    pkt[0] = 0x4f;
    T_CHECK_EQ(parse_guarded(pkt, n, &v), TC_PKT_EIPHDR);

    /* ihl larger than tot_len. */
    n = build_v4(pkt, sizeof(pkt));
    pkt[0] = 0x4f;
    set_be16(pkt + 2, 40);
    T_CHECK_EQ(parse_guarded(pkt, n, &v), TC_PKT_EIPHDR);

    /* Consistent lengths, but the capture ends inside the IP options. */
    n = build_v4(pkt, sizeof(pkt));
    pkt[0] = 0x4f;
    set_be16(pkt + 2, 1000);
    T_CHECK_EQ(parse_guarded(pkt, 40, &v), TC_PKT_ETRUNC);
    T_CHECK_EQ(parse_guarded(pkt, n, &v), TC_PKT_ETRUNC);
}


static void
test_bad_tot_len(void)
{
    uint8_t       pkt[128];
    tc_pkt_view_t v;
    size_t        n;
    unsigned      tl;
    int           want;

    for (tl = 1; tl < 52; tl++) {
        n = build_v4(pkt, sizeof(pkt));
        set_be16(pkt + 2, tl);
        want = tl < 40 ? TC_PKT_EIPHDR : TC_PKT_ETCPHDR;
        T_CHECK_EQ(parse_guarded(pkt, n, &v), want);
    }

    /* Exactly the headers: the 10 captured bytes are trailing padding. */
    n = build_v4(pkt, sizeof(pkt));
    set_be16(pkt + 2, 52);
    T_CHECK_EQ(parse_guarded(pkt, n, &v), TC_PKT_OK);
    T_CHECK_EQ(v.ip_len, 52);
    T_CHECK_EQ(v.payload_len, 0);
    T_CHECK_EQ(v.payload_caplen, 0);

    /* Ethernet-style padding after a full datagram is ignored. */
    n = build_v4(pkt, sizeof(pkt));
    memset(pkt + n, 0, 6);
    T_CHECK_EQ(parse_guarded(pkt, n + 6, &v), TC_PKT_OK);
    T_CHECK_EQ(v.ip_len, 62);
    T_CHECK_EQ(v.payload_caplen, 10);

    /* Snaplen cut: valid, with less payload present than announced. */
    n = build_v4(pkt, sizeof(pkt));
    set_be16(pkt + 2, 1000);
    T_CHECK_EQ(parse_guarded(pkt, n, &v), TC_PKT_OK);
    T_CHECK_EQ(v.ip_len, 1000);
    T_CHECK_EQ(v.payload_len, 948);
    T_CHECK_EQ(v.payload_caplen, 10);

    /* tot_len 0 (BIG TCP): ip_len is caplen, even beyond 64 KiB. */
    n = build_v4(pkt, sizeof(pkt));
    set_be16(pkt + 2, 0);
    {
        static uint8_t big[70000];

        memset(big, 'x', sizeof(big));
        memcpy(big, pkt, n);
        T_CHECK_EQ(parse_guarded(big, sizeof(big), &v), TC_PKT_OK);
        T_CHECK_EQ(v.ip_len, sizeof(big));
        T_CHECK_EQ(v.payload_len, sizeof(big) - 52);
        T_CHECK_EQ(v.payload_caplen, sizeof(big) - 52);
    }
}


static void
test_bad_doff(void)
{
    uint8_t       pkt[128];
    tc_pkt_view_t v;
    size_t        n;
    unsigned      doff;

    for (doff = 0; doff < 5; doff++) {
        n = build_v4(pkt, sizeof(pkt));
        pkt[32] = (uint8_t) (doff << 4);
        T_CHECK_EQ(parse_guarded(pkt, n, &v), TC_PKT_ETCPHDR);
        n = build_v6(pkt, sizeof(pkt));
        pkt[52] = (uint8_t) (doff << 4);
        T_CHECK_EQ(parse_guarded(pkt, n, &v), TC_PKT_ETCPHDR);
    }

    /* 60-byte TCP header in a 42-byte IP payload. */
    n = build_v4(pkt, sizeof(pkt));
    pkt[32] = 0xf0;
    T_CHECK_EQ(parse_guarded(pkt, n, &v), TC_PKT_ETCPHDR);
    n = build_v6(pkt, sizeof(pkt));
    pkt[52] = 0xf0;
    T_CHECK_EQ(parse_guarded(pkt, n, &v), TC_PKT_ETCPHDR);

    /* Headers agree, capture ends inside the TCP options. */
    n = build_v4(pkt, sizeof(pkt));
    pkt[32] = 0xf0;
    set_be16(pkt + 2, 200);
    T_CHECK_EQ(parse_guarded(pkt, n, &v), TC_PKT_ETRUNC);

    /* The low nibble of byte 12 (reserved, AE) must not matter. */
    n = build_v4(pkt, sizeof(pkt));
    pkt[32] |= 0x0f;
    T_CHECK_EQ(parse_guarded(pkt, n, &v), TC_PKT_OK);
    T_CHECK_EQ(v.tcp_hlen, 32);
}


static void
test_fragments(void)
{
    static const unsigned frag[] = {0x2000, 0x0001, 0x1fff, 0x2001, 0x6000};
    uint8_t               pkt[128];
    tc_pkt_view_t         v;
    size_t                n, i;

    for (i = 0; i < tc_nelems(frag); i++) {
        n = build_v4(pkt, sizeof(pkt));
        set_be16(pkt + 6, frag[i]);
        T_CHECK_EQ(parse_guarded(pkt, n, &v), TC_PKT_EFRAG);
    }

    /* DF alone, nothing at all, and the reserved bit are not fragments. */
    n = build_v4(pkt, sizeof(pkt));
    T_CHECK_EQ(parse_guarded(pkt, n, &v), TC_PKT_OK);
    set_be16(pkt + 6, 0);
    T_CHECK_EQ(parse_guarded(pkt, n, &v), TC_PKT_OK);
    set_be16(pkt + 6, 0x8000);
    T_CHECK_EQ(parse_guarded(pkt, n, &v), TC_PKT_OK);

    /* A fragment of a UDP datagram counts as "not TCP". */
    set_be16(pkt + 6, 0x2000);
    pkt[9] = 17;
    T_CHECK_EQ(parse_guarded(pkt, n, &v), TC_PKT_EPROTO);
}


static void
test_non_tcp(void)
{
    static const uint8_t v4p[] = {0, 1, 17, 41, 255};
    static const uint8_t v6nh[] = {0, 17, 43, 44, 58, 59, 60};
    static const uint8_t vers[] = {0x00, 0x10, 0x50, 0x70, 0xf0};
    uint8_t              pkt[128];
    tc_pkt_view_t        v;
    size_t               n, i;

    for (i = 0; i < sizeof(v4p); i++) {
        n = build_v4(pkt, sizeof(pkt));
        pkt[9] = v4p[i];
        T_CHECK_EQ(parse_guarded(pkt, n, &v), TC_PKT_EPROTO);
    }
    for (i = 0; i < sizeof(v6nh); i++) {
        n = build_v6(pkt, sizeof(pkt));
        pkt[6] = v6nh[i];
        T_CHECK_EQ(parse_guarded(pkt, n, &v), TC_PKT_EPROTO);
    }
    for (i = 0; i < sizeof(vers); i++) {
        n = build_v4(pkt, sizeof(pkt));
        pkt[0] = (uint8_t) (vers[i] | 5);
        T_CHECK_EQ(parse_guarded(pkt, n, &v), TC_PKT_EVERSION);
        T_CHECK_EQ(parse_guarded(pkt, 1, &v), TC_PKT_EVERSION);
    }
}


static void
test_v6_lengths(void)
{
    uint8_t       pkt[128];
    tc_pkt_view_t v;
    size_t        n;
    unsigned      plen;

    for (plen = 1; plen < 32; plen++) {
        n = build_v6(pkt, sizeof(pkt));
        set_be16(pkt + 4, plen);
        T_CHECK_EQ(parse_guarded(pkt, n, &v),
                   plen < 20 ? TC_PKT_EIPHDR : TC_PKT_ETCPHDR);
    }

    n = build_v6(pkt, sizeof(pkt));
    set_be16(pkt + 4, 1000);
    T_CHECK_EQ(parse_guarded(pkt, n, &v), TC_PKT_OK);
    T_CHECK_EQ(v.ip_len, 1040);
    T_CHECK_EQ(v.payload_len, 968);
    T_CHECK_EQ(v.payload_caplen, 10);

    n = build_v6(pkt, sizeof(pkt));
    set_be16(pkt + 4, 0);
    T_CHECK_EQ(parse_guarded(pkt, n, &v), TC_PKT_OK);
    T_CHECK_EQ(v.ip_len, n);
    T_CHECK_EQ(v.payload_len, 10);

    /* Trailing bytes after the payload length are ignored. */
    n = build_v6(pkt, sizeof(pkt));
    T_CHECK_EQ(parse_guarded(pkt, n + 5, &v), TC_PKT_OK);
    T_CHECK_EQ(v.payload_caplen, 10);
}


/* Parses an IPv4 SYN whose TCP options are opt (len a multiple of 4),
 * followed by the 4 payload bytes "2\4\5\264" that look like an MSS option
 * and must never be read as one. */
static int
parse_opts(const uint8_t *opt, size_t len, tc_pkt_view_t *v)
{
    static const uint8_t fake_mss[4] = {2, 4, 5, 180};
    uint8_t              pkt[128];
    tc_seg_t             seg;
    size_t               n;

    seg_default(&seg, TC_AF_INET);
    seg.mss = 0;
    seg.wscale = -1;
    seg.sack_ok = false;
    n = tc_pkt_build(pkt, sizeof(pkt), &seg, fake_mss, 0);
    memcpy(pkt + 40, opt, len);
    memcpy(pkt + 40 + len, fake_mss, 4);
    pkt[32] = (uint8_t) (((20 + len) / 4) << 4);
    n += len + 4;
    set_be16(pkt + 2, n);
    return parse_guarded(pkt, n, v);
}


static void
test_options(void)
{
    static const uint8_t mss[] = {2, 4, 5, 180};
    static const uint8_t ws7[] = {1, 3, 3, 7};
    static const uint8_t ws15[] = {1, 3, 3, 15};
    static const uint8_t ws255[] = {3, 3, 255, 0};
    static const uint8_t sack[] = {4, 2, 0, 0};
    static const uint8_t ts[] = {1, 1, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8};
    static const uint8_t linux_syn[] = {2, 4, 5, 180, 4, 2, 8, 10, 0, 0,
                                        0, 9, 0, 0,   0, 0, 1, 3,  3, 7};
    static const uint8_t eol[] = {0, 0, 0, 0, 2, 4, 5, 180};
    static const uint8_t nops[] = {1, 1, 1, 1, 2, 4, 5, 180};
    static const uint8_t len0[] = {3, 0, 1, 1, 2, 4, 5, 180};
    static const uint8_t len1[] = {99, 1, 2, 4, 5, 180, 0, 0};
    static const uint8_t past[] = {1, 1, 1, 1, 1, 1, 2, 4};
    static const uint8_t past2[] = {4, 2, 30, 40, 0, 0, 0, 0};
    static const uint8_t nolen[] = {1, 1, 1, 1, 1, 1, 1, 2};
    static const uint8_t wrong[] = {2, 3, 5, 4, 2, 8, 6, 0,
                                    0, 0, 0, 1, 3, 2, 0, 0};
    static const uint8_t unknown[] = {30, 4, 9, 9, 2, 4, 5, 180};
    tc_pkt_view_t        v;

    T_CHECK_EQ(parse_opts(mss, 0, &v), TC_PKT_OK);
    T_CHECK_EQ(v.mss, 0);
    T_CHECK_EQ(v.wscale, -1);
    T_CHECK(!v.sack_ok && !v.has_ts);
    T_CHECK_EQ(v.payload_len, 4);

    T_CHECK_EQ(parse_opts(mss, sizeof(mss), &v), TC_PKT_OK);
    T_CHECK_EQ(v.mss, 1460);
    T_CHECK_EQ(parse_opts(ws7, sizeof(ws7), &v), TC_PKT_OK);
    T_CHECK_EQ(v.wscale, 7);
    T_CHECK_EQ(parse_opts(ws15, sizeof(ws15), &v), TC_PKT_OK);
    T_CHECK_EQ(v.wscale, 14);
    T_CHECK_EQ(parse_opts(ws255, sizeof(ws255), &v), TC_PKT_OK);
    T_CHECK_EQ(v.wscale, 14);
    T_CHECK_EQ(parse_opts(sack, sizeof(sack), &v), TC_PKT_OK);
    T_CHECK(v.sack_ok);
    T_CHECK_EQ(parse_opts(ts, sizeof(ts), &v), TC_PKT_OK);
    T_CHECK(v.has_ts);
    T_CHECK_EQ(v.ts_val, 0x01020304);
    T_CHECK_EQ(v.ts_ecr, 0x05060708);

    T_CHECK_EQ(parse_opts(linux_syn, sizeof(linux_syn), &v), TC_PKT_OK);
    T_CHECK_EQ(v.mss, 1460);
    T_CHECK(v.sack_ok && v.has_ts);
    T_CHECK_EQ(v.ts_val, 9);
    T_CHECK_EQ(v.ts_ecr, 0);
    T_CHECK_EQ(v.wscale, 7);

    /* Walk rules: EOL stops, NOP skips, a bad length stops. */
    T_CHECK_EQ(parse_opts(eol, sizeof(eol), &v), TC_PKT_OK);
    T_CHECK_EQ(v.mss, 0);
    T_CHECK_EQ(parse_opts(nops, sizeof(nops), &v), TC_PKT_OK);
    T_CHECK_EQ(v.mss, 1460);
    T_CHECK_EQ(parse_opts(len0, sizeof(len0), &v), TC_PKT_OK);
    T_CHECK_EQ(v.mss, 0);
    T_CHECK_EQ(v.wscale, -1);
    T_CHECK_EQ(parse_opts(len1, sizeof(len1), &v), TC_PKT_OK);
    T_CHECK_EQ(v.mss, 0);
    T_CHECK_EQ(parse_opts(past, sizeof(past), &v), TC_PKT_OK);
    T_CHECK_EQ(v.mss, 0);
    T_CHECK_EQ(parse_opts(past2, sizeof(past2), &v), TC_PKT_OK);
    T_CHECK(v.sack_ok);
    T_CHECK_EQ(v.mss, 0);
    T_CHECK_EQ(parse_opts(nolen, sizeof(nolen), &v), TC_PKT_OK);
    T_CHECK_EQ(v.mss, 0);

    /* Known kinds with the wrong length are skipped, the walk goes on. */
    T_CHECK_EQ(parse_opts(wrong, sizeof(wrong), &v), TC_PKT_OK);
    T_CHECK_EQ(v.mss, 0);
    T_CHECK(v.sack_ok);
    T_CHECK(!v.has_ts);
    T_CHECK_EQ(v.wscale, -1);
    T_CHECK_EQ(parse_opts(unknown, sizeof(unknown), &v), TC_PKT_OK);
    T_CHECK_EQ(v.mss, 1460);
}


/* Builds random segments, parses them back and compares every field. */
static void
test_build_roundtrip(void)
{
    static uint8_t pkt[2000], payload[1400];
    tc_pkt_view_t  v;
    tc_seg_t       seg;
    uint64_t       s = 3;
    size_t         n, len, i, optlen, off;
    int            ok = 1;

    rnd_bytes(&s, payload, sizeof(payload));
    for (i = 0; i < 2000 && ok; i++) {
        memset(&seg, 0, sizeof(seg));
        addr_rnd(&seg.src, i % 2 ? TC_AF_INET6 : TC_AF_INET, &s);
        addr_rnd(&seg.dst, seg.src.family, &s);
        seg.sport = (uint16_t) rnd(&s);
        seg.dport = (uint16_t) rnd(&s);
        seg.seq = (uint32_t) rnd(&s);
        seg.ack = (uint32_t) rnd(&s);
        seg.flags = (uint8_t) rnd(&s);
        seg.window = (uint16_t) rnd(&s);
        seg.ip_id = (uint16_t) rnd(&s);
        seg.ttl = (uint8_t) rnd(&s);
        seg.mss = rnd(&s) % 2 ? (uint16_t) rnd(&s) : 0;
        seg.wscale = (int8_t) (rnd(&s) % 20 - 4);
        seg.sack_ok = rnd(&s) % 2;
        len = rnd(&s) % 3 ? rnd(&s) % sizeof(payload) : 0;
        off = rnd(&s) % 4; /* unaligned output buffers too */

        n = tc_pkt_build(pkt + off, sizeof(pkt) - off, &seg, payload, len);
        optlen = (seg.mss ? 4 : 0) + (seg.wscale >= 0 ? 4 : 0) +
                 (seg.sack_ok ? 4 : 0);
        ok &= (n == (i % 2 ? 40 : 20) + 20 + optlen + len);
        if (parse_guarded(pkt + off, n, &v) != TC_PKT_OK) {
            printf("round trip: no parse at iteration %zu\n", i);
            ok = 0;
            break;
        }
        ok &= tc_addr_eq(&v.src, &seg.src) && tc_addr_eq(&v.dst, &seg.dst);
        ok &= v.sport == seg.sport && v.dport == seg.dport;
        ok &= v.seq == seg.seq && v.ack == seg.ack;
        ok &= v.flags == seg.flags && v.window == seg.window;
        ok &= v.ttl == (seg.ttl ? seg.ttl : 64);
        ok &= v.ip_id == (i % 2 ? 0 : seg.ip_id);
        ok &= v.mss == seg.mss && v.sack_ok == seg.sack_ok;
        ok &= v.wscale == (seg.wscale < 0 ? -1 : tc_min(seg.wscale, 14));
        ok &= v.tcp_hlen % 4 == 0 && v.payload_len == len;
        ok &= len == 0 || memcmp(v.payload, payload, len) == 0;
        ok &= be16(v.tcp + 16) ==
              ref_tcp_csum(&v.src, &v.dst, v.tcp, n - v.ip_hlen);
        ok &= i % 2 || be16(v.ip + 10) == ref_ip_csum(v.ip, 20);
        if (!ok) {
            printf("round trip failed at iteration %zu\n", i);
        }
    }
    T_CHECK(ok);
}


static void
test_build_errors(void)
{
    uint8_t  pkt[128];
    tc_seg_t seg;

    seg_default(&seg, TC_AF_INET);
    /* 52 header bytes + 10 payload = 62: one byte short fails. */
    T_CHECK_EQ(tc_pkt_build(pkt, 61, &seg, (const uint8_t *) "0123456789", 10),
               0);
    T_CHECK_EQ(tc_pkt_build(pkt, 62, &seg, (const uint8_t *) "0123456789", 10),
               62);
    T_CHECK_EQ(tc_pkt_build(pkt, 0, &seg, NULL, 0), 0);

    seg.dst.family = TC_AF_INET6;
    T_CHECK_EQ(tc_pkt_build(pkt, sizeof(pkt), &seg, NULL, 0), 0);
    seg.src.family = TC_AF_NONE;
    seg.dst.family = TC_AF_NONE;
    T_CHECK_EQ(tc_pkt_build(pkt, sizeof(pkt), &seg, NULL, 0), 0);

    /* Too long for the 16-bit length fields. */
    seg_default(&seg, TC_AF_INET);
    T_CHECK_EQ(tc_pkt_build(pkt, (size_t) 1 << 20, &seg, pkt, 65535 - 52 + 1),
               0);
    seg_default(&seg, TC_AF_INET6);
    T_CHECK_EQ(tc_pkt_build(pkt, (size_t) 1 << 20, &seg, pkt, 65535 - 32 + 1),
               0);
}


/* Picks random rewrite fields; the addresses go to *a and *b. */
static void
rw_random(tc_pkt_rewrite_t *rw, int family, tc_addr_t *a, tc_addr_t *b,
          uint64_t *s)
{
    uint64_t pick = rnd(s);

    memset(rw, 0, sizeof(*rw));
    addr_rnd(a, family, s);
    addr_rnd(b, family, s);
    rw->src = pick & 1 ? a : NULL;
    rw->dst = pick & 2 ? b : NULL;
    rw->sport = pick & 4 ? (int32_t) (rnd(s) & 0xffff) : -1;
    rw->dport = pick & 8 ? (int32_t) (rnd(s) & 0xffff) : -1;
    rw->set_seq = pick & 16;
    rw->seq = (uint32_t) rnd(s);
    rw->set_ack = pick & 32;
    rw->ack = (uint32_t) rnd(s);
    if (pick & 64) {
        /* Extreme values: all-zero and all-one fields. */
        memset(a->addr, pick & 128 ? 0xff : 0, family == TC_AF_INET ? 4 : 16);
        rw->sport = pick & 128 ? 0xffff : 0;
        rw->seq = pick & 128 ? 0xffffffff : 0;
    }
}


/* Checks that v matches a re-parse of its packet and that both checksums
 * equal from-scratch values. */
static int
rewrite_consistent(const tc_pkt_view_t *v, size_t n)
{
    tc_pkt_view_t w;
    int           ok;

    ok = tc_pkt_parse(v->ip, n, &w) == TC_PKT_OK;
    ok &= tc_addr_eq(&w.src, &v->src) && tc_addr_eq(&w.dst, &v->dst);
    ok &= w.sport == v->sport && w.dport == v->dport;
    ok &= w.seq == v->seq && w.ack == v->ack;
    ok &= be16(v->tcp + 16) ==
          ref_tcp_csum(&v->src, &v->dst, v->tcp, n - v->ip_hlen);
    ok &= v->ip_version == 6 || be16(v->ip + 10) == ref_ip_csum(v->ip, 20);
    return ok;
}


static void
test_rewrite_random(void)
{
    static uint8_t   payload[1000];
    uint8_t          pkt[1200], cut[1200];
    tc_pkt_view_t    v, vc;
    tc_pkt_rewrite_t rw;
    tc_seg_t         seg;
    tc_addr_t        a, b;
    uint64_t         s = 11;
    size_t           n, i, len, k;
    int              ok = 1, fam;

    rnd_bytes(&s, payload, sizeof(payload));
    for (i = 0; i < 20000 && ok; i++) {
        fam = i % 2 ? TC_AF_INET6 : TC_AF_INET;
        seg_default(&seg, fam);
        addr_rnd(&seg.src, fam, &s);
        addr_rnd(&seg.dst, fam, &s);
        seg.seq = (uint32_t) rnd(&s);
        seg.ack = (uint32_t) rnd(&s);
        seg.sport = (uint16_t) rnd(&s);
        seg.mss = (uint16_t) (rnd(&s) % 2 ? 1460 : 0);
        len = rnd(&s) % sizeof(payload);
        n = tc_pkt_build(pkt, sizeof(pkt), &seg, payload, len);
        if (tc_pkt_parse(pkt, n, &v) != TC_PKT_OK) {
            ok = 0;
            break;
        }

        /* The same packet with the payload only partly captured. */
        k = v.ip_hlen + v.tcp_hlen + (len ? rnd(&s) % len : 0);
        memcpy(cut, pkt, k);
        if (tc_pkt_parse(cut, k, &vc) != TC_PKT_OK) {
            ok = 0;
            break;
        }

        rw_random(&rw, fam, &a, &b, &s);
        ok &= tc_pkt_rewrite(pkt, &v, &rw) == TC_OK;
        ok &= tc_pkt_rewrite(cut, &vc, &rw) == TC_OK;
        ok &= rewrite_consistent(&v, n);
        ok &= (rw.src == NULL || tc_addr_eq(&v.src, rw.src));
        ok &= (rw.dst == NULL || tc_addr_eq(&v.dst, rw.dst));
        ok &= (rw.sport < 0 || v.sport == rw.sport);
        ok &= (rw.dport < 0 || v.dport == rw.dport);
        ok &= (!rw.set_seq || v.seq == rw.seq);
        ok &= (!rw.set_ack || v.ack == rw.ack);
        /* Without the payload the result is the same, bit for bit. */
        ok &= memcmp(cut, pkt, k) == 0;
        if (!ok) {
            printf("rewrite failed at iteration %zu\n", i);
        }
    }
    T_CHECK(ok);
}


static void
test_rewrite_edges(void)
{
    uint8_t          pkt[160], orig[160];
    tc_pkt_view_t    v;
    tc_pkt_rewrite_t rw;
    tc_addr_t        a6, a4;
    size_t           n;
    uint64_t         s = 5;

    /* Nothing asked: nothing written. */
    n = build_v4(pkt, sizeof(pkt));
    memcpy(orig, pkt, n);
    memset(&rw, 0, sizeof(rw));
    rw.sport = rw.dport = -1;
    T_CHECK_EQ(tc_pkt_parse(pkt, n, &v), TC_PKT_OK);
    T_CHECK_EQ(tc_pkt_rewrite(pkt, &v, &rw), TC_OK);
    T_CHECK(memcmp(pkt, orig, n) == 0);

    /* Same values written: checksums stay valid (and unchanged). */
    rw.sport = v.sport;
    rw.src = &v.src;
    rw.set_seq = true;
    rw.seq = v.seq;
    T_CHECK_EQ(tc_pkt_rewrite(pkt, &v, &rw), TC_OK);
    T_CHECK(memcmp(pkt, orig, n) == 0);

    /* Family changes and out-of-range ports are refused untouched. */
    addr_rnd(&a6, TC_AF_INET6, &s);
    memset(&rw, 0, sizeof(rw));
    rw.sport = 1234;
    rw.dport = -1;
    rw.dst = &a6;
    T_CHECK_EQ(tc_pkt_rewrite(pkt, &v, &rw), TC_ERROR);
    T_CHECK(memcmp(pkt, orig, n) == 0);
    T_CHECK_EQ(v.sport, 40000);
    rw.dst = NULL;
    rw.dport = 65536;
    T_CHECK_EQ(tc_pkt_rewrite(pkt, &v, &rw), TC_ERROR);
    T_CHECK(memcmp(pkt, orig, n) == 0);

    n = build_v6(pkt, sizeof(pkt));
    T_CHECK_EQ(tc_pkt_parse(pkt, n, &v), TC_PKT_OK);
    addr4(&a4, 1, 2, 3, 4);
    memset(&rw, 0, sizeof(rw));
    rw.sport = rw.dport = -1;
    rw.src = &a4;
    T_CHECK_EQ(tc_pkt_rewrite(pkt, &v, &rw), TC_ERROR);

    /* A link-layer header before the IP header, at an odd address. */
    memset(pkt, 0xee, 15);
    n = build_v4(pkt + 15, sizeof(pkt) - 15);
    T_CHECK_EQ(tc_pkt_parse(pkt + 15, n, &v), TC_PKT_OK);
    memset(&rw, 0, sizeof(rw));
    rw.sport = 1;
    rw.dport = 2;
    rw.dst = &a4;
    rw.set_ack = true;
    rw.ack = 77;
    T_CHECK_EQ(tc_pkt_rewrite(pkt, &v, &rw), TC_OK);
    T_CHECK(rewrite_consistent(&v, n));
    T_CHECK_EQ(pkt[14], 0xee);
    T_CHECK_EQ(pkt[15 + 16], 1);
    T_CHECK_EQ(pkt[15 + 19], 4);
}


static void
test_err_str(void)
{
    int e, f;

    for (e = 0; e < TC_PKT_NERR; e++) {
        T_CHECK(strcmp(tc_pkt_err_str(e), "unknown") != 0);
        for (f = 0; f < e; f++) {
            T_CHECK(strcmp(tc_pkt_err_str(e), tc_pkt_err_str(f)) != 0);
        }
    }
    T_CHECK(strcmp(tc_pkt_err_str(-1), "unknown") == 0);
    T_CHECK(strcmp(tc_pkt_err_str(TC_PKT_NERR), "unknown") == 0);
    T_CHECK(strcmp(tc_pkt_err_str(TC_PKT_ETRUNC), "truncated") == 0);
}


int
main(void)
{
    t_guard_init(T_GUARD_BYTES);

    T_RUN(test_csum_known);
    T_RUN(test_csum_lengths_offsets);
    T_RUN(test_csum_adjust_random);
    T_RUN(test_tcp_checksum_ref);
    T_RUN(test_parse_v4);
    T_RUN(test_parse_v6);
    T_RUN(test_truncated);
    T_RUN(test_bad_ihl);
    T_RUN(test_bad_tot_len);
    T_RUN(test_bad_doff);
    T_RUN(test_fragments);
    T_RUN(test_non_tcp);
    T_RUN(test_v6_lengths);
    T_RUN(test_options);
    T_RUN(test_build_roundtrip);
    T_RUN(test_build_errors);
    T_RUN(test_rewrite_random);
    T_RUN(test_rewrite_edges);
    T_RUN(test_err_str);

    return T_REPORT();
}
