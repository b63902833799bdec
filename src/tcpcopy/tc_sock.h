/*
 * tc_sock.h: the set-up the raw capture and the senders share: a
 * privileged socket opened non-blocking and close-on-exec, its failure
 * said the same way, and a large kernel buffer.
 */
#ifndef TC_SOCK_H_INCLUDED
#define TC_SOCK_H_INCLUDED

#include "tc_core.h"

/*
 * Opens socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol).
 * Returns the fd, or -1 with errno set and err (errlen bytes) saying
 * "what: reason", with the privilege it needs when that is the reason.
 */
int tc_sock_open(int domain, int type, int protocol, const char *what,
                 char *err, size_t errlen);

/*
 * Sets fd's receive (opt SO_RCVBUF) or send (SO_SNDBUF) buffer to size
 * bytes: past the sysctl limit where privileged (the FORCE variant),
 * else as far as that limit allows.  Best effort: a buffer that stays
 * small costs drops, which the ledger counts, not the start-up.
 */
void tc_sock_buffer(int fd, int opt, size_t size);

#endif /* TC_SOCK_H_INCLUDED */
