/*
 * fuzz_opt.c: libFuzzer target for the parsers of option values, which
 * read whatever a user, a unit file or a wrapper script passes: numbers
 * with ranges (tc_opt_number and its message), comma lists (tc_opt_list),
 * tcpcopy's -x transfers (tc_transfer_parse, without DNS) and -c address
 * maps (tc_addrmap_parse), intercept's -D NAT mappings (tc_icp_nat_parse),
 * literal endpoints and log levels.
 *
 * The first input byte picks the parser, the rest is the option's text,
 * up to its first NUL (as argv would carry it), in an exact-size heap copy
 * so ASan sees a read past its end.  Results are checked against what each
 * parser promises; a failed check calls abort().
 */
#include "tc_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "tc_log.h"
#include "tc_opt.h"
#include "tc_plan.h"
#include "tc_transfer.h"
#include "nat.h"


/* A reason is one terminated line that says something. */
#define F_REASON(err, errlen)                                                  \
    F_CHECK((err)[0] != '\0' && memchr((err), '\0', (errlen)) != NULL)

typedef struct {
    const char *text;
    size_t      n;
} list_walk_t;


static int
list_item(void *data, const char *item, char *err, size_t errlen)
{
    list_walk_t *w = data;

    /* items are non-empty, comma-free pieces of the text, in order */
    F_CHECK(item[0] != '\0' && strchr(item, ',') == NULL);
    F_CHECK(strstr(w->text, item) != NULL);
    w->n++;
    if (strcmp(item, "stop") == 0) {
        snprintf(err, errlen, "stop at %zu", w->n);
        return TC_ERROR;
    }
    return TC_OK;
}


/* How many items strtok would find, counted another way. */
static size_t
list_count(const char *s)
{
    size_t n = 0;
    bool   in = false;

    for (; *s != '\0'; s++) {
        if (*s == ',') {
            in = false;
        } else if (!in) {
            in = true;
            n++;
        }
    }
    return n;
}


static void
fuzz_number(const char *text, uint8_t sel)
{
    static const long ranges[][2] = {{0, 0},
                                     {0, 65535},
                                     {1, 65535},
                                     {1, 1L << 24},
                                     {0, 0x7fffffffffffffffL}};
    const long       *r = ranges[sel % tc_nelems(ranges)];
    char              err[TC_OPT_ERR_MAX];
    long              v = -1;
    size_t            n;

    if (tc_opt_number(text, r[0], r[1], &v) == TC_OK) {
        F_CHECK(v >= r[0] && v <= r[1]);
        F_CHECK(text[0] >= '0' && text[0] <= '9');
        return;
    }
    F_CHECK(v == -1);
    n = tc_opt_number_say(sel & 1 ? TC_OPT_SAY_INVALID : TC_OPT_SAY_FROM_TO,
                          "--x", text, r[0], r[1], sel & 2 ? "MB" : NULL, err,
                          sizeof(err));
    F_CHECK(n >= strlen(text));
    F_REASON(err, sizeof(err));
}


static void
fuzz_list(const char *text)
{
    char        err[TC_OPT_ERR_MAX];
    list_walk_t w = {text, 0};
    int         n;

    err[0] = '\0';
    n = tc_opt_list(text, list_item, &w, err, sizeof(err));
    if (n == TC_ERROR) {
        F_REASON(err, sizeof(err));
        return;
    }
    F_CHECK((size_t) n == w.n && w.n == list_count(text));
}


static void
fuzz_parsers(uint8_t sel, const char *text)
{
    char          err[TC_OPT_ERR_MAX];
    tc_transfer_t t;
    tc_addrmap_t  map;
    tc_icp_nat_t  nat;
    tc_endpoint_t ep;
    int           level;

    err[0] = '\0';
    switch (sel) {
    case 2:
        if (tc_transfer_parse(text, false, &t, err, sizeof(err)) == TC_OK) {
            F_CHECK(t.local_port != 0 && t.target.port != 0);
            F_CHECK(t.target.ip.family == TC_AF_INET);
        } else {
            F_REASON(err, sizeof(err));
        }
        return;
    case 3:
        if (tc_addrmap_parse(text, &map, err, sizeof(err)) == TC_OK) {
            F_CHECK(map.naddrs > 0 && map.naddrs <= TC_PLAN_ADDRS_MAX);
        } else {
            F_REASON(err, sizeof(err));
        }
        return;
    case 4:
        if (tc_icp_nat_parse(text, &nat, err, sizeof(err)) == TC_OK) {
            F_CHECK(nat.inner.ip.family == nat.outer.ip.family);
        } else {
            F_REASON(err, sizeof(err));
        }
        return;
    case 5:
        if (tc_endpoint_parse_ip(text, 0, &ep) == TC_OK) {
            F_CHECK(ep.ip.family == TC_AF_INET || ep.ip.family == TC_AF_INET6);
        }
        return;
    default:
        level = tc_log_level_parse(text);
        F_CHECK(level == TC_ERROR ||
                (level >= TC_LOG_EMERG && level <= TC_LOG_DEBUG));
        return;
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *end;
    uint8_t        sel;
    size_t         len;
    char          *text;

    if (size == 0) {
        return 0;
    }
    sel = data[0];
    end = memchr(data + 1, '\0', size - 1);
    len = end != NULL ? (size_t) (end - data - 1) : size - 1;

    text = malloc(len + 1);
    if (text == NULL) {
        return 0;
    }
    memcpy(text, data + 1, len);
    text[len] = '\0';

    switch (sel % 8) {
    case 0:
        fuzz_number(text, (uint8_t) (sel >> 3));
        break;
    case 1:
        fuzz_list(text);
        break;
    default:
        fuzz_parsers(sel % 8, text);
        break;
    }

    free(text);
    return 0;
}
