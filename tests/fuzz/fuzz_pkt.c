/*
 * fuzz_pkt.c: libFuzzer target for tc_pkt_parse() and tc_pkt_rewrite().
 *
 * Each input is one IP packet (no link header).  When it parses, the view's
 * invariants are checked (everything it points to lies inside the input,
 * the lengths add up), then a copy is rewritten with fields derived from
 * the input bytes and the incrementally updated checksums are compared
 * with from-scratch ones.  Builds with clang -fsanitize=fuzzer or with any
 * compiler plus tests/fuzz/onefile.c.  A failed check calls abort().
 */
#include "tc_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "tc_pkt.h"


static uint16_t
rd16(const uint8_t *p)
{
    return (uint16_t) (p[0] << 8 | p[1]);
}


static uint32_t
rd32(const uint8_t *p)
{
    return (uint32_t) rd16(p) << 16 | rd16(p + 2);
}


/* FNV-1a over the input: a deterministic seed for the rewrite values. */
static uint64_t
seed_of(const uint8_t *data, size_t size)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    size_t   i;

    for (i = 0; i < size; i++) {
        h = (h ^ data[i]) * 0x100000001b3ULL;
    }
    return h;
}


static uint64_t
next(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 16;
}


static void
check_view(const uint8_t *data, size_t size, const tc_pkt_view_t *v)
{
    const uint8_t *end = data + size;
    size_t         hdrs = (size_t) v->ip_hlen + v->tcp_hlen;

    F_CHECK(v->ip == data);
    F_CHECK(v->ip_version == 4 || v->ip_version == 6);
    F_CHECK(v->ip_version == (data[0] >> 4));
    F_CHECK(v->ip_hlen >= (v->ip_version == 4 ? 20 : 40));
    F_CHECK(v->ip_version == 4 || v->ip_hlen == 40);
    F_CHECK(v->ip_hlen <= 60 && v->ip_hlen % 4 == 0);
    F_CHECK(v->tcp == data + v->ip_hlen);
    F_CHECK(v->tcp_hlen >= 20 && v->tcp_hlen <= 60 && v->tcp_hlen % 4 == 0);
    F_CHECK(hdrs <= size && hdrs <= TC_PKT_HDR_MAX);
    F_CHECK(v->ip_len >= hdrs);
    F_CHECK(v->payload == v->tcp + v->tcp_hlen);
    F_CHECK(v->payload_len == v->ip_len - hdrs);
    F_CHECK(v->payload_caplen <= v->payload_len);
    F_CHECK(v->payload + v->payload_caplen <= end);
    F_CHECK(v->payload_caplen == tc_min(size, v->ip_len) - hdrs);
    F_CHECK(v->sport == rd16(v->tcp) && v->dport == rd16(v->tcp + 2));
    F_CHECK(v->seq == rd32(v->tcp + 4) && v->ack == rd32(v->tcp + 8));
    F_CHECK(v->flags == v->tcp[13] && v->window == rd16(v->tcp + 14));
    F_CHECK(v->wscale >= -1 && v->wscale <= 14);
    F_CHECK(v->has_ts || (v->ts_val == 0 && v->ts_ecr == 0));
    F_CHECK(v->src.family == v->dst.family);
    F_CHECK(v->src.family == (v->ip_version == 4 ? TC_AF_INET : TC_AF_INET6));
}


/* Both checksums of a fully captured packet equal from-scratch values. */
static bool
csums_valid(const tc_pkt_view_t *v)
{
    uint16_t c;

    if (v->ip_version == 4) {
        memcpy(&c, v->ip + 10, 2);
        if (c != tc_ipv4_checksum(v->ip, v->ip_hlen)) {
            return false;
        }
    }
    memcpy(&c, v->tcp + 16, 2);
    return c ==
           tc_tcp_checksum(&v->src, &v->dst, v->tcp, v->ip_len - v->ip_hlen);
}


