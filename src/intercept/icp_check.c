/*
 * icp_check.c: the report intercept sends in answer to CHECK (see
 * icp_check.h).  tcpcopy --check turns it into plain-words verdicts; here
 * we only gather facts, cheaply, from files any user can read.
 */
#include "tc_config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "icp_check.h"
#include "tc_log.h"

static int  read_number(const char *path, uint64_t *out);
static void add_rpf(const char *dir, const char *dev,
                    tc_msg_check_reply_t *out);


/*
 * Reads a file holding one decimal number (a sysctl).  Returns TC_OK, or
 * TC_ERROR if it cannot be opened or does not start with a number.
 */
static int
read_number(const char *path, uint64_t *out)
{
    char    buf[32], *end;
    ssize_t n;
    int     fd;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd == -1) {
        return TC_ERROR;
    }
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0) {
        return TC_ERROR;
    }
    buf[n] = '\0';

    errno = 0;
    *out = strtoull(buf, &end, 10);
    if (errno != 0 || end == buf) {
        return TC_ERROR;
    }
    return TC_OK;
}


/* Adds the rp_filter of dev (a directory under dir/conf) if readable and
 * the report has room. */
static void
add_rpf(const char *dir, const char *dev, tc_msg_check_reply_t *out)
{
    char     path[512];
    uint64_t v;

    if (out->nrpf == TC_CHECK_RPF_MAX || strlen(dev) > TC_CHECK_IFNAME_MAX) {
        return;
    }
    snprintf(path, sizeof(path), "%s/conf/%s/rp_filter", dir, dev);
    if (read_number(path, &v) != TC_OK) {
        return;
    }

    snprintf(out->rpf[out->nrpf].dev, sizeof(out->rpf[0].dev), "%s", dev);
    out->rpf[out->nrpf].value = (uint8_t) (v > 255 ? 255 : v);
    out->nrpf++;
}


void
tc_icp_check_sysctl(const char *dir, tc_msg_check_reply_t *out)
{
    struct dirent *e;
    char           path[512];
    uint64_t       v;
    DIR           *d;

    snprintf(path, sizeof(path), "%s/ip_forward", dir);
    if (read_number(path, &v) == TC_OK) {
        tc_check_set(out, TC_CHECK_N_IP_FORWARD, v);
    }

    /* The effective value on a device is max(all, device): both are
     * needed, so "all" and "default" come first. */
    add_rpf(dir, "all", out);
    add_rpf(dir, "default", out);

    snprintf(path, sizeof(path), "%s/conf", dir);
    d = opendir(path);
    if (d == NULL) {
        return;
    }
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "all") == 0 ||
            strcmp(e->d_name, "default") == 0 || strcmp(e->d_name, "lo") == 0) {
            continue;
        }
        add_rpf(dir, e->d_name, out);
    }
    closedir(d);
}


/* Copies text into a report field of cap bytes; an over-long text is cut
 * and ends with "..." so nobody mistakes it for the whole. */
static void
put_text(char *dst, size_t cap, const char *text)
{
    size_t len = strlen(text);

    if (len < cap) {
        memcpy(dst, text, len + 1);
        return;
    }
    memcpy(dst, text, cap - 4);
    memcpy(dst + cap - 4, "...", 4);
}


/* The input's own facts: which input, and its kernel counters. */
static void
report_input(const tc_icp_cycle_t *cycle, tc_msg_check_reply_t *out)
{
    const tc_icp_conf_t   *conf = cycle->conf;
    tc_icp_capture_stats_t cs;

    tc_icp_capture_stats(cycle, &cs);

    if (conf->pcap_devices != NULL) {
        tc_check_set(out, TC_CHECK_N_INPUT, TC_CHECK_INPUT_PCAP);
        put_text(out->devices, sizeof(out->devices), conf->pcap_devices);
        put_text(out->filter, sizeof(out->filter),
                 conf->pcap_filter ? conf->pcap_filter : "");
        tc_check_set(out, TC_CHECK_N_QUEUE_DROPPED, cs.kernel_dropped);
        return;
    }

    tc_check_set(out, TC_CHECK_N_INPUT, TC_CHECK_INPUT_NFQUEUE);
    tc_check_set(out, TC_CHECK_N_QUEUE_NUM, conf->queue_num);
    if (cs.queue_listed) {
        tc_check_set(out, TC_CHECK_N_QUEUE_SEQ, cs.queue_id_seq);
        tc_check_set(out, TC_CHECK_N_QUEUE_DROPPED, cs.kernel_dropped);
        tc_check_set(out, TC_CHECK_N_QUEUE_USER_DROPPED,
                     cs.kernel_user_dropped);
    }
}


void
tc_icp_check_report(const tc_icp_cycle_t *cycle, uint32_t token,
                    tc_msg_check_reply_t *out)
{
    const tc_router_stats_t *rs = tc_router_stats(cycle->router);

    memset(out, 0, sizeof(*out));
    out->token = token;
    put_text(out->version, sizeof(out->version), TC_ICP_VERSION);

    report_input(cycle, out);
    tc_icp_check_sysctl(TC_ICP_PROC_NET_IPV4, out);

    tc_check_set(out, TC_CHECK_N_PACKETS, cycle->ledger.packets);
    tc_check_set(out, TC_CHECK_N_DELIVERED, cycle->ledger.delivered);
    tc_check_set(out, TC_CHECK_N_ROUTES, tc_router_routes(cycle->router));
    tc_check_set(out, TC_CHECK_N_EXPIRED, rs->expired_no_route);
}
