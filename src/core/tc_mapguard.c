/*
 * tc_mapguard.c: see tc_mapguard.h.
 *
 * The handler only reads the slot table, calls mmap() (a plain system call
 * on Linux) and writes a sig_atomic_t: nothing that takes a lock.  Slots
 * are published by storing len last and retired by clearing len first, so
 * the handler never sees half a slot.  The table is file-scope state, the
 * one kind a signal handler can reach.
 *
 * Only a fault past the end of the file (BUS_ADRERR) is taken: a SIGBUS
 * sent by kill, or an I/O error reading a page that does exist, keeps the
 * handling it had.
 */
#include "tc_config.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tc_mapguard.h"

#define MAPGUARD_SLOTS 8

typedef struct {
    volatile uintptr_t    start;
    volatile size_t       len; /* 0: slot free */
    volatile sig_atomic_t hit;
} mapguard_t;

static mapguard_t            guards[MAPGUARD_SLOTS];
static struct sigaction      previous; /* the SIGBUS handling before ours */
static volatile sig_atomic_t installed;
static uintptr_t             page_mask;


static void
mapguard_on_sigbus(int sig, siginfo_t *si, void *ctx)
{
    uintptr_t at = (uintptr_t) si->si_addr, page, end;
    size_t    i;
    int       saved = errno;

    (void) ctx;
    for (i = 0; si->si_code == BUS_ADRERR && i < MAPGUARD_SLOTS; i++) {
        if (guards[i].len == 0 || at < guards[i].start ||
            at - guards[i].start >= guards[i].len) {
            continue;
        }
        /* Zero pages from the faulting page to the end of the range: the
         * access is retried and reads zeros, and no later page faults. */
        page = at & page_mask;
        end = guards[i].start + guards[i].len;
        if (mmap((void *) page, end - page, PROT_READ,
                 MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS, -1,
                 0) != MAP_FAILED) {
            guards[i].hit = 1;
            errno = saved;
            return;
        }
        break;
    }

    /* Not ours (or no memory for the zero pages): the handling that was
     * there before takes it, a retried fault or a raised signal (one sent
     * is not retried). */
    (void) sigaction(sig, &previous, NULL);
    installed = 0;
    if (si->si_code <= 0) {
        (void) raise(sig);
    }
    errno = saved;
}


static int
mapguard_install(void)
{
    struct sigaction sa;
    long             page = sysconf(_SC_PAGESIZE);

    if (page <= 0) {
        return TC_ERROR;
    }
    page_mask = ~((uintptr_t) page - 1);
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = mapguard_on_sigbus;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGBUS, &sa, &previous) == -1) {
        return TC_ERROR;
    }
    installed = 1;
    return TC_OK;
}


int
tc_mapguard_add(const void *addr, size_t len)
{
    int i;

    if (len == 0 || (!installed && mapguard_install() != TC_OK)) {
        return TC_ERROR;
    }
    for (i = 0; i < MAPGUARD_SLOTS; i++) {
        if (guards[i].len == 0) {
            guards[i].hit = 0;
            guards[i].start = (uintptr_t) addr;
            __atomic_store_n(&guards[i].len, len, __ATOMIC_RELEASE);
            return i;
        }
    }
    return TC_ERROR;
}


bool
tc_mapguard_hit(int id)
{
    return id >= 0 && id < MAPGUARD_SLOTS && guards[id].hit != 0;
}


void
tc_mapguard_remove(int id)
{
    if (id >= 0 && id < MAPGUARD_SLOTS) {
        __atomic_store_n(&guards[id].len, 0, __ATOMIC_RELEASE);
    }
}
