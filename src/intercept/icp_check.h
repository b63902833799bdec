/*
 * icp_check.h: intercept's answer to `tcpcopy --check` (a CHECK frame):
 * a report of what intercept knows about its host that explains "the
 * target receives nothing" or "the replies leak": its input, the kernel
 * settings that decide where packets go, and whether replies ever came.
 *
 * intercept has dropped its privileges when it answers (it runs as -u
 * USER with at most CAP_NET_ADMIN), so the report reads only what any
 * user may read (/proc/sys/net/..., /proc/net/...).  Whatever cannot be
 * read is left out of the report, never sent as a made-up value.
 */
#ifndef TC_ICP_CHECK_H_INCLUDED
#define TC_ICP_CHECK_H_INCLUDED

#include "tc_core.h"
#include "tc_proto.h"
#include "intercept.h"

/* Where the kernel settings are read from; tests point it elsewhere. */
#define TC_ICP_PROC_NET_IPV4 "/proc/sys/net/ipv4"

/*
 * Fills out (zeroed first) with the report for the CHECK carrying token:
 * version, input (NFQUEUE number or pcap devices and filter), ip_forward,
 * rp_filter (all, default, then each device up to TC_CHECK_RPF_MAX),
 * intercept's counters and, for NFQUEUE, the kernel's counters of its
 * queue.  The control-server figures (connections, uptime) are the
 * caller's to add.  Never fails: unreadable items are just absent.
 */
void tc_icp_check_report(const tc_icp_cycle_t *cycle, uint32_t token,
                         tc_msg_check_reply_t *out);

/*
 * Reads the sysctl settings under dir (a directory laid out like
 * /proc/sys/net/ipv4) into out: ip_forward and the rp_filter entries.
 * Exposed for the unit test.
 */
void tc_icp_check_sysctl(const char *dir, tc_msg_check_reply_t *out);

#endif /* TC_ICP_CHECK_H_INCLUDED */
