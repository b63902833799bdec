/*
 * test_plan.c: the traffic controls' pure decisions: port plans (no two
 * copies collide, -f plans differ), sampling (stable, close to the share),
 * ramp, and address mapping (stable, inside the network, no network or
 * broadcast address).
 */
#include "tc_config.h"

#include <stdlib.h>
#include <string.h>

#include "t_harness.h"
#include "tc_plan.h"
#include "tc_table.h"

static uint32_t rng = 12345;


static uint32_t
next_rand(void)
{
    rng = rng * 1103515245u + 12345u;
    return rng >> 8;
}


/* All 1023 copies of one port are distinct and above 1023, and differ
 * from the client's own port; shifts 0..3 give four disjoint plans. */
static void
test_port_plan(void)
{
    static uint8_t seen[65536];
    unsigned       i, g, f, bad_low = 0, dup = 0;
    uint16_t       p, q;

    for (i = 0; i < 200; i++) {
        p = (uint16_t) (next_rand() % 65535 + 1);
        memset(seen, 0, sizeof(seen));
        seen[p] = 1;
        T_CHECK_EQ(tc_plan_port(p, 0), p);
        for (f = 0; f < 4; f++) {
            for (g = (f == 0); g < 1024; g++) {
                q = tc_plan_port(p, f * 1024 + g);
                bad_low += q < TC_PLAN_PORT_LOW;
                /* equal to the client's own port is allowed by the plan
                 * (the engine probes past a port in use) but rare */
                dup += seen[q] && q != p;
                seen[q] = 1;
            }
        }
    }
    T_CHECK_EQ(bad_low, 0);
    T_CHECK_EQ(dup, 0);
    T_CHECK_EQ(tc_plan_probe(65535), TC_PLAN_PORT_LOW);
    T_CHECK_EQ(tc_plan_probe(80), TC_PLAN_PORT_LOW);
    T_CHECK_EQ(tc_plan_probe(5000), 5001);
}


/* Sampling: the same decision every time, and close to the share. */
static void
test_sampling(void)
{
    tc_endpoint_t ep;
    unsigned      i, in = 0, again = 0, n = 100000;

    memset(&ep, 0, sizeof(ep));
    ep.ip.family = TC_AF_INET;
    for (i = 0; i < n; i++) {
        ep.ip.addr[0] = 10;
        ep.ip.addr[2] = (uint8_t) (i >> 8);
        ep.ip.addr[3] = (uint8_t) i;
        ep.port = (uint16_t) (32768 + i % 28000);
        if (tc_plan_sampled(&ep, 5000)) {
            in++;
            again += tc_plan_sampled(&ep, 5000);
        }
    }
    T_CHECK(in > n * 49 / 100 && in < n * 51 / 100);
    T_CHECK_EQ(again, in);
    T_CHECK(tc_plan_sampled(&ep, 10000));

    T_CHECK_EQ(tc_plan_ramp_share(0), 100);
    T_CHECK_EQ(tc_plan_ramp_share(50000), 100 + 4950);
    T_CHECK_EQ(tc_plan_ramp_share(100000), 10000);
    T_CHECK_EQ(tc_plan_ramp_share(1000000), 10000);
}


static void
test_addrmap(void)
{
    tc_addrmap_t m;
    tc_addr_t    c, a, b;
    char         err[128];
    unsigned     i, outside = 0, edge = 0, unstable = 0;

    T_CHECK_EQ(tc_addrmap_parse("10.9.0.0/24", &m, err, sizeof(err)), TC_OK);
    for (i = 0; i < 5000; i++) {
        tc_addr_parse("192.168.0.1", &c);
        c.addr[2] = (uint8_t) (i >> 8);
        c.addr[3] = (uint8_t) i;
        tc_addrmap_pick(&m, &c, &a);
        tc_addrmap_pick(&m, &c, &b);
        unstable += !tc_addr_eq(&a, &b);
        outside += a.addr[0] != 10 || a.addr[1] != 9 || a.addr[2] != 0;
        edge += a.addr[3] == 0 || a.addr[3] == 255;
    }
    T_CHECK_EQ(unstable, 0);
    T_CHECK_EQ(outside, 0);
    T_CHECK_EQ(edge, 0);

    T_CHECK_EQ(tc_addrmap_parse("10.0.0.1,10.0.0.2", &m, err, sizeof(err)),
               TC_OK);
    T_CHECK_EQ(m.naddrs, 2);
    tc_addrmap_pick(&m, &c, &a);
    T_CHECK(a.addr[3] == 1 || a.addr[3] == 2);

    T_CHECK_EQ(tc_addrmap_parse("10.0.0.1/33", &m, err, sizeof(err)), TC_ERROR);
    T_CHECK_EQ(tc_addrmap_parse("nope", &m, err, sizeof(err)), TC_ERROR);
    T_CHECK_EQ(tc_addrmap_parse("", &m, err, sizeof(err)), TC_ERROR);
    T_CHECK_EQ(tc_addrmap_parse("::1", &m, err, sizeof(err)), TC_ERROR);
}


int
main(void)
{
    T_RUN(test_port_plan);
    T_RUN(test_sampling);
    T_RUN(test_addrmap);
    return T_REPORT();
}
