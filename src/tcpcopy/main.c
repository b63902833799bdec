/*
 * main.c: tcpcopy's command line, start-up and main loop.
 *
 * tcpcopy runs on the production ("online") host.  It captures the client
 * packets sent to the transferred ports, replays each client's session to
 * the target with the client's own address, and learns the target's
 * answers from intercept over the control channel.
 */
#include "tc_config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tc_daemon.h"
#include "tc_daemon_loop.h"
#include "tc_event.h"
#include "tc_link.h"
#include "tc_ledger_prom.h"
#include "tc_log.h"
#include "tc_metrics.h"
#include "tc_offline.h"
#include "tc_opt.h"
#include "tc_proto.h"
#include "tc_plan.h"
#include "tc_check.h"
#include "tc_replay.h"
#include "tc_time.h"
#include "tc_transfer.h"

#define TC_VERSION        "0.1.0"
#define TC_INTERCEPTS_MAX 16

typedef struct {
    tc_replay_t      *replay;
    tc_endpoint_t     intercepts[TC_INTERCEPTS_MAX];
    size_t            nintercepts;
    unsigned          ctl_conns; /* -C: connections per intercept */
    tc_opt_t          opt;  /* -l, --log-level, --metrics, --stats-interval */
    tc_daemon_t       proc; /* -d, -P, -u */
    tc_daemon_loop_t  signals; /* signals and the ledger line */
    tc_capture_t      capture;
    uint16_t          ports[TC_TRANSFERS_MAX];
    tc_ledger_t       last_logged;
    tc_metrics_t     *metrics;
    tc_check_conf_t   check;   /* --check, --check-src */
    tc_offline_conf_t offline; /* --offline FILE, -a, -I, -T */
    tc_offline_t     *off;
    int               status; /* exit status when the loop ends by itself */
} tc_main_t;

