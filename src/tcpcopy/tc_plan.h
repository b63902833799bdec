/*
 * tc_plan.h: the pure decisions of the traffic controls.  Which sessions
 * are replayed (-r sampling, -g ramp), which ports the copies of -n use
 * (-f shifts the plan for another tcpcopy instance), and which address the
 * target sees for a client (-c, -H).  Every decision is a function of the
 * client's endpoint only, so it is the same on every run and host.
 */
#ifndef TC_PLAN_H_INCLUDED
#define TC_PLAN_H_INCLUDED

#include "tc_core.h"
#include "tc_addr.h"

#define TC_PLAN_COPIES_MAX 1023 /* -n */
#define TC_PLAN_SHIFT_MAX  1023 /* -f */
#define TC_PLAN_ADDRS_MAX  64   /* -c list */
#define TC_PLAN_PORT_LOW   1024 /* planned ports stay above the privileged */

typedef struct {
    tc_addr_t addrs[TC_PLAN_ADDRS_MAX]; /* a list, or one network (CIDR) */
    size_t    naddrs;
    uint8_t   prefix; /* CIDR prefix length; 0 for a list */
} tc_addrmap_t;

/*
 * Parses "-c ADDR[,ADDR...]" or "-c NET/PREFIX" (IPv4).  Returns TC_OK, or
 * TC_ERROR with a one-line reason in err.
 */
int tc_addrmap_parse(const char *text, tc_addrmap_t *m, char *err,
                     size_t errlen);

/* The address the target sees for client (stable per client address). A
 * network maps to its hosts, never its network or broadcast address. */
void tc_addrmap_pick(const tc_addrmap_t *m, const tc_addr_t *client,
                     tc_addr_t *out);

/*
 * The planned port of copy g of a client port: g = shift * 1024 + copy
 * (-f, -n).  g 0 is the client's own port; the others are spread over
 * 1024..65535 so that the copies of one port are all distinct, and differ
 * from the plans of the other shifts.
 */
uint16_t tc_plan_port(uint16_t port, unsigned g);

/* The next candidate when a planned port is in use. */
uint16_t tc_plan_probe(uint16_t port);

/*
 * True if the client's session is replayed: its stable hash falls in the
 * share, given in hundredths of a percent (1..10000).
 */
bool tc_plan_sampled(const tc_endpoint_t *client, unsigned share);

/* -g: the share (hundredths of a percent) after elapsed ms of a 100 s
 * ramp from 1 % to 100 %. */
unsigned tc_plan_ramp_share(tc_msec_t elapsed);

#endif /* TC_PLAN_H_INCLUDED */
