/*
 * tc_transfer.h: tcpcopy's -x TRANSFER items, [LOCALIP:]PORT-TARGET:PORT.
 * Pure: the unit tests and the fuzz target call it as main.c does, without
 * the engine (tc_replay.h keeps a table of these).
 */
#ifndef TC_TRANSFER_H_INCLUDED
#define TC_TRANSFER_H_INCLUDED

#include "tc_core.h"
#include "tc_addr.h"

/* One -x item: traffic to [local_ip:]local_port goes to target. */
typedef struct {
    tc_addr_t     local_ip; /* TC_AF_NONE: any local address */
    uint16_t      local_port;
    tc_endpoint_t target;
} tc_transfer_t;

#define TC_TRANSFERS_MAX 64

/*
 * Parses one -x item into *t: traffic to [LOCALIP:]PORT (any local
 * address without LOCALIP) goes to TARGETIP:TARGETPORT (TARGETPORT
 * defaults to PORT), IPv4 targets only.  With resolve the target may be a
 * host name (blocking DNS: start-up only); without, a literal address.
 * Returns TC_OK, or TC_ERROR with the usage message in err.
 */
int tc_transfer_parse(const char *item, bool resolve, tc_transfer_t *t,
                      char *err, size_t errlen);

#endif /* TC_TRANSFER_H_INCLUDED */