static const char usage_text[] =
    "usage: tcpcopy -x TRANSFER[,...] -s INTERCEPT[,...] [options]\n"
    "\n"
    "Copies live TCP traffic: replays every client session to a port of this\n"
    "host onto a target server, with the client's own address, so a new build\n"
    "can be tested under real load.  The target's replies are captured and\n"
    "dropped by intercept, which streams their headers back to tcpcopy.\n"
    "\n"
    "  -x, --transfer [LOCALIP:]PORT-TARGETIP:TARGETPORT[,...]\n"
    "                         replay traffic sent to PORT (on LOCALIP only, "
    "if\n"
    "                         given) to TARGETIP:TARGETPORT\n"
    "  -s, --intercept HOST[:PORT][,...]\n"
    "                         intercept(s) to connect to (port 36524 by "
    "default)\n"
    "  -C, --connections N    control connections per intercept (1..16, "
    "default 1);\n"
    "                         each session's replies come on one of them\n"
    "  -W, --no-wait          send each request as soon as it is captured\n"
    "                         instead of waiting for the target's answer to "
    "the\n"
    "                         previous one, as the real client did\n"
    "  -t, --timeout SEC      end sessions that make no progress with work\n"
    "                         pending for SEC seconds (default 120)\n"
    "  -k, --keepalive-timeout SEC\n"
    "                         end sessions at rest (all answered) after SEC\n"
    "                         seconds without traffic (default 120); a client\n"
    "                         that speaks again gets a new session\n"
    "\n"
    "Traffic controls:\n"
    "  -n, --copies N         replay every session N times (1..1023), as N\n"
    "                         sessions with distinct client ports\n"
    "  -f, --port-shift N     shift the port plan of the copies (0..1023), so\n"
    "                         several tcpcopy instances never collide\n"
    "  -r, --sample PCT       replay PCT % of the sessions, chosen by a "
    "stable\n"
    "                         hash of the client address and port\n"
    "  -g, --ramp             ramp the replayed share from 1 % to 100 % in 100 "
    "s\n"
    "  -O, --syn-only         replay only sessions whose SYN was captured\n"
    "  -c, --client-addr ADDR[,ADDR...] | NET/PREFIX\n"
    "                         the target sees one of these addresses for each\n"
    "                         client (stable per client) instead of its own\n"
    "  -H, --loopback-addr ADDR\n"
    "                         source address for clients captured on "
    "127.0.0.1\n"
    "  -m, --memory MB        memory bound (>= 8): evict the sessions idle "
    "the\n"
    "                         longest, then refuse new ones; never grow past "
    "it\n"
    "  -M, --mtu MTU          largest packet toward the target (MSS = MTU - "
    "40)\n"
    "  -D, --mss MSS          largest segment payload toward the target\n"
    "  -R, --rtt MS           assume this RTT to the target instead of "
    "measuring\n"
    "  -L, --keep-running     accepted for compatibility (always the case)\n"
    "\n"
    "  -i, --device DEV[,DEV] capture with libpcap on DEV (or \"any\") instead "
    "of\n"
    "                         the raw socket\n"
    "  -F, --filter FILTER    BPF filter for -i (default: tcp to the -x "
    "ports)\n"
    "  -B, --buffer MB        capture buffer, MB per device (default 64)\n"
    "  -S, --snaplen BYTES    bytes kept of each packet with -i (default "
    "65535)\n"
    "  -o, --output DEV       send at the datalink layer through DEV, to the "
    "next\n"
    "                         hop's MAC from the kernel's neighbour table\n"
    "      --dst-mac MAC      with -o: send to this MAC instead\n"
    "\n"
    "      --check            test the path with these options and exit: "
    "each\n"
    "                         intercept, its host's settings, and a probe "
    "SYN\n"
    "                         whose answer must come back via intercept; "
    "exit 0\n"
    "                         only when replay will work\n"
    "      --check-src ADDR   the probe's client address (default: the "
    "first -c\n"
    "                         address, else this host's address); with an\n"
    "                         assistant, an address of the clients' "
    "network\n"
    "\n"
    "Offline replay (of a file recorded with tcpdump -s 0 -w FILE):\n"
    "      --offline FILE     replay the client packets of a pcap or pcapng\n"
    "                         file (also -i FILE), then exit once every\n"
    "                         session ended; not with -d\n"
    "  -a, --accelerate N     replay N times faster (N > 0; 0.5 is half "
    "speed)\n"
    "  -I, --max-idle MS      wait at most MS ms between two packets\n"
    "  -T, --loop N           replay the file N times, each loop with client\n"
    "                         ports of its own\n"
    "\n"
    "      --metrics ADDR:PORT\n"
    "                         serve the ledger as Prometheus metrics at\n"
    "                         http://ADDR:PORT/metrics\n"
    "      --stats-interval SEC\n"
    "                         log the ledger every SEC seconds when it "
    "changed\n"
    "                         (default 5, 0 = only on SIGUSR1 and at exit)\n"
    "  -l, --log FILE         log to FILE instead of stderr\n"
    "      --log-level LEVEL  emerg, alert, crit, error, warn, notice "
    "(default),\n"
    "                         info or debug\n"
    "  -d, --daemon           run in the background\n"
    "  -P, --pid FILE         write the pid to FILE and lock it; refuse to\n"
    "                         start if another instance holds the lock\n"
    "  -u, --user USER        after opening the sockets, run as USER with no\n"
    "                         capabilities left\n"
    "  -v, --version          print the version and exit\n"
    "  -h, --help             print this help and exit\n"
    "\n"
    "Signals: SIGUSR1 logs the ledger, SIGHUP reopens the log file, SIGTERM "
    "and\n"
    "SIGINT end every session and exit with the final ledger.\n"
    "\n"
    "Example: tcpcopy -x 80-10.0.0.5:80 -s 10.0.0.5\n"
    "  with, on 10.0.0.5: iptables -I OUTPUT -p tcp --sport 80 -j NFQUEUE\n"
    "                     intercept\n";


