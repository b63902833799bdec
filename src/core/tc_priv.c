/*
 * tc_priv.c: user switch and capability trimming (see tc_priv.h).  Raw
 * capget/capset system calls: two 32-bit words per set, no libcap.
 */
#include "tc_config.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tc_priv.h"

/* Highest capability number we try to drop from the bounding set; the
 * kernel answers EINVAL past its own last one. */
#define TC_CAP_LAST 63

static int  tc_priv_caps_get(uint64_t *eff, uint64_t *perm);
static int  tc_priv_caps_set(uint64_t caps);
static void tc_priv_trim_bounding(uint64_t keep);
static int  tc_priv_switch(const tc_priv_t *p, char *err, size_t size);


int
tc_priv_lookup(tc_priv_t *p, const char *user, char *err, size_t size)
{
    struct passwd *pw;

    memset(p, 0, sizeof(*p));
    if (user == NULL) {
        return TC_OK;
    }

    errno = 0;
    pw = getpwnam(user);
    if (pw == NULL) {
        snprintf(err, size, "unknown user \"%s\"%s%s", user, errno ? ": " : "",
                 errno ? strerror(errno) : "");
        return TC_ERROR;
    }

    p->user = user;
    p->uid = pw->pw_uid;
    p->gid = pw->pw_gid;
    return TC_OK;
}


int
tc_priv_chown(const tc_priv_t *p, const char *path)
{
    if (p->user == NULL || path == NULL || strcmp(path, "-") == 0) {
        return TC_OK;
    }
    if (geteuid() != 0) {
        return TC_OK; /* cannot and need not: the file is already ours */
    }
    return chown(path, p->uid, p->gid) == -1 ? TC_ERROR : TC_OK;
}


static int
tc_priv_caps_get(uint64_t *eff, uint64_t *perm)
{
    struct __user_cap_header_struct hdr;
    struct __user_cap_data_struct   data[2];

    memset(&hdr, 0, sizeof(hdr));
    memset(data, 0, sizeof(data));
    hdr.version = _LINUX_CAPABILITY_VERSION_3;
    if (syscall(SYS_capget, &hdr, data) == -1) {
        return TC_ERROR;
    }

    *eff = (uint64_t) data[1].effective << 32 | data[0].effective;
    *perm = (uint64_t) data[1].permitted << 32 | data[0].permitted;
    return TC_OK;
}


/* Sets effective = permitted = caps, inheritable = none. */
static int
tc_priv_caps_set(uint64_t caps)
{
    struct __user_cap_header_struct hdr;
    struct __user_cap_data_struct   data[2];

    memset(&hdr, 0, sizeof(hdr));
    memset(data, 0, sizeof(data));
    hdr.version = _LINUX_CAPABILITY_VERSION_3;
    data[0].effective = data[0].permitted = (uint32_t) caps;
    data[1].effective = data[1].permitted = (uint32_t) (caps >> 32);

    return syscall(SYS_capset, &hdr, data) == -1 ? TC_ERROR : TC_OK;
}


/*
 * The bounding set limits what an exec could ever regain.  We never exec,
 * so this is defence in depth: it needs CAP_SETPCAP, which an unprivileged
 * start lacks, and then it is skipped.
 */
static void
tc_priv_trim_bounding(uint64_t keep)
{
    int cap;

    for (cap = 0; cap <= TC_CAP_LAST; cap++) {
        if (keep & TC_CAP(cap)) {
            continue;
        }
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == -1 && errno != EPERM) {
            break; /* EINVAL: past the kernel's last capability */
        }
    }
}


/* Becomes p's user, keeping the permitted capabilities across setuid
 * (PR_SET_KEEPCAPS) so that tc_priv_drop() can choose among them. */
static int
tc_priv_switch(const tc_priv_t *p, char *err, size_t size)
{
    if (getuid() == p->uid && geteuid() == p->uid && getgid() == p->gid) {
        return TC_OK; /* already that user (started by systemd as it) */
    }

    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) == -1) {
        snprintf(err, size, "PR_SET_KEEPCAPS: %s", strerror(errno));
        return TC_ERROR;
    }

    if (setgroups(1, &p->gid) == -1 ||
        setresgid(p->gid, p->gid, p->gid) == -1) {
        snprintf(err, size, "cannot switch to group %lu of user %s: %s",
                 (unsigned long) p->gid, p->user, strerror(errno));
        return TC_ERROR;
    }

    if (setresuid(p->uid, p->uid, p->uid) == -1) {
        snprintf(err, size, "cannot switch to user %s: %s", p->user,
                 strerror(errno));
        return TC_ERROR;
    }

    (void) prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
    return TC_OK;
}


int
tc_priv_drop(const tc_priv_t *p, uint64_t keep, char *err, size_t size)
{
    uint64_t eff, perm;

    /* While still privileged: the bounding set needs CAP_SETPCAP. */
    tc_priv_trim_bounding(keep);

    if (p->user != NULL && tc_priv_switch(p, err, size) != TC_OK) {
        return TC_ERROR;
    }

    if (tc_priv_caps_get(&eff, &perm) != TC_OK) {
        snprintf(err, size, "capget: %s", strerror(errno));
        return TC_ERROR;
    }

    /* Ambient capabilities would survive an exec; we keep none of them.
     * EINVAL: a kernel older than 4.3 has no ambient set. */
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == -1 &&
        errno != EINVAL) {
        snprintf(err, size, "clearing ambient capabilities: %s",
                 strerror(errno));
        return TC_ERROR;
    }

    if (tc_priv_caps_set(keep & perm) != TC_OK) {
        snprintf(err, size, "capset: %s", strerror(errno));
        return TC_ERROR;
    }

    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
        snprintf(err, size, "PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
        return TC_ERROR;
    }

    return TC_OK;
}


uint64_t
tc_priv_effective(void)
{
    uint64_t eff, perm;

    return tc_priv_caps_get(&eff, &perm) == TC_OK ? eff : 0;
}
