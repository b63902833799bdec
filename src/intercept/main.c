/*
 * main.c: intercept's command line, start-up, signals, ledger and
 * shutdown.
 *
 * intercept runs on the target (test) server.  The user's rule
 *     iptables -I OUTPUT -p tcp --sport 80 -j NFQUEUE
 * queues the target's replies to it; it drops them (they are addressed to
 * real clients) and streams their headers to the tcpcopy that replays each
 * client, over the control channel (TCP, port 36524 by default).
 */
#include "tc_config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tc_daemon.h"
#include "tc_log.h"
#include "tc_proto.h"
#include "tc_time.h"
#include "icp_metrics.h"
#include "intercept.h"

#define CAPTURE_BUDGET 256 /* packets per wake-up: the loop stays fair */
#define LEDGER_LINE    1536

/* Everything main() owns, on its stack: no globals. */
typedef struct {
    tc_icp_conf_t    conf;
    tc_icp_cycle_t   cycle;
    tc_icp_capture_t capture;
    tc_timer_t       stats_timer;
    char             last[LEDGER_LINE]; /* the last periodic line */
    tc_daemon_t      proc;              /* -d, -P, -u: shared with tcpcopy */
    char             log_abs[TC_PATH_MAX];
    bool             started;    /* start-up completed: a ledger to print */
    tc_endpoint_t    metrics_ep; /* --metrics; port 0 = off */
    tc_metrics_t    *metrics;
    bool             told_user; /* a failure was already said on stderr */
} tc_icp_main_t;

enum {
    OPT_QUEUE_NUM = 256,
    OPT_HOLD_MS,
    OPT_STATS_INTERVAL,
    OPT_COPY_RANGE,
    OPT_LOG_LEVEL,
    OPT_METRICS = 600,
    OPT_BUFFER_SIZE
};

static const struct option tc_icp_options[] =
    {{"port", required_argument, NULL, 'p'},
     {"bind", required_argument, NULL, 'b'},
     {"queue-num", required_argument, NULL, OPT_QUEUE_NUM},
     {"queue-len", required_argument, NULL, 'q'},
     {"copy-range", required_argument, NULL, OPT_COPY_RANGE},
     {"pass", required_argument, NULL, 'x'},
     {"hold-ms", required_argument, NULL, OPT_HOLD_MS},
     {"stats-interval", required_argument, NULL, OPT_STATS_INTERVAL},
     {"metrics", required_argument, NULL, OPT_METRICS},
     {"log", required_argument, NULL, 'l'},
     {"log-level", required_argument, NULL, OPT_LOG_LEVEL},
     {"daemon", no_argument, NULL, 'd'},
     {"pid", required_argument, NULL, 'P'},
     {"user", required_argument, NULL, 'u'},
     {"device", required_argument, NULL, 'i'},
     {"filter", required_argument, NULL, 'F'},
     {"buffer-size", required_argument, NULL, OPT_BUFFER_SIZE},
     {"nat", required_argument, NULL, 'D'},
     {"version", no_argument, NULL, 'v'},
     {"help", no_argument, NULL, 'h'},
     {NULL, 0, NULL, 0}};

