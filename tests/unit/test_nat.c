/*
 * test_nat.c: intercept -D INNER-OUTER, the pure parts: parsing the
 * mappings, choosing one for a reply, and rewriting the reply's source so
 * that it is byte for byte the packet the outer address would have sent
 * (checksums included), for IPv4 and IPv6, with and without ports.
 */
#include "tc_config.h"

#include <string.h>

#include "t_harness.h"
#include "nat.h"


static bool
parses(const char *text, tc_icp_nat_t *m)
{
    char err[160];

    err[0] = '\0';
    if (tc_icp_nat_parse(text, m, err, sizeof(err)) == TC_OK) {
        return true;
    }
    T_CHECK(err[0] != '\0'); /* a failure always says why */
    return false;
}


static bool
ep_is(const tc_endpoint_t *ep, const char *ip, uint16_t port)
{
    tc_addr_t a;

    return tc_addr_parse(ip, &a) == TC_OK && tc_addr_eq(&a, &ep->ip) &&
           ep->port == port;
}


static void
test_parse(void)
{
    tc_icp_nat_t m;

    T_CHECK(parses("172.17.0.2:8080-10.0.0.5:80", &m));
    T_CHECK(ep_is(&m.inner, "172.17.0.2", 8080));
    T_CHECK(ep_is(&m.outer, "10.0.0.5", 80));

    T_CHECK(parses("172.17.0.2-10.0.0.5", &m));
    T_CHECK(ep_is(&m.inner, "172.17.0.2", 0));
    T_CHECK(ep_is(&m.outer, "10.0.0.5", 0));

    T_CHECK(parses("172.17.0.2:80-10.0.0.5", &m)); /* keeps the port */
    T_CHECK(ep_is(&m.outer, "10.0.0.5", 0));

    T_CHECK(parses("[fd00::2]:8080-[2001:db8::5]:80", &m));
    T_CHECK(ep_is(&m.inner, "fd00::2", 8080));
    T_CHECK(ep_is(&m.outer, "2001:db8::5", 80));
    T_CHECK(parses("fd00::2-2001:db8::5", &m));
    T_CHECK(ep_is(&m.inner, "fd00::2", 0));

    T_CHECK(!parses("172.17.0.2", &m));
    T_CHECK(!parses("172.17.0.2-", &m));
    T_CHECK(!parses("-10.0.0.5", &m));
    T_CHECK(!parses("a-b-c", &m));
    T_CHECK(!parses("172.17.0.2-10.0.0.5:80", &m)); /* port only outside */
    T_CHECK(!parses("172.17.0.2:0-10.0.0.5:80", &m));
    T_CHECK(!parses("172.17.0.2:65536-10.0.0.5:80", &m));
    T_CHECK(!parses("172.17.0.2:8x-10.0.0.5:80", &m));
    T_CHECK(!parses("172.17.0.2-[2001:db8::5]", &m)); /* two families */
    T_CHECK(!parses("docker-host", &m));              /* names: no */
    T_CHECK(!parses("[fd00::2-10.0.0.5", &m));
}


static void
test_find(void)
{
    tc_icp_nat_t maps[3];
    tc_addr_t    a, b;

    T_CHECK(parses("172.17.0.2-10.0.0.5", &maps[0]));
    T_CHECK(parses("172.17.0.2:8080-10.0.0.5:80", &maps[1]));
    T_CHECK(parses("172.17.0.3:6379-10.0.0.5:6379", &maps[2]));
    (void) tc_addr_parse("172.17.0.2", &a);
    (void) tc_addr_parse("172.17.0.3", &b);

    /* an exact port beats the whole-address mapping listed before it */
    T_CHECK(tc_icp_nat_find(maps, 3, &a, 8080) == &maps[1]);
    T_CHECK(tc_icp_nat_find(maps, 3, &a, 9000) == &maps[0]);
    T_CHECK(tc_icp_nat_find(maps, 3, &b, 6379) == &maps[2]);
    T_CHECK(tc_icp_nat_find(maps, 3, &b, 6380) == NULL);
    T_CHECK(tc_icp_nat_find(maps, 0, &a, 8080) == NULL);
}


/* A reply as the container sends it, and as the outer address would. */
static size_t
reply(uint8_t *buf, size_t cap, const char *src, uint16_t sport)
{
    tc_seg_t seg;

    memset(&seg, 0, sizeof(seg));
    (void) tc_addr_parse(src, &seg.src);
    (void) tc_addr_parse(strchr(src, ':') ? "2001:db8::77" : "10.77.1.2",
                         &seg.dst);
    seg.sport = sport;
    seg.dport = 40001;
    seg.seq = 0x01020304;
    seg.ack = 0xa0b0c0d0;
    seg.flags = TC_TCP_ACK | TC_TCP_PSH;
    seg.window = 501;
    seg.ip_id = 4242;
    seg.wscale = -1;
    return tc_pkt_build(buf, cap, &seg, (const uint8_t *) "HTTP/1.1 200", 12);
}


static void
check_rewrite(const char *map, const char *in, uint16_t in_port,
              const char *out, uint16_t out_port)
{
    tc_icp_nat_t  m;
    tc_pkt_view_t v;
    uint8_t       got[256], want[256];
    size_t        n, wn;

    T_CHECK(parses(map, &m));
    n = reply(got, sizeof(got), in, in_port);
    wn = reply(want, sizeof(want), out, out_port);
    T_CHECK(n > 0 && n == wn);
    T_CHECK_EQ(tc_pkt_parse(got, n, &v), TC_PKT_OK);
    T_CHECK_EQ(tc_icp_nat_apply(&m, 1, got, &v), TC_OK);
    /* identical bytes: both checksums were adjusted exactly */
    T_CHECK(memcmp(got, want, n) == 0);
    T_CHECK(ep_is(&(tc_endpoint_t){v.src, v.sport}, out, out_port));
    T_CHECK_EQ(v.dport, 40001);
}


static void
test_apply(void)
{
    tc_icp_nat_t  m;
    tc_pkt_view_t v;
    uint8_t       pkt[256], before[256];
    size_t        n;

    check_rewrite("172.17.0.2:8080-10.0.0.5:80", "172.17.0.2", 8080, "10.0.0.5",
                  80);
    check_rewrite("172.17.0.2-10.0.0.5", "172.17.0.2", 8080, "10.0.0.5", 8080);
    check_rewrite("172.17.0.2:8080-10.0.0.5", "172.17.0.2", 8080, "10.0.0.5",
                  8080);
    check_rewrite("[fd00::2]:8080-[2001:db8::5]:80", "fd00::2", 8080,
                  "2001:db8::5", 80);

    /* not from the inner address (or port): untouched */
    T_CHECK(parses("172.17.0.2:8080-10.0.0.5:80", &m));
    n = reply(pkt, sizeof(pkt), "172.17.0.2", 8081);
    memcpy(before, pkt, n);
    T_CHECK_EQ(tc_pkt_parse(pkt, n, &v), TC_PKT_OK);
    T_CHECK_EQ(tc_icp_nat_apply(&m, 1, pkt, &v), TC_DECLINED);
    T_CHECK(memcmp(pkt, before, n) == 0);
    n = reply(pkt, sizeof(pkt), "172.17.0.9", 8080);
    T_CHECK_EQ(tc_pkt_parse(pkt, n, &v), TC_PKT_OK);
    T_CHECK_EQ(tc_icp_nat_apply(&m, 1, pkt, &v), TC_DECLINED);
}


int
main(void)
{
    T_RUN(test_parse);
    T_RUN(test_find);
    T_RUN(test_apply);
    return T_REPORT();
}
