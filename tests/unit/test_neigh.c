/*
 * test_neigh.c: next hop and neighbour lookups of the datalink sender over
 * hand-made /proc/net/route and /proc/net/arp tables: longest prefix,
 * metric, device and flag filtering, on-link destinations, incomplete ARP
 * entries.
 */
#include "tc_config.h"

#include <arpa/inet.h>
#include <string.h>

#include "t_harness.h"
#include "tc_neigh.h"

static const char route_text[] =
    "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU"
    "\tWindow\tIRTT\n"
    "eth0\t00000000\t0102A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
    "eth0\t0002A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n"
    "eth0\t0003A8C0\t0202A8C0\t0003\t0\t0\t200\t00FFFFFF\t0\t0\t0\n"
    "eth0\t0003A8C0\t0302A8C0\t0003\t0\t0\t50\t00FFFFFF\t0\t0\t0\n"
    "eth1\t000A0A0A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
    "eth1\t000B0A0A\t00000000\t0000\t0\t0\t0\t00FFFFFF\t0\t0\t0\n";

static const char arp_text[] =
    "IP address       HW type     Flags       HW address            Mask   "
    "  Device\n"
    "192.168.2.1      0x1         0x2         52:54:00:12:34:56     *      "
    "  eth0\n"
    "192.168.2.9      0x1         0x0         00:00:00:00:00:00     *      "
    "  eth0\n"
    "10.10.10.7       0x1         0x2         02:00:00:00:00:07     *      "
    "  eth1\n";


static uint32_t
ip(const char *s)
{
    return inet_addr(s);
}


static void
test_route(void)
{
    uint32_t hop = 0;

    /* default route: the gateway */
    T_CHECK_EQ(tc_neigh_route_pick(route_text, "eth0", ip("8.8.8.8"), &hop),
               TC_OK);
    T_CHECK(hop == ip("192.168.2.1"));

    /* on the link: the destination itself */
    T_CHECK_EQ(tc_neigh_route_pick(route_text, "eth0", ip("192.168.2.9"), &hop),
               TC_OK);
    T_CHECK(hop == ip("192.168.2.9"));

    /* two /24 routes: the lower metric wins over the default */
    T_CHECK_EQ(tc_neigh_route_pick(route_text, "eth0", ip("192.168.3.4"), &hop),
               TC_OK);
    T_CHECK(hop == ip("192.168.2.3"));

    /* another device; a route that is not up is ignored */
    T_CHECK_EQ(tc_neigh_route_pick(route_text, "eth1", ip("10.10.10.7"), &hop),
               TC_OK);
    T_CHECK(hop == ip("10.10.10.7"));
    T_CHECK_EQ(tc_neigh_route_pick(route_text, "eth1", ip("10.10.11.7"), &hop),
               TC_DECLINED);
    T_CHECK_EQ(tc_neigh_route_pick(route_text, "eth9", ip("8.8.8.8"), &hop),
               TC_DECLINED);
    T_CHECK_EQ(tc_neigh_route_pick("", "eth0", ip("8.8.8.8"), &hop),
               TC_DECLINED);
}


static void
test_arp(void)
{
    static const uint8_t want[6] = {0x52, 0x54, 0, 0x12, 0x34, 0x56};
    uint8_t              mac[6];

    T_CHECK_EQ(tc_neigh_arp_find(arp_text, "eth0", ip("192.168.2.1"), mac),
               TC_OK);
    T_CHECK(memcmp(mac, want, 6) == 0);
    /* incomplete entry, wrong device, unknown address */
    T_CHECK_EQ(tc_neigh_arp_find(arp_text, "eth0", ip("192.168.2.9"), mac),
               TC_DECLINED);
    T_CHECK_EQ(tc_neigh_arp_find(arp_text, "eth0", ip("10.10.10.7"), mac),
               TC_DECLINED);
    T_CHECK_EQ(tc_neigh_arp_find(arp_text, "eth1", ip("10.10.10.7"), mac),
               TC_OK);
    T_CHECK(mac[5] == 7);
    T_CHECK_EQ(tc_neigh_arp_find(arp_text, "eth0", ip("1.2.3.4"), mac),
               TC_DECLINED);
}


int
main(void)
{
    T_RUN(test_route);
    T_RUN(test_arp);
    return T_REPORT();
}
