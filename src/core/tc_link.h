/*
 * tc_link.h: finding the IP packet inside a captured link-layer frame.
 * Pure code: (link type, frame, caplen) in, offset out; no allocation, no
 * globals, every read checked against caplen.  Used by the libpcap inputs
 * of both daemons (tc_pcap.c) and by the datalink sender for its header.
 *
 * Link types are libpcap's DLT_ numbers.  They are fixed by the pcap file
 * format, so they are written here as numbers and this header does not
 * need <pcap/pcap.h>.
 */
#ifndef TC_LINK_H_INCLUDED
#define TC_LINK_H_INCLUDED

#include "tc_core.h"

#define TC_DLT_NULL       0   /* BSD loopback, family in the writer's order */
#define TC_DLT_EN10MB     1   /* Ethernet (and Linux "lo") */
#define TC_DLT_RAW        12  /* raw IP, as Linux libpcap reports it */
#define TC_DLT_RAW_BSD    14  /* raw IP on some BSDs */
#define TC_DLT_LINUX_SLL  113 /* Linux cooked capture ("any") */
#define TC_DLT_RAW_FILE   101 /* LINKTYPE_RAW in pcap files */
#define TC_DLT_LOOP       108 /* OpenBSD loopback, family in network order */
#define TC_DLT_IPV4       228
#define TC_DLT_IPV6       229
#define TC_DLT_LINUX_SLL2 276 /* Linux cooked capture v2 */

#define TC_ETHER_HDR_LEN  14
#define TC_ETHER_ADDR_LEN 6
#define TC_ETHERTYPE_IPV4 0x0800
#define TC_ETHERTYPE_IPV6 0x86dd

/* BSD loopback: a 4-byte address family in front of the IP header.
 * AF_INET6 differs between systems (Linux, NetBSD, FreeBSD, macOS). */
#define TC_LINK_NULL_HDR_LEN  4
#define TC_LINK_AF_INET       2
#define TC_LINK_AF_INET6_LNX  10
#define TC_LINK_AF_INET6_NBSD 24
#define TC_LINK_AF_INET6_FBSD 28
#define TC_LINK_AF_INET6_MAC  30

/* VLAN tags (802.1Q, 802.1ad, old QinQ) skipped in front of the IP
 * ethertype, at most. */
#define TC_LINK_VLAN_MAX 4

/* Results of tc_link_ip_offset() other than an offset. */
#define TC_LINK_NOT_IP      -1 /* ARP, LLDP, unknown link type, ... */
#define TC_LINK_TRUNCATED   -2 /* shorter than the headers it announces */
#define TC_LINK_UNSUPPORTED -3 /* a link type we cannot strip */

/* Whether tc_link_ip_offset() understands link type dlt. */
bool tc_link_supported(int dlt);

/*
 * Returns the offset of the IP header (version 4 or 6) in the caplen bytes
 * of frame, a frame of link type dlt, skipping the link header and any
 * VLAN tags.  For TC_DLT_NULL the address family may be in either byte
 * order (the file's writer is unknown); TC_DLT_LOOP's is big-endian.  At least
 * one byte of IP header lies at the offset, and its version nibble matches the
 * link layer's protocol.  Returns TC_LINK_NOT_IP, TC_LINK_TRUNCATED or
 * TC_LINK_UNSUPPORTED otherwise. frame is only read.
 */
int tc_link_ip_offset(int dlt, const uint8_t *frame, size_t caplen);

/*
 * Writes a 14-byte Ethernet header to out: destination dst, source src,
 * ethertype for IP version ip_version (4 or 6).  Returns the header length
 * (TC_ETHER_HDR_LEN) or TC_ERROR for another version.
 */
int tc_link_ether_header(uint8_t *out, const uint8_t *dst, const uint8_t *src,
                         int ip_version);

/*
 * Parses a MAC address "aa:bb:cc:dd:ee:ff" (hex digits, one or two per
 * byte, ':' or '-' between them) into out[6].  TC_OK or TC_ERROR.
 */
int tc_link_mac_parse(const char *text, uint8_t *out);

#endif /* TC_LINK_H_INCLUDED */
