/*
 * tc_pcapfile.h: reading recorded capture files (tcpcopy's offline replay).
 *
 * Formats: classic pcap (microsecond and nanosecond magic, either byte
 * order) and pcapng (any number of sections and interfaces, either byte
 * order, per-interface timestamp resolution and offset).  The reader is
 * pure code over a byte range: tc_pcapfile_open() maps the file and hands
 * the bytes to tc_pcapfile_open_mem(), which is what the fuzz target and
 * the unit tests drive.  No record is ever read past the end of the range.
 *
 * Records come out in file order with the link type of their interface;
 * stripping the link header is tc_link_ip_offset()'s job.
 */
#ifndef TC_PCAPFILE_H_INCLUDED
#define TC_PCAPFILE_H_INCLUDED

#include "tc_core.h"

/* Captured lengths above this mean a garbled file, not a big packet. */
#define TC_PCAPFILE_CAPLEN_MAX (256 * 1024)

typedef enum {
    TC_PCAPFILE_PCAP = 1, /* classic libpcap, microseconds */
    TC_PCAPFILE_PCAP_NS,  /* classic libpcap, nanoseconds */
    TC_PCAPFILE_PCAPNG
} tc_pcapfile_format_t;

/* One packet record.  data points into the reader's bytes and stays valid
 * until tc_pcapfile_close(). */
typedef struct {
    uint64_t       recno;   /* 1-based record number in the file */
    uint64_t       ts_ns;   /* capture time, ns since the Unix epoch */
    int            dlt;     /* link type (TC_DLT_* numbers) */
    const uint8_t *data;    /* caplen bytes of the frame */
    size_t         caplen;  /* bytes present, <= TC_PCAPFILE_CAPLEN_MAX */
    size_t         wirelen; /* bytes the frame had on the wire */
} tc_pcapfile_rec_t;

/* What was skipped so far (counted, each with a warning in the log). */
typedef struct {
    uint64_t records;        /* packet records returned */
    uint64_t over_snaplen;   /* caplen above the interface's snaplen */
    uint64_t bad_interface;  /* pcapng packet for an undeclared interface */
    uint64_t other_blocks;   /* pcapng blocks that carry no packet */
    uint64_t truncated_tail; /* 1 if the file ends inside a record */
} tc_pcapfile_stats_t;

typedef struct tc_pcapfile_s tc_pcapfile_t;

/*
 * Opens and maps path.  Returns the reader, or NULL with a one-line reason
 * naming the file in err (missing, unreadable, empty, not a pcap/pcapng
 * file, unsupported version).  The name is copied.
 */
tc_pcapfile_t *tc_pcapfile_open(const char *path, char *err, size_t errlen);

/*
 * Opens a reader over len bytes at buf (not copied: they must outlive the
 * reader).  name is used in messages.  Same results as tc_pcapfile_open().
 */
tc_pcapfile_t *tc_pcapfile_open_mem(const uint8_t *buf, size_t len,
                                    const char *name, char *err, size_t errlen);

/*
 * Reads the next packet record into rec.  Returns TC_OK; TC_DONE at the end
 * of the file (also when the file ends inside a record: the partial record
 * is counted in truncated_tail and a warning names it); TC_ERROR when the
 * file is garbled beyond use, with a reason naming the file and the record
 * number in err.  Records that can be skipped (over snaplen, unknown
 * interface) are counted and skipped, never returned.  After TC_ERROR the
 * reader stays on the bad record (another call reports it again); after
 * TC_DONE it returns TC_DONE until rewound.  A pcapng block cut short by
 * the end of the file is a truncated tail; a block whose length is not a
 * multiple of 4, below 12, unlike its trailing copy, or past the end of the
 * file by more than a plausible block is an error.
 */
int tc_pcapfile_next(tc_pcapfile_t *pf, tc_pcapfile_rec_t *rec, char *err,
                     size_t errlen);

/*
 * TC_OK while every byte of the records read so far is still the file's;
 * else TC_ERROR, with the reason in err: the file was cut shorter while
 * mapped (see tc_mapguard.h), and what was read past its new end were
 * zeros.  The reader then stays done.  tc_pcapfile_next() sees pages that
 * faulted; the zeros of the last page need the file's size, so a caller
 * that sends a record's bytes (once per record worth it) copies them out
 * and asks here after its copy.  A file rewritten in place and regrown
 * past the reader between two questions is not seen.
 */
int tc_pcapfile_intact(tc_pcapfile_t *pf, char *err, size_t errlen);

/* Starts again from the first record (tcpcopy -T loops); the skip
 * counters are kept, and the records skipped or cut short are not logged
 * again (the first pass did). */
void tc_pcapfile_rewind(tc_pcapfile_t *pf);

/* Bytes consumed so far and the total, for a progress line. */
void tc_pcapfile_progress(const tc_pcapfile_t *pf, uint64_t *done,
                          uint64_t *total);

tc_pcapfile_format_t tc_pcapfile_format(const tc_pcapfile_t *pf);

/* Link type of the first interface (classic pcap: the file's), or -1. */
int tc_pcapfile_dlt(const tc_pcapfile_t *pf);

void tc_pcapfile_stats(const tc_pcapfile_t *pf, tc_pcapfile_stats_t *out);

/* Unmaps and frees.  NULL is ignored. */
void tc_pcapfile_close(tc_pcapfile_t *pf);

#endif /* TC_PCAPFILE_H_INCLUDED */