#define TC_STR(x)  #x
#define TC_XSTR(x) TC_STR(x)

/* tcpcopy's wording of the errors tc_opt.c says (scripts may match it). */
static const tc_opt_words_t tc_words = {
    .prog = "tcpcopy",
    .help = usage_text,
    .version = "tcpcopy " TC_VERSION
               " (control protocol " TC_XSTR(TC_PROTO_VERSION) ")\n",
    .numbers = TC_OPT_SAY_FROM_TO,
    .unknown = {"unknown option \"", "\""},
    .log_path = {"-l: path too long: \"", "\""},
    .log_level = {"unknown log level \"", "\""},
    .pid_path = {"-P: path too long: \"", "\""},
};


/* tcpcopy's long-only options (tc_opt.h numbers the shared ones). */
enum { OPT_DST_MAC = 256, OPT_OFFLINE, OPT_CHECK, OPT_CHECK_SRC };

/* The range of every numeric option, checked (and said when wrong, by
 * tc_opt_num) before the handlers below store the value. */
static const struct {
    int  c;
    long min, max;
} opt_ranges[] = {
    {'C', 1, TC_CTL_CONNS_MAX},
    {'t', 1, 86400},
    {'n', 1, TC_PLAN_COPIES_MAX},
    {'f', 0, TC_PLAN_SHIFT_MAX},
    {'r', 1, 100},
    {'k', 1, 86400},
    {'m', 8, 1048576},
    {'M', 576, 65535},
    {'D', 64, 65495},
    {'R', 1, 60000},
    {'B', 1, 1024},
    {'S', 128, 262144},
    {'I', 1, 86400000},
    {'T', 1, TC_OFFLINE_LOOPS_MAX},
};


/* The value of option c into *v when it is a number; TC_OK (also for
 * other options), or TC_ERROR after saying why. */
static int
opt_number(int c, const char *arg, long *v)
{
    char   name[3] = {'-', (char) c, '\0'};
    size_t i;

    for (i = 0; i < tc_nelems(opt_ranges); i++) {
        if (opt_ranges[i].c == c) {
            return tc_opt_num(&tc_words, name, arg, opt_ranges[i].min,
                              opt_ranges[i].max, NULL, v);
        }
    }
    return TC_OK;
}


/* An IPv4 address for option name (-H, --check-src): TC_OK, or the exit
 * status after saying why. */
static int
opt_ipv4(const char *name, const char *arg, tc_addr_t *out)
{
    if (tc_addr_parse(arg, out) != TC_OK || out->family != TC_AF_INET) {
        return tc_opt_fail(&tc_words, "%s: \"%s\" is not an IPv4 address", name,
                           arg);
    }
    return TC_OK;
}


/* One -x item. */
static int
transfer_item(void *data, const char *item, char *err, size_t errlen)
{
    tc_replay_t *r = data;

    if (r->ntransfers == TC_TRANSFERS_MAX) {
        (void) snprintf(err, errlen, "-x: at most %d transfers",
                        TC_TRANSFERS_MAX);
        return TC_ERROR;
    }
    return tc_transfer_parse(item, true, &r->transfers[r->ntransfers++], err,
                             errlen);
}


/* One -s item: HOST[:PORT]. */
static int
intercept_item(void *data, const char *item, char *err, size_t errlen)
{
    tc_main_t *m = data;

    if (m->nintercepts == TC_INTERCEPTS_MAX) {
        (void) snprintf(err, errlen, "-s: at most %d intercepts",
                        TC_INTERCEPTS_MAX);
        return TC_ERROR;
    }
    if (tc_endpoint_parse(item, TC_PROTO_PORT,
                          &m->intercepts[m->nintercepts++]) != TC_OK) {
        (void) snprintf(err, errlen, "-s: cannot resolve intercept \"%s\"",
                        item);
        return TC_ERROR;
    }
    return TC_OK;
}


