/*
 * test_check.c: unit tests of `tcpcopy --check`'s verdicts (tc_check.c)
 * and of intercept's sysctl reading for its report (icp_check.c).  The
 * verdicts are pure: each case builds what the check would have observed
 * and asserts the words that tell the user what is wrong and the fix.
 */
#include "tc_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "icp_check.h"
#include "t_harness.h"
#include "tc_check.h"
#include "tc_pkt.h"

#define ISN 1000u


static bool
has(const char *line, const char *words)
{
    if (strstr(line, words) != NULL) {
        return true;
    }
    printf("  missing \"%s\" in: %s\n", words, line);
    return false;
}


static void
ep(tc_endpoint_t *e, const char *ip, uint16_t port)
{
    T_CHECK_EQ(tc_addr_parse(ip, &e->ip), TC_OK);
    e->port = port;
}


/* An intercept on the target (NFQUEUE), reachable, with reports. */
static void
icp_nfq(tc_check_icp_t *icp, uint64_t seq_before, uint64_t seq_after)
{
    memset(icp, 0, sizeof(*icp));
    ep(&icp->peer, "10.0.0.5", 36524);
    icp->link = TC_CHECK_LINK_READY;
    icp->can_report = true;
    icp->has_before = icp->has_after = true;
    strcpy(icp->before.version, "0.1.0");
    tc_check_set(&icp->before, TC_CHECK_N_INPUT, TC_CHECK_INPUT_NFQUEUE);
    tc_check_set(&icp->before, TC_CHECK_N_QUEUE_NUM, 0);
    tc_check_set(&icp->before, TC_CHECK_N_QUEUE_SEQ, seq_before);
    tc_check_set(&icp->before, TC_CHECK_N_PACKETS, seq_before);
    tc_check_set(&icp->before, TC_CHECK_N_IP_FORWARD, 0);
    strcpy(icp->before.rpf[0].dev, "all");
    strcpy(icp->before.rpf[1].dev, "eth0");
    icp->before.nrpf = 2;
    icp->after = icp->before;
    tc_check_set(&icp->after, TC_CHECK_N_QUEUE_SEQ, seq_after);
    tc_check_set(&icp->after, TC_CHECK_N_PACKETS, seq_after);
}


/* An intercept on an assistant (libpcap). */
static void
icp_pcap(tc_check_icp_t *icp, uint64_t before, uint64_t after)
{
    memset(icp, 0, sizeof(*icp));
    ep(&icp->peer, "10.0.0.9", 36524);
    icp->link = TC_CHECK_LINK_READY;
    icp->can_report = true;
    icp->has_before = icp->has_after = true;
    tc_check_set(&icp->before, TC_CHECK_N_INPUT, TC_CHECK_INPUT_PCAP);
    tc_check_set(&icp->before, TC_CHECK_N_PACKETS, before);
    tc_check_set(&icp->before, TC_CHECK_N_IP_FORWARD, 0);
    strcpy(icp->before.devices, "eth0");
    strcpy(icp->before.filter, "tcp and src port 80");
    icp->after = icp->before;
    tc_check_set(&icp->after, TC_CHECK_N_PACKETS, after);
}


static void
probe(tc_check_probe_t *p, const char *src)
{
    memset(p, 0, sizeof(*p));
    ep(&p->target, "10.0.0.5", 80);
    ep(&p->src, src, 40000);
    p->leak_watch = true;
}


