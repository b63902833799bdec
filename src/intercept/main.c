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
#include "tc_daemon_loop.h"
#include "tc_log.h"
#include "tc_opt.h"
#include "tc_proto.h"
#include "tc_time.h"
#include "icp_metrics.h"
#include "intercept.h"

#define CAPTURE_BUDGET  256 /* packets per wake-up: the loop stays fair */
#define LEDGER_LINE     1536
#define TC_ICP_LIST_MAX 1024 /* -x, -D: longest list, in bytes with its NUL */

/* Everything main() owns, on its stack: no globals. */
typedef struct {
    tc_icp_conf_t    conf;
    tc_icp_cycle_t   cycle;
    tc_icp_capture_t capture;
    tc_icp_snap_t    last;    /* what the last periodic line showed */
    tc_opt_t         opt;     /* -l, --log-level, --metrics, --stats-interval */
    tc_daemon_t      proc;    /* -d, -P, -u: shared with tcpcopy */
    tc_daemon_loop_t signals; /* signals and the ledger line */
    bool             started; /* start-up completed: a ledger to print */
    tc_metrics_t    *metrics;
    bool             told_user; /* a failure was already said on stderr */
    int              status;    /* exit status when the loop ends by itself */
} tc_icp_main_t;

enum { OPT_QUEUE_NUM = 256, OPT_HOLD_MS, OPT_COPY_RANGE, OPT_BUFFER_SIZE };

