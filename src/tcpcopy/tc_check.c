/*
 * tc_check.c: the verdicts of `tcpcopy --check` (see tc_check.h).  Pure
 * functions: what was observed in, plain words out.  Each failure says
 * what is wrong and how to fix it, narrowed down with what intercept
 * reported about its host (a queue that never received a packet points to
 * a missing NFQUEUE rule; an assistant that captured nothing points to
 * the target's route).
 */
#include "tc_config.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tc_check.h"
#include "tc_pkt.h"

/* A bounded text being built: appends never overflow, and the text stays
 * NUL-terminated (cut short if the buffer is too small). */
typedef struct {
    char  *p;
    size_t len;
    size_t cap;
} sb_t;

static void sb_add(sb_t *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));


static void
sb_init(sb_t *sb, char *buf, size_t cap)
{
    sb->p = buf;
    sb->len = 0;
    sb->cap = cap;
    if (cap > 0) {
        buf[0] = '\0';
    }
}


static void
sb_add(sb_t *sb, const char *fmt, ...)
{
    va_list ap;
    int     n;

    if (sb->len + 1 >= sb->cap) {
        return;
    }
    va_start(ap, fmt);
    n = vsnprintf(sb->p + sb->len, sb->cap - sb->len, fmt, ap);
    va_end(ap);
    if (n > 0) {
        sb->len = tc_min(sb->len + (size_t) n, sb->cap - 1);
    }
}


/* ---- step 1: the link ---- */

int
tc_check_say_link(const tc_check_icp_t *icp, char *buf, size_t len)
{
    char host[TC_ADDR_STRLEN];
    sb_t sb;

    sb_init(&sb, buf, len);
    tc_addr_str(&icp->peer.ip, host, sizeof(host));

    switch (icp->link) {
    case TC_CHECK_LINK_READY:
        sb_add(&sb, "ok, control protocol %d", TC_PROTO_VERSION);
        if (icp->has_before && icp->before.version[0] != '\0') {
            sb_add(&sb, ", intercept %s", icp->before.version);
        }
        if (!icp->can_report) {
            sb_add(&sb, " (an older intercept: it cannot report its "
                        "settings; upgrade it for step 2)");
        }
        return TC_OK;
    case TC_CHECK_LINK_CONNECT:
        sb_add(&sb, "FAILED: cannot connect to intercept at %s port %u (%s). ",
               host, (unsigned) icp->peer.port, strerror(icp->err));
        break;
    case TC_CHECK_LINK_TIMEOUT:
        if (icp->err == 0) {
            sb_add(&sb,
                   "FAILED: connected to %s port %u, but no HELLO came "
                   "within %d s: what listens there is not an intercept, "
                   "or it is stuck (see its log). Fix: check -s "
                   "HOST[:PORT].",
                   host, (unsigned) icp->peer.port, TC_CHECK_CONNECT_MS / 1000);
            return TC_ERROR;
        }
        sb_add(&sb,
               "FAILED: no answer from %s port %u within %d s (host down, "
               "or a firewall dropping TCP %u). ",
               host, (unsigned) icp->peer.port, TC_CHECK_CONNECT_MS / 1000,
               (unsigned) icp->peer.port);
        break;
    case TC_CHECK_LINK_CLOSED:
        sb_add(&sb,
               "FAILED: %s port %u closed the connection during the "
               "handshake: see intercept's log there. ",
               host, (unsigned) icp->peer.port);
        break;
    case TC_CHECK_LINK_VERSION:
        sb_add(&sb,
               "FAILED: intercept at %s speaks control protocol version %u, "
               "this tcpcopy speaks version %d: they cannot work together. "
               "Fix: install the same release of tcpcopy and intercept.",
               host, icp->peer_version, TC_PROTO_VERSION);
        return TC_ERROR;
    case TC_CHECK_LINK_FOREIGN:
        sb_add(&sb,
               "FAILED: what listens on %s port %u is not an intercept (it "
               "does not speak the control protocol). Fix: check -s "
               "HOST[:PORT].",
               host, (unsigned) icp->peer.port);
        return TC_ERROR;
    case TC_CHECK_LINK_NONE:
        sb_add(&sb, "FAILED: not tried");
        return TC_ERROR;
    }

    sb_add(&sb,
           "Fix: start intercept on %s (intercept -p %u), and let TCP %u "
           "through from this host to it.",
           host, (unsigned) icp->peer.port, (unsigned) icp->peer.port);
    return TC_ERROR;
}


/* ---- step 2: the report ---- */

