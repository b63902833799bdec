/*
 * test_ctl_pick.c: the pure choices behind tcpcopy -C N: which control
 * connection carries a session's routes (and so its replies), and which
 * connection stands in for a slot whose own connection is down.
 */
#include "tc_config.h"

#include <string.h>

#include "t_harness.h"
#include "tc_ctl.h"
#include "tc_plan.h"


static void
endpoint(tc_endpoint_t *ep, uint32_t host, uint16_t port)
{
    memset(ep, 0, sizeof(*ep));
    ep->ip.family = TC_AF_INET;
    ep->ip.addr[0] = 10;
    ep->ip.addr[1] = 77;
    ep->ip.addr[2] = (uint8_t) (host >> 8);
    ep->ip.addr[3] = (uint8_t) host;
    ep->port = port;
}


/* One connection: always slot 0.  Any n: in range and stable. */
static void
test_pick_range_stable(void)
{
    tc_endpoint_t ep;
    unsigned      n, i, bad = 0, unstable = 0, s;

    endpoint(&ep, 2, 40000);
    T_CHECK_EQ(tc_ctl_pick(&ep, 0), 0);
    T_CHECK_EQ(tc_ctl_pick(&ep, 1), 0);

    for (n = 1; n <= TC_CTL_CONNS_MAX; n++) {
        for (i = 0; i < 5000; i++) {
            endpoint(&ep, i % 300, (uint16_t) (1024 + i * 7));
            s = tc_ctl_pick(&ep, n);
            bad += s >= n;
            unstable += s != tc_ctl_pick(&ep, n);
        }
    }
    T_CHECK_EQ(bad, 0);
    T_CHECK_EQ(unstable, 0);
}


/* The ephemeral ports of one client (what a busy client looks like) and
 * single ports of many clients both spread within 10 % of even. */
static void
test_pick_spread(void)
{
    tc_endpoint_t ep;
    unsigned      count[TC_CTL_CONNS_MAX], n, i, k, min, max;
    unsigned      total = 40000;

    for (n = 2; n <= TC_CTL_CONNS_MAX; n *= 2) {
        memset(count, 0, sizeof(count));
        for (i = 0; i < total; i++) {
            endpoint(&ep, 2, (uint16_t) (32768 + i % 28000));
            count[tc_ctl_pick(&ep, n)]++;
        }
        min = max = count[0];
        for (k = 1; k < n; k++) {
            min = count[k] < min ? count[k] : min;
            max = count[k] > max ? count[k] : max;
        }
        T_CHECK(min > total / n * 9 / 10);
        T_CHECK(max < total / n * 11 / 10);

        memset(count, 0, sizeof(count));
        for (i = 0; i < total; i++) {
            endpoint(&ep, i, 80);
            count[tc_ctl_pick(&ep, n)]++;
        }
        for (k = 0; k < n; k++) {
            T_CHECK(count[k] > total / n * 9 / 10);
            T_CHECK(count[k] < total / n * 11 / 10);
        }
    }
}


/* -r keeps the endpoints whose hash falls under a share: the kept ones
 * must still use every connection evenly (pick looks at other bits). */
static void
test_pick_independent_of_sampling(void)
{
    tc_endpoint_t ep;
    unsigned      count[4] = {0, 0, 0, 0}, i, kept = 0, k;

    for (i = 0; i < 60000; i++) {
        endpoint(&ep, i % 50, (uint16_t) (1024 + i));
        if (!tc_plan_sampled(&ep, 1000)) { /* 10 % */
            continue;
        }
        kept++;
        count[tc_ctl_pick(&ep, 4)]++;
    }
    T_CHECK(kept > 5000);
    for (k = 0; k < 4; k++) {
        T_CHECK(count[k] > kept / 4 * 85 / 100);
        T_CHECK(count[k] < kept / 4 * 115 / 100);
    }
}


/* A slot's own connection when ready, else the next ready one upwards,
 * wrapping; -1 when none. */
static void
test_fallback(void)
{
    T_CHECK_EQ(tc_ctl_fallback(0x1, 1, 0), 0);
    T_CHECK_EQ(tc_ctl_fallback(0x0, 1, 0), -1);
    T_CHECK_EQ(tc_ctl_fallback(0xf, 4, 2), 2);
    T_CHECK_EQ(tc_ctl_fallback(0xb, 4, 2), 3); /* 2 down */
    T_CHECK_EQ(tc_ctl_fallback(0x3, 4, 2), 0); /* 2, 3 down: wraps */
    T_CHECK_EQ(tc_ctl_fallback(0x2, 4, 3), 1);
    T_CHECK_EQ(tc_ctl_fallback(0x0, 4, 3), -1);
    T_CHECK_EQ(tc_ctl_fallback(0xffff, 16, 15), 15);
    T_CHECK_EQ(tc_ctl_fallback(0x0001, 16, 15), 0);
    /* bits past n are not connections */
    T_CHECK_EQ(tc_ctl_fallback(0x10, 4, 0), -1);
    /* a slot out of range has no connection */
    T_CHECK_EQ(tc_ctl_fallback(0xf, 4, 4), -1);
}


/* With one connection down, its slot's sessions all move to one stand-in
 * and every other slot keeps its own: a reconnect moves back only the
 * sessions of the slot that was down. */
static void
test_fallback_moves_one_slot(void)
{
    tc_endpoint_t ep;
    unsigned      i, moved = 0, kept_wrong = 0, s;
    int           j;

    for (i = 0; i < 4000; i++) {
        endpoint(&ep, i % 64, (uint16_t) (2000 + i));
        s = tc_ctl_pick(&ep, 4);
        j = tc_ctl_fallback(0xf & ~(1u << 1), 4, s);
        if (s == 1) {
            moved += (j == 2);
        } else {
            kept_wrong += (j != (int) s);
        }
    }
    T_CHECK(moved > 0);
    T_CHECK_EQ(kept_wrong, 0);
}


int
main(void)
{
    T_RUN(test_pick_range_stable);
    T_RUN(test_pick_spread);
    T_RUN(test_pick_independent_of_sampling);
    T_RUN(test_fallback);
    T_RUN(test_fallback_moves_one_slot);
    return T_REPORT();
}
