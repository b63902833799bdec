/*
 * tc_opt.c: option values and the getopt loop both daemons share (see
 * tc_opt.h).
 */
#include "tc_config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc_log.h"
#include "tc_opt.h"

static int opt_say(const tc_opt_t *o, const tc_opt_msg_t *msg, const char *arg);
static int opt_unknown(const tc_opt_t *o, char **argv);
static int opt_shared(tc_opt_t *o, int c, const char *arg);


int
tc_opt_number(const char *text, long min, long max, long *out)
{
    char *end;
    long  v;

    /* strtol alone would take " 5", "+5" and "-0" */
    if (text[0] < '0' || text[0] > '9') {
        return TC_ERROR;
    }

    errno = 0;
    v = strtol(text, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max) {
        return TC_ERROR;
    }

    *out = v;
    return TC_OK;
}


size_t
tc_opt_number_say(tc_opt_say_e say, const char *name, const char *text,
                  long min, long max, const char *unit, char *err,
                  size_t errlen)
{
    int n = -1;

    switch (say) {
    case TC_OPT_SAY_FROM_TO:
        n = snprintf(err, errlen,
                     "%s must be a number from %ld to %ld, not \"%s\"", name,
                     min, max, text);
        break;
    case TC_OPT_SAY_INVALID:
        n = snprintf(err, errlen, "invalid %s \"%s\" (%ld..%ld%s%s)", name,
                     text, min, max, unit != NULL ? " " : "",
                     unit != NULL ? unit : "");
        break;
    }
    return n > 0 ? (size_t) n : 0;
}


int
tc_opt_list(const char *arg, tc_opt_item_pt item, void *data, char *err,
            size_t errlen)
{
    char *copy, *tok, *save = NULL;
    int   n = 0;

    /* a copy, not arg itself: argv stays as the user typed it (ps) */
    copy = strdup(arg);
    if (copy == NULL) {
        (void) snprintf(err, errlen, "no memory for \"%s\"", arg);
        return TC_ERROR;
    }

    for (tok = strtok_r(copy, ",", &save); tok != NULL;
         tok = strtok_r(NULL, ",", &save)) {
        if (item(data, tok, err, errlen) != TC_OK) {
            free(copy);
            return TC_ERROR;
        }
        n++;
    }

    free(copy);
    return n;
}


void
tc_opt_init(tc_opt_t *o, const tc_opt_words_t *words, tc_daemon_t *proc,
            tc_msec_t stats_interval)
{
    memset(o, 0, sizeof(*o));
    o->words = words;
    o->proc = proc;
    o->log_level = TC_LOG_NOTICE;
    o->stats_interval = stats_interval;
}


int
tc_opt_vfail(const tc_opt_words_t *w, const char *fmt, va_list ap)
{
    va_list copy;
    char   *what;
    int     n;

    va_copy(copy, ap);
    n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);

    /* sized to the message: a long path or list is shown whole */
    what = malloc(n > 0 ? (size_t) n + 1 : 1);
    if (what == NULL) {
        fprintf(stderr, "%s: bad usage (see %s --help)\n", w->prog, w->prog);
        return TC_OPT_USAGE;
    }
    what[0] = '\0';
    (void) vsnprintf(what, (size_t) n + 1, fmt, ap);

    /* One line, one write: scripts grep for it. */
    fprintf(stderr, "%s: %s (see %s --help)\n", w->prog, what, w->prog);
    free(what);
    return TC_OPT_USAGE;
}


int
tc_opt_fail(const tc_opt_words_t *w, const char *fmt, ...)
{
    va_list ap;
    int     rc;

    va_start(ap, fmt);
    rc = tc_opt_vfail(w, fmt, ap);
    va_end(ap);
    return rc;
}


int
tc_opt_num(const tc_opt_words_t *w, const char *name, const char *text,
           long min, long max, const char *unit, long *out)
{
    tc_opt_say_e say = w->numbers;
    char        *err;
    size_t       n;

    if (tc_opt_number(text, min, max, out) == TC_OK) {
        return TC_OK;
    }

    /* sized to the message: the argument is in it, however long */
    n = tc_opt_number_say(say, name, text, min, max, unit, NULL, 0) + 1;
    err = malloc(n);
    if (err == NULL) {
        (void) tc_opt_fail(w, "bad number for %s", name);
        return TC_ERROR;
    }
    (void) tc_opt_number_say(say, name, text, min, max, unit, err, n);
    (void) tc_opt_fail(w, "%s", err);
    free(err);
    return TC_ERROR;
}