/* The report to judge by: the later one if there is one. */
static const tc_msg_check_reply_t *
latest(const tc_check_icp_t *icp)
{
    if (icp->has_after) {
        return &icp->after;
    }
    return icp->has_before ? &icp->before : NULL;
}


/* Whether the report says intercept reads input (TC_CHECK_INPUT_*). */
static bool
input_is(const tc_msg_check_reply_t *r, tc_check_in_e input)
{
    return tc_check_has(r, TC_CHECK_N_INPUT) &&
           r->num[TC_CHECK_N_INPUT] == input;
}


/* Whether the queue never got a packet since intercept bound it. */
static bool
queue_never_used(const tc_msg_check_reply_t *r)
{
    return input_is(r, TC_CHECK_INPUT_NFQUEUE) &&
           tc_check_has(r, TC_CHECK_N_QUEUE_SEQ) &&
           r->num[TC_CHECK_N_QUEUE_SEQ] == 0 &&
           (!tc_check_has(r, TC_CHECK_N_PACKETS) ||
            r->num[TC_CHECK_N_PACKETS] == 0);
}


/* The largest rp_filter in effect on a device (max of all and its own),
 * and which device: the first with that value above all's, else "all";
 * 0 with no entries. */
static unsigned
rpf_strictest(const tc_msg_check_reply_t *r, const char **dev)
{
    unsigned all = 0, top = 0;
    size_t   i;

    *dev = "all";
    for (i = 0; i < r->nrpf; i++) {
        if (strcmp(r->rpf[i].dev, "all") == 0) {
            all = r->rpf[i].value;
        } else if (strcmp(r->rpf[i].dev, "default") != 0 &&
                   r->rpf[i].value > top) {
            top = r->rpf[i].value;
            *dev = r->rpf[i].dev;
        }
    }
    if (top > all) {
        return top;
    }
    *dev = "all";
    return all;
}


static void
say_input(sb_t *sb, const tc_msg_check_reply_t *r)
{
    unsigned long long pk = r->num[TC_CHECK_N_PACKETS];

    if (input_is(r, TC_CHECK_INPUT_PCAP)) {
        sb_add(sb, "libpcap on %s (filter '%s', replies captured: %llu)",
               r->devices[0] ? r->devices : "?", r->filter, pk);
    } else if (input_is(r, TC_CHECK_INPUT_NFQUEUE)) {
        sb_add(sb, "NFQUEUE %llu",
               (unsigned long long) r->num[TC_CHECK_N_QUEUE_NUM]);
        if (tc_check_has(r, TC_CHECK_N_QUEUE_SEQ)) {
            sb_add(sb, " (packets ever queued: %llu)",
                   (unsigned long long) r->num[TC_CHECK_N_QUEUE_SEQ]);
        } else {
            sb_add(sb, " (replies handled: %llu)", pk);
        }
    } else {
        sb_add(sb, "input unknown");
    }
}


static void
say_sysctl(sb_t *sb, const tc_msg_check_reply_t *r)
{
    size_t i;

    if (tc_check_has(r, TC_CHECK_N_IP_FORWARD)) {
        sb_add(sb, ", ip_forward %llu",
               (unsigned long long) r->num[TC_CHECK_N_IP_FORWARD]);
    }
    for (i = 0; i < r->nrpf; i++) {
        sb_add(sb, "%s %s %u", i == 0 ? ", rp_filter" : ",", r->rpf[i].dev,
               (unsigned) r->rpf[i].value);
    }
}


/* Notes: not failures by themselves, but what step 3 may need.  (A queue
 * that never got a packet is normal before any replay: step 3 judges.) */
static void
say_notes(sb_t *sb, const tc_msg_check_reply_t *r)
{
    const char *dev;
    uint64_t    conns = r->num[TC_CHECK_N_CONNS];

    if (r->num[TC_CHECK_N_QUEUE_DROPPED] +
            r->num[TC_CHECK_N_QUEUE_USER_DROPPED] >
        0) {
        sb_add(sb,
               "; note: the kernel dropped %llu replies (queue full: "
               "raise -q or --buffer-size)",
               (unsigned long long) (r->num[TC_CHECK_N_QUEUE_DROPPED] +
                                     r->num[TC_CHECK_N_QUEUE_USER_DROPPED]));
    }
    if (input_is(r, TC_CHECK_INPUT_NFQUEUE) && rpf_strictest(r, &dev) == 1) {
        sb_add(sb,
               "; note: rp_filter is strict on %s: the target drops "
               "packets from client addresses it would not route back "
               "the same way",
               dev);
    }
    if (tc_check_has(r, TC_CHECK_N_CONNS) && conns > 1) {
        sb_add(sb, "; %llu other tcpcopy connected",
               (unsigned long long) (conns - 1));
    }
}


