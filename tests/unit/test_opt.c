/*
 * test_opt.c: the command line both daemons share (core tc_opt) and
 * tcpcopy's -x items (tc_transfer): numbers with ranges, both daemons'
 * wordings of a bad one, comma lists, transfers, and the getopt loop with
 * the shared options, run over argv arrays with stderr captured.
 */
#include "tc_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "t_harness.h"
#include "tc_log.h"
#include "tc_opt.h"
#include "tc_transfer.h"


static void
test_number(void)
{
    long v = 42;

    T_CHECK_EQ(tc_opt_number("0", 0, 10, &v), TC_OK);
    T_CHECK_EQ(v, 0);
    T_CHECK_EQ(tc_opt_number("65535", 1, 65535, &v), TC_OK);
    T_CHECK_EQ(v, 65535);
    T_CHECK_EQ(tc_opt_number("007", 1, 10, &v), TC_OK); /* decimal */
    T_CHECK_EQ(v, 7);

    v = 42;
    T_CHECK_EQ(tc_opt_number("", 0, 10, &v), TC_ERROR);
    T_CHECK_EQ(tc_opt_number("0", 1, 10, &v), TC_ERROR);
    T_CHECK_EQ(tc_opt_number("11", 1, 10, &v), TC_ERROR);
    T_CHECK_EQ(tc_opt_number("-1", 0, 10, &v), TC_ERROR);
    T_CHECK_EQ(tc_opt_number("-0", 0, 10, &v), TC_ERROR);
    T_CHECK_EQ(tc_opt_number("+5", 0, 10, &v), TC_ERROR);
    T_CHECK_EQ(tc_opt_number(" 5", 0, 10, &v), TC_ERROR);
    T_CHECK_EQ(tc_opt_number("5 ", 0, 10, &v), TC_ERROR);
    T_CHECK_EQ(tc_opt_number("5x", 0, 10, &v), TC_ERROR);
    T_CHECK_EQ(tc_opt_number("0x5", 0, 10, &v), TC_ERROR);
    T_CHECK_EQ(tc_opt_number("99999999999999999999", 0, 10, &v), TC_ERROR);
    T_CHECK_EQ(tc_opt_number("99999999999999999999", 0, 0x7fffffffffffffffL,
                             &v),
               TC_ERROR); /* ERANGE, not LONG_MAX */
    T_CHECK_EQ(v, 42);    /* a failure leaves *out alone */
}


static void
test_number_say(void)
{
    char   err[128];
    size_t n;

    n = tc_opt_number_say(TC_OPT_SAY_FROM_TO, "-C", "x", 1, 16, "ignored", err,
                          sizeof(err));
    T_CHECK(strcmp(err, "-C must be a number from 1 to 16, not \"x\"") == 0);
    T_CHECK_EQ(n, strlen(err));

    tc_opt_number_say(TC_OPT_SAY_INVALID, "--port", "0", 1, 65535, NULL, err,
                      sizeof(err));
    T_CHECK(strcmp(err, "invalid --port \"0\" (1..65535)") == 0);

    tc_opt_number_say(TC_OPT_SAY_INVALID, "--stats-interval", "-1", 0, 86400,
                      "seconds", err, sizeof(err));
    T_CHECK(strcmp(err, "invalid --stats-interval \"-1\" (0..86400 seconds)") ==
            0);

    /* the length without writing, then a cut that stays terminated */
    n = tc_opt_number_say(TC_OPT_SAY_INVALID, "--hold-ms", "abc", 0, 3600000,
                          NULL, NULL, 0);
    T_CHECK_EQ(n, strlen("invalid --hold-ms \"abc\" (0..3600000)"));
    tc_opt_number_say(TC_OPT_SAY_INVALID, "--hold-ms", "abc", 0, 3600000, NULL,
                      err, 8);
    T_CHECK(strcmp(err, "invalid") == 0);
}


typedef struct {
    char items[8][16];
    int  n;
    int  fail_at; /* item index that fails, or -1 */
} list_t;


