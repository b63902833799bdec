/*
 * tc_pcapfile.c: the capture-file reader behind tcpcopy --offline (see
 * tc_pcapfile.h).
 *
 * The whole file is one read-only byte range (a private mapping, or the
 * caller's buffer), walked with a cursor.  Every field is loaded with
 * memcpy and byte-swapped by the writer's byte order, and every length is
 * checked against what is left of the range before it is used: the file
 * may be truncated, garbled or hostile.  Records point into the range, so
 * reading a record allocates nothing.
 *
 * Damage is graded.  A record the rest of the file does not depend on (a
 * packet over its snapshot length, a packet of an undeclared interface)
 * is counted and skipped.  A file that ends inside a record ends the
 * reading normally, with truncated_tail set: that is what a killed
 * tcpdump leaves.  Framing that cannot be trusted any more (a captured
 * length no snaplen allows, a pcapng block whose lengths disagree) is an
 * error, because every later record would be read from a wrong offset.
 */
#include "tc_config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tc_log.h"
#include "tc_mapguard.h"
#include "tc_pcapfile.h"

/* classic pcap */
#define PCAP_MAGIC_US      0xa1b2c3d4u
#define PCAP_MAGIC_NS      0xa1b23c4du
#define PCAP_HDR_LEN       24
#define PCAP_REC_HDR_LEN   16
#define PCAP_VERSION_MAJOR 2

/* pcapng */
#define PCAPNG_SHB       0x0a0d0d0au
#define PCAPNG_IDB       1u
#define PCAPNG_PB        2u /* obsolete Packet Block */
#define PCAPNG_SPB       3u
#define PCAPNG_EPB       6u
#define PCAPNG_BOM       0x1a2b3c4du
#define PCAPNG_MAJOR     1
#define PCAPNG_MIN_BLOCK 12 /* type, length, trailing length */
#define PCAPNG_SHB_BODY  16 /* byte-order magic, version, section length */
#define PCAPNG_IDB_BODY  8  /* link type, reserved, snaplen */
#define PCAPNG_EPB_BODY  20 /* interface, timestamp, caplen, wire length */
#define PCAPNG_SPB_BODY  4  /* wire length */

#define PCAPNG_OPT_END     0
#define PCAPNG_IF_TSRESOL  9
#define PCAPNG_IF_TSOFFSET 14

/* A block running past the end of the file but no longer than this is
 * taken for a tail cut short (a killed writer); a longer one for a
 * garbled length. */
#define PCAPNG_BLOCK_MAX (16 * 1024 * 1024)

/* A mapped file cut shorter meanwhile (see tc_mapguard.h). */
#define FILE_SHRANK                                                            \
    "the file shrank while being read (rewritten or truncated by another "     \
    "program?); the rest is not read"

/* Skipped records logged per reader before the log goes quiet (the
 * counters keep counting). */
#define PCAPFILE_WARN_MAX 5

/* A pcapng interface of the current section. */
typedef struct {
    int               dlt;
    uint32_t          snaplen;  /* effective: never 0, at most the max */
    unsigned __int128 units;    /* timestamp units per second */
    int64_t           offset_s; /* if_tsoffset, added to every timestamp */
} pcapfile_if_t;

struct tc_pcapfile_s {
    const uint8_t       *buf; /* the whole file */
    size_t               len;
    size_t               pos;   /* next unread byte */
    size_t               start; /* first record (after the file header) */
    void                *map;   /* mapping to undo in close, or NULL */
    size_t               map_len;
    int                  guard; /* the mapping's tc_mapguard id, or -1 */
    int                  fd;    /* the mapped file, or -1 */
    char                *name;  /* for messages */
    tc_pcapfile_format_t format;
    bool                 swap;    /* writer's byte order is not ours */
    bool                 done;    /* TC_DONE returned: stays done */
    int                  dlt;     /* classic: the file's link type */
    uint32_t             snaplen; /* classic: the file's snapshot length */
    uint64_t             recno;   /* packet records seen (incl. skipped) */
    uint64_t             blockno; /* pcapng blocks read */
    pcapfile_if_t       *ifs;     /* pcapng: current section's interfaces */
    size_t               nifs;
    size_t               ifs_cap;
    uint64_t             last_ts_ns;
    unsigned             warnings;
    bool                 rewound; /* records read again: warned already */
    tc_pcapfile_stats_t  stats;
};


