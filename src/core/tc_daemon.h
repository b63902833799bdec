/*
 * tc_daemon.h: what both daemons need to behave as Unix daemons: detach
 * from the terminal and keep a pid file that refuses a second instance.
 */
#ifndef TC_DAEMON_H_INCLUDED
#define TC_DAEMON_H_INCLUDED

#include "tc_core.h"

/* fork, setsid, chdir /, stdio to /dev/null.  The parent exits 0.
 * Returns TC_OK in the child or TC_ERROR (errno set). */
int tc_daemonize(void);

/*
 * Writes our pid to path.  If path already names a live process, returns
 * TC_DECLINED and stores that pid in *other; TC_ERROR on I/O errors
 * (errno set).
 */
int tc_pidfile_write(const char *path, long *other);

/* Removes path if it still holds our pid. */
void tc_pidfile_remove(const char *path);

#endif /* TC_DAEMON_H_INCLUDED */