/*
 * The traffic controls (-n -f -r -c -k -m -M -D -O -g -R -H -L), v the
 * value of a numeric one.  TC_OK, TC_DECLINED (not one of them), or the
 * exit status after saying why.
 */
static int
parse_control(tc_replay_t *r, int c, const char *arg, long v)
{
    char err[128];

    switch (c) {
    case 'n':
        r->ctl_conf.copies = (unsigned) v;
        return TC_OK;
    case 'f':
        r->ctl_conf.shift = (unsigned) v;
        return TC_OK;
    case 'r':
        r->ctl_conf.sample_pct = (unsigned) v;
        return TC_OK;
    case 'c':
        if (tc_addrmap_parse(arg, &r->ctl_conf.addrmap, err, sizeof(err)) !=
            TC_OK) {
            return tc_opt_fail(&tc_words, "-c: %s", err);
        }
        r->ctl_conf.map_addrs = true;
        return TC_OK;
    case 'k':
        r->conf.keepalive_timeout = v * 1000;
        return TC_OK;
    case 'm':
        r->ctl_conf.mem_bound = (size_t) v * 1024 * 1024;
        /* one session may not take more than a sixteenth of the bound */
        r->conf.buf_max = tc_min(r->conf.buf_max, r->ctl_conf.mem_bound / 16);
        return TC_OK;
    case 'M':
        r->conf.mss = (uint16_t) (v - 40);
        return TC_OK;
    case 'D':
        r->conf.mss = (uint16_t) v;
        return TC_OK;
    case 'O':
        r->ctl_conf.syn_only = true;
        return TC_OK;
    case 'g':
        r->ctl_conf.ramp = true;
        return TC_OK;
    case 'R':
        r->conf.fixed_rtt = v;
        return TC_OK;
    case 'H':
        r->ctl_conf.map_loopback = true;
        return opt_ipv4("-H", arg, &r->ctl_conf.loopback_src);
    case 'L': /* tcpcopy never exits because intercept went away */
        return TC_OK;
    default:
        return TC_DECLINED;
    }
}


/* The capture and send backends: -i, -F, -B, -S, -o, --dst-mac; and
 * --offline FILE, -a, -I, -T.  Returns as parse_control(). */
static int
parse_io(tc_main_t *m, int c, const char *arg, long v)
{
    tc_sender_t       *snd = &m->replay->sender;
    tc_offline_conf_t *o = &m->offline;
    char              *end;

    switch (c) {
    case 'i':
        if (arg[0] == '\0' || arg[0] == ',') {
            return tc_opt_fail(&tc_words, "-i: bad device list \"%s\"", arg);
        }
        m->capture.devices = arg;
        return TC_OK;
    case 'F':
        m->capture.filter = arg;
        return TC_OK;
    case 'B':
        m->capture.bufsize = (size_t) v << 20;
        return TC_OK;
    case 'S':
        m->capture.snaplen = (size_t) v;
        return TC_OK;
    case 'o':
        snd->device = arg;
        return TC_OK;
    case OPT_DST_MAC:
        if (tc_link_mac_parse(arg, snd->dst_mac) != TC_OK) {
            return tc_opt_fail(&tc_words,
                               "--dst-mac: \"%s\" is not a MAC address", arg);
        }
        snd->has_dst_mac = true;
        return TC_OK;
    case OPT_OFFLINE:
        o->path = arg;
        return TC_OK;
    case 'a':
        errno = 0;
        o->speed = strtod(arg, &end);
        if (errno != 0 || *arg == '\0' || *end != '\0' || !(o->speed > 0) ||
            o->speed > TC_OFFLINE_SPEED_MAX) {
            return tc_opt_fail(&tc_words,
                               "-a wants a number above 0 (10: ten times "
                               "faster), not \"%s\"",
                               arg);
        }
        return TC_OK;
    case 'I':
        o->idle_max = v;
        return TC_OK;
    case 'T':
        o->loops = (unsigned) v;
        return TC_OK;
    default:
        return TC_DECLINED;
    }
}