static void
test_link(void)
{
    tc_check_icp_t icp;
    char           line[TC_CHECK_LINE_MAX];

    icp_nfq(&icp, 0, 0);
    T_CHECK_EQ(tc_check_say_link(&icp, line, sizeof(line)), TC_OK);
    T_CHECK(has(line, "ok, control protocol 1, intercept 0.1.0"));

    icp.can_report = false;
    icp.has_before = false;
    T_CHECK_EQ(tc_check_say_link(&icp, line, sizeof(line)), TC_OK);
    T_CHECK(has(line, "older intercept"));

    icp.link = TC_CHECK_LINK_CONNECT;
    icp.err = ECONNREFUSED;
    T_CHECK_EQ(tc_check_say_link(&icp, line, sizeof(line)), TC_ERROR);
    T_CHECK(has(line, "cannot connect to intercept at 10.0.0.5 port 36524"));
    T_CHECK(has(line, "Connection refused"));
    T_CHECK(has(line, "start intercept on 10.0.0.5"));

    icp.link = TC_CHECK_LINK_TIMEOUT;
    icp.err = ETIMEDOUT;
    T_CHECK_EQ(tc_check_say_link(&icp, line, sizeof(line)), TC_ERROR);
    T_CHECK(has(line, "no answer from 10.0.0.5 port 36524"));
    icp.err = 0;
    T_CHECK_EQ(tc_check_say_link(&icp, line, sizeof(line)), TC_ERROR);
    T_CHECK(has(line, "but no HELLO came"));

    icp.link = TC_CHECK_LINK_VERSION;
    icp.peer_version = 2;
    T_CHECK_EQ(tc_check_say_link(&icp, line, sizeof(line)), TC_ERROR);
    T_CHECK(has(line, "speaks control protocol version 2"));
    T_CHECK(has(line, "this tcpcopy speaks version 1"));

    icp.link = TC_CHECK_LINK_FOREIGN;
    T_CHECK_EQ(tc_check_say_link(&icp, line, sizeof(line)), TC_ERROR);
    T_CHECK(has(line, "not an intercept"));

    icp.link = TC_CHECK_LINK_CLOSED;
    T_CHECK_EQ(tc_check_say_link(&icp, line, sizeof(line)), TC_ERROR);
    T_CHECK(has(line, "closed the connection"));
}


static void
test_report(void)
{
    tc_check_icp_t icp;
    char           line[TC_CHECK_LINE_MAX];

    icp_nfq(&icp, 12, 12);
    T_CHECK_EQ(tc_check_say_report(&icp, line, sizeof(line)), TC_OK);
    T_CHECK(has(line, "ok, NFQUEUE 0 (packets ever queued: 12)"));
    T_CHECK(has(line, "ip_forward 0, rp_filter all 0, eth0 0"));

    /* strict rp_filter on the target is worth a note, not a failure */
    icp.before.rpf[1].value = 1;
    T_CHECK_EQ(tc_check_say_report(&icp, line, sizeof(line)), TC_OK);
    T_CHECK(has(line, "rp_filter is strict on eth0"));

    tc_check_set(&icp.before, TC_CHECK_N_CONNS, 3);
    T_CHECK_EQ(tc_check_say_report(&icp, line, sizeof(line)), TC_OK);
    T_CHECK(has(line, "2 other tcpcopy connected"));

    icp_pcap(&icp, 5, 5);
    T_CHECK_EQ(tc_check_say_report(&icp, line, sizeof(line)), TC_OK);
    T_CHECK(has(line, "libpcap on eth0 (filter 'tcp and src port 80', "
                      "replies captured: 5)"));

    /* an assistant that forwards leaks every reply */
    tc_check_set(&icp.before, TC_CHECK_N_IP_FORWARD, 1);
    T_CHECK_EQ(tc_check_say_report(&icp, line, sizeof(line)), TC_ERROR);
    T_CHECK(has(line, "sysctl -w net.ipv4.ip_forward=0"));

    icp.can_report = false;
    T_CHECK_EQ(tc_check_say_report(&icp, line, sizeof(line)), TC_OK);
    T_CHECK(has(line, "skipped (intercept too old to report)"));

    icp.link = TC_CHECK_LINK_TIMEOUT;
    T_CHECK_EQ(tc_check_say_report(&icp, line, sizeof(line)), TC_ERROR);
    T_CHECK(has(line, "skipped (see step 1)"));
}


