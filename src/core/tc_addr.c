/*
 * tc_addr.c: parsing and printing of family-agnostic addresses.
 */
#include "tc_config.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "tc_addr.h"
#include "tc_opt.h"


int
tc_addr_parse(const char *text, tc_addr_t *out)
{
    memset(out, 0, sizeof(*out));

    if (inet_pton(AF_INET, text, out->addr) == 1) {
        out->family = TC_AF_INET;
        return TC_OK;
    }

    if (inet_pton(AF_INET6, text, out->addr) == 1) {
        out->family = TC_AF_INET6;
        return TC_OK;
    }

    return TC_ERROR;
}


int
tc_addr_resolve(const char *host, tc_addr_t *out)
{
    struct addrinfo hints, *res;
    int             rc;

    if (tc_addr_parse(host, out) == TC_OK) {
        return TC_OK;
    }

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;

    rc = getaddrinfo(host, NULL, &hints, &res);
    if (rc != 0 || res == NULL) {
        return TC_ERROR;
    }

    memset(out, 0, sizeof(*out));
    out->family = TC_AF_INET;
    memcpy(out->addr, &((struct sockaddr_in *) (void *) res->ai_addr)->sin_addr,
           4);
    freeaddrinfo(res);
    return TC_OK;
}


const char *
tc_addr_str(const tc_addr_t *a, char *buf, size_t size)
{
    int af = (a->family == TC_AF_INET6) ? AF_INET6 : AF_INET;

    if (a->family == TC_AF_NONE) {
        snprintf(buf, size, "-");
        return buf;
    }

    if (inet_ntop(af, a->addr, buf, (socklen_t) size) == NULL) {
        snprintf(buf, size, "?");
    }

    return buf;
}


const char *
tc_endpoint_str(const tc_endpoint_t *ep, char *buf, size_t size)
{
    char a[TC_ADDR_STRLEN];

    tc_addr_str(&ep->ip, a, sizeof(a));
    snprintf(buf, size, ep->ip.family == TC_AF_INET6 ? "[%s]:%u" : "%s:%u", a,
             (unsigned) ep->port);
    return buf;
}


bool
tc_addr_eq(const tc_addr_t *a, const tc_addr_t *b)
{
    size_t len = (a->family == TC_AF_INET6) ? 16 : 4;

    return a->family == b->family && memcmp(a->addr, b->addr, len) == 0;
}


bool
tc_addr_is_any(const tc_addr_t *a)
{
    static const uint8_t zero[16];

    return a->family == TC_AF_NONE || memcmp(a->addr, zero, 16) == 0;
}


void
tc_addr_set4(tc_addr_t *a, const uint8_t *be4)
{
    memset(a, 0, sizeof(*a));
    a->family = TC_AF_INET;
    memcpy(a->addr, be4, 4);
}


uint32_t
tc_endpoint_hash(const tc_endpoint_t *ep)
{
    uint32_t h = 2166136261u; /* FNV-1a, 32 bit */
    size_t   i, len = (ep->ip.family == TC_AF_INET6) ? 16 : 4;

    for (i = 0; i < len; i++) {
        h = (h ^ ep->ip.addr[i]) * 16777619u;
    }
    h = (h ^ (ep->port & 0xff)) * 16777619u;
    h = (h ^ (ep->port >> 8)) * 16777619u;
    /* final mix: FNV's low bits are weak for bucket masks and modulo 100 */
    h ^= h >> 16;
    h *= 0x7feb352du;
    h ^= h >> 15;
    return h;
}


bool
tc_endpoint_eq(const tc_endpoint_t *a, const tc_endpoint_t *b)
{
    return a->port == b->port && tc_addr_eq(&a->ip, &b->ip);
}


static int
tc_port_parse(const char *text, uint16_t *port)
{
    long v;

    if (tc_opt_number(text, 1, 65535, &v) != TC_OK) {
        return TC_ERROR;
    }
    *port = (uint16_t) v;
    return TC_OK;
}


/* HOST[:PORT] or [V6]:PORT; host names only when resolve is true. */
static int
endpoint_parse(const char *text, uint16_t default_port, bool resolve,
               tc_endpoint_t *out)
{
    char        host[256];
    const char *colon, *port = NULL;
    size_t      len;

    out->port = default_port;

    if (text[0] == '[') {
        colon = strchr(text, ']');
        if (colon == NULL) {
            return TC_ERROR;
        }
        len = (size_t) (colon - text - 1);
        if (colon[1] == ':') {
            port = colon + 2;
        } else if (colon[1] != '\0') {
            return TC_ERROR;
        }
        text++;
    } else {
        colon = strrchr(text, ':');
        if (colon != NULL && strchr(text, ':') == colon) {
            len = (size_t) (colon - text);
            port = colon + 1;
        } else {
            len = strlen(text);
        }
    }

    if (len == 0 || len >= sizeof(host)) {
        return TC_ERROR;
    }
    memcpy(host, text, len);
    host[len] = '\0';

    if (port != NULL && tc_port_parse(port, &out->port) != TC_OK) {
        return TC_ERROR;
    }

    return resolve ? tc_addr_resolve(host, &out->ip)
                   : tc_addr_parse(host, &out->ip);
}


int
tc_endpoint_parse(const char *text, uint16_t default_port, tc_endpoint_t *out)
{
    return endpoint_parse(text, default_port, true, out);
}


int
tc_endpoint_parse_ip(const char *text, uint16_t default_port,
                     tc_endpoint_t *out)
{
    return endpoint_parse(text, default_port, false, out);
}


unsigned
tc_endpoint_to_sockaddr(const tc_endpoint_t *ep, struct sockaddr_storage *ss)
{
    struct sockaddr_in  *sin;
    struct sockaddr_in6 *sin6;

    memset(ss, 0, sizeof(*ss));

    if (ep->ip.family == TC_AF_INET6) {
        sin6 = (struct sockaddr_in6 *) (void *) ss;
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(ep->port);
        memcpy(&sin6->sin6_addr, ep->ip.addr, 16);
        return sizeof(*sin6);
    }

    sin = (struct sockaddr_in *) (void *) ss;
    sin->sin_family = AF_INET;
    sin->sin_port = htons(ep->port);
    memcpy(&sin->sin_addr, ep->ip.addr, 4);
    return sizeof(*sin);
}


int
tc_endpoint_from_sockaddr(const struct sockaddr_storage *ss, tc_endpoint_t *ep)
{
    const struct sockaddr_in  *sin = (const void *) ss;
    const struct sockaddr_in6 *sin6 = (const void *) ss;

    memset(ep, 0, sizeof(*ep));
    if (ss->ss_family == AF_INET6) {
        ep->ip.family = TC_AF_INET6;
        memcpy(ep->ip.addr, &sin6->sin6_addr, 16);
        ep->port = ntohs(sin6->sin6_port);
        return TC_OK;
    }
    if (ss->ss_family == AF_INET) {
        tc_addr_set4(&ep->ip, (const uint8_t *) &sin->sin_addr);
        ep->port = ntohs(sin->sin_port);
        return TC_OK;
    }
    return TC_ERROR;
}
