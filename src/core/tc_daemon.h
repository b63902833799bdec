/*
 * tc_daemon.h: what both daemons need to behave as Unix daemons: detach
 * from the terminal without hiding start-up errors, and keep a pid file
 * that refuses a second instance.
 *
 * The -d sequence, shared by tcpcopy and intercept:
 *
 *     tc_daemon_begin(d)     fork, the parent waiting on a pipe; in the
 *                            child, the pid file (refuses a live instance)
 *     ... open sockets ...
 *     tc_daemon_drop(d)      -u's user, the capabilities kept
 *     tc_daemon_started(d)   stdio to /dev/null, chdir /, parent exits 0
 *     tc_daemon_end(d)       at exit: the pid file goes
 *
 * Until tc_daemon_started() the child still writes to the user's terminal
 * and, if it exits, the parent exits with the child's status: so
 * `tcpcopy -d` with a busy pid file or a missing capability prints why and
 * exits 1 instead of vanishing into the background.
 */
#ifndef TC_DAEMON_H_INCLUDED
#define TC_DAEMON_H_INCLUDED

#include "tc_core.h"
#include "tc_priv.h"

#define TC_PATH_MAX 4096

/*
 * The process options both daemons share (-d, -P, -u) and the state of
 * the start-up sequence.  Embedded in main()'s context; tc_daemon_init()
 * first, then the option parser fills detach, pid_path (via tc_path_abs
 * into pid_abs) and user.
 */
typedef struct {
    bool        detach;   /* -d */
    const char *pid_path; /* -P, absolute, or NULL */
    const char *user;     /* -u, or NULL */
    tc_priv_t   priv;
    int         ready_fd; /* -d: write end of the pipe to the parent */
    int         pid_fd;   /* -P written: holds its lock; else -1 */
    char        pid_abs[TC_PATH_MAX];
} tc_daemon_t;

void tc_daemon_init(tc_daemon_t *d);

/*
 * The start of every daemon, after option parsing and tc_log_init():
 * resolves -u, forks for -d (see above) and writes the pid file, refusing
 * a live instance.  Failures are printed as "ident: reason" on stderr (and
 * logged); returns TC_OK, or TC_ERROR when the caller must exit 1.
 */
int tc_daemon_begin(tc_daemon_t *d, const char *ident);

/*
 * After the privileged sockets are open: hands the log file (log_path, may
 * be NULL) and pid file to -u's user, switches to it and keeps only the
 * capabilities in keep (tc_priv_drop).  Logs the resulting uid and
 * capabilities.  TC_OK, or TC_ERROR after printing why.
 */
int tc_daemon_drop(tc_daemon_t *d, const char *ident, uint64_t keep,
                   const char *log_path);

/* A start-up failure the user must see: prints "ident: what" on the
 * terminal (still attached until start-up is done) and, when the log is a
 * file, logs it there too. */
void tc_daemon_fail(const char *ident, const char *what);

/*
 * Start-up succeeded: redirects stdio to /dev/null, changes to / and
 * releases the waiting parent (-d; nothing happens without it).  Paths
 * kept for later (log, pid file) must be absolute: see tc_path_abs().
 */
void tc_daemon_started(tc_daemon_t *d);

/* Exit: removes the pid file if we wrote it. */
void tc_daemon_end(tc_daemon_t *d);

/*
 * Copies path into buf (size bytes), made absolute against the current
 * directory ("-" stays "-").  Returns buf, or NULL if it does not fit or
 * the current directory is unknown.
 */
const char *tc_path_abs(const char *path, char *buf, size_t size);

#endif /* TC_DAEMON_H_INCLUDED */