/* --offline (or -i naming a regular file) against the other options.
 * TC_OK, or the exit status after saying why. */
static int
check_offline(tc_main_t *m)
{
    tc_offline_conf_t *o = &m->offline;
    struct stat        st;

    if (o->path == NULL && m->capture.devices != NULL &&
        stat(m->capture.devices, &st) == 0 && S_ISREG(st.st_mode)) {
        o->path = m->capture.devices; /* -i FILE */
        m->capture.devices = NULL;
    }
    if (o->path == NULL) {
        if (o->speed != 0 || o->idle_max != 0 || o->loops != 0) {
            return tc_opt_fail(&tc_words, "%s",
                               "-a, -I and -T need --offline FILE");
        }
        return TC_OK;
    }
    if (m->capture.devices != NULL) {
        return tc_opt_fail(&tc_words,
                           "-i %s: capture from a device or --offline a "
                           "file, not both",
                           m->capture.devices);
    }
    if (m->proc.detach) {
        return tc_opt_fail(&tc_words, "%s",
                           "--offline does not run as a daemon (-d): it "
                           "ends when the file is replayed");
    }
    o->speed = o->speed != 0 ? o->speed : 1.0;
    o->loops = o->loops != 0 ? o->loops : 1;
    o->nintercepts = m->nintercepts;
    o->progress = isatty(STDERR_FILENO) == 1;
    return TC_OK;
}


/* One of tcpcopy's own options (tc_opt_parse() has the shared ones):
 * TC_OK, TC_DECLINED, or the exit status after saying why. */
static int
parse_option(void *data, int c, const char *arg)
{
    tc_main_t *m = data;
    long       v = 0;
    int        rc;

    if (opt_number(c, arg, &v) != TC_OK) {
        return TC_ERROR;
    }

    switch (c) {
    case 'x':
        rc = tc_opt_list_say(&tc_words, arg, transfer_item, m->replay);
        return rc == TC_ERROR ? TC_ERROR : TC_OK;
    case 's':
        rc = tc_opt_list_say(&tc_words, arg, intercept_item, m);
        return rc == TC_ERROR ? TC_ERROR : TC_OK;
    case 'C':
        m->ctl_conns = (unsigned) v;
        return TC_OK;
    case 'W':
        m->replay->conf.no_wait = true;
        return TC_OK;
    case 't':
        m->replay->conf.idle_timeout = v * 1000;
        return TC_OK;
    case OPT_CHECK:
        m->check.enabled = true;
        return TC_OK;
    case OPT_CHECK_SRC:
        m->check.has_src = true;
        return opt_ipv4("--check-src", arg, &m->check.src);
    default:
        break;
    }

    rc = parse_control(m->replay, c, arg, v);
    return rc != TC_DECLINED ? rc : parse_io(m, c, arg, v);
}


/* Returns -1 to go on, or the exit status: 0 after -h or -v, 2 after a
 * usage error (said). */
