/*
 * tc_addr.h: family-agnostic IP addresses.  Session keys, routes and the
 * control protocol carry a tc_addr_t, so IPv6 needs no new key layout.
 * An IPv4 address sits in bytes 0..3 of addr, the rest zero.
 */
#ifndef TC_ADDR_H_INCLUDED
#define TC_ADDR_H_INCLUDED

#include "tc_core.h"

#define TC_AF_NONE  0
#define TC_AF_INET  4
#define TC_AF_INET6 6

/* Longest text form, including the NUL (INET6_ADDRSTRLEN). */
#define TC_ADDR_STRLEN 46

typedef struct {
    uint8_t family; /* TC_AF_INET or TC_AF_INET6 */
    uint8_t addr[16];
} tc_addr_t;

/* An address and a port in host byte order. */
typedef struct {
    tc_addr_t ip;
    uint16_t  port;
} tc_endpoint_t;

/* Longest "[v6]:port" text, including the NUL. */
#define TC_ENDPOINT_STRLEN (TC_ADDR_STRLEN + 8)

/* Parses dotted IPv4 or IPv6 text; returns TC_OK or TC_ERROR. */
int tc_addr_parse(const char *text, tc_addr_t *out);

/* Resolves a host name or address (blocking; start-up only). */
int tc_addr_resolve(const char *host, tc_addr_t *out);

/* Writes the text form into buf (TC_ADDR_STRLEN bytes); returns buf. */
const char *tc_addr_str(const tc_addr_t *a, char *buf, size_t size);

bool tc_addr_eq(const tc_addr_t *a, const tc_addr_t *b);
bool tc_addr_is_any(const tc_addr_t *a);

/* Sets an IPv4 address from 4 network-order bytes. */
void tc_addr_set4(tc_addr_t *a, const uint8_t *be4);

/*
 * A stable hash of an endpoint: the same on every run and host, so it may
 * choose more than buckets (tcpcopy's sampling, address mapping and
 * control connection).  Only the family's address bytes count, as in
 * tc_addr_eq().
 */
uint32_t tc_endpoint_hash(const tc_endpoint_t *ep);

/* Same family, address and port (the key equality of every endpoint
 * table: tcpcopy's sessions, intercept's routes). */
bool tc_endpoint_eq(const tc_endpoint_t *a, const tc_endpoint_t *b);

/* Parses "HOST[:PORT]" ([v6]:port for IPv6); port stays default_port if
 * absent.  A host name is resolved (IPv4; blocking: start-up only).
 * Returns TC_OK or TC_ERROR. */
int tc_endpoint_parse(const char *text, uint16_t default_port,
                      tc_endpoint_t *out);

/* The same with a literal address only: never blocks (unit tests, the fuzz
 * targets and whatever must not ask DNS). */
int tc_endpoint_parse_ip(const char *text, uint16_t default_port,
                         tc_endpoint_t *out);

/* Writes "ADDR:PORT" ("[ADDR]:PORT" for IPv6, so the port cannot be read
 * as part of the address) into buf (TC_ENDPOINT_STRLEN bytes); returns
 * buf. */
const char *tc_endpoint_str(const tc_endpoint_t *ep, char *buf, size_t size);

/* Fills a struct sockaddr_storage; returns its length. */
struct sockaddr_storage;
unsigned tc_endpoint_to_sockaddr(const tc_endpoint_t     *ep,
                                 struct sockaddr_storage *ss);

/* The reverse, for an AF_INET or AF_INET6 address (accept(), getpeername()).
 * Returns TC_OK or TC_ERROR for another family. */
int tc_endpoint_from_sockaddr(const struct sockaddr_storage *ss,
                              tc_endpoint_t                 *ep);

#endif /* TC_ADDR_H_INCLUDED */