static void
test_probe_answers(void)
{
    tc_check_icp_t   icp;
    tc_check_probe_t p;
    char             line[2 * TC_CHECK_LINE_MAX];

    icp_nfq(&icp, 0, 1);
    probe(&p, "10.0.0.2");
    p.seen = TC_CHECK_SEEN_SYNACK;
    p.seen_ms = 3;
    T_CHECK_EQ(tc_check_say_probe(&p, &icp, 1, line, sizeof(line)), TC_OK);
    T_CHECK(has(line, "ok, the target answers (SYN-ACK seen by intercept "
                      "10.0.0.5:36524 after 3 ms)"));

    p.leak_watch = false;
    T_CHECK_EQ(tc_check_say_probe(&p, &icp, 1, line, sizeof(line)), TC_OK);
    T_CHECK(has(line, "could not watch for leaked replies"));

    /* seen by intercept and yet here too */
    p.leaked = TC_CHECK_SEEN_SYNACK;
    T_CHECK_EQ(tc_check_say_probe(&p, &icp, 1, line, sizeof(line)), TC_ERROR);
    T_CHECK(has(line, "would reach the real clients"));

    p.leaked = TC_CHECK_SEEN_NONE;
    p.seen = TC_CHECK_SEEN_RST;
    T_CHECK_EQ(tc_check_say_probe(&p, &icp, 1, line, sizeof(line)), TC_ERROR);
    T_CHECK(has(line, "refused the connection"));
    T_CHECK(has(line, "nothing listens on port 80"));

    p.seen = TC_CHECK_SEEN_OTHER;
    T_CHECK_EQ(tc_check_say_probe(&p, &icp, 1, line, sizeof(line)), TC_ERROR);

    p.seen = TC_CHECK_SEEN_NONE;
    p.send_err = EPERM;
    T_CHECK_EQ(tc_check_say_probe(&p, &icp, 1, line, sizeof(line)), TC_ERROR);
    T_CHECK(has(line, "could not be sent"));
    T_CHECK(has(line, "CAP_NET_RAW"));
}


/* The target's answer bypassed intercept and came here. */
static void
test_probe_leaks(void)
{
    tc_check_icp_t   icp;
    tc_check_probe_t p;
    char             line[2 * TC_CHECK_LINE_MAX];

    icp_nfq(&icp, 7, 7);
    probe(&p, "10.0.0.2");
    p.leaked = TC_CHECK_SEEN_SYNACK;
    T_CHECK_EQ(tc_check_say_probe(&p, &icp, 1, line, sizeof(line)), TC_ERROR);
    T_CHECK(has(line, "reached this host instead of intercept"));
    T_CHECK(has(line, "would reach the real clients"));
    T_CHECK(has(line, "NFQUEUE rule on the target is missing"));
    T_CHECK(has(line, "iptables -I OUTPUT -p tcp --sport 80 -j NFQUEUE"));
    T_CHECK(strstr(line, "--queue-num") == NULL);

    tc_check_set(&icp.after, TC_CHECK_N_QUEUE_NUM, 3);
    T_CHECK_EQ(tc_check_say_probe(&p, &icp, 1, line, sizeof(line)), TC_ERROR);
    T_CHECK(has(line, "-j NFQUEUE --queue-num 3"));

    /* assistant set-up, probe from this host's own address */
    icp_pcap(&icp, 4, 4);
    p.src_guessed = true;
    p.src_local = true;
    T_CHECK_EQ(tc_check_say_probe(&p, &icp, 1, line, sizeof(line)), TC_ERROR);
    T_CHECK(has(line, "--check-src must be an address of the clients' "
                      "network"));

    /* assistant set-up, a client address: the route is what is wrong */
    p.src_guessed = false;
    p.src_local = false;
    T_CHECK_EQ(tc_check_say_probe(&p, &icp, 1, line, sizeof(line)), TC_ERROR);
    T_CHECK(has(line, "ip route add CLIENTS_NET via 10.0.0.9"));

    p.leaked = TC_CHECK_SEEN_RST;
    T_CHECK_EQ(tc_check_say_probe(&p, &icp, 1, line, sizeof(line)), TC_ERROR);
    T_CHECK(has(line, "nothing listens on port 80"));
}


