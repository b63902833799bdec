/*
 * tc_bytes.h: big-endian (network order) loads and stores of 16, 32 and 64
 * bit fields, one byte at a time.
 *
 * Packet headers (tc_pkt.c), link headers (tc_link.c) and control frames
 * (tc_proto.c) are all read and written through these, never through a
 * cast to a struct: the result does not depend on the host's byte order,
 * on alignment or on strict aliasing, and byte order is converted exactly
 * at the parse/serialize boundary.  Bounds are the caller's job.
 */
#ifndef TC_BYTES_H_INCLUDED
#define TC_BYTES_H_INCLUDED

#include "tc_core.h"


static inline uint16_t
tc_get_be16(const uint8_t *p)
{
    return (uint16_t) ((unsigned) p[0] << 8 | (unsigned) p[1]);
}


static inline uint32_t
tc_get_be32(const uint8_t *p)
{
    return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 |
           (uint32_t) p[2] << 8 | (uint32_t) p[3];
}


static inline uint64_t
tc_get_be64(const uint8_t *p)
{
    return (uint64_t) tc_get_be32(p) << 32 | (uint64_t) tc_get_be32(p + 4);
}


static inline void
tc_put_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t) (v >> 8);
    p[1] = (uint8_t) v;
}


static inline void
tc_put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t) (v >> 24);
    p[1] = (uint8_t) (v >> 16);
    p[2] = (uint8_t) (v >> 8);
    p[3] = (uint8_t) v;
}


static inline void
tc_put_be64(uint8_t *p, uint64_t v)
{
    tc_put_be32(p, (uint32_t) (v >> 32));
    tc_put_be32(p + 4, (uint32_t) v);
}

#endif /* TC_BYTES_H_INCLUDED */
