/*
 * tc_link.c: link-layer headers of captured frames (see tc_link.h).
 *
 * Frames come from the kernel through libpcap, but a capture on a trunk
 * port, a hostile neighbour or a truncating snaplen can hand us anything:
 * every field is read through a bounds check against caplen, never
 * against the frame's own length fields.
 */
#include "tc_config.h"

#include <string.h>

#include "tc_bytes.h"
#include "tc_link.h"

#define SLL_HDR_LEN    16
#define SLL_PROTO_OFF  14
#define SLL2_HDR_LEN   20
#define SLL2_PROTO_OFF 0
#define VLAN_TAG_LEN   4


/* IP version (4, 6) of a BSD loopback address family, or 0. */
static int
af_version(uint32_t af)
{
    switch (af) {
    case TC_LINK_AF_INET:
        return 4;
    case TC_LINK_AF_INET6_LNX:
    case TC_LINK_AF_INET6_NBSD:
    case TC_LINK_AF_INET6_FBSD:
    case TC_LINK_AF_INET6_MAC:
        return 6;
    default:
        return 0;
    }
}


static bool
is_vlan(uint16_t ethertype)
{
    /* 802.1Q, 802.1ad, and the two pre-standard QinQ values in use */
    return ethertype == 0x8100 || ethertype == 0x88a8 || ethertype == 0x9100 ||
           ethertype == 0x9200;
}


/* The IP version nibble at off must be the one the link layer announced
 * (want 0: either). */
static int
check_ip(const uint8_t *frame, size_t caplen, size_t off, int want)
{
    int version;

    if (off >= caplen) {
        return TC_LINK_TRUNCATED;
    }

    version = frame[off] >> 4;
    if ((version != 4 && version != 6) || (want != 0 && version != want)) {
        return TC_LINK_NOT_IP;
    }

    return (int) off;
}


/*
 * BSD loopback: a 4-byte address family, then IP.  DLT_NULL stores it in
 * the byte order of the host that wrote the file, which a reader cannot
 * know, so both orders are tried (no family value reads as another one
 * swapped); DLT_LOOP is always big-endian.
 */
static int
after_family(const uint8_t *frame, size_t caplen, bool either_order)
{
    uint32_t be, le;
    int      version;

    if (caplen < TC_LINK_NULL_HDR_LEN) {
        return TC_LINK_TRUNCATED;
    }
    be = tc_get_be32(frame);
    le = __builtin_bswap32(be);

    version = af_version(be);
    if (version == 0 && either_order) {
        version = af_version(le);
    }
    if (version == 0) {
        return TC_LINK_NOT_IP;
    }
    return check_ip(frame, caplen, TC_LINK_NULL_HDR_LEN, version);
}


/*
 * The ethertype is at frame[type_off]; VLAN tags may follow it, each 4
 * bytes whose last two are the next ethertype.  The payload starts right
 * after the last ethertype.
 */
static int
after_ethertype(const uint8_t *frame, size_t caplen, size_t type_off)
{
    uint16_t type;
    int      tags;

    for (tags = 0; tags <= TC_LINK_VLAN_MAX; tags++) {
        if (type_off + 2 > caplen) {
            return TC_LINK_TRUNCATED;
        }
        type = tc_get_be16(frame + type_off);

        if (type == TC_ETHERTYPE_IPV4) {
            return check_ip(frame, caplen, type_off + 2, 4);
        }
        if (type == TC_ETHERTYPE_IPV6) {
            return check_ip(frame, caplen, type_off + 2, 6);
        }
        if (!is_vlan(type)) {
            return TC_LINK_NOT_IP;
        }
        /* skip the tag control information to the inner ethertype */
        type_off += VLAN_TAG_LEN;
    }

    return TC_LINK_NOT_IP; /* more tags than anyone uses */
}


/* The list of link types is tc_link_ip_offset()'s switch and nowhere
 * else: an empty frame is truncated for every type it knows, and
 * TC_LINK_UNSUPPORTED for the others (nothing is read from it). */
bool
tc_link_supported(int dlt)
{
    static const uint8_t none[1];

    return tc_link_ip_offset(dlt, none, 0) != TC_LINK_UNSUPPORTED;
}


int
tc_link_ip_offset(int dlt, const uint8_t *frame, size_t caplen)
{
    uint16_t type;

    switch (dlt) {
    case TC_DLT_EN10MB:
        /* dst MAC, src MAC, then the ethertype */
        if (caplen < TC_ETHER_HDR_LEN) {
            return TC_LINK_TRUNCATED;
        }
        return after_ethertype(frame, caplen, 2 * TC_ETHER_ADDR_LEN);
    case TC_DLT_LINUX_SLL:
        if (caplen < SLL_HDR_LEN) {
            return TC_LINK_TRUNCATED;
        }
        return after_ethertype(frame, caplen, SLL_PROTO_OFF);
    case TC_DLT_LINUX_SLL2:
        /* the protocol comes first, but the payload follows the whole
         * 20-byte header (tags, if any, sit at its end) */
        if (caplen < SLL2_HDR_LEN) {
            return TC_LINK_TRUNCATED;
        }
        type = tc_get_be16(frame + SLL2_PROTO_OFF);
        if (is_vlan(type)) {
            return after_ethertype(frame, caplen, SLL2_HDR_LEN + 2);
        }
        if (type == TC_ETHERTYPE_IPV4 || type == TC_ETHERTYPE_IPV6) {
            return check_ip(frame, caplen, SLL2_HDR_LEN,
                            type == TC_ETHERTYPE_IPV4 ? 4 : 6);
        }
        return TC_LINK_NOT_IP;
    case TC_DLT_NULL:
        return after_family(frame, caplen, true);
    case TC_DLT_LOOP:
        return after_family(frame, caplen, false);
    case TC_DLT_RAW:
    case TC_DLT_RAW_BSD:
    case TC_DLT_RAW_FILE:
        return check_ip(frame, caplen, 0, 0);
    case TC_DLT_IPV4:
        return check_ip(frame, caplen, 0, 4);
    case TC_DLT_IPV6:
        return check_ip(frame, caplen, 0, 6);
    default:
        return TC_LINK_UNSUPPORTED;
    }
}


int
tc_link_ether_header(uint8_t *out, const uint8_t *dst, const uint8_t *src,
                     int ip_version)
{
    uint16_t type;

    if (ip_version == 4) {
        type = TC_ETHERTYPE_IPV4;
    } else if (ip_version == 6) {
        type = TC_ETHERTYPE_IPV6;
    } else {
        return TC_ERROR;
    }

    memcpy(out, dst, TC_ETHER_ADDR_LEN);
    memcpy(out + TC_ETHER_ADDR_LEN, src, TC_ETHER_ADDR_LEN);
    tc_put_be16(out + 12, type);
    return TC_ETHER_HDR_LEN;
}


static int
hex_digit(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}


int
tc_link_mac_parse(const char *text, uint8_t *out)
{
    const char *p = text;
    int         i, d, v, digits;

    for (i = 0; i < TC_ETHER_ADDR_LEN; i++) {
        v = 0;
        for (digits = 0; digits < 2 && (d = hex_digit(*p)) >= 0; digits++) {
            v = v * 16 + d;
            p++;
        }
        if (digits == 0) {
            return TC_ERROR;
        }
        out[i] = (uint8_t) v;
        if (i < TC_ETHER_ADDR_LEN - 1) {
            if (*p != ':' && *p != '-') {
                return TC_ERROR;
            }
            p++;
        }
    }

    return (*p == '\0') ? TC_OK : TC_ERROR;
}