int
tc_check_say_report(const tc_check_icp_t *icp, char *buf, size_t len)
{
    const tc_msg_check_reply_t *r = &icp->before;
    sb_t                        sb;

    sb_init(&sb, buf, len);

    if (icp->link != TC_CHECK_LINK_READY) {
        sb_add(&sb, "skipped (see step 1)");
        return TC_ERROR;
    }
    if (!icp->can_report || !icp->has_before) {
        sb_add(&sb, "skipped (%s)",
               icp->can_report ? "no report came in time"
                               : "intercept too old to report");
        return TC_OK;
    }

    if (input_is(r, TC_CHECK_INPUT_PCAP) &&
        tc_check_has(r, TC_CHECK_N_IP_FORWARD) &&
        r->num[TC_CHECK_N_IP_FORWARD] != 0) {
        sb_add(&sb,
               "FAILED: the assistant forwards packets (ip_forward %llu): "
               "the target's replies it captures also go on to the real "
               "clients. Fix, on the assistant: sysctl -w "
               "net.ipv4.ip_forward=0",
               (unsigned long long) r->num[TC_CHECK_N_IP_FORWARD]);
        return TC_ERROR;
    }

    sb_add(&sb, "ok, ");
    say_input(&sb, r);
    say_sysctl(&sb, r);
    say_notes(&sb, r);
    return TC_OK;
}


/* ---- step 3: the probe ---- */

tc_check_seen_e
tc_check_classify(const uint8_t *pkt, size_t len, const tc_endpoint_t *src,
                  const tc_endpoint_t *target, uint32_t isn)
{
    tc_pkt_view_t v;

    if (tc_pkt_parse(pkt, len, &v) != TC_PKT_OK ||
        !tc_addr_eq(&v.src, &target->ip) || v.sport != target->port ||
        !tc_addr_eq(&v.dst, &src->ip) || v.dport != src->port) {
        return TC_CHECK_SEEN_NONE;
    }

    if (v.flags & TC_TCP_RST) {
        return TC_CHECK_SEEN_RST;
    }
    if ((v.flags & (TC_TCP_SYN | TC_TCP_ACK)) == (TC_TCP_SYN | TC_TCP_ACK) &&
        v.ack == isn + 1) {
        return TC_CHECK_SEEN_SYNACK;
    }
    return TC_CHECK_SEEN_OTHER;
}


void
tc_check_map_first(const tc_addrmap_t *m, tc_addr_t *out)
{
    uint32_t a, mask;

    *out = m->addrs[0];
    if (m->prefix == 0 || m->prefix >= 31) {
        return; /* a list, or a network without room for a host part */
    }

    /* The network's first host: host bits cleared, then 1. */
    memcpy(&a, out->addr, 4);
    a = ntohl(a);
    mask = ~((1u << (32 - m->prefix)) - 1u);
    a = htonl((a & mask) + 1);
    memcpy(out->addr, &a, 4);
}


/* Packets intercept i handled during the probe (before -> after), or -1
 * when it could not tell. */
static long long
probe_delta(const tc_check_icp_t *icp)
{
    if (!icp->has_before || !icp->has_after ||
        !tc_check_has(&icp->before, TC_CHECK_N_PACKETS) ||
        !tc_check_has(&icp->after, TC_CHECK_N_PACKETS)) {
        return -1;
    }
    return (long long) (icp->after.num[TC_CHECK_N_PACKETS] -
                        icp->before.num[TC_CHECK_N_PACKETS]);
}


static const char *
seen_str(tc_check_seen_e s)
{
    switch (s) {
    case TC_CHECK_SEEN_SYNACK:
        return "SYN-ACK";
    case TC_CHECK_SEEN_RST:
        return "RST";
    case TC_CHECK_SEEN_OTHER:
        return "an unexpected packet";
    case TC_CHECK_SEEN_NONE:
        break;
    }
    return "nothing";
}


/* What intercept icp received during the probe: some (naming the
 * packets) when its count moved, else nothing. */
static const char *
got(const tc_check_icp_t *icp, const char *some)
{
    return probe_delta(icp) > 0 ? some : "nothing";
}


/* " intercept's queue N received ... during the probe" for nfq. */
static void
say_queue_got(sb_t *sb, const tc_check_icp_t *nfq, const char *some)
{
    sb_add(sb, " intercept's queue %llu received %s during the probe",
           (unsigned long long) latest(nfq)->num[TC_CHECK_N_QUEUE_NUM],
           got(nfq, some));
}


