/*
 * test_link.c: link-header stripping on hand-made frames (Ethernet with
 * and without VLAN tags, Linux cooked v1 and v2, raw IP), every truncation
 * of each against a PROT_NONE guard page, the Ethernet header builder and
 * the MAC parser.
 */
#include "tc_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t_guard.h"
#include "t_harness.h"
#include "tc_link.h"

#define T_GUARD_BYTES 4096

/* tc_link_ip_offset() on a copy whose last byte touches the guard page. */
static int
offset_guarded(int dlt, const uint8_t *frame, size_t caplen)
{
    return tc_link_ip_offset(dlt, t_at_guard(frame, caplen), caplen);
}


/* A 20-byte IPv4 header stub (only the version nibble matters here). */
static size_t
put_ip(uint8_t *p, int version)
{
    memset(p, 0, 20);
    p[0] = (uint8_t) (version == 4 ? 0x45 : 0x60);
    return 20;
}


static size_t
put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t) (v >> 8);
    p[1] = (uint8_t) v;
    return 2;
}


/* Every prefix shorter than the IP offset is TRUNCATED, never a crash. */
static void
check_truncations(int dlt, const uint8_t *frame, size_t ip_off)
{
    size_t k;
    int    bad = 0;

    for (k = 0; k <= ip_off; k++) {
        bad += offset_guarded(dlt, frame, k) != TC_LINK_TRUNCATED;
    }
    T_CHECK_EQ(bad, 0);
}


static void
test_ethernet(void)
{
    uint8_t f[128];
    size_t  n;

    memset(f, 0xaa, 12);
    n = 12 + put16(f + 12, TC_ETHERTYPE_IPV4);
    n += put_ip(f + n, 4);
    T_CHECK_EQ(offset_guarded(TC_DLT_EN10MB, f, n), 14);
    check_truncations(TC_DLT_EN10MB, f, 14);

    /* the ethertype says IPv4 but an IPv6 header follows */
    put_ip(f + 14, 6);
    T_CHECK_EQ(offset_guarded(TC_DLT_EN10MB, f, n), TC_LINK_NOT_IP);

    n = 12 + put16(f + 12, TC_ETHERTYPE_IPV6);
    n += put_ip(f + n, 6);
    T_CHECK_EQ(offset_guarded(TC_DLT_EN10MB, f, n), 14);

    /* ARP */
    put16(f + 12, 0x0806);
    T_CHECK_EQ(offset_guarded(TC_DLT_EN10MB, f, n), TC_LINK_NOT_IP);
}


static void
test_vlan(void)
{
    uint8_t f[128];
    size_t  n;
    int     i;

    /* 802.1ad outer tag, 802.1Q inner tag, then IPv4 */
    memset(f, 0xbb, 12);
    n = 12 + put16(f + 12, 0x88a8);
    n += put16(f + n, 0x0064);
    n += put16(f + n, 0x8100);
    n += put16(f + n, 0x00c8);
    n += put16(f + n, TC_ETHERTYPE_IPV4);
    n += put_ip(f + n, 4);
    T_CHECK_EQ(offset_guarded(TC_DLT_EN10MB, f, n), 22);
    check_truncations(TC_DLT_EN10MB, f, 22);

    /* more tags than anyone uses: refused, not walked forever */
    n = 12;
    for (i = 0; i < TC_LINK_VLAN_MAX + 2; i++) {
        n += put16(f + n, 0x8100);
        n += put16(f + n, 1);
    }
    n += put16(f + n, TC_ETHERTYPE_IPV4);
    n += put_ip(f + n, 4);
    T_CHECK_EQ(offset_guarded(TC_DLT_EN10MB, f, n), TC_LINK_NOT_IP);
}


static void
test_sll(void)
{
    uint8_t f[128];
    size_t  n;

    /* cooked v1: pkttype, hatype, halen, addr[8], protocol */
    memset(f, 0, 14);
    n = 14 + put16(f + 14, TC_ETHERTYPE_IPV4);
    n += put_ip(f + n, 4);
    T_CHECK_EQ(offset_guarded(TC_DLT_LINUX_SLL, f, n), 16);
    check_truncations(TC_DLT_LINUX_SLL, f, 16);

    /* with a tag put back by libpcap */
    n = 14 + put16(f + 14, 0x8100);
    n += put16(f + n, 7);
    n += put16(f + n, TC_ETHERTYPE_IPV6);
    n += put_ip(f + n, 6);
    T_CHECK_EQ(offset_guarded(TC_DLT_LINUX_SLL, f, n), 20);

    /* cooked v2: protocol first, 20-byte header */
    memset(f, 0, sizeof(f));
    put16(f, TC_ETHERTYPE_IPV6);
    n = 20 + put_ip(f + 20, 6);
    T_CHECK_EQ(offset_guarded(TC_DLT_LINUX_SLL2, f, n), 20);
    check_truncations(TC_DLT_LINUX_SLL2, f, 20);

    put16(f, 0x8100);
    put16(f + 20, 3);
    put16(f + 22, TC_ETHERTYPE_IPV4);
    n = 24 + put_ip(f + 24, 4);
    T_CHECK_EQ(offset_guarded(TC_DLT_LINUX_SLL2, f, n), 24);

    put16(f, 0x0806);
    T_CHECK_EQ(offset_guarded(TC_DLT_LINUX_SLL2, f, n), TC_LINK_NOT_IP);
}