static int
list_item(void *data, const char *item, char *err, size_t errlen)
{
    list_t *l = data;

    if (l->n == l->fail_at) {
        snprintf(err, errlen, "bad item \"%s\"", item);
        return TC_ERROR;
    }
    if (l->n < 8) {
        snprintf(l->items[l->n], sizeof(l->items[0]), "%s", item);
    }
    l->n++;
    return TC_OK;
}


static void
test_list(void)
{
    char   err[64];
    list_t l;
    char   arg[] = ",a,,bb,c,";

    memset(&l, 0, sizeof(l));
    l.fail_at = -1;
    T_CHECK_EQ(tc_opt_list(arg, list_item, &l, err, sizeof(err)), 3);
    T_CHECK(strcmp(l.items[0], "a") == 0 && strcmp(l.items[1], "bb") == 0 &&
            strcmp(l.items[2], "c") == 0);
    T_CHECK(strcmp(arg, ",a,,bb,c,") == 0); /* argv stays as typed */

    memset(&l, 0, sizeof(l));
    l.fail_at = -1;
    T_CHECK_EQ(tc_opt_list(",,", list_item, &l, err, sizeof(err)), 0);
    T_CHECK_EQ(tc_opt_list("", list_item, &l, err, sizeof(err)), 0);
    T_CHECK_EQ(l.n, 0);

    /* the first failure stops the walk and its reason comes back */
    memset(&l, 0, sizeof(l));
    l.fail_at = 1;
    T_CHECK_EQ(tc_opt_list("x,y,z", list_item, &l, err, sizeof(err)), TC_ERROR);
    T_CHECK(strcmp(err, "bad item \"y\"") == 0);
    T_CHECK_EQ(l.n, 1);
}


/* tc_transfer_parse without DNS: the reason, or "" when it parses. */
static const char *
transfer(const char *item, tc_transfer_t *t)
{
    static char err[256];

    err[0] = '\0';
    if (tc_transfer_parse(item, false, t, err, sizeof(err)) == TC_OK) {
        T_CHECK(err[0] == '\0');
        return "";
    }
    T_CHECK(err[0] != '\0');
    return err;
}


static void
test_transfer(void)
{
    tc_transfer_t t;
    char          a[TC_ADDR_STRLEN];

    T_CHECK(strcmp(transfer("80-10.0.0.5:8080", &t), "") == 0);
    T_CHECK_EQ(t.local_port, 80);
    T_CHECK_EQ(t.local_ip.family, TC_AF_NONE);
    T_CHECK_EQ(t.target.port, 8080);
    T_CHECK(strcmp(tc_addr_str(&t.target.ip, a, sizeof(a)), "10.0.0.5") == 0);

    /* local address; the target port defaults to the local one */
    T_CHECK(strcmp(transfer("192.0.2.1:443-10.0.0.5", &t), "") == 0);
    T_CHECK_EQ(t.local_ip.family, TC_AF_INET);
    T_CHECK_EQ(t.target.port, 443);

    /* an IPv6 local address: the last colon ends it */
    T_CHECK(strcmp(transfer("2001:db8::1:80-10.0.0.5:81", &t), "") == 0);
    T_CHECK_EQ(t.local_ip.family, TC_AF_INET6);
    T_CHECK_EQ(t.local_port, 80);

    T_CHECK(strcmp(transfer("80", &t),
                   "-x wants [LOCALIP:]PORT-TARGETIP:TARGETPORT, not "
                   "\"80\"") == 0);
    T_CHECK(strcmp(transfer("-10.0.0.5:80", &t),
                   "-x wants [LOCALIP:]PORT-TARGETIP:TARGETPORT, not "
                   "\"-10.0.0.5:80\"") == 0);
    T_CHECK(strcmp(transfer("x:80-10.0.0.5:80", &t),
                   "-x: \"x\" is not an IP address") == 0);
    T_CHECK(strcmp(transfer("0-10.0.0.5:80", &t),
                   "-x local port must be a number from 1 to 65535, not "
                   "\"0\"") == 0);
    T_CHECK(strcmp(transfer("80-10.0.0.5:0", &t),
                   "-x: cannot use target \"10.0.0.5:0\" (want IP:PORT)") == 0);
    T_CHECK(strcmp(transfer("80-target.invalid:80", &t),
                   "-x: cannot use target \"target.invalid:80\" (want "
                   "IP:PORT)") == 0);
    T_CHECK(strcmp(transfer("80-[::1]:80", &t),
                   "-x: target \"[::1]:80\": only IPv4 targets are "
                   "supported yet") == 0);
}


