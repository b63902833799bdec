/*
 * tc_daemon.c: daemonizing and pid files (see tc_daemon.h).
 */
#include "tc_config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tc_daemon.h"
#include "tc_log.h"

static int  tc_daemon_start(int *ready_fd);
static long tc_pidfile_read_fd(int fd);
static long tc_pidfile_read(const char *path);
static int  tc_pidfile_write(const char *path, long *other, int *lock_fd);
static void tc_pidfile_remove(const char *path);


/*
 * Forks.  In the parent: waits until the child calls tc_daemon_started()
 * and exits 0, or until the child exits and exits with its status; it
 * never returns.  In the child: starts a new session, stores the write end
 * of the pipe in *ready_fd and returns TC_OK.  TC_ERROR (errno set) if
 * pipe or fork fails, in the only process.
 */
static int
tc_daemon_start(int *ready_fd)
{
    int   fds[2], status;
    char  c;
    pid_t pid;

    if (pipe2(fds, O_CLOEXEC) == -1) {
        return TC_ERROR;
    }

    pid = fork();
    if (pid == -1) {
        close(fds[0]);
        close(fds[1]);
        return TC_ERROR;
    }

    if (pid > 0) {
        /* The parent only relays the outcome of the child's start-up. */
        close(fds[1]);
        if (read(fds[0], &c, 1) == 1) {
            _exit(0);
        }
        if (waitpid(pid, &status, 0) == pid && WIFEXITED(status)) {
            _exit(WEXITSTATUS(status));
        }
        _exit(1);
    }

    close(fds[0]);
    *ready_fd = fds[1];
    (void) setsid();
    return TC_OK;
}


void
tc_daemon_started(tc_daemon_t *d)
{
    int fd;

    if (d->ready_fd == -1) {
        return;
    }

    fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (fd != -1) {
        (void) dup2(fd, STDIN_FILENO);
        (void) dup2(fd, STDOUT_FILENO);
        (void) dup2(fd, STDERR_FILENO);
        if (fd > STDERR_FILENO) {
            close(fd);
        }
    }

    /* Not holding a mount point busy; every path kept is absolute. */
    if (chdir("/") == -1) {
        /* nothing depends on the working directory any more */
    }

    if (write(d->ready_fd, "1", 1) != 1) {
        /* the parent is gone: nobody to tell */
    }
    close(d->ready_fd);
    d->ready_fd = -1;
}


const char *
tc_path_abs(const char *path, char *buf, size_t size)
{
    char cwd[4096];
    int  n;

    if (path[0] == '/' || strcmp(path, "-") == 0) {
        n = snprintf(buf, size, "%s", path);
    } else if (getcwd(cwd, sizeof(cwd)) != NULL) {
        n = snprintf(buf, size, "%s/%s", cwd, path);
    } else {
        return NULL;
    }

    return (n < 0 || (size_t) n >= size) ? NULL : buf;
}


/* The pid in the file open at fd, or 0. */
static long
tc_pidfile_read_fd(int fd)
{
    char    buf[32];
    ssize_t n;

    n = pread(fd, buf, sizeof(buf) - 1, 0);
    if (n <= 0) {
        return 0;
    }
    buf[n] = '\0';
    return strtol(buf, NULL, 10);
}


/* The pid in the file at path, or 0. */
static long
tc_pidfile_read(const char *path)
{
    long pid;
    int  fd;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd == -1) {
        return 0;
    }
    pid = tc_pidfile_read_fd(fd);
    (void) close(fd);
    return pid;
}


/*
 * Takes an exclusive flock on path (created if missing) and writes our pid
 * into it; the open fd, which holds the lock until it is closed (at exit),
 * goes to *lock_fd.  If another process holds the lock, returns
 * TC_DECLINED and stores the pid it wrote in *other; TC_ERROR on I/O
 * errors (errno set).
 */