static const struct option tc_icp_options[] =
    {{"port", required_argument, NULL, 'p'},
     {"bind", required_argument, NULL, 'b'},
     {"queue-num", required_argument, NULL, OPT_QUEUE_NUM},
     {"queue-len", required_argument, NULL, 'q'},
     {"copy-range", required_argument, NULL, OPT_COPY_RANGE},
     {"pass", required_argument, NULL, 'x'},
     {"hold-ms", required_argument, NULL, OPT_HOLD_MS},
     TC_OPT_LONG_SHARED,
     {"device", required_argument, NULL, 'i'},
     {"filter", required_argument, NULL, 'F'},
     {"buffer-size", required_argument, NULL, OPT_BUFFER_SIZE},
     {"nat", required_argument, NULL, 'D'},
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
    "  -P, --pid FILE           write the pid to FILE and lock it (refuse\n"
    "                           if another instance holds the lock)\n"
    "  -u, --user USER          after opening the sockets, run as USER "
    "keeping\n"
    "                           only CAP_NET_ADMIN (NFQUEUE verdicts)\n"
    "  -v, --version            print the version and exit\n"
    "  -h, --help               print this help and exit\n"
    "\n"
    "Signals: TERM/INT stop, USR1 logs the ledger, HUP reopens the log.\n";

/* intercept's wording of the errors tc_opt.c says (scripts may match it). */
static const tc_opt_words_t tc_icp_words = {
    .prog = "intercept",
    .help = tc_icp_help,
    .version = "intercept " TC_ICP_VERSION "\n",
    .numbers = TC_OPT_SAY_INVALID,
    .unknown_letter = true,
    .unknown = {"unknown option ", ""},
    .log_path = {"invalid --log path \"", "\""},
    .log_level = {"invalid --log-level \"", "\" (emerg..debug)"},
    .pid_path = {"invalid --pid path \"", "\""},
};

static int  tc_icp_parse_args(tc_icp_main_t *m, int argc, char **argv);
static int  tc_icp_start(tc_icp_main_t *m);
static void tc_icp_stop(tc_icp_main_t *m);


/* One --pass address. */
static int
tc_icp_pass_item(void *data, const char *item, char *err, size_t errlen)
{
    tc_icp_conf_t *conf = data;

    if (conf->npass == TC_ICP_PASS_MAX) {
        (void) snprintf(err, errlen, "too many --pass addresses (at most %d)",
                        TC_ICP_PASS_MAX);
        return TC_ERROR;
    }
    if (tc_addr_parse(item, &conf->pass[conf->npass]) != TC_OK) {
        (void) snprintf(err, errlen, "invalid --pass address \"%s\"", item);
        return TC_ERROR;
    }
    conf->npass++;
    return TC_OK;
}


/* One -D INNER-OUTER mapping. */
static int
tc_icp_nat_item(void *data, const char *item, char *err, size_t errlen)
{
    tc_icp_conf_t *conf = data;
    char           why[160];

    if (conf->nnat == TC_ICP_NAT_MAX) {
        (void) snprintf(err, errlen, "too many --nat mappings (at most %d)",
                        TC_ICP_NAT_MAX);
        return TC_ERROR;
    }
    if (tc_icp_nat_parse(item, &conf->nat[conf->nnat], why, sizeof(why)) !=
        TC_OK) {
        (void) snprintf(err, errlen, "--nat: %s", why);
        return TC_ERROR;
    }
    conf->nnat++;
    return TC_OK;
}


/* -x and -D: comma lists, each shorter than TC_ICP_LIST_MAX as always.
 * Returns the number of items, or TC_ERROR after saying why. */
static int
tc_icp_list(const char *name, const char *arg, tc_opt_item_pt item,
            tc_icp_conf_t *conf)
{
    if (strlen(arg) >= TC_ICP_LIST_MAX) {
        (void) tc_opt_fail(&tc_icp_words, "%s list too long: \"%s\"", name,
                           arg);
        return TC_ERROR;
    }
    return tc_opt_list_say(&tc_icp_words, arg, item, conf);
}


/* The lists and the libpcap input's options: -x, -D, -i, -F,
 * --buffer-size.  TC_OK, TC_DECLINED, or the exit status after saying
 * why. */
static int
tc_icp_option_more(tc_icp_conf_t *conf, int opt, const char *arg)
{
    long v;

    switch (opt) {
    case 'x':
        v = tc_icp_list("--pass", arg, tc_icp_pass_item, conf);
        if (v == 0) {
            return tc_opt_fail(&tc_icp_words, "empty --pass list \"%s\"", arg);
        }
        return v < 0 ? TC_ERROR : TC_OK;
    case 'D':
        return tc_icp_list("--nat", arg, tc_icp_nat_item, conf) < 0 ? TC_ERROR
                                                                    : TC_OK;
    case 'i':
        if (arg[0] == '\0' || arg[0] == ',') {
            return tc_opt_fail(&tc_icp_words, "invalid --device \"%s\"", arg);
        }
        conf->pcap_devices = arg;
        return TC_OK;
    case 'F':
        conf->pcap_filter = arg;
        return TC_OK;
    case OPT_BUFFER_SIZE:
        if (tc_opt_num(&tc_icp_words, "--buffer-size", arg, 1, 1024, "MB",
                       &v) != TC_OK) {
            return TC_ERROR;
        }
        conf->pcap_buffer_mb = (unsigned) v;
        return TC_OK;
    default:
        return TC_DECLINED;
    }
}


/* One of intercept's own options (tc_opt_parse() has the shared ones).
 * TC_OK, TC_DECLINED, or the exit status after saying why. */
static int
tc_icp_option(void *data, int opt, const char *arg)
{
    tc_icp_main_t        *m = data;
    tc_icp_conf_t        *conf = &m->conf;
    const tc_opt_words_t *w = &tc_icp_words;
    long                  v;

    switch (opt) {
    case 'p':
        if (tc_opt_num(w, "--port", arg, 1, 65535, NULL, &v) != TC_OK) {
            return TC_ERROR;
        }
        conf->listen.port = (uint16_t) v;
        return TC_OK;
    case 'b':
        if (tc_addr_parse(arg, &conf->listen.ip) != TC_OK) {
            return tc_opt_fail(w, "invalid --bind address \"%s\"", arg);
        }
        return TC_OK;
    case OPT_QUEUE_NUM:
        if (tc_opt_num(w, "--queue-num", arg, 0, 65535, NULL, &v) != TC_OK) {
            return TC_ERROR;
        }
        conf->queue_num = (unsigned) v;
        return TC_OK;
    case 'q':
        if (tc_opt_num(w, "--queue-len", arg, 1, 1L << 24, NULL, &v) != TC_OK) {
            return TC_ERROR;
        }
        conf->queue_len = (uint32_t) v;
        return TC_OK;
    case OPT_COPY_RANGE:
        if (tc_opt_num(w, "--copy-range", arg, TC_PKT_HDR_MAX, 65535, NULL,
                       &v) != TC_OK) {
            return TC_ERROR;
        }
        conf->copy_range = (uint32_t) v;
        return TC_OK;
    case OPT_HOLD_MS:
        if (tc_opt_num(w, "--hold-ms", arg, 0, 3600000, NULL, &v) != TC_OK) {
            return TC_ERROR;
        }
        conf->hold_ms = (tc_msec_t) v;
        return TC_OK;
    default:
        return tc_icp_option_more(conf, opt, arg);
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
    conf->pcap_filter = "tcp";
    conf->pcap_buffer_mb = 32;
}


/* Returns -1 to go on, or an exit code (0 after --help/--version). */
static int
tc_icp_parse_args(tc_icp_main_t *m, int argc, char **argv)
{
    tc_icp_conf_defaults(&m->conf);
    tc_opt_init(&m->opt, &tc_icp_words, &m->proc,
                (tc_msec_t) TC_ICP_STATS_DEFAULT * 1000);

    return tc_opt_parse(&m->opt, argc, argv, ":p:b:q:x:l:dP:u:i:F:D:vh",
                        tc_icp_options, tc_icp_option, m);
}


/* Logs the ledger of snapshot s after prefix: key=value pairs from the
 * table in icp_metrics.c (shared with the metrics), one line. */
static void
tc_icp_log_ledger(const char *prefix, const tc_icp_snap_t *s)
{
    char line[LEDGER_LINE];

    tc_icp_ledger_format(s, line, sizeof(line));
    tc_log_error(TC_LOG_NOTICE, 0, "%s %s", prefix, line);
}


/* Every --stats-interval: the ledger line, when anything changed. */
static void
tc_icp_stats_tick(void *data)
{
    tc_icp_main_t *m = data;
    tc_icp_snap_t  s;

    tc_icp_snapshot(&m->cycle, &s);

    /* A quiet intercept stays quiet in the log; the line is a function of
     * the snapshot, so an unchanged one is not even formatted. */
    if (memcmp(&s, &m->last, sizeof(s)) != 0) {
        tc_icp_log_ledger("ledger", &s);
        m->last = s;
    }
}


/* SIGUSR1: the ledger and the control connections, now. */
static void
tc_icp_on_usr1(void *data)
{
    tc_icp_main_t *m = data;
    tc_icp_snap_t  s;

    tc_icp_snapshot(&m->cycle, &s);
    tc_icp_log_ledger("ledger", &s);
    tc_icp_server_log_conns(m->cycle.server);
}


static void
tc_icp_on_capture(void *data, uint32_t events)
{
    tc_icp_main_t *m = data;

    (void) events;
    /* Bounded: with level-triggered polling the rest waits one turn. */
    if (m->capture.ops->dispatch(&m->capture, CAPTURE_BUDGET) != TC_ERROR) {
        return;
    }
    /* No reply will be seen again: tcpcopy's sessions would all time out
     * while intercept looks healthy.  Exiting lets systemd's Restart= open
     * the capture again once the device is back. */
    tc_log_error(TC_LOG_EMERG, 0,
                 "capture lost: no device left to read, stopping (exit 1)");
    m->status = 1;
    tc_event_stop(m->cycle.loop);
}


/* Opens the capture input.  Returns 0 or the exit code. */
static int
tc_icp_start_capture(tc_icp_main_t *m)
{
    tc_icp_capture_t *cap = &m->capture;
    char              why[128];

    /* -i picks libpcap (assistant host), otherwise NFQUEUE (target) */
    cap->ops = (m->conf.pcap_devices != NULL) ? &tc_icp_capture_pcap
                                              : &tc_icp_capture_nfq;
    cap->handler = tc_icp_packet;
    cap->ctx = &m->cycle;

    if (cap->ops->open(cap, &m->conf) != TC_OK) {
        if (errno == EPERM) {
            (void) snprintf(why, sizeof(why),
                            "opening the %s input needs root or "
                            "CAP_NET_ADMIN/CAP_NET_RAW",
                            cap->ops->name);
            tc_daemon_fail("intercept", why);
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
    tc_router_conf_t rconf;

    m->cycle.conf = &m->conf;
    tc_icp_hold_timer_init(&m->cycle); /* before anything can fail */

    m->cycle.loop = tc_event_loop_create(NULL);
    if (m->cycle.loop == NULL) {
        tc_log_error(TC_LOG_EMERG, errno, "cannot create the event loop");
        return 1;
    }
    tc_time_update();

    /* No line yet: the first tick logs even an all-zero ledger. */
    memset(&m->last, 0xff, sizeof(m->last));
    m->signals.interval = m->opt.stats_interval;
    m->signals.on_stats = tc_icp_stats_tick;
    m->signals.on_usr1 = tc_icp_on_usr1;
    m->signals.reopen_failed = "cannot reopen the log";
    m->signals.data = m;
    if (tc_daemon_loop_start(&m->signals, m->cycle.loop) != TC_OK) {
        tc_log_error(TC_LOG_EMERG, errno, "cannot route signals");
        return 1;
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

    if (m->opt.metrics_ep.port != 0) {
        m->metrics = tc_metrics_open(m->cycle.loop, &m->opt.metrics_ep,
                                     tc_icp_metrics_render, &m->cycle);
        if (m->metrics == NULL) {
            return 1;
        }
    }

    m->started = true;
    return 0;
}


/* Tears down whatever tc_icp_start() built, capture first: once the queue
 * is gone the kernel drops replies itself, so none leak meanwhile. */
static void
tc_icp_stop(tc_icp_main_t *m)
{
    tc_icp_snap_t s;

    /* The final ledger first: the capture's kernel drop counters and the
     * open connections are read from what is about to be closed. */
    if (m->started) {
        tc_icp_snapshot(&m->cycle, &s);
        tc_icp_log_ledger("final ledger", &s);
    }

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
        tc_router_destroy(m->cycle.router);
        m->cycle.router = NULL;
    }

    if (m->cycle.loop != NULL) {
        tc_daemon_loop_stop(&m->signals);
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

    rc = tc_icp_parse_args(&m, argc, argv);
    if (rc >= 0) {
        return rc;
    }

    if (tc_log_init("intercept", m.opt.log_path, m.opt.log_level) != TC_OK) {
        fprintf(stderr, "intercept: cannot open log file %s: %s\n",
                m.opt.log_path, strerror(errno));
        return 1;
    }

    /* -u lookup, -d fork and -P before anything is opened: a second
     * instance stops here, on the user's terminal, with exit 1. */
    if (tc_daemon_begin(&m.proc, "intercept") != TC_OK) {
        return 1;
    }

    tc_log_error(TC_LOG_NOTICE, 0, "intercept %s starting", TC_ICP_VERSION);

    rc = tc_icp_start(&m);
    if (rc != 0 && m.opt.log_path != NULL && !m.told_user) {
        /* The reason is in the log file; -d's parent relays only rc. */
        fprintf(stderr, "intercept: start-up failed, see %s\n", m.opt.log_path);
    }
    /* NFQUEUE (or pcap) and the control port are open.  NFQUEUE verdicts
     * are nfnetlink messages, which the kernel checks for CAP_NET_ADMIN
     * each time; the pcap input needs nothing once open. */
    if (rc == 0 &&
        tc_daemon_drop(&m.proc, "intercept",
                       m.conf.pcap_devices != NULL ? 0 : TC_CAP(CAP_NET_ADMIN),
                       m.opt.log_path) != TC_OK) {
        m.told_user = true;
        rc = 1;
    }
    if (rc == 0) {
        tc_daemon_started(&m.proc);
        if (tc_event_run(m.cycle.loop) != TC_OK) {
            tc_log_error(TC_LOG_EMERG, errno, "event loop failed");
            rc = 1;
        } else {
            rc = m.status;
        }
    }

    tc_icp_stop(&m);
    tc_daemon_end(&m.proc);
    tc_log_error(TC_LOG_NOTICE, 0, "intercept stopped");
    tc_log_close();
    return rc;
}
