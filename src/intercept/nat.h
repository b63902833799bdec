/*
 * nat.h: intercept -D INNER-OUTER, for a target behind Docker-style NAT.
 *
 * tcpcopy sends to OUTER, the address it knows (the docker host's
 * 10.0.0.5:80); the host DNATs that to INNER (the container's
 * 172.17.0.2:8080).  An intercept that sees the container's replies before
 * the host undoes the NAT (NFQUEUE on the FORWARD path) sees them come from
 * INNER.  The reply header sent to tcpcopy must say what the real client
 * would have seen, OUTER, so it is rewritten here before it is routed,
 * with the checksums kept right (RFC 1624).
 *
 * Pure code: no sockets, no clock, no globals.
 */
#ifndef TC_ICP_NAT_H_INCLUDED
#define TC_ICP_NAT_H_INCLUDED

#include "tc_core.h"
#include "tc_addr.h"
#include "tc_pkt.h"

#define TC_ICP_NAT_MAX 64

/* One -D mapping.  A port of 0 in inner matches every source port of
 * inner's address; a port of 0 in outer keeps the reply's port. */
typedef struct {
    tc_endpoint_t inner;
    tc_endpoint_t outer;
} tc_icp_nat_t;

/*
 * Parses "INNER-OUTER", each a literal IP[:PORT] ([v6]:PORT for IPv6).
 * Both sides must be of one family, and OUTER may carry a port only if
 * INNER does.  Returns TC_OK, or TC_ERROR with a reason in err.
 */
int tc_icp_nat_parse(const char *text, tc_icp_nat_t *out, char *err,
                     size_t errlen);

/*
 * The mapping for a reply from src:sport: one naming that port exactly
 * first, else one for the whole address.  NULL when none applies.
 */
const tc_icp_nat_t *tc_icp_nat_find(const tc_icp_nat_t *maps, size_t n,
                                    const tc_addr_t *src, uint16_t sport);

/*
 * Rewrites the source address (and port, if the mapping names one) of the
 * reply in pkt, which v was parsed from and which must be writable, to
 * m's outer side (m is tc_icp_nat_find()'s answer for v); v is updated
 * too.  Returns TC_OK when rewritten, else TC_DECLINED.
 */
int tc_icp_nat_rewrite(const tc_icp_nat_t *m, uint8_t *pkt, tc_pkt_view_t *v);

/*
 * tc_icp_nat_find() then tc_icp_nat_rewrite() on the reply in pkt.
 * Returns TC_OK when rewritten, TC_DECLINED when no mapping applies (pkt
 * untouched).
 */
int tc_icp_nat_apply(const tc_icp_nat_t *maps, size_t n, uint8_t *pkt,
                     tc_pkt_view_t *v);

#endif /* TC_ICP_NAT_H_INCLUDED */