/* Nothing came back anywhere: the reports narrow it down. */
static void
test_probe_silence(void)
{
    tc_check_icp_t   icp;
    tc_check_probe_t p;
    char             line[2 * TC_CHECK_LINE_MAX];

    probe(&p, "192.0.2.7");

    icp_nfq(&icp, 0, 0);
    T_CHECK_EQ(tc_check_say_probe(&p, &icp, 1, line, sizeof(line)), TC_ERROR);
    T_CHECK(has(line, "no reply of the target to the probe was seen"));
    T_CHECK(has(line, "queue 0 has never received a packet: the iptables "
                      "NFQUEUE rule is missing"));
    T_CHECK(has(line, "iptables -I OUTPUT -p tcp --sport 80 -j NFQUEUE"));
    T_CHECK(has(line, "the target is down"));

    /* the queue worked before: the rule exists, the probe got lost */
    icp_nfq(&icp, 9, 9);
    icp.after.rpf[0].value = 1;
    T_CHECK_EQ(tc_check_say_probe(&p, &icp, 1, line, sizeof(line)), TC_ERROR);
    T_CHECK(has(line, "queue 0 received nothing during the probe"));
    T_CHECK(has(line, "packets whose source is 192.0.2.7"));
    T_CHECK(has(line, "rp_filter is strict (1)"));

    icp_pcap(&icp, 4, 4);
    T_CHECK_EQ(tc_check_say_probe(&p, &icp, 1, line, sizeof(line)), TC_ERROR);
    T_CHECK(has(line, "The assistant captured nothing during the probe"));
    T_CHECK(has(line, "no route for the probe's source via the assistant"));
    T_CHECK(has(line, "ip route add CLIENTS_NET via 10.0.0.9"));
    T_CHECK(has(line, "filter 'tcp and src port 80'"));

    /* an old intercept: no report, the possibilities are listed */
    icp.has_before = icp.has_after = false;
    T_CHECK_EQ(tc_check_say_probe(&p, &icp, 1, line, sizeof(line)), TC_ERROR);
    T_CHECK(has(line, "NFQUEUE rule"));
    T_CHECK(has(line, "via the assistant"));

    /* a tiny buffer is cut, never overrun */
    T_CHECK_EQ(tc_check_say_probe(&p, &icp, 1, line, 16), TC_ERROR);
    T_CHECK_EQ(strlen(line), 15);
}


static size_t
build(uint8_t *buf, const char *src, uint16_t sport, const char *dst,
      uint16_t dport, uint8_t flags, uint32_t ack)
{
    tc_seg_t s;

    memset(&s, 0, sizeof(s));
    T_CHECK_EQ(tc_addr_parse(src, &s.src), TC_OK);
    T_CHECK_EQ(tc_addr_parse(dst, &s.dst), TC_OK);
    s.sport = sport;
    s.dport = dport;
    s.seq = 5;
    s.ack = ack;
    s.flags = flags;
    s.wscale = -1;
    return tc_pkt_build(buf, 128, &s, NULL, 0);
}


static void
test_classify(void)
{
    tc_endpoint_t src, tgt;
    uint8_t       pkt[128];
    size_t        n;

    ep(&src, "10.0.0.2", 40000);
    ep(&tgt, "10.0.0.5", 80);

    n = build(pkt, "10.0.0.5", 80, "10.0.0.2", 40000, TC_TCP_SYN | TC_TCP_ACK,
              ISN + 1);
    T_CHECK_EQ(tc_check_classify(pkt, n, &src, &tgt, ISN),
               TC_CHECK_SEEN_SYNACK);
    /* a header cut short is nobody's answer */
    T_CHECK_EQ(tc_check_classify(pkt, 30, &src, &tgt, ISN), TC_CHECK_SEEN_NONE);
    /* acks another SYN: an old connection */
    T_CHECK_EQ(tc_check_classify(pkt, n, &src, &tgt, ISN + 7),
               TC_CHECK_SEEN_OTHER);

    n = build(pkt, "10.0.0.5", 80, "10.0.0.2", 40000, TC_TCP_RST | TC_TCP_ACK,
              ISN + 1);
    T_CHECK_EQ(tc_check_classify(pkt, n, &src, &tgt, ISN), TC_CHECK_SEEN_RST);

    n = build(pkt, "10.0.0.5", 81, "10.0.0.2", 40000, TC_TCP_RST, 0);
    T_CHECK_EQ(tc_check_classify(pkt, n, &src, &tgt, ISN), TC_CHECK_SEEN_NONE);
    n = build(pkt, "10.0.0.5", 80, "10.0.0.3", 40000, TC_TCP_RST, 0);
    T_CHECK_EQ(tc_check_classify(pkt, n, &src, &tgt, ISN), TC_CHECK_SEEN_NONE);
    /* our own SYN, seen going out */
    n = build(pkt, "10.0.0.2", 40000, "10.0.0.5", 80, TC_TCP_SYN, 0);
    T_CHECK_EQ(tc_check_classify(pkt, n, &src, &tgt, ISN), TC_CHECK_SEEN_NONE);
}


