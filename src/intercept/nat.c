/*
 * nat.c: the -D rewrite of a containerised target's replies (see nat.h).
 */
#include "tc_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nat.h"


/* One side: a literal IP[:PORT] or [v6]:PORT, len bytes of text.  The
 * port is 0 when absent.  TC_OK or TC_ERROR. */
static int
nat_side(const char *text, size_t len, tc_endpoint_t *ep)
{
    char buf[TC_ADDR_STRLEN + 8];

    if (len == 0 || len >= sizeof(buf)) {
        return TC_ERROR;
    }
    memcpy(buf, text, len);
    buf[len] = '\0';
    memset(ep, 0, sizeof(*ep));
    return tc_endpoint_parse_ip(buf, 0, ep);
}


int
tc_icp_nat_parse(const char *text, tc_icp_nat_t *out, char *err, size_t errlen)
{
    const char *dash = strchr(text, '-');

    /* addresses never hold a '-', so the first one splits */
    if (dash == NULL || strchr(dash + 1, '-') != NULL) {
        snprintf(err, errlen, "\"%s\" is not INNER-OUTER", text);
        return TC_ERROR;
    }
    if (nat_side(text, (size_t) (dash - text), &out->inner) != TC_OK) {
        snprintf(err, errlen, "inner side of \"%s\" is not IP[:PORT]", text);
        return TC_ERROR;
    }
    if (nat_side(dash + 1, strlen(dash + 1), &out->outer) != TC_OK) {
        snprintf(err, errlen, "outer side of \"%s\" is not IP[:PORT]", text);
        return TC_ERROR;
    }
    if (out->inner.ip.family != out->outer.ip.family) {
        snprintf(err, errlen, "\"%s\" mixes IPv4 and IPv6", text);
        return TC_ERROR;
    }
    if (out->outer.port != 0 && out->inner.port == 0) {
        /* every port of the container onto one port: surely a typo */
        snprintf(err, errlen,
                 "\"%s\": OUTER has a port, so INNER needs one too", text);
        return TC_ERROR;
    }
    return TC_OK;
}


const tc_icp_nat_t *
tc_icp_nat_find(const tc_icp_nat_t *maps, size_t n, const tc_addr_t *src,
                uint16_t sport)
{
    const tc_icp_nat_t *any = NULL;
    size_t              i;

    /* A handful of mappings: a scan beats a hash here. */
    for (i = 0; i < n; i++) {
        if (!tc_addr_eq(&maps[i].inner.ip, src)) {
            continue;
        }
        if (maps[i].inner.port == sport) {
            return &maps[i];
        }
        if (maps[i].inner.port == 0 && any == NULL) {
            any = &maps[i];
        }
    }
    return any;
}


int
tc_icp_nat_rewrite(const tc_icp_nat_t *m, uint8_t *pkt, tc_pkt_view_t *v)
{
    tc_pkt_rewrite_t rw;

    memset(&rw, 0, sizeof(rw));
    rw.src = &m->outer.ip;
    rw.sport = m->outer.port ? m->outer.port : -1;
    rw.dport = -1;

    /* same family by construction (tc_icp_nat_parse), so this holds */
    if (tc_pkt_rewrite(pkt, v, &rw) != TC_OK) {
        return TC_DECLINED;
    }
    return TC_OK;
}


int
tc_icp_nat_apply(const tc_icp_nat_t *maps, size_t n, uint8_t *pkt,
                 tc_pkt_view_t *v)
{
    const tc_icp_nat_t *m = tc_icp_nat_find(maps, n, &v->src, v->sport);

    return m == NULL ? TC_DECLINED : tc_icp_nat_rewrite(m, pkt, v);
}
