/*
 * tc_neigh.c: next hop and neighbour lookups over the kernel's text
 * tables (see tc_neigh.h).  Text, not netlink: two small files read a few
 * times a minute per target cost nothing, and parsing text is easy to
 * test.
 */
#include "tc_config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc_link.h"
#include "tc_neigh.h"

#define NEIGH_FILE_MAX (256 * 1024)
#define RTF_UP_FLAG    0x0001
#define ATF_COM_FLAG   0x02 /* the entry is complete */


static int
popcount32(uint32_t v)
{
    int n = 0;

    for (; v != 0; v &= v - 1) {
        n++;
    }
    return n;
}


int
tc_neigh_route_pick(const char *text, const char *dev, uint32_t dst_be,
                    uint32_t *hop_be)
{
    const char   *line;
    char          ifname[64];
    unsigned long d, g, fl, ref, use, metric, mask;
    int           len, best_len = -1;
    unsigned long best_metric = 0;

    /* the first line is the header; fields are hex of the raw (network
     * order) u32 as the host prints it, so they compare with dst_be as is */
    for (line = strchr(text, '\n'); line != NULL;
         line = strchr(line + 1, '\n')) {
        if (sscanf(line + 1, "%63s %lx %lx %lx %lu %lu %lu %lx", ifname, &d, &g,
                   &fl, &ref, &use, &metric, &mask) != 8 ||
            strcmp(ifname, dev) != 0 || !(fl & RTF_UP_FLAG) ||
            (dst_be & (uint32_t) mask) != (uint32_t) d) {
            continue;
        }
        len = popcount32((uint32_t) mask);
        if (len > best_len || (len == best_len && metric < best_metric)) {
            best_len = len;
            best_metric = metric;
            *hop_be = (g != 0) ? (uint32_t) g : dst_be;
        }
    }

    return best_len < 0 ? TC_DECLINED : TC_OK;
}


int
tc_neigh_arp_find(const char *text, const char *dev, uint32_t ip_be,
                  uint8_t *mac)
{
    const char    *line;
    char           ip[64], hw[64], mask[64], ifname[64];
    unsigned long  type, flags;
    struct in_addr a;

    for (line = strchr(text, '\n'); line != NULL;
         line = strchr(line + 1, '\n')) {
        if (sscanf(line + 1, "%63s %lx %lx %63s %63s %63s", ip, &type, &flags,
                   hw, mask, ifname) != 6 ||
            strcmp(ifname, dev) != 0 || !(flags & ATF_COM_FLAG) ||
            inet_pton(AF_INET, ip, &a) != 1 || a.s_addr != ip_be) {
            continue;
        }
        return tc_link_mac_parse(hw, mac) == TC_OK ? TC_OK : TC_DECLINED;
    }

    return TC_DECLINED;
}


/* Reads a whole /proc file into a NUL-terminated heap buffer. */
static char *
read_text(const char *path)
{
    FILE  *f;
    char  *buf;
    size_t n;

    f = fopen(path, "re");
    if (f == NULL) {
        return NULL;
    }
    buf = malloc(NEIGH_FILE_MAX);
    if (buf != NULL) {
        n = fread(buf, 1, NEIGH_FILE_MAX - 1, f);
        buf[n] = '\0';
    }
    fclose(f);
    return buf;
}


int
tc_neigh_resolve(const char *dev, uint32_t dst_be, uint8_t *mac)
{
    char    *text;
    uint32_t hop;
    int      rc;

    text = read_text("/proc/net/route");
    if (text == NULL) {
        return TC_ERROR;
    }
    rc = tc_neigh_route_pick(text, dev, dst_be, &hop);
    free(text);
    if (rc != TC_OK) {
        return rc;
    }

    text = read_text("/proc/net/arp");
    if (text == NULL) {
        return TC_ERROR;
    }
    rc = tc_neigh_arp_find(text, dev, hop, mac);
    free(text);
    return rc;
}
