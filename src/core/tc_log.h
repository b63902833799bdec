/*
 * tc_log.h: leveled logging.  The level is checked before any formatting
 * happens, inside do { } while (0), so a disabled debug line costs a compare.
 * tc_log_error() appends strerror(err) when err is not 0 (as ngx_log_error).
 */
#ifndef TC_LOG_H_INCLUDED
#define TC_LOG_H_INCLUDED

#include "tc_core.h"

enum tc_log_level_e {
    TC_LOG_EMERG = 0,
    TC_LOG_ALERT,
    TC_LOG_CRIT,
    TC_LOG_ERR,
    TC_LOG_WARN,
    TC_LOG_NOTICE,
    TC_LOG_INFO,
    TC_LOG_DEBUG
};

/*
 * Opens the log: path NULL (or "-") means stderr.  ident prefixes every line
 * ("tcpcopy", "intercept").  Returns TC_OK or TC_ERROR (errno set).
 */
int tc_log_init(const char *ident, const char *path, int level);

/* Reopens the log file (SIGHUP, logrotate).  No-op for stderr. */
int tc_log_reopen(void);

void tc_log_close(void);

/* True when the log goes to a file (not stderr). */
bool tc_log_to_file(void);

int  tc_log_level(void);
void tc_log_set_level(int level);

/* Parses "emerg".."debug" (or 0..7); returns the level or TC_ERROR. */
int tc_log_level_parse(const char *name);

void tc__log_write(int level, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define tc_log_error(level, err, ...)                                          \
    do {                                                                       \
        if ((level) <= tc_log_level()) {                                       \
            tc__log_write(level, err, __VA_ARGS__);                            \
        }                                                                      \
    } while (0)

#define tc_log_info(...) tc_log_error(TC_LOG_INFO, 0, __VA_ARGS__)
#define tc_log_warn(...) tc_log_error(TC_LOG_WARN, 0, __VA_ARGS__)

/* Debug lines stay type-checked in every build (if (TC_DEBUG)). */
#define tc_log_debug(...)                                                      \
    do {                                                                       \
        if (TC_DEBUG) {                                                        \
            tc_log_error(TC_LOG_DEBUG, 0, __VA_ARGS__);                        \
        }                                                                      \
    } while (0)

#endif /* TC_LOG_H_INCLUDED */