static const char tc_icp_help[] =
    "usage: intercept [options]\n"
    "Runs on the target server: drops the replies queued by\n"
    "  iptables -I OUTPUT -p tcp --sport PORT -j NFQUEUE [--queue-num N]\n"
    "and sends their headers to the tcpcopy that replays each client.\n"
    "\n"
    "  -p, --port PORT          control port (default 36524)\n"
    "  -b, --bind ADDR          control bind address (default 0.0.0.0)\n"
    "      --queue-num NUM      NFQUEUE number (default 0)\n"
    "  -q, --queue-len LEN      NFQUEUE maximum length (default 8192)\n"
    "      --copy-range BYTES   bytes copied per reply, 120..65535 (default "
    "128)\n"
    "  -x, --pass IP[,IP...]    accept (do not drop) replies to these "
    "clients\n"
    "  -i, --device DEV[,DEV]   capture replies with libpcap on DEV "
    "instead\n"
    "                           of NFQUEUE (an assistant host the target "
    "routes\n"
    "                           its client replies to; no verdicts)\n"
    "  -F, --filter FILTER      BPF filter for -i (default \"tcp\"), e.g.\n"
    "                           'tcp and src port 80'\n"
    "      --buffer-size MB     libpcap kernel buffer per device (default "
    "32)\n"
    "  -D, --nat INNER-OUTER[,...]\n"
    "                           the target runs behind Docker-style NAT: "
    "replies\n"
    "                           from INNER (IP[:PORT], the container) are "
    "sent to\n"
    "                           tcpcopy as from OUTER (the address it "
    "knows)\n"
    "      --hold-ms MS         keep a reply without route for MS ms "
    "(default 3000)\n"
    "      --stats-interval SEC ledger line every SEC s, 0 = off "
    "(default 5)\n"
    "      --metrics ADDR:PORT  serve the ledger as Prometheus metrics at\n"
    "                           http://ADDR:PORT/metrics\n"
    "  -l, --log FILE           log to FILE (default stderr)\n"
    "      --log-level LEVEL    emerg..debug (default notice)\n"
    "  -d, --daemon             run in the background\n"
    "  -P, --pid FILE           write the pid to FILE (refuse if it is "
    "alive)\n"
    "  -u, --user USER          after opening the sockets, run as USER "
    "keeping\n"
    "                           only CAP_NET_ADMIN (NFQUEUE verdicts)\n"
    "  -v, --version            print the version and exit\n"
    "  -h, --help               print this help and exit\n"
    "\n"
    "Signals: TERM/INT stop, USR1 logs the ledger, HUP reopens the log.\n";

static int tc_icp_usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static int  tc_icp_parse_args(tc_icp_main_t *m, int argc, char **argv);
static int  tc_icp_start(tc_icp_main_t *m);
static void tc_icp_stop(tc_icp_main_t *m);


/* Prints "intercept: <what> (see intercept --help)"; returns exit code 2. */
static int
tc_icp_usage_error(const char *fmt, ...)
{
    char    what[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);

    /* One line, one write: scripts grep for it. */
    fprintf(stderr, "intercept: %s (see intercept --help)\n", what);
    return 2;
}


/* Parses a decimal in [min, max]; TC_OK or TC_ERROR. */
static int
tc_icp_number(const char *text, unsigned long min, unsigned long max,
              unsigned long *out)
{
    unsigned long v;
    char         *end;

    if (text[0] < '0' || text[0] > '9') {
        return TC_ERROR;
    }

    errno = 0;
    v = strtoul(text, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max) {
        return TC_ERROR;
    }

    *out = v;
    return TC_OK;
}


/* Adds a comma-separated list of addresses to the pass list. */
static int
tc_icp_parse_pass(tc_icp_conf_t *conf, const char *arg)
{
    char   list[1024], *tok, *save = NULL;
    size_t before = conf->npass;

    if (strlen(arg) >= sizeof(list)) {
        return tc_icp_usage_error("--pass list too long: \"%s\"", arg);
    }
    memcpy(list, arg, strlen(arg) + 1);

    for (tok = strtok_r(list, ",", &save); tok != NULL;
         tok = strtok_r(NULL, ",", &save)) {
        if (conf->npass == TC_ICP_PASS_MAX) {
            return tc_icp_usage_error("too many --pass addresses (at most "
                                      "%d)",
                                      TC_ICP_PASS_MAX);
        }
        if (tc_addr_parse(tok, &conf->pass[conf->npass]) != TC_OK) {
            return tc_icp_usage_error("invalid --pass address \"%s\"", tok);
        }
        conf->npass++;
    }

    if (conf->npass == before) {
        return tc_icp_usage_error("empty --pass list \"%s\"", arg);
    }

    return 0;
}


/* Adds a comma-separated list of -D INNER-OUTER mappings. */
static int
tc_icp_parse_nat(tc_icp_conf_t *conf, const char *arg)
{
    char list[1024], err[160], *tok, *save = NULL;

    if (strlen(arg) >= sizeof(list)) {
        return tc_icp_usage_error("--nat list too long: \"%s\"", arg);
    }
    memcpy(list, arg, strlen(arg) + 1);

    for (tok = strtok_r(list, ",", &save); tok != NULL;
         tok = strtok_r(NULL, ",", &save)) {
        if (conf->nnat == TC_ICP_NAT_MAX) {
            return tc_icp_usage_error("too many --nat mappings (at most %d)",
                                      TC_ICP_NAT_MAX);
        }
        if (tc_icp_nat_parse(tok, &conf->nat[conf->nnat], err, sizeof(err)) !=
            TC_OK) {
            return tc_icp_usage_error("--nat: %s", err);
        }
        conf->nnat++;
    }
    return 0;
}


