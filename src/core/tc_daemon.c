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
#include <sys/stat.h>
#include <unistd.h>

#include "tc_daemon.h"


int
tc_daemonize(void)
{
    pid_t pid;
    int   fd;

    pid = fork();
    if (pid == -1) {
        return TC_ERROR;
    }
    if (pid > 0) {
        _exit(0);
    }

    if (setsid() == -1) {
        return TC_ERROR;
    }
    if (chdir("/") == -1) {
        return TC_ERROR;
    }

    fd = open("/dev/null", O_RDWR);
    if (fd == -1) {
        return TC_ERROR;
    }
    (void) dup2(fd, STDIN_FILENO);
    (void) dup2(fd, STDOUT_FILENO);
    (void) dup2(fd, STDERR_FILENO);
    if (fd > STDERR_FILENO) {
        close(fd);
    }
    return TC_OK;
}


static long
tc_pidfile_read(const char *path)
{
    FILE *f;
    long  pid = 0;

    f = fopen(path, "r");
    if (f == NULL) {
        return 0;
    }
    if (fscanf(f, "%ld", &pid) != 1) {
        pid = 0;
    }
    fclose(f);
    return pid;
}


int
tc_pidfile_write(const char *path, long *other)
{
    long  pid;
    FILE *f;

    pid = tc_pidfile_read(path);
    if (pid > 0 && pid != (long) getpid() &&
        (kill((pid_t) pid, 0) == 0 || errno == EPERM)) {
        *other = pid;
        return TC_DECLINED;
    }

    f = fopen(path, "w");
    if (f == NULL) {
        return TC_ERROR;
    }
    fprintf(f, "%ld\n", (long) getpid());
    if (fclose(f) != 0) {
        return TC_ERROR;
    }
    return TC_OK;
}


void
tc_pidfile_remove(const char *path)
{
    if (path != NULL && tc_pidfile_read(path) == (long) getpid()) {
        (void) unlink(path);
    }
}