static void
test_raw(void)
{
    uint8_t f[64];
    size_t  n;

    n = put_ip(f, 4);
    T_CHECK_EQ(offset_guarded(TC_DLT_RAW, f, n), 0);
    T_CHECK_EQ(offset_guarded(TC_DLT_RAW_FILE, f, n), 0);
    T_CHECK_EQ(offset_guarded(TC_DLT_IPV4, f, n), 0);
    T_CHECK_EQ(offset_guarded(TC_DLT_IPV6, f, n), TC_LINK_NOT_IP);
    T_CHECK_EQ(offset_guarded(TC_DLT_RAW, f, 0), TC_LINK_TRUNCATED);
    f[0] = 0x55;
    T_CHECK_EQ(offset_guarded(TC_DLT_RAW, f, n), TC_LINK_NOT_IP);

    T_CHECK(!tc_link_supported(105)); /* 802.11 */
    T_CHECK_EQ(offset_guarded(105, f, n), TC_LINK_UNSUPPORTED);
    T_CHECK(tc_link_supported(TC_DLT_LINUX_SLL2));
}


/* A 4-byte loopback family header in the given byte order. */
static void
put_family(uint8_t *p, uint32_t af, bool big_endian)
{
    int i;

    for (i = 0; i < 4; i++) {
        p[big_endian ? 3 - i : i] = (uint8_t) (af >> (8 * i));
    }
}


/* BSD loopback: NULL in either byte order and every AF_INET6 value in
 * use; LOOP only big-endian. */
static void
test_loopback(void)
{
    static const uint32_t inet6[] = {10, 24, 28, 30};
    uint8_t               f[64];
    size_t                n, i;
    int                   order;

    T_CHECK(tc_link_supported(TC_DLT_NULL));
    T_CHECK(tc_link_supported(TC_DLT_LOOP));

    for (order = 0; order < 2; order++) {
        n = 4 + put_ip(f + 4, 4);
        put_family(f, 2, order);
        T_CHECK_EQ(offset_guarded(TC_DLT_NULL, f, n), 4);
        T_CHECK_EQ(offset_guarded(TC_DLT_LOOP, f, n),
                   order ? 4 : TC_LINK_NOT_IP);
        check_truncations(TC_DLT_NULL, f, 4);

        /* the family says IPv4, the header says 6: not IP */
        put_ip(f + 4, 6);
        T_CHECK_EQ(offset_guarded(TC_DLT_NULL, f, n), TC_LINK_NOT_IP);

        for (i = 0; i < tc_nelems(inet6); i++) {
            put_family(f, inet6[i], order);
            T_CHECK_EQ(offset_guarded(TC_DLT_NULL, f, n), 4);
            T_CHECK_EQ(offset_guarded(TC_DLT_LOOP, f, n),
                       order ? 4 : TC_LINK_NOT_IP);
        }

        put_family(f, 17, order); /* AF_PACKET-ish: not IP */
        T_CHECK_EQ(offset_guarded(TC_DLT_NULL, f, n), TC_LINK_NOT_IP);
    }

    put_family(f, 2, true);
    put_ip(f + 4, 4);
    check_truncations(TC_DLT_LOOP, f, 4);
}


static void
test_ether_header_and_mac(void)
{
    uint8_t dst[6], src[6] = {2, 0, 0, 0, 0, 1}, h[14], f[34];

    T_CHECK_EQ(tc_link_mac_parse("0a:1B:c:dd:ee:ff", dst), TC_OK);
    T_CHECK(dst[0] == 0x0a && dst[1] == 0x1b && dst[2] == 0x0c &&
            dst[5] == 0xff);
    T_CHECK_EQ(tc_link_mac_parse("0a-1b-0c-dd-ee-ff", dst), TC_OK);
    T_CHECK_EQ(tc_link_mac_parse("0a:1b:0c:dd:ee", dst), TC_ERROR);
    T_CHECK_EQ(tc_link_mac_parse("0a:1b:0c:dd:ee:ff:00", dst), TC_ERROR);
    T_CHECK_EQ(tc_link_mac_parse("0a:1b:0c:dd:ee:fff", dst), TC_ERROR);
    T_CHECK_EQ(tc_link_mac_parse("", dst), TC_ERROR);
    T_CHECK_EQ(tc_link_mac_parse("0a::0c:dd:ee:ff", dst), TC_ERROR);

    T_CHECK_EQ(tc_link_ether_header(h, dst, src, 4), TC_ETHER_HDR_LEN);
    T_CHECK(memcmp(h, dst, 6) == 0 && memcmp(h + 6, src, 6) == 0);
    T_CHECK(h[12] == 0x08 && h[13] == 0x00);
    T_CHECK_EQ(tc_link_ether_header(h, dst, src, 6), TC_ETHER_HDR_LEN);
    T_CHECK(h[12] == 0x86 && h[13] == 0xdd);
    T_CHECK_EQ(tc_link_ether_header(h, dst, src, 5), TC_ERROR);

    /* what the builder writes, the stripper reads back */
    T_CHECK_EQ(tc_link_ether_header(f, dst, src, 4), TC_ETHER_HDR_LEN);
    put_ip(f + 14, 4);
    T_CHECK_EQ(offset_guarded(TC_DLT_EN10MB, f, sizeof(f)), 14);
}


int
main(void)
{
    t_guard_init(T_GUARD_BYTES);
    T_RUN(test_ethernet);
    T_RUN(test_vlan);
    T_RUN(test_sll);
    T_RUN(test_raw);
    T_RUN(test_loopback);
    T_RUN(test_ether_header_and_mac);
    return T_REPORT();
}