/* The libpcap input's options: -i, -F, --buffer-size. */
static int
tc_icp_option_pcap(tc_icp_conf_t *conf, int opt, const char *arg)
{
    unsigned long v;

    switch (opt) {
    case 'i':
        if (arg[0] == '\0' || arg[0] == ',') {
            return tc_icp_usage_error("invalid --device \"%s\"", arg);
        }
        conf->pcap_devices = arg;
        return 0;
    case 'F':
        conf->pcap_filter = arg;
        return 0;
    default:
        if (tc_icp_number(arg, 1, 1024, &v) != TC_OK) {
            return tc_icp_usage_error("invalid --buffer-size \"%s\" "
                                      "(1..1024 MB)",
                                      arg);
        }
        conf->pcap_buffer_mb = (unsigned) v;
        return 0;
    }
}


/* One option with a value.  Returns 0, or the exit code 2 after printing
 * what is wrong. */
static int
tc_icp_option(tc_icp_main_t *m, int opt, const char *arg)
{
    tc_icp_conf_t *conf = &m->conf;
    unsigned long  v;

    switch (opt) {
    case 'p':
        if (tc_icp_number(arg, 1, 65535, &v) != TC_OK) {
            return tc_icp_usage_error("invalid --port \"%s\" (1..65535)", arg);
        }
        conf->listen.port = (uint16_t) v;
        return 0;
    case 'b':
        if (tc_addr_parse(arg, &conf->listen.ip) != TC_OK) {
            return tc_icp_usage_error("invalid --bind address \"%s\"", arg);
        }
        return 0;
    case OPT_QUEUE_NUM:
        if (tc_icp_number(arg, 0, 65535, &v) != TC_OK) {
            return tc_icp_usage_error("invalid --queue-num \"%s\" "
                                      "(0..65535)",
                                      arg);
        }
        conf->queue_num = (unsigned) v;
        return 0;
    case 'q':
        if (tc_icp_number(arg, 1, 1u << 24, &v) != TC_OK) {
            return tc_icp_usage_error("invalid --queue-len \"%s\" "
                                      "(1..16777216)",
                                      arg);
        }
        conf->queue_len = (uint32_t) v;
        return 0;
    case OPT_COPY_RANGE:
        if (tc_icp_number(arg, TC_PKT_HDR_MAX, 65535, &v) != TC_OK) {
            return tc_icp_usage_error("invalid --copy-range \"%s\" "
                                      "(120..65535)",
                                      arg);
        }
        conf->copy_range = (uint32_t) v;
        return 0;
    case 'x':
        return tc_icp_parse_pass(conf, arg);
    case 'D':
        return tc_icp_parse_nat(conf, arg);
    case OPT_HOLD_MS:
        if (tc_icp_number(arg, 0, 3600000, &v) != TC_OK) {
            return tc_icp_usage_error("invalid --hold-ms \"%s\" "
                                      "(0..3600000)",
                                      arg);
        }
        conf->hold_ms = (tc_msec_t) v;
        return 0;
    case 'i':
    case 'F':
    case OPT_BUFFER_SIZE:
        return tc_icp_option_pcap(conf, opt, arg);
    default:
        break;
    }

    return -1; /* not one of these: the caller goes on */
}