static int
parse_options(int argc, char **argv, tc_main_t *m)
{
    static const struct option longopts[] =
        {{"transfer", required_argument, NULL, 'x'},
         {"intercept", required_argument, NULL, 's'},
         {"connections", required_argument, NULL, 'C'},
         {"no-wait", no_argument, NULL, 'W'},
         {"timeout", required_argument, NULL, 't'},
         TC_OPT_LONG_SHARED,
         {"copies", required_argument, NULL, 'n'},
         {"port-shift", required_argument, NULL, 'f'},
         {"sample", required_argument, NULL, 'r'},
         {"client-addr", required_argument, NULL, 'c'},
         {"keepalive-timeout", required_argument, NULL, 'k'},
         {"memory", required_argument, NULL, 'm'},
         {"mtu", required_argument, NULL, 'M'},
         {"mss", required_argument, NULL, 'D'},
         {"syn-only", no_argument, NULL, 'O'},
         {"ramp", no_argument, NULL, 'g'},
         {"rtt", required_argument, NULL, 'R'},
         {"loopback-addr", required_argument, NULL, 'H'},
         {"keep-running", no_argument, NULL, 'L'},
         {"device", required_argument, NULL, 'i'},
         {"filter", required_argument, NULL, 'F'},
         {"buffer", required_argument, NULL, 'B'},
         {"snaplen", required_argument, NULL, 'S'},
         {"output", required_argument, NULL, 'o'},
         {"dst-mac", required_argument, NULL, OPT_DST_MAC},
         {"check", no_argument, NULL, OPT_CHECK},
         {"check-src", required_argument, NULL, OPT_CHECK_SRC},
         {"offline", required_argument, NULL, OPT_OFFLINE},
         {"accelerate", required_argument, NULL, 'a'},
         {"max-idle", required_argument, NULL, 'I'},
         {"loop", required_argument, NULL, 'T'},
         {NULL, 0, NULL, 0}};
    int rc;

    rc = tc_opt_parse(&m->opt, argc, argv,
                      ":x:s:C:Wt:l:dP:u:vhn:f:r:c:k:m:M:D:OgR:H:Li:F:B:S:"
                      "o:a:I:T:",
                      longopts, parse_option, m);
    if (rc >= 0) {
        return rc; /* -h, -v, or a usage error already said */
    }
    if (m->replay->ntransfers == 0) {
        return tc_opt_fail(&tc_words, "%s", "-x TRANSFER is required");
    }
    if (m->nintercepts == 0) {
        return tc_opt_fail(&tc_words, "%s", "-s INTERCEPT is required");
    }
    return check_offline(m) == TC_OK ? -1 : TC_OPT_USAGE;
}


/* ---- run time ---- */

/* The capture's drop count into the ledger, asked for afresh where the
 * backend must query the kernel (libpcap): before every view of it. */
static void
sync_drops(tc_main_t *m)
{
    if (m->capture.ops->update_drops != NULL) {
        m->capture.ops->update_drops(&m->capture);
    }
    m->replay->ledger.capture_drops = m->capture.drops;
}


/* The ledger line, as sync_drops() left it. */
static void
log_ledger(tc_main_t *m, const char *when)
{
    char buf[2048];

    tc_ledger_format(&m->replay->ledger, buf, sizeof(buf));
    tc_log_error(TC_LOG_NOTICE, 0, "ledger%s: %s", when, buf);
    m->last_logged = m->replay->ledger;
}


/* Every --stats-interval: the ledger line, when anything changed. */
static void
on_stats(void *data)
{
    tc_main_t *m = data;

    sync_drops(m);
    if (memcmp(&m->last_logged, &m->replay->ledger, sizeof(tc_ledger_t)) != 0) {
        log_ledger(m, "");
    }
}


/* SIGUSR1: the ledger and the control connections, now. */
static void
on_usr1(void *data)
{
    tc_main_t *m = data;

    sync_drops(m);
    log_ledger(m, "");
    tc_ctl_log_conns(m->replay->ctl);
}


static void
on_capture(void *data, uint32_t events)
{
    tc_main_t *m = data;

    (void) events;
    if (m->capture.ops->read(&m->capture, 1024) != TC_ERROR) {
        return;
    }
    /* Nothing will be captured again (-i: every device deleted).  Going on
     * would replay nothing while looking healthy; exiting lets systemd's
     * Restart= open the capture again once the device is back. */
    tc_log_error(TC_LOG_EMERG, 0,
                 "capture lost: no device left to read, stopping (exit 1)");
    m->status = 1;
    tc_event_stop(m->replay->loop);
}


/*
 * Segments must fit the sender's device (-o): the target's MSS says what
 * the target takes, not what the link between may carry, and a frame
 * larger than the device's MTU cannot leave (EMSGSIZE).  The payload is
 * cut down to the MTU minus the IPv4 and TCP headers (segments carry no
 * TCP options), like -M.
 */
