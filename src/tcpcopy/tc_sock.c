/*
 * tc_sock.c: socket set-up shared by capture_raw.c, send_raw.c and
 * send_pcap.c (see tc_sock.h).
 */
#include "tc_config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "tc_sock.h"


int
tc_sock_open(int domain, int type, int protocol, const char *what, char *err,
             size_t errlen)
{
    int fd, e;

    fd = socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
    if (fd == -1) {
        e = errno;
        snprintf(err, errlen, "%s: %s%s", what, strerror(e),
                 e == EPERM ? " (needs root or CAP_NET_RAW)" : "");
        errno = e;
    }
    return fd;
}


void
tc_sock_buffer(int fd, int opt, size_t size)
{
    int force = opt == SO_RCVBUF ? SO_RCVBUFFORCE : SO_SNDBUFFORCE;
    int v = (int) tc_min(size, (size_t) INT_MAX / 2);

    /* FORCE works as root (or CAP_NET_ADMIN) */
    if (setsockopt(fd, SOL_SOCKET, force, &v, sizeof(v)) == -1) {
        (void) setsockopt(fd, SOL_SOCKET, opt, &v, sizeof(v));
    }
}
