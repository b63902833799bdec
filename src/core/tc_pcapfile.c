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
#include "tc_pcapfile.h"

/* classic pcap */
#define PCAP_MAGIC_US      0xa1b2c3d4u
#define PCAP_MAGIC_NS      0xa1b23c4du
#define PCAP_HDR_LEN       24
#define PCAP_REC_HDR_LEN   16
#define PCAP_VERSION_MAJOR 2

/* pcapng */
#define PCAPNG_SHB_TYPE 0x0a0d0d0au
#define PCAPNG_BOM      0x1a2b3c4du

/* Skipped records logged per reader before the log goes quiet (the
 * counters keep counting). */
#define PCAPFILE_WARN_MAX 5

struct tc_pcapfile_s {
    const uint8_t       *buf; /* the whole file */
    size_t               len;
    size_t               pos;   /* next unread byte */
    size_t               start; /* first record (after the file header) */
    void                *map;   /* mapping to undo in close, or NULL */
    size_t               map_len;
    char                *name; /* for messages */
    tc_pcapfile_format_t format;
    bool                 swap;    /* writer's byte order is not ours */
    bool                 done;    /* TC_DONE returned: stays done */
    int                  dlt;     /* classic: the file's link type */
    uint32_t             snaplen; /* classic: the file's snapshot length */
    uint64_t             recno;   /* packet records seen (incl. skipped) */
    uint64_t             last_ts_ns;
    unsigned             warnings;
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
    if (pf->warnings > PCAPFILE_WARN_MAX + 1) {
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

    /* A snaplen of 0 or beyond any sane frame is a writer's quirk, not a
     * limit: use the largest one libpcap writes. */
    pf->snaplen = ld32(pf, pf->buf + 16);
    if (pf->snaplen == 0 || pf->snaplen > TC_PCAPFILE_CAPLEN_MAX) {
        pf->snaplen = TC_PCAPFILE_CAPLEN_MAX;
    }

    /* the upper bits carry FCS information, not the link type */
    pf->dlt = (int) (ld32(pf, pf->buf + 20) & 0xffff);
    pf->start = PCAP_HDR_LEN;
    pf->pos = PCAP_HDR_LEN;
    return TC_OK;
}


static int
pcap_truncated(tc_pcapfile_t *pf, const char *what)
{
    pf->stats.truncated_tail = 1;
    pf->done = true;
    tc_log_warn("%s: file ends inside record %" PRIu64 " (%s, %zu bytes "
                "left at offset %zu); the partial record is skipped",
                pf->name, pf->recno, what, pf->len - pf->pos, pf->pos);
    pf->pos = pf->len;
    return TC_DONE;
}


static int
pcap_next(tc_pcapfile_t *pf, tc_pcapfile_rec_t *rec, char *err, size_t errlen)
{
    const uint8_t *h;
    uint32_t       sec, frac, caplen, wirelen;

    for (;;) {
        if (pf->pos == pf->len) {
            pf->done = true;
            return TC_DONE;
        }

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
            return TC_ERROR;
        }
        if (pf->len - pf->pos - PCAP_REC_HDR_LEN < caplen) {
            return pcap_truncated(pf, "packet data");
        }
        pf->pos += PCAP_REC_HDR_LEN + caplen;

        if (caplen > pf->snaplen) {
            pf->stats.over_snaplen++;
            warn_skip(pf,
                      "record %" PRIu64 ": captured length %" PRIu32
                      " exceeds the snapshot length %" PRIu32 ", skipped",
                      pf->recno, caplen, pf->snaplen);
            continue;
        }

        /* u32 seconds * 1e9 plus u32 fractions * 1000 stays far below
         * 2^64, whatever the fraction field holds */
        rec->ts_ns =
            (uint64_t) sec * 1000000000u + (pf->format == TC_PCAPFILE_PCAP_NS
                                                ? (uint64_t) frac
                                                : (uint64_t) frac * 1000u);
        rec->recno = pf->recno;
        rec->dlt = pf->dlt;
        rec->data = h + PCAP_REC_HDR_LEN;
        rec->caplen = caplen;
        rec->wirelen = wirelen;
        pf->last_ts_ns = rec->ts_ns;
        pf->stats.records++;
        return TC_OK;
    }
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
    int            fd;

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
    close(fd);
    (void) madvise(map, len, MADV_SEQUENTIAL);

    pf = tc_pcapfile_open_mem(map, len, path, err, errlen);
    if (pf == NULL) {
        munmap(map, len);
        return NULL;
    }
    pf->map = map;
    pf->map_len = len;
    return pf;

out_close_fd:
    close(fd);
    return NULL;
}


int
tc_pcapfile_next(tc_pcapfile_t *pf, tc_pcapfile_rec_t *rec, char *err,
                 size_t errlen)
{
    if (pf->done) {
        return TC_DONE;
    }
    return pcap_next(pf, rec, err, errlen);
}


void
tc_pcapfile_rewind(tc_pcapfile_t *pf)
{
    pf->pos = pf->start;
    pf->done = false;
    pf->recno = 0;
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
        munmap(pf->map, pf->map_len);
    }
    free(pf->name);
    free(pf);
}