static uint16_t
ld16(const tc_pcapfile_t *pf, const uint8_t *p)
{
    uint16_t v;

    memcpy(&v, p, sizeof(v));
    return pf->swap ? __builtin_bswap16(v) : v;
}


static uint32_t
ld32(const tc_pcapfile_t *pf, const uint8_t *p)
{
    uint32_t v;

    memcpy(&v, p, sizeof(v));
    return pf->swap ? __builtin_bswap32(v) : v;
}


static uint32_t
ld32_host(const uint8_t *p)
{
    uint32_t v;

    memcpy(&v, p, sizeof(v));
    return v;
}


/* Writes one line to err (which may be NULL or empty). */
static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
set_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL || errlen == 0) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}


/* A skipped record: logged for the first few, then only counted. */
static void warn_skip(tc_pcapfile_t *pf, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
warn_skip(tc_pcapfile_t *pf, const char *fmt, ...)
{
    char    line[256];
    va_list ap;

    pf->warnings++;
    if (pf->rewound || pf->warnings > PCAPFILE_WARN_MAX + 1) {
        return;
    }
    if (pf->warnings == PCAPFILE_WARN_MAX + 1) {
        tc_log_warn("%s: more records skipped, counted but not logged",
                    pf->name);
        return;
    }
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    tc_log_warn("%s: %s", pf->name, line);
}


/* An error in the pcapng block at pf->pos, named by file, block number,
 * offset and the last record read before it. */
static void block_err(const tc_pcapfile_t *pf, char *err, size_t errlen,
                      const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
block_err(const tc_pcapfile_t *pf, char *err, size_t errlen, const char *fmt,
          ...)
{
    char    what[160];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    set_err(err, errlen,
            "%s: block %" PRIu64 " at offset %zu (after record %" PRIu64
            "): %s",
            pf->name, pf->blockno + 1, pf->pos, pf->recno, what);
}


/* Snapshot lengths of 0 (no limit) or past any sane frame mean the max:
 * a writer's quirk, not a limit (the largest one libpcap writes). */
static uint32_t
effective_snaplen(uint32_t snaplen)
{
    if (snaplen == 0 || snaplen > TC_PCAPFILE_CAPLEN_MAX) {
        return TC_PCAPFILE_CAPLEN_MAX;
    }
    return snaplen;
}


/* A record longer than its snapshot length allows: counted, said (for the
 * first few) and skipped.  Returns TC_DECLINED. */
static int
skip_over_snaplen(tc_pcapfile_t *pf, size_t caplen, uint32_t snaplen)
{
    pf->stats.over_snaplen++;
    warn_skip(pf,
              "record %" PRIu64 ": captured length %zu exceeds the snapshot "
              "length %" PRIu32 ", skipped",
              pf->recno, caplen, snaplen);
    return TC_DECLINED;
}


/* Hands out the packet record just read (both formats).  Returns TC_OK. */
static int
emit_record(tc_pcapfile_t *pf, tc_pcapfile_rec_t *rec, uint64_t ts_ns, int dlt,
            const uint8_t *data, size_t caplen, size_t wirelen)
{
    rec->recno = pf->recno;
    rec->ts_ns = ts_ns;
    rec->dlt = dlt;
    rec->data = data;
    rec->caplen = caplen;
    rec->wirelen = wirelen;
    pf->last_ts_ns = ts_ns;
    pf->stats.records++;
    return TC_OK;
}


/* ---- classic pcap ---- */


/* The global header: magic (which also gives the byte order and the
 * timestamp unit), version, snaplen, link type.  TC_OK or TC_ERROR. */
static int
pcap_open(tc_pcapfile_t *pf, char *err, size_t errlen)
{
    uint32_t magic;
    uint16_t major;

    if (pf->len < PCAP_HDR_LEN) {
        set_err(err, errlen, "%s: truncated pcap file header (%zu of %d bytes)",
                pf->name, pf->len, PCAP_HDR_LEN);
        return TC_ERROR;
    }

    magic = ld32(pf, pf->buf);
    pf->format =
        (magic == PCAP_MAGIC_NS) ? TC_PCAPFILE_PCAP_NS : TC_PCAPFILE_PCAP;

    major = ld16(pf, pf->buf + 4);
    if (major != PCAP_VERSION_MAJOR) {
        set_err(err, errlen, "%s: unsupported pcap version %u.%u", pf->name,
                major, ld16(pf, pf->buf + 6));
        return TC_ERROR;
    }

    pf->snaplen = effective_snaplen(ld32(pf, pf->buf + 16));

    /* the upper bits carry FCS information, not the link type */
    pf->dlt = (int) (ld32(pf, pf->buf + 20) & 0xffff);
    pf->start = PCAP_HDR_LEN;
    pf->pos = PCAP_HDR_LEN;
    return TC_OK;
}


/* The file ends inside a record: the normal end of a capture whose writer
 * was killed.  what names the record.  Returns TC_DONE. */
static int
file_truncated(tc_pcapfile_t *pf, const char *what)
{
    pf->stats.truncated_tail = 1;
    pf->done = true;
    if (!pf->rewound) {
        tc_log_warn("%s: file ends inside %s (%zu bytes left at offset %zu); "
                    "the partial record is skipped",
                    pf->name, what, pf->len - pf->pos, pf->pos);
    }
    pf->pos = pf->len;
    return TC_DONE;
}


static int
pcap_truncated(tc_pcapfile_t *pf, const char *part)
{
    char what[64];

    snprintf(what, sizeof(what), "record %" PRIu64 " (%s)", pf->recno, part);
    return file_truncated(pf, what);
}


/* The record at pf->pos (not at the end of the file): TC_OK, TC_DECLINED
 * for a record skipped, TC_DONE for a cut tail, or TC_ERROR. */
static int
pcap_next(tc_pcapfile_t *pf, tc_pcapfile_rec_t *rec, char *err, size_t errlen)
{
    const uint8_t *h;
    uint32_t       sec, frac, caplen, wirelen;
    uint64_t       ts_ns;

    pf->recno++;
    if (pf->len - pf->pos < PCAP_REC_HDR_LEN) {
        return pcap_truncated(pf, "record header");
    }

    h = pf->buf + pf->pos;
    sec = ld32(pf, h);
    frac = ld32(pf, h + 4);
    caplen = ld32(pf, h + 8);
    wirelen = ld32(pf, h + 12);

    if (caplen > TC_PCAPFILE_CAPLEN_MAX) {
        set_err(err, errlen,
                "%s: record %" PRIu64 " at offset %zu: captured length "
                "%" PRIu32 " is beyond any snapshot length (garbled "
                "file)",
                pf->name, pf->recno, pf->pos, caplen);
        pf->recno--; /* a second call reports the same record */
        return TC_ERROR;
    }
    if (pf->len - pf->pos - PCAP_REC_HDR_LEN < caplen) {
        return pcap_truncated(pf, "packet data");
    }
    pf->pos += PCAP_REC_HDR_LEN + caplen;

    if (caplen > pf->snaplen) {
        return skip_over_snaplen(pf, caplen, pf->snaplen);
    }

    /* u32 seconds * 1e9 plus u32 fractions * 1000 stays far below 2^64,
     * whatever the fraction field holds */
    ts_ns = (uint64_t) sec * 1000000000u + (pf->format == TC_PCAPFILE_PCAP_NS
                                                ? (uint64_t) frac
                                                : (uint64_t) frac * 1000u);
    return emit_record(pf, rec, ts_ns, pf->dlt, h + PCAP_REC_HDR_LEN, caplen,
                       wirelen);
}

/* ---- pcapng ---- */


static uint64_t
ld64(const tc_pcapfile_t *pf, const uint8_t *p)
{
    uint64_t v;

    memcpy(&v, p, sizeof(v));
    return pf->swap ? __builtin_bswap64(v) : v;
}


/* Sets the byte order from the Section Header Block at p (at least 12
 * bytes).  TC_OK, or TC_ERROR when the byte-order magic is neither. */
static int
shb_byte_order(tc_pcapfile_t *pf, const uint8_t *p)
{
    uint32_t bom = ld32_host(p + 8);

    if (bom == PCAPNG_BOM) {
        pf->swap = false;
    } else if (bom == __builtin_bswap32(PCAPNG_BOM)) {
        pf->swap = true;
    } else {
        return TC_ERROR;
    }
    return TC_OK;
}


/*
 * if_tsresol: the low 7 bits are an exponent of 10, or of 2 when the high
 * bit is set.  Units per second that do not fit 128 bits (10^39 and up)
 * are left at the default with a warning.
 */
static void
if_tsresol(tc_pcapfile_t *pf, pcapfile_if_t *ifc, uint8_t v)
{
    unsigned exp = v & 0x7fu, i;

    if (v & 0x80u) {
        ifc->units = (unsigned __int128) 1 << exp;
        return;
    }
    if (exp > 38) {
        warn_skip(pf, "interface %zu: timestamp resolution 10^-%u ignored",
                  pf->nifs, exp);
        return;
    }
    ifc->units = 1;
    for (i = 0; i < exp; i++) {
        ifc->units *= 10;
    }
}


/* Reads the options of an Interface Description Block that matter for
 * timestamps.  Malformed options end the list (the interface stays). */
static void
idb_options(tc_pcapfile_t *pf, pcapfile_if_t *ifc, const uint8_t *opt,
            size_t len)
{
    size_t   off = 0, olen;
    uint16_t code;

    while (len - off >= 4) {
        code = ld16(pf, opt + off);
        olen = ld16(pf, opt + off + 2);
        off += 4;
        if (code == PCAPNG_OPT_END) {
            return;
        }
        if (olen > len - off) {
            warn_skip(pf, "interface %zu: option %u runs past its block",
                      pf->nifs, code);
            return;
        }
        if (code == PCAPNG_IF_TSRESOL && olen >= 1) {
            if_tsresol(pf, ifc, opt[off]);
        } else if (code == PCAPNG_IF_TSOFFSET && olen >= 8) {
            ifc->offset_s = (int64_t) ld64(pf, opt + off);
        }
        /* values are padded to 32 bits */
        off += (olen + 3) & ~(size_t) 3;
        if (off > len) {
            return;
        }
    }
}


/* Interface Description Block: one more interface in this section. */
static int
pcapng_idb(tc_pcapfile_t *pf, const uint8_t *body, size_t len, char *err,
           size_t errlen)
{
    pcapfile_if_t *ifc;
    size_t         cap;

    if (len < PCAPNG_IDB_BODY) {
        block_err(pf, err, errlen, "interface description too short");
        return TC_ERROR;
    }

    /* IDBs are few (one per interface and section): grow by doubling;
     * their count is bounded by the file's size */
    if (pf->nifs == pf->ifs_cap) {
        cap = pf->ifs_cap ? pf->ifs_cap * 2 : 4;
        ifc = realloc(pf->ifs, cap * sizeof(*ifc));
        if (ifc == NULL) {
            block_err(pf, err, errlen, "out of memory for interfaces");
            return TC_ERROR;
        }
        pf->ifs = ifc;
        pf->ifs_cap = cap;
    }

    ifc = &pf->ifs[pf->nifs];
    ifc->dlt = ld16(pf, body);
    ifc->snaplen = effective_snaplen(ld32(pf, body + 4));
    ifc->units = 1000000; /* default resolution: microseconds */
    ifc->offset_s = 0;
    idb_options(pf, ifc, body + PCAPNG_IDB_BODY, len - PCAPNG_IDB_BODY);
    pf->nifs++;
    return TC_OK;
}


/* Section Header Block: version check; the section's interfaces start
 * anew.  The byte order was set by the caller. */
static int
pcapng_shb(tc_pcapfile_t *pf, const uint8_t *body, size_t len, char *err,
           size_t errlen)
{
    uint16_t major;

    if (len < PCAPNG_SHB_BODY) {
        block_err(pf, err, errlen, "section header too short");
        return TC_ERROR;
    }
    major = ld16(pf, body + 4);
    if (major != PCAPNG_MAJOR) {
        block_err(pf, err, errlen, "unsupported pcapng version %u.%u", major,
                  ld16(pf, body + 6));
        return TC_ERROR;
    }
    pf->nifs = 0;
    return TC_OK;
}


/* Timestamp units of an interface to ns since the epoch, plus its
 * offset; clamped to what a u64 holds (a negative offset may reach
 * before 1970). */
static uint64_t
ts_to_ns(const pcapfile_if_t *ifc, uint64_t ts)
{
    __int128 ns;

    ns = (__int128) ((unsigned __int128) ts * 1000000000u / ifc->units);
    ns += (__int128) ifc->offset_s * 1000000000;
    if (ns < 0) {
        return 0;
    }
    if (ns > (__int128) UINT64_MAX) {
        return UINT64_MAX;
    }
    return (uint64_t) ns;
}


/*
 * Enhanced, Simple and obsolete Packet Blocks.  Fills rec and returns
 * TC_OK, TC_DECLINED for a packet counted and skipped, or TC_ERROR for a
 * block whose captured length its own length cannot hold.
 */
static int
pcapng_packet(tc_pcapfile_t *pf, uint32_t type, const uint8_t *body, size_t len,
              tc_pcapfile_rec_t *rec, char *err, size_t errlen)
{
    const pcapfile_if_t *ifc;
    size_t               hdr, ifid, caplen, wirelen;
    uint64_t             ts;

    hdr = (type == PCAPNG_SPB) ? PCAPNG_SPB_BODY : PCAPNG_EPB_BODY;
    if (len < hdr) {
        block_err(pf, err, errlen, "packet block too short");
        return TC_ERROR;
    }

    pf->recno++;
    if (type == PCAPNG_SPB) {
        ifid = 0;
        wirelen = ld32(pf, body);
        caplen = tc_min(wirelen, len - hdr);
        ts = 0;
    } else {
        ifid = (type == PCAPNG_EPB) ? ld32(pf, body) : ld16(pf, body);
        ts = (uint64_t) ld32(pf, body + 4) << 32 | ld32(pf, body + 8);
        caplen = ld32(pf, body + 12);
        wirelen = ld32(pf, body + 16);
        if (caplen > len - hdr) {
            pf->recno--; /* not a record: its block is broken */
            block_err(pf, err, errlen,
                      "captured length %zu does not fit in the block", caplen);
            return TC_ERROR;
        }
    }

    if (ifid >= pf->nifs) {
        pf->stats.bad_interface++;
        warn_skip(pf,
                  "record %" PRIu64 ": interface %zu was not declared "
                  "(%zu in this section), skipped",
                  pf->recno, ifid, pf->nifs);
        return TC_DECLINED;
    }
    ifc = &pf->ifs[ifid];

    if (type == PCAPNG_SPB) {
        /* the block holds min(wire length, snaplen) bytes, padded */
        caplen = tc_min(caplen, ifc->snaplen);
    } else if (caplen > ifc->snaplen) {
        return skip_over_snaplen(pf, caplen, ifc->snaplen);
    }

    /* a Simple Packet Block has no time: it happened with the last one */
    return emit_record(pf, rec,
                       type == PCAPNG_SPB ? pf->last_ts_ns : ts_to_ns(ifc, ts),
                       ifc->dlt, body + hdr, caplen, wirelen);
}


/*
 * Checks the framing of the block at pf->pos: total length at least 12,
 * a multiple of 4, inside the file, and equal to the trailing copy.
 * Returns the length, 0 for a block cut short by the end of the file, or
 * TC_ERROR.
 */
static int64_t
pcapng_block_len(tc_pcapfile_t *pf, char *err, size_t errlen)
{
    const uint8_t *p = pf->buf + pf->pos;
    size_t         left = pf->len - pf->pos;
    uint32_t       btl;

    if (left < 8) {
        return 0;
    }
    if (ld32(pf, p) == PCAPNG_SHB) {
        if (left < PCAPNG_MIN_BLOCK) {
            return 0;
        }
        if (shb_byte_order(pf, p) != TC_OK) {
            block_err(pf, err, errlen, "bad byte-order magic 0x%08x",
                      (unsigned) ld32_host(p + 8));
            return TC_ERROR;
        }
    }

    btl = ld32(pf, p + 4);
    if (btl < PCAPNG_MIN_BLOCK || btl % 4 != 0) {
        block_err(pf, err, errlen, "bad block length %" PRIu32, btl);
        return TC_ERROR;
    }
    if (btl > left) {
        if (btl <= PCAPNG_BLOCK_MAX) {
            return 0;
        }
        block_err(pf, err, errlen,
                  "block length %" PRIu32 " runs past the end of the "
                  "file (%zu bytes left)",
                  btl, left);
        return TC_ERROR;
    }
    if (ld32(pf, p + btl - 4) != btl) {
        block_err(pf, err, errlen,
                  "block length %" PRIu32 " does not match its trailing "
                  "copy %" PRIu32,
                  btl, ld32(pf, p + btl - 4));
        return TC_ERROR;
    }
    return btl;
}


/* The block at pf->pos (not at the end of the file): TC_OK for a packet
 * record, TC_DECLINED for any other block or a packet skipped, TC_DONE for
 * a cut tail, or TC_ERROR (pos stays: a second call says the same). */
static int
pcapng_next(tc_pcapfile_t *pf, tc_pcapfile_rec_t *rec, char *err, size_t errlen)
{
    const uint8_t *body;
    uint32_t       type;
    int64_t        btl;
    char           what[96];
    int            rc;

    btl = pcapng_block_len(pf, err, errlen);
    if (btl == TC_ERROR) {
        return TC_ERROR;
    }
    if (btl == 0) {
        snprintf(what, sizeof(what),
                 "block %" PRIu64 " (after record %" PRIu64 ")",
                 pf->blockno + 1, pf->recno);
        return file_truncated(pf, what);
    }

    type = ld32(pf, pf->buf + pf->pos);
    body = pf->buf + pf->pos + 8;

    switch (type) {
    case PCAPNG_SHB:
        rc = pcapng_shb(pf, body, (size_t) btl - 12, err, errlen);
        break;
    case PCAPNG_IDB:
        rc = pcapng_idb(pf, body, (size_t) btl - 12, err, errlen);
        break;
    case PCAPNG_EPB:
    case PCAPNG_SPB:
    case PCAPNG_PB:
        rc = pcapng_packet(pf, type, body, (size_t) btl - 12, rec, err, errlen);
        break;
    default:
        pf->stats.other_blocks++;
        rc = TC_DECLINED;
        break;
    }

    if (rc == TC_ERROR) {
        return TC_ERROR;
    }
    pf->blockno++;
    pf->pos += (size_t) btl;
    if (type == PCAPNG_SHB || type == PCAPNG_IDB) {
        return TC_DECLINED;
    }
    return rc;
}


/* Link type of the first interface of the first section, found without
 * reading past it (tc_pcapfile_dlt() before the first record). */
static int
pcapng_first_dlt(const tc_pcapfile_t *pf)
{
    size_t   pos = 0;
    uint32_t type, btl;

    while (pf->len - pos >= PCAPNG_MIN_BLOCK) {
        type = ld32(pf, pf->buf + pos);
        btl = ld32(pf, pf->buf + pos + 4);
        if (btl < PCAPNG_MIN_BLOCK || btl % 4 != 0 || btl > pf->len - pos ||
            (type == PCAPNG_SHB && pos != 0)) {
            return -1;
        }
        if (type == PCAPNG_IDB && btl >= 12 + PCAPNG_IDB_BODY) {
            return ld16(pf, pf->buf + pos + 8);
        }
        if (type == PCAPNG_EPB || type == PCAPNG_SPB || type == PCAPNG_PB) {
            return -1;
        }
        pos += btl;
    }
    return -1;
}


/* The first Section Header Block: byte order and version. */
static int
pcapng_open(tc_pcapfile_t *pf, char *err, size_t errlen)
{
    if (pf->len < 12 + PCAPNG_SHB_BODY) {
        set_err(err, errlen, "%s: truncated pcapng section header (%zu bytes)",
                pf->name, pf->len);
        return TC_ERROR;
    }
    if (shb_byte_order(pf, pf->buf) != TC_OK) {
        set_err(err, errlen,
                "%s: not a pcap or pcapng file (pcapng byte-order magic "
                "0x%08x)",
                pf->name, (unsigned) ld32_host(pf->buf + 8));
        return TC_ERROR;
    }
    if (pcapng_shb(pf, pf->buf + 8, PCAPNG_SHB_BODY, err, errlen) != TC_OK) {
        return TC_ERROR;
    }

    pf->format = TC_PCAPFILE_PCAPNG;
    pf->start = 0; /* next() reads the section header again */
    pf->pos = 0;
    pf->dlt = pcapng_first_dlt(pf);
    return TC_OK;
}


/* ---- common ---- */


tc_pcapfile_t *
tc_pcapfile_open_mem(const uint8_t *buf, size_t len, const char *name,
                     char *err, size_t errlen)
{
    tc_pcapfile_t *pf;
    uint32_t       magic;
    int            rc;

    if (name == NULL) {
        name = "(memory)";
    }
    if (len == 0) {
        set_err(err, errlen, "%s: empty file", name);
        return NULL;
    }
    if (len < 4) {
        set_err(err, errlen, "%s: not a pcap or pcapng file (%zu bytes)", name,
                len);
        return NULL;
    }

    pf = calloc(1, sizeof(*pf));
    if (pf == NULL) {
        set_err(err, errlen, "%s: out of memory", name);
        return NULL;
    }
    pf->guard = -1;
    pf->fd = -1;
    pf->name = strdup(name);
    if (pf->name == NULL) {
        set_err(err, errlen, "%s: out of memory", name);
        free(pf);
        return NULL;
    }
    pf->buf = buf;
    pf->len = len;
    pf->dlt = -1;

    magic = ld32_host(buf);
    if (magic == PCAP_MAGIC_US || magic == PCAP_MAGIC_NS) {
        pf->swap = false;
        rc = pcap_open(pf, err, errlen);
    } else if (__builtin_bswap32(magic) == PCAP_MAGIC_US ||
               __builtin_bswap32(magic) == PCAP_MAGIC_NS) {
        pf->swap = true;
        rc = pcap_open(pf, err, errlen);
    } else if (magic == PCAPNG_SHB) {
        rc = pcapng_open(pf, err, errlen);
    } else {
        set_err(err, errlen, "%s: not a pcap or pcapng file (magic 0x%08x)",
                name, (unsigned) __builtin_bswap32(magic));
        rc = TC_ERROR;
    }

    if (rc != TC_OK) {
        free(pf->name);
        free(pf);
        return NULL;
    }
    return pf;
}


tc_pcapfile_t *
tc_pcapfile_open(const char *path, char *err, size_t errlen)
{
    tc_pcapfile_t *pf;
    struct stat    st;
    void          *map;
    size_t         len;
    int            fd, guard;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd == -1) {
        set_err(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    if (fstat(fd, &st) == -1) {
        set_err(err, errlen, "%s: %s", path, strerror(errno));
        goto out_close_fd;
    }
    if (S_ISDIR(st.st_mode)) {
        set_err(err, errlen, "%s: is a directory, not a capture file", path);
        goto out_close_fd;
    }
    if (!S_ISREG(st.st_mode)) {
        /* a pipe or a device cannot be mapped or rewound for -T */
        set_err(err, errlen, "%s: not a regular file", path);
        goto out_close_fd;
    }
    if (st.st_size == 0) {
        set_err(err, errlen, "%s: empty file", path);
        goto out_close_fd;
    }
    if ((uint64_t) st.st_size > SIZE_MAX) {
        set_err(err, errlen, "%s: too big to map", path);
        goto out_close_fd;
    }
    len = (size_t) st.st_size;

    map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) {
        set_err(err, errlen, "%s: mmap: %s", path, strerror(errno));
        goto out_close_fd;
    }
    (void) madvise(map, len, MADV_SEQUENTIAL);
    guard = tc_mapguard_add(map, len);

    pf = tc_pcapfile_open_mem(map, len, path, err, errlen);
    if (pf == NULL) {
        if (tc_mapguard_hit(guard)) {
            set_err(err, errlen, "%s: %s", path, FILE_SHRANK);
        }
        tc_mapguard_remove(guard);
        munmap(map, len);
        goto out_close_fd;
    }
    pf->map = map;
    pf->map_len = len;
    pf->guard = guard;
    pf->fd = fd; /* kept for tc_pcapfile_intact() */
    return pf;

out_close_fd:
    close(fd);
    return NULL;
}


/* The mapped file is now shorter than len bytes. */
static bool
file_shorter_than(const tc_pcapfile_t *pf, size_t len)
{
    struct stat st;

    return pf->fd != -1 && fstat(pf->fd, &st) == 0 &&
           (uint64_t) st.st_size < len;
}


/* The file was cut shorter under the mapping: what is left is not the file
 * that was opened.  Returns TC_ERROR, and stays done. */
static int
file_shrank(tc_pcapfile_t *pf, char *err, size_t errlen)
{
    pf->done = true;
    set_err(err, errlen, "%s: record %" PRIu64 ": %s", pf->name, pf->recno,
            FILE_SHRANK);
    return TC_ERROR;
}


/* Both formats read one record (or block) per call and say TC_DECLINED
 * for what is not handed out; the walk to the next record and the end of
 * the file are handled here, once. */
int
tc_pcapfile_next(tc_pcapfile_t *pf, tc_pcapfile_rec_t *rec, char *err,
                 size_t errlen)
{
    int rc;

    if (pf->done) {
        return TC_DONE;
    }
    do {
        if (pf->pos == pf->len) {
            pf->done = true;
            return TC_DONE;
        }
        rc = pf->format == TC_PCAPFILE_PCAPNG
                 ? pcapng_next(pf, rec, err, errlen)
                 : pcap_next(pf, rec, err, errlen);
    } while (rc == TC_DECLINED);

    /* Whatever the parser made of them, the zeros read past the new end
     * are not the file's (pcapng blocks fail on their lengths first, and
     * zeros within the last page raise no fault: the size tells). */
    if (tc_mapguard_hit(pf->guard) ||
        (rc != TC_OK && file_shorter_than(pf, pf->len))) {
        return file_shrank(pf, err, errlen);
    }
    return rc;
}


int
tc_pcapfile_intact(tc_pcapfile_t *pf, char *err, size_t errlen)
{
    /* Pages wholly past the new end fault (tc_mapguard); the bytes of the
     * last page past it read as zeros without a fault, which only the
     * file's size tells. */
    if (tc_mapguard_hit(pf->guard) || file_shorter_than(pf, pf->pos)) {
        return file_shrank(pf, err, errlen);
    }
    return TC_OK;
}


void
tc_pcapfile_rewind(tc_pcapfile_t *pf)
{
    pf->pos = pf->start;
    pf->done = false;
    pf->rewound = true;
    pf->recno = 0;
    pf->blockno = 0;
    pf->nifs = 0;
    pf->last_ts_ns = 0;
}


void
tc_pcapfile_progress(const tc_pcapfile_t *pf, uint64_t *done, uint64_t *total)
{
    *done = pf->pos;
    *total = pf->len;
}


tc_pcapfile_format_t
tc_pcapfile_format(const tc_pcapfile_t *pf)
{
    return pf->format;
}


int
tc_pcapfile_dlt(const tc_pcapfile_t *pf)
{
    return pf->dlt;
}


void
tc_pcapfile_stats(const tc_pcapfile_t *pf, tc_pcapfile_stats_t *out)
{
    *out = pf->stats;
}


void
tc_pcapfile_close(tc_pcapfile_t *pf)
{
    if (pf == NULL) {
        return;
    }
    if (pf->map != NULL) {
        tc_mapguard_remove(pf->guard);
        munmap(pf->map, pf->map_len);
    }
    if (pf->fd != -1) {
        close(pf->fd);
    }
    free(pf->ifs);
    free(pf->name);
    free(pf);
}