/* The options about logging and the process. */
static int
tc_icp_option_proc(tc_icp_main_t *m, int opt, const char *arg)
{
    tc_icp_conf_t *conf = &m->conf;
    unsigned long  v;
    int            level;

    switch (opt) {
    case OPT_METRICS:
        if (tc_endpoint_parse(arg, 0, &m->metrics_ep) != TC_OK ||
            m->metrics_ep.port == 0) {
            return tc_icp_usage_error("--metrics wants ADDR:PORT, not \"%s\"",
                                      arg);
        }
        return 0;
    case OPT_STATS_INTERVAL:
        if (tc_icp_number(arg, 0, 86400, &v) != TC_OK) {
            return tc_icp_usage_error("invalid --stats-interval \"%s\" "
                                      "(0..86400 seconds)",
                                      arg);
        }
        conf->stats_interval = (unsigned) v;
        return 0;
    case 'l':
        conf->log_path = tc_path_abs(arg, m->log_abs, sizeof(m->log_abs));
        if (conf->log_path == NULL) {
            return tc_icp_usage_error("invalid --log path \"%s\"", arg);
        }
        return 0;
    case OPT_LOG_LEVEL:
        level = tc_log_level_parse(arg);
        if (level < 0) {
            return tc_icp_usage_error("invalid --log-level \"%s\" "
                                      "(emerg..debug)",
                                      arg);
        }
        conf->log_level = level;
        return 0;
    case 'P':
        m->proc.pid_path =
            tc_path_abs(arg, m->proc.pid_abs, sizeof(m->proc.pid_abs));
        if (m->proc.pid_path == NULL) {
            return tc_icp_usage_error("invalid --pid path \"%s\"", arg);
        }
        return 0;
    case 'u':
        m->proc.user = arg;
        return 0;
    default:
        return tc_icp_usage_error("unhandled option %d", opt);
    }
}


static void
tc_icp_conf_defaults(tc_icp_conf_t *conf)
{
    memset(conf, 0, sizeof(*conf));
    (void) tc_addr_parse("0.0.0.0", &conf->listen.ip);
    conf->listen.port = TC_PROTO_PORT;
    conf->queue_len = TC_ICP_QUEUE_LEN_DEFAULT;
    conf->copy_range = TC_ICP_COPY_RANGE_DEFAULT;
    conf->hold_ms = TC_ROUTER_HOLD_MS_DEFAULT;
    conf->stats_interval = TC_ICP_STATS_DEFAULT;
    conf->log_level = TC_LOG_NOTICE;
    conf->pcap_filter = "tcp";
    conf->pcap_buffer_mb = 32;
}


/* Returns -1 to go on, or an exit code (0 after --help/--version). */
static int
tc_icp_parse_args(tc_icp_main_t *m, int argc, char **argv)
{
    int opt, rc;

    tc_icp_conf_defaults(&m->conf);
    opterr = 0;

    while ((opt = getopt_long(argc, argv, ":p:b:q:x:l:dP:u:i:F:D:vh",
                              tc_icp_options, NULL)) != -1) {
        switch (opt) {
        case 'h':
            fputs(tc_icp_help, stdout);
            return 0;
        case 'v':
            printf("intercept %s\n", TC_ICP_VERSION);
            return 0;
        case 'd':
            m->proc.detach = true;
            continue;
        case ':':
            return tc_icp_usage_error("option %s needs a value",
                                      argv[optind - 1]);
        case '?':
            if (optopt != 0) {
                snprintf(m->last, sizeof(m->last), "-%c", optopt);
                return tc_icp_usage_error("unknown option %s", m->last);
            }
            return tc_icp_usage_error("unknown option %s", argv[optind - 1]);
        default:
            break;
        }

        rc = tc_icp_option(m, opt, optarg);
        if (rc < 0) {
            rc = tc_icp_option_proc(m, opt, optarg);
        }
        if (rc != 0) {
            return rc;
        }
    }

    if (optind < argc) {
        return tc_icp_usage_error("unexpected argument \"%s\"", argv[optind]);
    }

    return -1;
}


/* Formats the ledger: the prefix, then key=value pairs (the table in
 * icp_metrics.c, shared with the metrics), one line. */
static void
tc_icp_ledger(tc_icp_main_t *m, const char *prefix, char *buf, size_t size)
{
    tc_icp_snap_t s;
    int           k;

    tc_icp_snapshot(&m->cycle, &s);
    k = snprintf(buf, size, "%s ", prefix);
    if (k > 0 && (size_t) k < size) {
        tc_icp_ledger_format(&s, buf + k, size - (size_t) k);
    }
}


static void
tc_icp_stats_tick(tc_timer_t *timer)
{
    tc_icp_main_t *m = timer->data;
    char           line[LEDGER_LINE];

    tc_icp_ledger(m, "ledger", line, sizeof(line));

    /* A quiet intercept stays quiet in the log. */
    if (strcmp(line, m->last) != 0) {
        tc_log_error(TC_LOG_NOTICE, 0, "%s", line);
        memcpy(m->last, line, sizeof(line));
    }

    tc_timer_set(m->cycle.loop, timer,
                 (tc_msec_t) m->conf.stats_interval * 1000);
}


