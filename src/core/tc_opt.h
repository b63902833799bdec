/*
 * tc_opt.h: the command line as tcpcopy and intercept share it.
 *
 * Two layers.  The pure parsers (tc_opt_number, tc_opt_number_say,
 * tc_opt_list) read option values: no printing, no exit, no globals, so
 * unit tests and the fuzz target call them directly.  Above them,
 * tc_opt_parse() runs getopt_long for a daemon: it handles the options
 * both daemons have (-l, --log-level, -d, -P, -u, --metrics,
 * --stats-interval, -v, -h), hands every other to the daemon's own
 * handler, and reports usage errors as "prog: what (see prog --help)" with
 * exit status 2.
 *
 * The two daemons word some errors differently and scripts may match
 * either wording, so each daemon describes its own in a tc_opt_words_t.
 */
#ifndef TC_OPT_H_INCLUDED
#define TC_OPT_H_INCLUDED

#include <getopt.h>
#include <stdarg.h>

#include "tc_core.h"
#include "tc_addr.h"
#include "tc_daemon.h"

/* A usage error's exit status (as getopt-based tools: 2). */
#define TC_OPT_USAGE 2

/* Room for one error message of a parser (err, errlen arguments). */
#define TC_OPT_ERR_MAX 512

/* The getopt codes of the long-only options both daemons have. */
enum { TC_OPT_STATS_INTERVAL = 0x1000, TC_OPT_LOG_LEVEL, TC_OPT_METRICS };

/* The struct option entries of the options tc_opt_parse() handles for
 * both daemons; each daemon's table lists them next to its own. */
/* clang-format off */
#define TC_OPT_LONG_SHARED                                                    \
    {"stats-interval", required_argument, NULL, TC_OPT_STATS_INTERVAL},       \
    {"metrics", required_argument, NULL, TC_OPT_METRICS},                     \
    {"log", required_argument, NULL, 'l'},                                    \
    {"log-level", required_argument, NULL, TC_OPT_LOG_LEVEL},                 \
    {"daemon", no_argument, NULL, 'd'},                                       \
    {"pid", required_argument, NULL, 'P'},                                    \
    {"user", required_argument, NULL, 'u'},                                   \
    {"version", no_argument, NULL, 'v'},                                      \
    {"help", no_argument, NULL, 'h'}
/* clang-format on */

/* How a bad number is said. */
typedef enum {
    /* "-C must be a number from 1 to 16, not "x"" (tcpcopy) */
    TC_OPT_SAY_FROM_TO = 0,
    /* "invalid --port "x" (1..65535)", unit appended (intercept) */
    TC_OPT_SAY_INVALID
} tc_opt_say_e;

/* A message about one argument: pre, the argument, post (quotes, if
 * any, belong to pre and post). */
typedef struct {
    const char *pre;
    const char *post;
} tc_opt_msg_t;

/* A daemon's wording; one static const per daemon. */
typedef struct {
    const char  *prog;    /* "tcpcopy": starts every message */
    const char  *help;    /* -h, --help: printed as is on stdout */
    const char  *version; /* -v, --version: the whole line, newline included */
    tc_opt_say_e numbers;
    bool         unknown_letter; /* name a bad short option "-Z", not the
                                    word of argv it came in */
    tc_opt_msg_t unknown;        /* an unknown option */
    tc_opt_msg_t log_path;       /* -l: path too long */
    tc_opt_msg_t log_level;      /* --log-level: no such level */
    tc_opt_msg_t pid_path;       /* -P: path too long */
} tc_opt_words_t;

/* The shared options' values; tc_opt_init() sets the defaults. */
typedef struct {
    const tc_opt_words_t *words;
    tc_daemon_t          *proc;           /* -d, -P, -u go here */
    const char           *log_path;       /* -l, absolute; NULL: stderr */
    int                   log_level;      /* --log-level */
    tc_msec_t             stats_interval; /* --stats-interval; 0: off */
    tc_endpoint_t         metrics_ep;     /* --metrics; port 0: off */
    char                  log_abs[TC_PATH_MAX];
} tc_opt_t;

/*
 * A daemon's own option c with its value arg (NULL for flags).  Returns
 * TC_OK, TC_DECLINED when c is none of its options, or any other value
 * (TC_ERROR, or what tc_opt_fail() returned) after saying why.
 */
typedef int (*tc_opt_handler_pt)(void *data, int c, const char *arg);

/* One item of a comma list; TC_OK, or TC_ERROR with a reason in err. */
typedef int (*tc_opt_item_pt)(void *data, const char *item, char *err,
                              size_t errlen);

/*
 * Parses a decimal number in [min, max] (0 <= min <= max): digits only,
 * no sign, space or suffix.  Stores it in *out and returns TC_OK, or
 * returns TC_ERROR and leaves *out alone.
 */
int tc_opt_number(const char *text, long min, long max, long *out);

/*
 * Writes into err (errlen bytes, terminated when errlen > 0; err may be
 * NULL when errlen is 0) why text is not a number in [min, max] for option
 * name, worded as say tells; unit (may be NULL) follows the range in
 * TC_OPT_SAY_INVALID ("0..86400 seconds").  Returns the message's length
 * without the NUL, as snprintf does: a larger err shows it whole.
 */
size_t tc_opt_number_say(tc_opt_say_e say, const char *name, const char *text,
                         long min, long max, const char *unit, char *err,
                         size_t errlen);

/*
 * Calls item() for every item of a comma-separated list, in order.  Empty
 * items (",,", a leading or trailing comma) are skipped, as strtok() does.
 * arg is not modified.  Returns the number of items, or TC_ERROR with the
 * reason in err: the first item() failure, or no memory.
 */
int tc_opt_list(const char *arg, tc_opt_item_pt item, void *data, char *err,
                size_t errlen);

/* Sets the defaults: no log file, level notice, stats_interval (ms), no
 * metrics.  words and proc must outlive o. */
void tc_opt_init(tc_opt_t *o, const tc_opt_words_t *words, tc_daemon_t *proc,
                 tc_msec_t stats_interval);

/*
 * Prints "prog: <what> (see prog --help)" on stderr in one write (prog
 * from w) and returns TC_OPT_USAGE, for the caller to exit with.
 */
int tc_opt_fail(const tc_opt_words_t *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int tc_opt_vfail(const tc_opt_words_t *w, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/*
 * Parses the number text for option name into *out as tc_opt_number()
 * does; when it is not one, says so in w's wording (tc_opt_fail) and
 * returns TC_ERROR.
 */
int tc_opt_num(const tc_opt_words_t *w, const char *name, const char *text,
               long min, long max, const char *unit, long *out);

/*
 * tc_opt_list() for option values: err is sized to the list, so an item
 * shows whole in its message (item's reasons are at most TC_OPT_ERR_MAX
 * bytes besides the item), and a failure is said with tc_opt_fail().
 * Returns the number of items or TC_ERROR.
 */
int tc_opt_list_say(const tc_opt_words_t *w, const char *arg,
                    tc_opt_item_pt item, void *data);

/*
 * Runs getopt_long(argc, argv, shortopts, longopts) to the end.  Shared
 * options fill o; every other goes to handler(data, c, optarg).  shortopts
 * must start with ':'.  Returns -1 when the daemon should go on (optind is
 * past the options), or the exit status: 0 after -h or -v (printed on
 * stdout), TC_OPT_USAGE after a usage error (said on stderr).
 */
int tc_opt_parse(tc_opt_t *o, int argc, char **argv, const char *shortopts,
                 const struct option *longopts, tc_opt_handler_pt handler,
                 void *data);

#endif /* TC_OPT_H_INCLUDED */