/* ---- the getopt loop ---- */

static const tc_opt_words_t words = {
    .prog = "t",
    .help = "help text\n",
    .version = "t 1\n",
    .numbers = TC_OPT_SAY_INVALID,
    .unknown_letter = true,
    .unknown = {"unknown option ", ""},
    .log_path = {"bad -l \"", "\""},
    .log_level = {"bad level \"", "\""},
    .pid_path = {"bad -P \"", "\""},
};

typedef struct {
    int  k;
    bool flag;
} own_t;


static int
own_option(void *data, int c, const char *arg)
{
    own_t *o = data;
    long   v;

    switch (c) {
    case 'k':
        if (tc_opt_num(&words, "-k", arg, 1, 9, NULL, &v) != TC_OK) {
            return TC_ERROR;
        }
        o->k = (int) v;
        return TC_OK;
    case 'f':
        o->flag = true;
        return TC_OK;
    case 'z': /* in the table, yet nobody's */
    default:
        return TC_DECLINED;
    }
}


static char printed[64]; /* what the last run wrote to stdout */


/* Points fd at a temporary file; returns the file and the saved fd. */
static FILE *
capture(int fd, int *saved)
{
    FILE *f = tmpfile();

    *saved = dup(fd);
    dup2(fileno(f), fd);
    return f;
}


/* Puts fd back and reads the capture's first line into buf. */
static void
captured(FILE *f, int fd, int saved, char *buf, size_t size)
{
    dup2(saved, fd);
    close(saved);
    buf[0] = '\0';
    rewind(f);
    if (fgets(buf, (int) size, f) != NULL) {
        buf[strcspn(buf, "\n")] = '\0';
    }
    fclose(f);
}


/*
 * Runs tc_opt_parse over the NULL-terminated words of args; returns its
 * result, with what it wrote to stderr in said and to stdout in printed
 * (first lines, no newline).
 */
static int
run(tc_opt_t *o, tc_daemon_t *d, own_t *own, char *said, size_t size,
    const char *const *args)
{
    static const struct option longopts[] =
        {{"stats-interval", required_argument, NULL, TC_OPT_STATS_INTERVAL},
         {"log-level", required_argument, NULL, TC_OPT_LOG_LEVEL},
         {"metrics", required_argument, NULL, TC_OPT_METRICS},
         {"log", required_argument, NULL, 'l'},
         {NULL, 0, NULL, 0}};
    char *argv[16];
    int   argc = 0, rc, saved_err, saved_out;
    FILE *err, *out;

    while (args[argc] != NULL && argc < 15) {
        argv[argc] = (char *) args[argc];
        argc++;
    }
    argv[argc] = NULL;

    tc_daemon_init(d);
    tc_opt_init(o, &words, d, 5000);
    memset(own, 0, sizeof(*own));

    fflush(stdout);
    fflush(stderr);
    err = capture(STDERR_FILENO, &saved_err);
    out = capture(STDOUT_FILENO, &saved_out);
    optind = 0; /* glibc: start over */
    rc = tc_opt_parse(o, argc, argv, ":l:dP:u:vhk:fz", longopts, own_option,
                      own);
    fflush(stdout);
    fflush(stderr);
    captured(out, STDOUT_FILENO, saved_out, printed, sizeof(printed));
    captured(err, STDERR_FILENO, saved_err, said, size);
    return rc;
}

#define RUN(...)                                                               \
    run(&o, &d, &own, said, sizeof(said),                                      \
        (const char *const[]){"t", __VA_ARGS__, NULL})