static void
fit_sender_mtu(tc_main_t *m)
{
    size_t mtu = m->replay->sender.mtu;

    if (mtu <= TC_SEND_HDR_MAX ||
        m->replay->conf.mss <= mtu - TC_SEND_HDR_MAX) {
        return;
    }
    m->replay->conf.mss = (uint16_t) (mtu - TC_SEND_HDR_MAX);
    tc_log_error(TC_LOG_NOTICE, 0,
                 "-o %s: MTU %zu, largest segment %u bytes of payload",
                 m->replay->sender.device, mtu, m->replay->conf.mss);
}


static int
open_io(tc_main_t *m)
{
    char   err[256];
    size_t i, j;
    int    rc;

    for (i = 0; i < m->replay->ntransfers; i++) {
        for (j = 0; j < m->capture.nports; j++) {
            if (m->ports[j] == m->replay->transfers[i].local_port) {
                break;
            }
        }
        if (j == m->capture.nports) {
            m->ports[m->capture.nports++] = m->replay->transfers[i].local_port;
        }
    }

    /* run-time choices: libpcap with -i, datalink send with -o */
    m->capture.ops =
        m->capture.devices ? &tc_capture_pcap_ops : &tc_capture_raw_ops;
    m->capture.ports = m->ports;
    m->capture.fd = -1;
    m->capture.handler = tc_replay_packet;
    m->capture.data = m->replay;
    if (m->offline.path != NULL) { /* a file instead of the capture */
        m->off = tc_offline_open(&m->offline, m->replay, err, sizeof(err));
        rc = m->off != NULL ? TC_OK : TC_ERROR;
    } else {
        rc = m->capture.ops->open(&m->capture, err, sizeof(err));
    }
    if (rc != TC_OK ||
        tc_sender_open(&m->replay->sender, err, sizeof(err)) != TC_OK) {
        fprintf(stderr, "tcpcopy: %s\n", err);
        return TC_ERROR;
    }
    fit_sender_mtu(m);
    return TC_OK;
}


/* The end of every loop iteration: the sender's upkeep (-o). */
static void
on_tick(void *data)
{
    tc_sender_t *snd = data;

    snd->ops->tick(snd);
}


/* --metrics: the ledger as it is now, capture drops included. */
static void
render_metrics(void *data, tc_mtext_t *t)
{
    tc_main_t *m = data;

    sync_drops(m);
    tc_ledger_prom(&m->replay->ledger, t);
    if (m->replay->ctl != NULL) {
        tc_ctl_prom(m->replay->ctl, t);
    }
}


static int
start(tc_main_t *m, tc_event_loop_t *loop)
{
    m->signals.interval = m->opt.stats_interval;
    m->signals.on_stats = on_stats;
    m->signals.on_usr1 = on_usr1;
    m->signals.reopen_failed = "cannot reopen the log file";
    m->signals.data = m;
    if (tc_daemon_loop_start(&m->signals, loop) != TC_OK) {
        return TC_ERROR;
    }

    if (m->capture.fd != -1 &&
        tc_event_add(loop, m->capture.fd, TC_EV_READ, on_capture, m) != TC_OK) {
        return TC_ERROR;
    }
    if (m->replay->sender.ops->tick != NULL &&
        tc_event_on_tick(loop, on_tick, &m->replay->sender) != TC_OK) {
        return TC_ERROR;
    }

    m->replay->ctl =
        tc_ctl_create(loop, m->intercepts, m->nintercepts, m->ctl_conns,
                      &m->replay->ledger, tc_replay_reply, tc_replay_resync,
                      m->replay);
    if (m->replay->ctl == NULL) {
        return TC_ERROR;
    }

    if (m->opt.metrics_ep.port != 0) {
        m->metrics =
            tc_metrics_open(loop, &m->opt.metrics_ep, render_metrics, m);
        if (m->metrics == NULL) {
            return TC_ERROR;
        }
    }
    return m->off != NULL ? tc_offline_start(m->off) : TC_OK;
}