/* -c spec: the probe's source tc_check_map_first() picks is want. */
static void
check_map_first(const char *spec, const char *want)
{
    tc_addrmap_t m;
    tc_addr_t    a;
    char         err[128], s[TC_ADDR_STRLEN];

    T_CHECK_EQ(tc_addrmap_parse(spec, &m, err, sizeof(err)), TC_OK);
    tc_check_map_first(&m, &a);
    T_CHECK(strcmp(tc_addr_str(&a, s, sizeof(s)), want) == 0);
}


static void
test_map_first(void)
{
    check_map_first("192.0.2.9,192.0.2.1", "192.0.2.9");
    check_map_first("10.77.1.0/24", "10.77.1.1");
    check_map_first("10.9.8.7/8", "10.0.0.1");
    check_map_first("10.9.8.7/32", "10.9.8.7");
}


static void
put_file(const char *dir, const char *name, const char *text)
{
    char  path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "w");
    T_CHECK(f != NULL);
    if (f != NULL) {
        fputs(text, f);
        fclose(f);
    }
}


/* intercept reads ip_forward and every rp_filter, lo left out. */
static void
test_icp_sysctl(void)
{
    tc_msg_check_reply_t r;
    char                 dir[] = "/tmp/test_check.XXXXXX", cmd[600];
    size_t               i;
    int                  eth0 = -1, all = -1;

    T_CHECK(mkdtemp(dir) != NULL);
    snprintf(cmd, sizeof(cmd),
             "mkdir -p %s/conf/all %s/conf/default "
             "%s/conf/eth0 %s/conf/lo %s/conf/noperm",
             dir, dir, dir, dir, dir);
    T_CHECK_EQ(system(cmd), 0);
    put_file(dir, "ip_forward", "1\n");
    put_file(dir, "conf/all/rp_filter", "0\n");
    put_file(dir, "conf/default/rp_filter", "1\n");
    put_file(dir, "conf/eth0/rp_filter", "2\n");
    put_file(dir, "conf/lo/rp_filter", "0\n");

    memset(&r, 0, sizeof(r));
    tc_icp_check_sysctl(dir, &r);
    T_CHECK(tc_check_has(&r, TC_CHECK_N_IP_FORWARD));
    T_CHECK_EQ(r.num[TC_CHECK_N_IP_FORWARD], 1);
    T_CHECK_EQ(r.nrpf, 3); /* all, default, eth0; lo and noperm left out */
    T_CHECK(strcmp(r.rpf[0].dev, "all") == 0);
    T_CHECK(strcmp(r.rpf[1].dev, "default") == 0);
    for (i = 0; i < r.nrpf; i++) {
        if (strcmp(r.rpf[i].dev, "eth0") == 0) {
            eth0 = r.rpf[i].value;
        }
        if (strcmp(r.rpf[i].dev, "all") == 0) {
            all = r.rpf[i].value;
        }
    }
    T_CHECK_EQ(eth0, 2);
    T_CHECK_EQ(all, 0);

    /* nothing readable: nothing made up */
    memset(&r, 0, sizeof(r));
    tc_icp_check_sysctl("/nonexistent/check", &r);
    T_CHECK_EQ(r.has, 0);
    T_CHECK_EQ(r.nrpf, 0);

    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    T_CHECK_EQ(system(cmd), 0);
}


int
main(void)
{
    T_RUN(test_link);
    T_RUN(test_report);
    T_RUN(test_probe_answers);
    T_RUN(test_probe_leaks);
    T_RUN(test_probe_silence);
    T_RUN(test_classify);
    T_RUN(test_map_first);
    T_RUN(test_icp_sysctl);
    return T_REPORT();
}