static void
tc_icp_on_signal(int signo, void *data)
{
    tc_icp_main_t *m = data;
    char           line[LEDGER_LINE];

    switch (signo) {
    case SIGUSR1:
        tc_icp_ledger(m, "ledger", line, sizeof(line));
        tc_log_error(TC_LOG_NOTICE, 0, "%s", line);
        tc_icp_server_log_conns(m->cycle.server);
        return;
    case SIGHUP:
        if (tc_log_reopen() != TC_OK) {
            tc_log_error(TC_LOG_ERR, errno, "cannot reopen the log");
        }
        return;
    default:
        tc_log_error(TC_LOG_NOTICE, 0, "signal %d: stopping", signo);
        tc_event_stop(m->cycle.loop);
        return;
    }
}


static void
tc_icp_on_capture(void *data, uint32_t events)
{
    tc_icp_main_t *m = data;

    (void) events;
    /* Bounded: with level-triggered polling the rest waits one turn. */
    (void) m->capture.ops->dispatch(&m->capture, CAPTURE_BUDGET);
}


/* Opens the capture input.  Returns 0 or the exit code. */
static int
tc_icp_start_capture(tc_icp_main_t *m)
{
    tc_icp_capture_t *cap = &m->capture;

    /* -i picks libpcap (assistant host), otherwise NFQUEUE (target) */
    cap->ops = (m->conf.pcap_devices != NULL) ? &tc_icp_capture_pcap
                                              : &tc_icp_capture_nfq;
    cap->handler = tc_icp_packet;
    cap->ctx = &m->cycle;

    if (cap->ops->open(cap, &m->conf) != TC_OK) {
        if (errno == EPERM) {
            fprintf(stderr,
                    "intercept: opening the %s input needs root or "
                    "CAP_NET_ADMIN/CAP_NET_RAW\n",
                    cap->ops->name);
            if (m->conf.log_path != NULL) {
                tc_log_error(TC_LOG_EMERG, 0,
                             "opening the %s input needs root or "
                             "CAP_NET_ADMIN/CAP_NET_RAW",
                             cap->ops->name);
            }
            m->told_user = true;
        }
        return 1;
    }
    m->cycle.capture = cap;

    if (tc_event_add(m->cycle.loop, cap->ops->fd(cap), TC_EV_READ,
                     tc_icp_on_capture, m) != TC_OK) {
        tc_log_error(TC_LOG_EMERG, errno, "cannot watch the %s input",
                     cap->ops->name);
        return 1;
    }

    return 0;
}


/* Builds the cycle.  Returns 0, or the exit code after logging why (the
 * caller then runs tc_icp_stop() on what was built). */
static int
tc_icp_start(tc_icp_main_t *m)
{
    static const int stop_signals[] = {SIGTERM, SIGINT, SIGUSR1, SIGHUP};
    tc_router_conf_t rconf;
    size_t           i;

    m->cycle.conf = &m->conf;
    tc_icp_hold_timer_init(&m->cycle); /* before anything can fail */
    (void) signal(SIGPIPE, SIG_IGN);

    m->cycle.loop = tc_event_loop_create(NULL);
    if (m->cycle.loop == NULL) {
        tc_log_error(TC_LOG_EMERG, errno, "cannot create the event loop");
        return 1;
    }
    tc_time_update();

    for (i = 0; i < tc_nelems(stop_signals); i++) {
        if (tc_event_signal(m->cycle.loop, stop_signals[i], tc_icp_on_signal,
                            m) != TC_OK) {
            tc_log_error(TC_LOG_EMERG, errno, "cannot route signals");
            return 1;
        }
    }

    memset(&rconf, 0, sizeof(rconf));
    rconf.hold_ms = m->conf.hold_ms;
    m->cycle.router = tc_router_create(&rconf, tc_icp_held_deliver, &m->cycle);
    if (m->cycle.router == NULL) {
        tc_log_error(TC_LOG_EMERG, errno, "cannot create the route table");
        return 1;
    }

    if (m->conf.nnat > 0) {
        m->cycle.nat_buf = malloc(TC_ICP_NAT_BUF);
        if (m->cycle.nat_buf == NULL) {
            tc_log_error(TC_LOG_EMERG, errno, "no memory for --nat");
            return 1;
        }
    }

    if (tc_icp_start_capture(m) != 0) {
        return 1;
    }

    m->cycle.server = tc_icp_server_open(&m->cycle);
    if (m->cycle.server == NULL) {
        return 1;
    }

    if (m->metrics_ep.port != 0) {
        m->metrics = tc_metrics_open(m->cycle.loop, &m->metrics_ep,
                                     tc_icp_metrics_render, &m->cycle);
        if (m->metrics == NULL) {
            return 1;
        }
    }

    m->started = true;
    if (m->conf.stats_interval > 0) {
        tc_timer_set(m->cycle.loop, &m->stats_timer,
                     (tc_msec_t) m->conf.stats_interval * 1000);
    }

    return 0;
}


