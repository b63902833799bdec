/*
 * tc_priv.h: least privilege for both daemons.
 *
 * A daemon opens its privileged sockets first (raw sockets, NFQUEUE), then
 * calls tc_priv_drop(): it becomes -u USER if one was given and keeps only
 * the capabilities it still uses at run time (an open socket needs none to
 * be read or written, except that the kernel checks CAP_NET_ADMIN on every
 * nfnetlink message, NFQUEUE verdicts included).  Without -u the same call
 * trims the capabilities of a process started unprivileged with ambient
 * CAP_NET_RAW/CAP_NET_ADMIN (systemd AmbientCapabilities=).
 */
#ifndef TC_PRIV_H_INCLUDED
#define TC_PRIV_H_INCLUDED

#include "tc_core.h"

#include <sys/types.h>

/* A capability set as a bit mask: TC_CAP(CAP_NET_ADMIN). */
#define TC_CAP(cap) ((uint64_t) 1 << (cap))

typedef struct {
    const char *user; /* -u argument, or NULL */
    uid_t       uid;
    gid_t       gid;
} tc_priv_t;

/*
 * Resolves user (NULL: no user switch) into p.  Call it before anything
 * is opened, so a typo fails at once.  TC_OK, or TC_ERROR with the reason
 * in err (size bytes).
 */
int tc_priv_lookup(tc_priv_t *p, const char *user, char *err, size_t size);

/*
 * Makes path (a log or pid file created as root) owned by p's user so the
 * daemon can still reopen it after the switch (SIGHUP).  No-op without a
 * user.  TC_OK or TC_ERROR (errno set).
 */
int tc_priv_chown(const tc_priv_t *p, const char *path);

/*
 * Switches to p's user (groups: only its primary group) if one was given,
 * then keeps exactly keep & (what the process was permitted) as its
 * effective and permitted capabilities; inheritable and ambient sets are
 * cleared, the bounding set is trimmed when allowed, and no_new_privs is
 * set.  Returns TC_OK, or TC_ERROR with the reason in err (the process
 * must then exit: it may be half-way).
 */
int tc_priv_drop(const tc_priv_t *p, uint64_t keep, char *err, size_t size);

/* The effective capability mask of this process (0 on error). */
uint64_t tc_priv_effective(void);

#endif /* TC_PRIV_H_INCLUDED */
