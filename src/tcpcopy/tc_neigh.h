/*
 * tc_neigh.h: the next hop toward an IPv4 address and its MAC, from the
 * kernel's own tables as /proc/net/route and /proc/net/arp print them.
 * The datalink sender (send_pcap.c) builds Ethernet headers with them.
 *
 * The parsers are pure (text in, answer out) so unit tests feed them
 * hand-made tables; tc_neigh_resolve() reads the files of the current
 * network namespace.
 */
#ifndef TC_NEIGH_H_INCLUDED
#define TC_NEIGH_H_INCLUDED

#include "tc_core.h"

/*
 * Finds in a /proc/net/route text the route for dst_be (network order)
 * through device dev: longest prefix, then lowest metric, among routes
 * that are up.  Sets *hop_be to its gateway, or to dst_be itself when the
 * destination is on the link.  TC_OK, or TC_DECLINED if no route of dev
 * matches.
 */
int tc_neigh_route_pick(const char *text, const char *dev, uint32_t dst_be,
                        uint32_t *hop_be);

/*
 * Finds in a /proc/net/arp text the complete entry for ip_be on device
 * dev and copies its MAC to mac[6].  TC_OK, or TC_DECLINED if there is no
 * complete entry (not resolved yet, or failed).
 */
int tc_neigh_arp_find(const char *text, const char *dev, uint32_t ip_be,
                      uint8_t *mac);

/*
 * Reads the current tables: the MAC of the next hop toward dst_be through
 * dev.  TC_OK, TC_DECLINED (no route through dev or not resolved yet) or
 * TC_ERROR (a file could not be read; errno set).
 */
int tc_neigh_resolve(const char *dev, uint32_t dst_be, uint8_t *mac);

#endif /* TC_NEIGH_H_INCLUDED */