/* Tears down whatever tc_icp_start() built, capture first: once the queue
 * is gone the kernel drops replies itself, so none leak meanwhile. */
static void
tc_icp_stop(tc_icp_main_t *m)
{
    char line[LEDGER_LINE];

    if (m->cycle.capture != NULL) {
        (void) tc_event_del(m->cycle.loop, m->capture.ops->fd(&m->capture));
    }
    if (m->capture.ops != NULL) {
        m->capture.ops->close(&m->capture);
    }

    tc_metrics_close(m->metrics);
    m->metrics = NULL;
    free(m->cycle.nat_buf);
    m->cycle.nat_buf = NULL;
    tc_icp_server_close(m->cycle.server);
    m->cycle.server = NULL;

    if (m->cycle.router != NULL) {
        if (m->started) {
            tc_icp_ledger(m, "final ledger", line, sizeof(line));
            tc_log_error(TC_LOG_NOTICE, 0, "%s", line);
        }
        tc_router_destroy(m->cycle.router);
        m->cycle.router = NULL;
    }

    if (m->cycle.loop != NULL) {
        tc_timer_del(m->cycle.loop, &m->stats_timer);
        tc_timer_del(m->cycle.loop, &m->cycle.hold_timer);
        tc_event_loop_destroy(m->cycle.loop);
        m->cycle.loop = NULL;
    }
}


int
main(int argc, char **argv)
{
    tc_icp_main_t m;
    int           rc;

    memset(&m, 0, sizeof(m));
    tc_daemon_init(&m.proc);
    tc_timer_init(&m.stats_timer, tc_icp_stats_tick, &m);

    rc = tc_icp_parse_args(&m, argc, argv);
    if (rc >= 0) {
        return rc;
    }
    m.last[0] = '\0';

    if (tc_log_init("intercept", m.conf.log_path, m.conf.log_level) != TC_OK) {
        fprintf(stderr, "intercept: cannot open log file %s: %s\n",
                m.conf.log_path, strerror(errno));
        return 1;
    }

    /* -u lookup, -d fork and -P before anything is opened: a second
     * instance stops here, on the user's terminal, with exit 1. */
    if (tc_daemon_begin(&m.proc, "intercept") != TC_OK) {
        return 1;
    }

    tc_log_error(TC_LOG_NOTICE, 0, "intercept %s starting", TC_ICP_VERSION);

    rc = tc_icp_start(&m);
    if (rc != 0 && m.conf.log_path != NULL && !m.told_user) {
        /* The reason is in the log file; -d's parent relays only rc. */
        fprintf(stderr, "intercept: start-up failed, see %s\n",
                m.conf.log_path);
    }
    /* NFQUEUE (or pcap) and the control port are open.  NFQUEUE verdicts
     * are nfnetlink messages, which the kernel checks for CAP_NET_ADMIN
     * each time; the pcap input needs nothing once open. */
    if (rc == 0 &&
        tc_daemon_drop(&m.proc, "intercept",
                       m.conf.pcap_devices != NULL ? 0 : TC_CAP(CAP_NET_ADMIN),
                       m.conf.log_path) != TC_OK) {
        m.told_user = true;
        rc = 1;
    }
    if (rc == 0) {
        tc_daemon_started(&m.proc);
        if (tc_event_run(m.cycle.loop) != TC_OK) {
            tc_log_error(TC_LOG_EMERG, errno, "event loop failed");
            rc = 1;
        }
    }

    tc_icp_stop(&m);
    tc_daemon_end(&m.proc);
    tc_log_error(TC_LOG_NOTICE, 0, "intercept stopped");
    tc_log_close();
    return rc;
}