static void
fix_csums(uint8_t *pkt, const tc_pkt_view_t *v)
{
    uint16_t c;

    if (v->ip_version == 4) {
        c = tc_ipv4_checksum(v->ip, v->ip_hlen);
        memcpy(pkt + 10, &c, 2);
    }
    c = tc_tcp_checksum(&v->src, &v->dst, v->tcp, v->ip_len - v->ip_hlen);
    memcpy(pkt + v->ip_hlen + 16, &c, 2);
}


/* Rewrites pkt (a copy of the input) and checks the view, a re-parse, and
 * (when the checksums were valid before) the checksums. */
static void
check_rewrite(uint8_t *pkt, size_t size, uint64_t seed)
{
    tc_pkt_view_t    v, w;
    tc_pkt_rewrite_t rw;
    tc_addr_t        a, b;
    uint64_t         pick = next(&seed);
    bool             full, valid = false;

    F_CHECK(tc_pkt_parse(pkt, size, &v) == TC_PKT_OK);
    full = v.payload_caplen == v.payload_len;
    if (full) {
        valid = csums_valid(&v);
    }

    a = v.src;
    b = v.dst;
    memset(&rw, 0, sizeof(rw));
    a.addr[next(&seed) % (v.ip_version == 4 ? 4 : 16)] ^= (uint8_t) pick;
    b.addr[next(&seed) % (v.ip_version == 4 ? 4 : 16)] ^= (uint8_t) seed;
    rw.src = (pick & 1) ? &a : NULL;
    rw.dst = (pick & 2) ? &b : NULL;
    rw.sport = (pick & 4) ? (int32_t) (next(&seed) & 0xffff) : -1;
    rw.dport = (pick & 8) ? (int32_t) (next(&seed) & 0xffff) : -1;
    rw.set_seq = pick & 16;
    rw.seq = (uint32_t) next(&seed);
    rw.set_ack = pick & 32;
    rw.ack = (uint32_t) next(&seed);

    F_CHECK(tc_pkt_rewrite(pkt, &v, &rw) == TC_OK);
    F_CHECK(tc_pkt_parse(pkt, size, &w) == TC_PKT_OK);
    F_CHECK(tc_addr_eq(&v.src, &w.src) && tc_addr_eq(&v.dst, &w.dst));
    F_CHECK(rw.src == NULL || tc_addr_eq(&w.src, &a));
    F_CHECK(rw.dst == NULL || tc_addr_eq(&w.dst, &b));
    F_CHECK(v.sport == w.sport && v.dport == w.dport);
    F_CHECK(rw.sport < 0 || w.sport == rw.sport);
    F_CHECK(rw.dport < 0 || w.dport == rw.dport);
    F_CHECK(v.seq == w.seq && v.ack == w.ack);
    F_CHECK(!rw.set_seq || w.seq == rw.seq);
    F_CHECK(!rw.set_ack || w.ack == rw.ack);
    F_CHECK(v.payload_len == w.payload_len && v.tcp_hlen == w.tcp_hlen);
    if (valid) {
        F_CHECK(csums_valid(&w));
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tc_pkt_view_t v;
    uint8_t      *copy;
    int           rc;
    uint64_t      seed;

    rc = tc_pkt_parse(data, size, &v);
    F_CHECK(rc >= TC_PKT_OK && rc < TC_PKT_NERR);
    F_CHECK(tc_pkt_err_str(rc) != NULL);
    if (rc != TC_PKT_OK) {
        return 0;
    }
    check_view(data, size, &v);

    /* Exact-size heap copy, so ASan sees any write past the input. */
    copy = malloc(size);
    if (copy == NULL) {
        return 0;
    }
    seed = seed_of(data, size);

    /* As given: checksums are compared only if they were valid. */
    memcpy(copy, data, size);
    check_rewrite(copy, size, seed);

    /* With valid checksums, so every input exercises the comparison (a
     * mutated input almost never has them). */
    if (v.payload_caplen == v.payload_len) {
        memcpy(copy, data, size);
        fix_csums(copy, &v);
        check_rewrite(copy, size, seed ^ 0x5555);
    }

    free(copy);
    return 0;
}