int
tc_opt_list_say(const tc_opt_words_t *w, const char *arg, tc_opt_item_pt item,
                void *data)
{
    size_t errlen = strlen(arg) + TC_OPT_ERR_MAX;
    char  *err;
    int    n;

    /* an item is quoted whole in its message, however long */
    err = malloc(errlen);
    if (err == NULL) {
        (void) tc_opt_fail(w, "no memory for \"%s\"", arg);
        return TC_ERROR;
    }
    err[0] = '\0';
    n = tc_opt_list(arg, item, data, err, errlen);
    if (n == TC_ERROR) {
        (void) tc_opt_fail(w, "%s", err);
    }
    free(err);
    return n;
}


/* msg around arg; returns TC_ERROR for the caller to pass on. */
static int
opt_say(const tc_opt_t *o, const tc_opt_msg_t *msg, const char *arg)
{
    (void) tc_opt_fail(o->words, "%s%s%s", msg->pre, arg, msg->post);
    return TC_ERROR;
}


/* getopt returned '?': an option neither daemon table knows. */
static int
opt_unknown(const tc_opt_t *o, char **argv)
{
    char letter[3];

    if (o->words->unknown_letter && optopt != 0) {
        letter[0] = '-';
        letter[1] = (char) optopt;
        letter[2] = '\0';
        (void) opt_say(o, &o->words->unknown, letter);
    } else {
        (void) opt_say(o, &o->words->unknown, argv[optind - 1]);
    }
    return TC_OPT_USAGE;
}


/* The options both daemons have.  TC_OK, TC_ERROR (said), TC_DONE (-h or
 * -v printed: exit 0) or TC_DECLINED (not one of them). */
static int
opt_shared(tc_opt_t *o, int c, const char *arg)
{
    const tc_opt_words_t *w = o->words;
    tc_daemon_t          *d = o->proc;
    long                  v;

    switch (c) {
    case 'h':
        fputs(w->help, stdout);
        return TC_DONE;
    case 'v':
        fputs(w->version, stdout);
        return TC_DONE;
    case 'd':
        d->detach = true;
        return TC_OK;
    case 'u':
        d->user = arg;
        return TC_OK;
    case 'P':
        d->pid_path = tc_path_abs(arg, d->pid_abs, sizeof(d->pid_abs));
        return d->pid_path != NULL ? TC_OK : opt_say(o, &w->pid_path, arg);
    case 'l':
        o->log_path = tc_path_abs(arg, o->log_abs, sizeof(o->log_abs));
        return o->log_path != NULL ? TC_OK : opt_say(o, &w->log_path, arg);
    case TC_OPT_LOG_LEVEL:
        o->log_level = tc_log_level_parse(arg);
        return o->log_level >= 0 ? TC_OK : opt_say(o, &w->log_level, arg);
    case TC_OPT_STATS_INTERVAL:
        if (tc_opt_num(w, "--stats-interval", arg, 0, 86400, "seconds", &v) !=
            TC_OK) {
            return TC_ERROR;
        }
        o->stats_interval = (tc_msec_t) v * 1000;
        return TC_OK;
    case TC_OPT_METRICS:
        if (tc_endpoint_parse(arg, 0, &o->metrics_ep) != TC_OK ||
            o->metrics_ep.port == 0) {
            (void) tc_opt_fail(w, "--metrics wants ADDR:PORT, not \"%s\"", arg);
            return TC_ERROR;
        }
        return TC_OK;
    default:
        return TC_DECLINED;
    }
}


int
tc_opt_parse(tc_opt_t *o, int argc, char **argv, const char *shortopts,
             const struct option *longopts, tc_opt_handler_pt handler,
             void *data)
{
    int c, rc;

    opterr = 0; /* said here, in the daemon's words */

    while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        if (c == ':') {
            return tc_opt_fail(o->words, "option %s needs a value",
                               argv[optind - 1]);
        }
        if (c == '?') {
            return opt_unknown(o, argv);
        }

        rc = opt_shared(o, c, optarg);
        if (rc == TC_DECLINED) {
            rc = handler(data, c, optarg);
        }
        switch (rc) {
        case TC_OK:
            continue;
        case TC_DONE:
            return 0;
        case TC_DECLINED: /* in the table, handled by nobody */
            return opt_unknown(o, argv);
        default:
            return TC_OPT_USAGE;
        }
    }

    if (optind < argc) {
        return tc_opt_fail(o->words, "unexpected argument \"%s\"",
                           argv[optind]);
    }
    return -1;
}