/* The NFQUEUE rule that queues the target's replies to intercept r. */
static void
say_rule(sb_t *sb, const tc_msg_check_reply_t *r, unsigned port)
{
    sb_add(sb, "iptables -I OUTPUT -p tcp --sport %u -j NFQUEUE", port);
    if (r->num[TC_CHECK_N_QUEUE_NUM] != 0) {
        sb_add(sb, " --queue-num %llu",
               (unsigned long long) r->num[TC_CHECK_N_QUEUE_NUM]);
    }
}


/* The assistant set-up's route, for a probe from src via icp. */
static void
say_route(sb_t *sb, const tc_check_probe_t *p, const tc_check_icp_t *icp)
{
    char s[TC_ADDR_STRLEN], a[TC_ADDR_STRLEN];

    tc_addr_str(&p->src.ip, s, sizeof(s));
    tc_addr_str(&icp->peer.ip, a, sizeof(a));
    if (p->src_guessed || p->src_local) {
        sb_add(sb,
               " The probe's source %s is this host's own address, which "
               "the target reaches directly: in the assistant set-up "
               "--check-src must be an address of the clients' network "
               "(the network the target routes via the assistant).",
               s);
        return;
    }
    sb_add(sb,
           " Fix, on the target: route the clients' network via the "
           "assistant: ip route add CLIENTS_NET via %s (CLIENTS_NET: the "
           "network that holds %s; %s: the assistant's address on the "
           "target's network).",
           a, s, a);
}


/* Finds the first reporting intercept with the given input. */
static const tc_check_icp_t *
find_input(const tc_check_icp_t *icps, size_t n, tc_check_in_e input)
{
    const tc_msg_check_reply_t *r;
    size_t                      i;

    for (i = 0; i < n; i++) {
        r = latest(&icps[i]);
        if (r != NULL && input_is(r, input)) {
            return &icps[i];
        }
    }
    return NULL;
}


/* The target's reply reached this host, and intercept did not see it. */
static void
say_leak(sb_t *sb, const tc_check_probe_t *p, const tc_check_icp_t *icps,
         size_t n)
{
    const tc_check_icp_t *nfq = find_input(icps, n, TC_CHECK_INPUT_NFQUEUE);
    const tc_check_icp_t *pc = find_input(icps, n, TC_CHECK_INPUT_PCAP);
    char                  s[TC_ADDR_STRLEN];

    tc_addr_str(&p->src.ip, s, sizeof(s));
    sb_add(sb,
           "FAILED: the target's reply (%s) reached this host instead of "
           "intercept: the target's replies would reach the real clients.",
           seen_str(p->leaked));
    if (p->leaked == TC_CHECK_SEEN_RST) {
        sb_add(sb,
               " (And it refused the connection: nothing listens on "
               "port %u.)",
               (unsigned) p->target.port);
    }

    if (nfq != NULL) {
        say_queue_got(sb, nfq, "packets, but not this one,");
        sb_add(sb,
               ": the iptables NFQUEUE rule on the target is missing or does "
               "not cover port %u. Fix, on the target: ",
               (unsigned) p->target.port);
        say_rule(sb, latest(nfq), p->target.port);
    } else if (pc != NULL) {
        sb_add(sb,
               " The target does not send replies to %s via the "
               "assistant.",
               s);
        say_route(sb, p, pc);
    } else {
        sb_add(sb, " Queue the target's replies to intercept (traditional: "
                   "an NFQUEUE rule on the target) or route them via the "
                   "assistant (advanced set-up).");
    }
}


/* The reasons a SYN may go unanswered, said once at the end. */
static void
say_otherwise(sb_t *sb, const tc_check_probe_t *p, const tc_check_icp_t *icps,
              size_t n)
{
    const tc_msg_check_reply_t *r;
    const char                 *dev = "all";
    char                        s[TC_ADDR_STRLEN];
    size_t                      i;

    tc_addr_str(&p->src.ip, s, sizeof(s));
    sb_add(sb,
           " Otherwise: the target is down, or the SYN did not reach it (a "
           "firewall or anti-spoofing dropping packets whose source is %s, "
           "rp_filter on the way)",
           s);
    for (i = 0; i < n; i++) {
        r = latest(&icps[i]);
        if (r != NULL && input_is(r, TC_CHECK_INPUT_NFQUEUE) &&
            rpf_strictest(r, &dev) == 1) {
            sb_add(sb,
                   "; rp_filter is strict (1) on the target's %s: "
                   "sysctl -w net.ipv4.conf.all.rp_filter=2 and "
                   "net.ipv4.conf.%s.rp_filter=2",
                   dev, dev);
            break;
        }
    }
    sb_add(sb, ".");
}


