/*
 * tc_transfer.c: parsing of -x items (see tc_transfer.h).
 */
#include "tc_config.h"

#include <stdio.h>
#include <string.h>

#include "tc_opt.h"
#include "tc_transfer.h"

#define LOCAL_MAX 128 /* [LOCALIP:]PORT: an IPv6 address and a port fit */


/* PORT of [LOCALIP:]PORT, worded as tcpcopy's other numbers. */
static int
transfer_port(const char *text, uint16_t *port, char *err, size_t errlen)
{
    long v;

    if (tc_opt_number(text, 1, 65535, &v) != TC_OK) {
        (void) tc_opt_number_say(TC_OPT_SAY_FROM_TO, "-x local port", text, 1,
                                 65535, NULL, err, errlen);
        return TC_ERROR;
    }
    *port = (uint16_t) v;
    return TC_OK;
}


int
tc_transfer_parse(const char *item, bool resolve, tc_transfer_t *t, char *err,
                  size_t errlen)
{
    char        local[LOCAL_MAX], *colon, *port = local;
    const char *dash, *target;
    size_t      len;
    int         rc;

    memset(t, 0, sizeof(*t));

    /* the first dash ends the local part: IP addresses have none */
    dash = strchr(item, '-');
    len = dash ? (size_t) (dash - item) : 0;
    if (dash == NULL || len == 0 || len >= sizeof(local)) {
        (void) snprintf(err, errlen,
                        "-x wants [LOCALIP:]PORT-TARGETIP:TARGETPORT, not "
                        "\"%s\"",
                        item);
        return TC_ERROR;
    }
    memcpy(local, item, len);
    local[len] = '\0';

    /* the last colon: LOCALIP may be IPv6 */
    colon = strrchr(local, ':');
    if (colon != NULL) {
        *colon = '\0';
        port = colon + 1;
        if (tc_addr_parse(local, &t->local_ip) != TC_OK) {
            (void) snprintf(err, errlen, "-x: \"%s\" is not an IP address",
                            local);
            return TC_ERROR;
        }
    }
    if (transfer_port(port, &t->local_port, err, errlen) != TC_OK) {
        return TC_ERROR;
    }

    target = dash + 1;
    rc = resolve ? tc_endpoint_parse(target, t->local_port, &t->target)
                 : tc_endpoint_parse_ip(target, t->local_port, &t->target);
    if (rc != TC_OK) {
        (void) snprintf(err, errlen,
                        "-x: cannot use target \"%s\" (want IP:PORT)", target);
        return TC_ERROR;
    }
    if (t->target.ip.family != TC_AF_INET) {
        (void) snprintf(err, errlen,
                        "-x: target \"%s\": only IPv4 targets are supported "
                        "yet",
                        target);
        return TC_ERROR;
    }
    return TC_OK;
}