static void
test_parse(void)
{
    tc_opt_t    o;
    tc_daemon_t d;
    own_t       own;
    char        said[512];

    T_CHECK_EQ(RUN("-d", "-u", "nobody", "-k", "3", "-f", "--log-level",
                   "debug", "--stats-interval", "0", "--metrics",
                   "127.0.0.1:9100"),
               -1);
    T_CHECK(said[0] == '\0');
    T_CHECK(d.detach && strcmp(d.user, "nobody") == 0);
    T_CHECK(own.k == 3 && own.flag);
    T_CHECK_EQ(o.log_level, TC_LOG_DEBUG);
    T_CHECK_EQ(o.stats_interval, 0);
    T_CHECK_EQ(o.metrics_ep.port, 9100);

    /* defaults, and paths made absolute */
    T_CHECK_EQ(RUN("-l", "x.log", "-P", "/run/t.pid"), -1);
    T_CHECK_EQ(o.stats_interval, 5000);
    T_CHECK_EQ(o.log_level, TC_LOG_NOTICE);
    T_CHECK(o.log_path != NULL && o.log_path[0] == '/');
    T_CHECK(strcmp(d.pid_path, "/run/t.pid") == 0);
    T_CHECK_EQ(RUN("--stats-interval", "7"), -1);
    T_CHECK_EQ(o.stats_interval, 7000);

    T_CHECK_EQ(RUN("-v"), 0);
    T_CHECK(strcmp(printed, "t 1") == 0);
    T_CHECK_EQ(RUN("-h", "-k", "x"), 0); /* -h first: nothing else runs */
    T_CHECK(strcmp(printed, "help text") == 0);
    T_CHECK(said[0] == '\0');
    T_CHECK_EQ(RUN("-k", "x", "-h"), TC_OPT_USAGE); /* in order */
    T_CHECK(printed[0] == '\0');
}


static void
test_parse_errors(void)
{
    tc_opt_t    o;
    tc_daemon_t d;
    own_t       own;
    char        said[512];

    T_CHECK_EQ(RUN("-k", "10"), TC_OPT_USAGE);
    T_CHECK(strcmp(said, "t: invalid -k \"10\" (1..9) (see t --help)") == 0);
    T_CHECK_EQ(RUN("--stats-interval", "86401"), TC_OPT_USAGE);
    T_CHECK(strcmp(said, "t: invalid --stats-interval \"86401\" (0..86400 "
                         "seconds) (see t --help)") == 0);
    T_CHECK_EQ(RUN("--log-level", "loud"), TC_OPT_USAGE);
    T_CHECK(strcmp(said, "t: bad level \"loud\" (see t --help)") == 0);
    T_CHECK_EQ(RUN("--metrics", "127.0.0.1"), TC_OPT_USAGE);
    T_CHECK(strcmp(said, "t: --metrics wants ADDR:PORT, not \"127.0.0.1\" "
                         "(see t --help)") == 0);
    T_CHECK_EQ(RUN("-k"), TC_OPT_USAGE);
    T_CHECK(strcmp(said, "t: option -k needs a value (see t --help)") == 0);
    T_CHECK_EQ(RUN("-dQ"), TC_OPT_USAGE);
    T_CHECK(strcmp(said, "t: unknown option -Q (see t --help)") == 0);
    T_CHECK_EQ(RUN("--bogus"), TC_OPT_USAGE);
    T_CHECK(strcmp(said, "t: unknown option --bogus (see t --help)") == 0);
    T_CHECK_EQ(RUN("-z"), TC_OPT_USAGE);
    T_CHECK(strcmp(said, "t: unknown option -z (see t --help)") == 0);
    T_CHECK_EQ(RUN("-f", "extra"), TC_OPT_USAGE);
    T_CHECK(strcmp(said, "t: unexpected argument \"extra\" (see t --help)") ==
            0);
}


int
main(void)
{
    T_RUN(test_number);
    T_RUN(test_number_say);
    T_RUN(test_list);
    T_RUN(test_transfer);
    T_RUN(test_parse);
    T_RUN(test_parse_errors);
    return T_REPORT();
}