/* No packet of the target was seen anywhere. */
static void
say_silence(sb_t *sb, const tc_check_probe_t *p, const tc_check_icp_t *icps,
            size_t n)
{
    const tc_check_icp_t *nfq = find_input(icps, n, TC_CHECK_INPUT_NFQUEUE);
    const tc_check_icp_t *pc = find_input(icps, n, TC_CHECK_INPUT_PCAP);
    const char           *f;

    sb_add(sb,
           "FAILED: no reply of the target to the probe was seen by "
           "intercept within %d s.",
           TC_CHECK_WAIT_MS / 1000);

    if (nfq != NULL && queue_never_used(latest(nfq))) {
        sb_add(sb,
               " intercept's queue %llu has never received a packet: the "
               "iptables NFQUEUE rule is missing. Fix, on the target: ",
               (unsigned long long) latest(nfq)->num[TC_CHECK_N_QUEUE_NUM]);
        say_rule(sb, latest(nfq), p->target.port);
        sb_add(sb, ".");
    } else if (nfq != NULL) {
        say_queue_got(sb, nfq, "packets, but not this reply,");
        sb_add(sb,
               ": check that the NFQUEUE rule covers port %u (iptables -vnL "
               "OUTPUT on the target).",
               (unsigned) p->target.port);
    } else if (pc != NULL) {
        f = latest(pc)->filter;
        sb_add(sb,
               " The assistant captured %s during the probe: the target "
               "has no route for the probe's source via the assistant.",
               got(pc, "packets, but not this reply,"));
        say_route(sb, p, pc);
        if (f[0] != '\0') {
            sb_add(sb,
                   " Or intercept's filter '%s' does not match the "
                   "target's replies.",
                   f);
        }
    } else {
        sb_add(sb, " Is the NFQUEUE rule on the target (traditional set-up) "
                   "or the target's route to the clients via the assistant "
                   "(advanced) in place?");
    }
    say_otherwise(sb, p, icps, n);
}


int
tc_check_say_probe(const tc_check_probe_t *p, const tc_check_icp_t *icps,
                   size_t n, char *buf, size_t len)
{
    char by[TC_ENDPOINT_STRLEN];
    sb_t sb;

    sb_init(&sb, buf, len);

    if (p->send_err != 0) {
        sb_add(&sb,
               "FAILED: the probe's SYN could not be sent (%s). Fix: run "
               "as root or with CAP_NET_RAW; if a local firewall refuses "
               "packets with a foreign source address, send with -o DEV.",
               strerror(p->send_err));
        return TC_ERROR;
    }

    if (p->seen == TC_CHECK_SEEN_NONE) {
        if (p->leaked != TC_CHECK_SEEN_NONE) {
            say_leak(&sb, p, icps, n);
        } else {
            say_silence(&sb, p, icps, n);
        }
        return TC_ERROR;
    }

    tc_endpoint_str(&icps[p->seen_by].peer, by, sizeof(by));

    if (p->seen == TC_CHECK_SEEN_RST) {
        sb_add(&sb,
               "FAILED: the target refused the connection (RST, seen by "
               "intercept %s): nothing listens on port %u there, or a "
               "firewall rejects it. Fix: start the service on the target "
               "(ss -ltn there lists what listens), or correct -x.",
               by, (unsigned) p->target.port);
        return TC_ERROR;
    }
    if (p->seen == TC_CHECK_SEEN_OTHER) {
        sb_add(&sb,
               "FAILED: the target answered the SYN with something else "
               "than a SYN-ACK (seen by intercept %s): an old connection "
               "from the same port? Run the check again.",
               by);
        return TC_ERROR;
    }

    if (p->leaked != TC_CHECK_SEEN_NONE) {
        sb_add(&sb,
               "FAILED: intercept %s sees the target's SYN-ACK, but it also "
               "reached this host: the target's replies would reach the "
               "real clients. If intercept runs on an assistant, it must "
               "not forward (sysctl -w net.ipv4.ip_forward=0 there).",
               by);
        return TC_ERROR;
    }

    sb_add(&sb,
           "ok, the target answers (SYN-ACK seen by intercept %s after "
           "%lld ms)",
           by, (long long) p->seen_ms);
    if (!p->leak_watch) {
        sb_add(&sb, "; this host could not watch for leaked replies");
    }
    return TC_OK;
}