static void
log_start(const tc_main_t *m)
{
    const tc_transfer_t *t;
    tc_endpoint_t        local;
    char                 a[TC_ENDPOINT_STRLEN], b[TC_ENDPOINT_STRLEN];
    size_t               i;

    for (i = 0; i < m->replay->ntransfers; i++) {
        t = &m->replay->transfers[i];
        local.ip = t->local_ip;
        local.port = t->local_port;
        if (t->local_ip.family != TC_AF_NONE) {
            tc_endpoint_str(&local, a, sizeof(a));
        } else {
            snprintf(a, sizeof(a), "*:%u", (unsigned) t->local_port);
        }
        tc_log_error(TC_LOG_NOTICE, 0, "replaying %s to %s", a,
                     tc_endpoint_str(&t->target, b, sizeof(b)));
    }
}


static void
stop(tc_main_t *m, tc_event_loop_t *loop)
{
    if (m->off != NULL) {
        tc_offline_summary(m->off);
    }
    tc_replay_shutdown(m->replay);
    (void) tc_event_run_once(loop, 0); /* flush the last ROUTE frames */
    sync_drops(m);
    log_ledger(m, " (final)");
    tc_ctl_log_conns(m->replay->ctl);
    tc_metrics_close(m->metrics);
    tc_ctl_destroy(m->replay->ctl);
    tc_replay_done(m->replay);
    tc_event_del(loop, m->capture.fd);
    m->capture.ops->close(&m->capture);
    m->replay->sender.ops->close(&m->replay->sender);
    tc_daemon_end(&m->proc);
}


int
main(int argc, char **argv)
{
    static tc_replay_t replay;
    tc_main_t          m;
    int                rc;
    tc_event_loop_t   *loop;

    memset(&m, 0, sizeof(m));
    tc_daemon_init(&m.proc);
    m.replay = &replay;
    tc_opt_init(&m.opt, &tc_words, &m.proc, 5000);
    m.ctl_conns = 1;
    m.capture.bufsize = 64u * 1024 * 1024;
    tc_sess_conf_default(&replay.conf, &replay.ledger);
    tc_time_update();

    rc = parse_options(argc, argv, &m);
    if (rc >= 0) {
        return rc;
    }

    if (tc_log_init("tcpcopy", m.opt.log_path, m.opt.log_level) != TC_OK) {
        fprintf(stderr, "tcpcopy: cannot open log file %s: %s\n",
                m.opt.log_path, strerror(errno));
        return 1;
    }

    /* --check: test the path with these options, say what is wrong, exit
     * (no -d, -P or -u: it is a command, not the daemon). */
    if (m.check.enabled) {
        return tc_check_main(&m.check, &replay, m.intercepts, m.nintercepts);
    }

    /* -d and -P before any socket: a busy pid file is said on the
     * terminal and the command exits 1. */
    if (tc_daemon_begin(&m.proc, "tcpcopy") != TC_OK) {
        return 1;
    }

    if (open_io(&m) != TC_OK) {
        tc_daemon_end(&m.proc);
        return 1;
    }

    /* The raw sockets are open; reading and writing them needs no
     * capability, nor does reconnecting to intercept. */
    if (tc_daemon_drop(&m.proc, "tcpcopy", 0, m.opt.log_path) != TC_OK) {
        tc_daemon_end(&m.proc);
        return 1;
    }

    loop = tc_event_loop_create(NULL);
    if (loop == NULL || tc_replay_init(&replay, loop) != TC_OK ||
        start(&m, loop) != TC_OK) {
        tc_log_error(TC_LOG_EMERG, errno, "start-up failed");
        tc_daemon_end(&m.proc);
        return 1;
    }

    log_start(&m);
    tc_daemon_started(&m.proc);
    (void) tc_event_run(loop);
    stop(&m, loop);
    tc_event_loop_destroy(loop);
    tc_log_close();
    rc = m.off != NULL ? tc_offline_status(m.off) : m.status;
    tc_offline_close(m.off);
    return rc;
}