static int
tc_pidfile_write(const char *path, long *other, int *lock_fd)
{
    char buf[32];
    int  fd, n, saved;

    /* The lock, not the pid inside, decides: two instances started at the
     * same moment cannot both pass, and a file left by a crash (or naming
     * a pid since reused by another program) never blocks a start. */
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd == -1) {
        return TC_ERROR;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
        saved = errno;
        *other = tc_pidfile_read_fd(fd);
        (void) close(fd);
        errno = saved;
        return saved == EWOULDBLOCK ? TC_DECLINED : TC_ERROR;
    }

    n = snprintf(buf, sizeof(buf), "%ld\n", (long) getpid());
    if (ftruncate(fd, 0) == -1 || pwrite(fd, buf, (size_t) n, 0) != n) {
        saved = errno;
        (void) close(fd);
        errno = saved;
        return TC_ERROR;
    }
    *lock_fd = fd;
    return TC_OK;
}


/* Removes path if it still holds our pid (best effort: after -u the
 * directory may no longer be writable; a stale file names a dead pid and
 * does not block the next start). */
static void
tc_pidfile_remove(const char *path)
{
    if (path != NULL && tc_pidfile_read(path) == (long) getpid()) {
        (void) unlink(path);
    }
}


void
tc_daemon_init(tc_daemon_t *d)
{
    memset(d, 0, sizeof(*d));
    d->ready_fd = -1;
    d->pid_fd = -1;
}


void
tc_daemon_fail(const char *ident, const char *what)
{
    fprintf(stderr, "%s: %s\n", ident, what);
    if (tc_log_to_file()) {
        tc_log_error(TC_LOG_EMERG, 0, "%s", what);
    }
}


int
tc_daemon_begin(tc_daemon_t *d, const char *ident)
{
    char err[512];
    long other = 0;

    if (tc_priv_lookup(&d->priv, d->user, err, sizeof(err)) != TC_OK) {
        tc_daemon_fail(ident, err);
        return TC_ERROR;
    }

    if (d->detach && tc_daemon_start(&d->ready_fd) != TC_OK) {
        snprintf(err, sizeof(err), "cannot daemonize: %s", strerror(errno));
        tc_daemon_fail(ident, err);
        return TC_ERROR;
    }

    /* In the child (its pid goes in), before anything is opened, so a
     * second instance stops here and says so on the user's terminal. */
    if (d->pid_path == NULL) {
        return TC_OK;
    }

    switch (tc_pidfile_write(d->pid_path, &other, &d->pid_fd)) {
    case TC_OK:
        return TC_OK;
    case TC_DECLINED:
        snprintf(err, sizeof(err),
                 "pid file %s is locked by running process %ld: is %s "
                 "already running?",
                 d->pid_path, other, ident);
        break;
    default:
        snprintf(err, sizeof(err), "cannot write pid file %s: %s", d->pid_path,
                 strerror(errno));
    }

    tc_daemon_fail(ident, err);
    return TC_ERROR;
}


int
tc_daemon_drop(tc_daemon_t *d, const char *ident, uint64_t keep,
               const char *log_path)
{
    char err[512];

    if (tc_priv_chown(&d->priv, log_path) != TC_OK ||
        (d->pid_fd != -1 && tc_priv_chown(&d->priv, d->pid_path) != TC_OK)) {
        snprintf(err, sizeof(err), "cannot hand the log or pid file to %s: %s",
                 d->user, strerror(errno));
        tc_daemon_fail(ident, err);
        return TC_ERROR;
    }

    if (tc_priv_drop(&d->priv, keep, err, sizeof(err)) != TC_OK) {
        tc_daemon_fail(ident, err);
        return TC_ERROR;
    }

    tc_log_error(TC_LOG_NOTICE, 0,
                 "running as uid %lu gid %lu, capabilities %#llx",
                 (unsigned long) getuid(), (unsigned long) getgid(),
                 (unsigned long long) tc_priv_effective());
    return TC_OK;
}


void
tc_daemon_end(tc_daemon_t *d)
{
    /* removed while the lock is still ours: no other instance can have
     * written its pid in between */
    if (d->pid_fd != -1) {
        tc_pidfile_remove(d->pid_path);
        (void) close(d->pid_fd);
        d->pid_fd = -1;
    }
}
