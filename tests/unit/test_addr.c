/*
 * test_addr.c: the endpoint hash and equality every endpoint table uses
 * (tcpcopy's sessions and flows, intercept's routes), and the endpoint's
 * text form in logs and messages.
 */
#include "tc_config.h"

#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "t_harness.h"
#include "tc_addr.h"


static tc_endpoint_t
ep(const char *ip, uint16_t port)
{
    tc_endpoint_t e;

    memset(&e, 0, sizeof(e));
    (void) tc_addr_parse(ip, &e.ip);
    e.port = port;
    return e;
}


/* The hash picks sampled sessions (-r), mapped addresses (-c) and control
 * connections (-C): it must give the same value on every run, host and
 * release, so its values are pinned. */
static void
test_hash_stable(void)
{
    tc_endpoint_t a = ep("10.0.0.1", 80), b = ep("192.168.1.200", 54321),
                  c = ep("::1", 1), d = ep("2001:db8::5", 65535);

    T_CHECK_EQ(tc_endpoint_hash(&a), 0xaffdeeafu);
    T_CHECK_EQ(tc_endpoint_hash(&b), 0x498fece2u);
    T_CHECK_EQ(tc_endpoint_hash(&c), 0xf2c0858cu);
    T_CHECK_EQ(tc_endpoint_hash(&d), 0x4cde8afeu);
}


/* Bytes past an IPv4 address do not count, in the hash as in equality:
 * a key copied from a packet need not be cleared first. */
static void
test_eq_ignores_padding(void)
{
    tc_endpoint_t a = ep("10.0.0.1", 80), b = a, c;

    b.ip.addr[9] = 0x5a;
    T_CHECK(tc_endpoint_eq(&a, &b));
    T_CHECK_EQ(tc_endpoint_hash(&a), tc_endpoint_hash(&b));

    c = a;
    c.port = 81;
    T_CHECK(!tc_endpoint_eq(&a, &c));

    c = ep("::ffff:10.0.0.1", 80); /* another family, not equal */
    T_CHECK(!tc_endpoint_eq(&a, &c));

    c = ep("10.0.0.2", 80);
    T_CHECK(!tc_endpoint_eq(&a, &c));
    T_CHECK(tc_endpoint_hash(&a) != tc_endpoint_hash(&c));
}


/* Neighbouring client ports of one address spread over the low bits (the
 * bucket mask): no bucket of 1024 takes more than a few of 4096 ports. */
static void
test_hash_spread(void)
{
    static unsigned count[1024];
    tc_endpoint_t   e = ep("10.77.1.2", 0);
    unsigned        p, max = 0;

    for (p = 0; p < 4096; p++) {
        e.port = (uint16_t) (32768 + p);
        count[tc_endpoint_hash(&e) & 1023]++;
    }
    for (p = 0; p < 1024; p++) {
        max = count[p] > max ? count[p] : max;
    }
    T_CHECK(max <= 16);
}


/* IPv6 is bracketed: "2001:db8::5:80" would read as an address alone. */
static void
test_endpoint_str(void)
{
    tc_endpoint_t a = ep("10.0.0.5", 80), b = ep("2001:db8::5", 80);
    tc_endpoint_t none;
    char          buf[TC_ENDPOINT_STRLEN], small[8];

    T_CHECK(strcmp(tc_endpoint_str(&a, buf, sizeof(buf)), "10.0.0.5:80") == 0);
    T_CHECK(strcmp(tc_endpoint_str(&b, buf, sizeof(buf)), "[2001:db8::5]:80") ==
            0);
    b = ep("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 65535);
    T_CHECK(strcmp(tc_endpoint_str(&b, buf, sizeof(buf)),
                   "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535") == 0);
    /* cut, never overrun */
    T_CHECK(strlen(tc_endpoint_str(&b, small, sizeof(small))) ==
            sizeof(small) - 1);
    memset(&none, 0, sizeof(none));
    T_CHECK(strcmp(tc_endpoint_str(&none, buf, sizeof(buf)), "-:0") == 0);
}


/* accept()'s address back to an endpoint, both families, and the round
 * trip through tc_endpoint_to_sockaddr(). */
static void
test_endpoint_sockaddr(void)
{
    struct sockaddr_storage ss;
    tc_endpoint_t           a = ep("10.0.0.5", 8080), b = ep("fe80::1", 443);
    tc_endpoint_t           out;

    (void) tc_endpoint_to_sockaddr(&a, &ss);
    T_CHECK_EQ(tc_endpoint_from_sockaddr(&ss, &out), TC_OK);
    T_CHECK(tc_endpoint_eq(&a, &out));
    (void) tc_endpoint_to_sockaddr(&b, &ss);
    T_CHECK_EQ(tc_endpoint_from_sockaddr(&ss, &out), TC_OK);
    T_CHECK(tc_endpoint_eq(&b, &out));
    memset(&ss, 0, sizeof(ss));
    ss.ss_family = AF_UNIX;
    T_CHECK_EQ(tc_endpoint_from_sockaddr(&ss, &out), TC_ERROR);
}


int
main(void)
{
    T_RUN(test_hash_stable);
    T_RUN(test_eq_ignores_padding);
    T_RUN(test_hash_spread);
    T_RUN(test_endpoint_str);
    T_RUN(test_endpoint_sockaddr);
    return T_REPORT();
}
