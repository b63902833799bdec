/*
 * tc_plan.c: the pure decisions of the traffic controls (see tc_plan.h).
 */
#include "tc_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc_bytes.h"
#include "tc_opt.h"
#include "tc_plan.h"

#define PLAN_SPAN 64512u /* ports 1024..65535 */
#define PLAN_STEP 4099u  /* prime, coprime with the span: distinct copies */


uint16_t
tc_plan_port(uint16_t port, unsigned g)
{
    if (g == 0) {
        return port;
    }
    return (uint16_t) (TC_PLAN_PORT_LOW +
                       ((uint32_t) port + (uint32_t) g * PLAN_STEP) %
                           PLAN_SPAN);
}


uint16_t
tc_plan_probe(uint16_t port)
{
    if (port < TC_PLAN_PORT_LOW || port == 65535) {
        return TC_PLAN_PORT_LOW;
    }
    return (uint16_t) (port + 1);
}


bool
tc_plan_sampled(const tc_endpoint_t *client, unsigned share)
{
    if (share >= 10000) {
        return true;
    }
    return tc_endpoint_hash(client) % 10000 < share;
}


unsigned
tc_plan_ramp_share(tc_msec_t elapsed)
{
    if (elapsed <= 0) {
        return 100;
    }
    if (elapsed >= 100000) {
        return 10000;
    }
    /* 1 % at the start, 100 % after 100 s, linear in between */
    return 100 + (unsigned) (elapsed * 9900 / 100000);
}


static int
addrmap_parse_cidr(const char *text, const char *slash, tc_addrmap_t *m,
                   char *err, size_t errlen)
{
    char   net[TC_ADDR_STRLEN];
    long   prefix;
    size_t len = (size_t) (slash - text);

    if (len == 0 || len >= sizeof(net) ||
        tc_opt_number(slash + 1, 8, 32, &prefix) != TC_OK) {
        snprintf(err, errlen, "\"%s\" is not an IPv4 network /8../32", text);
        return TC_ERROR;
    }
    memcpy(net, text, len);
    net[len] = '\0';
    if (tc_addr_parse(net, &m->addrs[0]) != TC_OK ||
        m->addrs[0].family != TC_AF_INET) {
        snprintf(err, errlen, "\"%s\" is not an IPv4 address", net);
        return TC_ERROR;
    }
    m->naddrs = 1;
    m->prefix = (uint8_t) prefix;
    return TC_OK;
}


int
tc_addrmap_parse(const char *text, tc_addrmap_t *m, char *err, size_t errlen)
{
    char        buf[1024], *item, *save = NULL;
    const char *slash = strchr(text, '/');

    memset(m, 0, sizeof(*m));
    if (slash != NULL) {
        return addrmap_parse_cidr(text, slash, m, err, errlen);
    }

    if (strlen(text) >= sizeof(buf)) {
        snprintf(err, errlen, "address list too long");
        return TC_ERROR;
    }
    strcpy(buf, text);

    for (item = strtok_r(buf, ",", &save); item != NULL;
         item = strtok_r(NULL, ",", &save)) {
        if (m->naddrs == TC_PLAN_ADDRS_MAX) {
            snprintf(err, errlen, "at most %d addresses", TC_PLAN_ADDRS_MAX);
            return TC_ERROR;
        }
        if (tc_addr_parse(item, &m->addrs[m->naddrs]) != TC_OK ||
            m->addrs[m->naddrs].family != TC_AF_INET) {
            snprintf(err, errlen, "\"%s\" is not an IPv4 address", item);
            return TC_ERROR;
        }
        m->naddrs++;
    }

    if (m->naddrs == 0) {
        snprintf(err, errlen, "no address given");
        return TC_ERROR;
    }
    return TC_OK;
}


void
tc_addrmap_pick(const tc_addrmap_t *m, const tc_addr_t *client, tc_addr_t *out)
{
    tc_endpoint_t ep;
    uint32_t      h, base, hosts, host;

    ep.ip = *client;
    ep.port = 0;
    h = tc_endpoint_hash(&ep);

    if (m->prefix == 0) {
        *out = m->addrs[h % m->naddrs];
        return;
    }

    base = tc_get_be32(m->addrs[0].addr);
    hosts = (m->prefix == 32) ? 1u : (1u << (32 - m->prefix));
    base &= ~(hosts - 1);

    if (hosts > 2) {
        host = base + 1 + h % (hosts - 2); /* skip network and broadcast */
    } else {
        host = base + h % hosts;
    }

    *out = m->addrs[0];
    tc_put_be32(out->addr, host);
}
