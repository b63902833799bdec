/*
 * tc_log.c: one log sink per process (stderr or a file).  The sink is
 * module state, not a settings struct: it is set once at start-up and on
 * SIGHUP.
 */
#include "tc_config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "tc_log.h"
#include "tc_time.h"

static const char *const tc_log_names[] = {"emerg", "alert",  "crit", "error",
                                           "warn",  "notice", "info", "debug"};

static struct {
    const char *ident;
    const char *path;
    int         fd;
    int         level;
} tc_log = {"tc", NULL, STDERR_FILENO, TC_LOG_NOTICE};

static uint64_t tc_assert_count;


static int
tc_log_open_path(const char *path)
{
    return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
}


int
tc_log_init(const char *ident, const char *path, int level)
{
    int fd;

    tc_log.ident = ident;
    tc_log.level = level;

    if (path == NULL || strcmp(path, "-") == 0) {
        tc_log.path = NULL;
        tc_log.fd = STDERR_FILENO;
        return TC_OK;
    }

    fd = tc_log_open_path(path);
    if (fd == -1) {
        return TC_ERROR;
    }

    tc_log.path = path;
    tc_log.fd = fd;
    return TC_OK;
}


int
tc_log_reopen(void)
{
    int fd;

    if (tc_log.path == NULL) {
        return TC_OK;
    }

    fd = tc_log_open_path(tc_log.path);
    if (fd == -1) {
        return TC_ERROR;
    }

    close(tc_log.fd);
    tc_log.fd = fd;
    return TC_OK;
}


void
tc_log_close(void)
{
    if (tc_log.path != NULL && tc_log.fd != STDERR_FILENO) {
        close(tc_log.fd);
        tc_log.fd = STDERR_FILENO;
        tc_log.path = NULL;
    }
}


bool
tc_log_to_file(void)
{
    return tc_log.path != NULL;
}


int
tc_log_level(void)
{
    return tc_log.level;
}


void
tc_log_set_level(int level)
{
    tc_log.level = level;
}


int
tc_log_level_parse(const char *name)
{
    size_t i;

    for (i = 0; i < tc_nelems(tc_log_names); i++) {
        if (strcasecmp(name, tc_log_names[i]) == 0) {
            return (int) i;
        }
    }

    if (strcasecmp(name, "warning") == 0) {
        return TC_LOG_WARN;
    }

    if (name[0] >= '0' && name[0] <= '7' && name[1] == '\0') {
        return name[0] - '0';
    }

    return TC_ERROR;
}


void
tc__log_write(int level, int err, const char *fmt, ...)
{
    char    line[2048], stamp[32];
    int     n, m;
    va_list ap;

    if (level < 0 || level > TC_LOG_DEBUG) {
        level = TC_LOG_ERR;
    }

    tc_time_wall_str(stamp, sizeof(stamp));
    n = snprintf(line, sizeof(line), "%s %s[%d] %s: ", stamp, tc_log.ident,
                 (int) getpid(), tc_log_names[level]);

    va_start(ap, fmt);
    m = vsnprintf(line + n, sizeof(line) - (size_t) n, fmt, ap);
    va_end(ap);

    n = (m < 0) ? n : tc_min(n + m, (int) sizeof(line) - 2);

    if (err != 0) {
        m = snprintf(line + n, sizeof(line) - (size_t) n, " (%d: %s)", err,
                     strerror(err));
        n = (m < 0) ? n : tc_min(n + m, (int) sizeof(line) - 2);
    }

    line[n++] = '\n';

    /* One write per line so concurrent writers do not interleave. */
    if (write(tc_log.fd, line, (size_t) n) == -1) {
        /* nowhere left to report it */
    }
}


void
tc__assert_failed(const char *expr, const char *file, int line)
{
    tc_assert_count++;
    tc__log_write(TC_LOG_ALERT, 0, "assertion \"%s\" failed at %s:%d", expr,
                  file, line);
    if (TC_DEBUG) {
        abort();
    }
}


uint64_t
tc_assert_failures(void)
{
    return tc_assert_count;
}
