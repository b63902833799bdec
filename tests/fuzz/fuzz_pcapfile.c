/*
 * fuzz_pcapfile.c: libFuzzer target for the capture-file reader.  The
 * input is a whole file (classic pcap or pcapng, any damage).  It is read
 * to the end with tc_pcapfile_next(), each record's frame goes through
 * tc_link_ip_offset(), then the file is read again after a rewind.
 * Whatever the bytes: every record lies inside the input and within
 * TC_PCAPFILE_CAPLEN_MAX, record numbers increase, progress never goes
 * back or past the total, reading ends (TC_DONE or TC_ERROR) within one
 * step per 4 bytes, and the second pass returns the same records.  A
 * failed check calls abort().
 */
#include "tc_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "tc_link.h"
#include "tc_log.h"
#include "tc_pcapfile.h"


/* One record: inside the file, a sane length, a link offset inside it. */
static void
check_record(const tc_pcapfile_rec_t *rec, const uint8_t *file, size_t size)
{
    int off, v;

    F_CHECK(rec->caplen <= TC_PCAPFILE_CAPLEN_MAX);
    F_CHECK(rec->data >= file && rec->data <= file + size);
    F_CHECK(rec->caplen <= (size_t) (file + size - rec->data));

    off = tc_link_ip_offset(rec->dlt, rec->data, rec->caplen);
    F_CHECK(off >= 0 || off == TC_LINK_NOT_IP || off == TC_LINK_TRUNCATED ||
            off == TC_LINK_UNSUPPORTED);
    if (off >= 0) {
        F_CHECK((size_t) off < rec->caplen);
        v = rec->data[off] >> 4;
        F_CHECK(v == 4 || v == 6);
    }
}


/* Reads to the end; returns the number of records and a checksum of
 * their numbers, times and lengths for the second pass to compare. */
static uint64_t
read_pass(tc_pcapfile_t *pf, const uint8_t *file, size_t size, int *last,
          uint64_t *sum)
{
    tc_pcapfile_rec_t rec;
    uint64_t          n = 0, prev_recno = 0, done, total, prev_done = 0;
    char              err[256];
    int               rc;

    *sum = 0;
    while ((rc = tc_pcapfile_next(pf, &rec, err, sizeof(err))) == TC_OK) {
        check_record(&rec, file, size);
        F_CHECK(rec.recno > prev_recno);
        prev_recno = rec.recno;

        tc_pcapfile_progress(pf, &done, &total);
        F_CHECK(total == size && done <= total && done > prev_done);
        prev_done = done;

        *sum = *sum * 31 + rec.recno + rec.ts_ns + rec.caplen + rec.wirelen;
        n++;
        F_CHECK(n <= size / 4);
    }
    F_CHECK(rc == TC_DONE || rc == TC_ERROR);
    if (rc == TC_ERROR) {
        F_CHECK(strlen(err) > 0);
    }
    *last = rc;
    return n;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tc_pcapfile_t      *pf;
    tc_pcapfile_stats_t st;
    uint8_t            *file;
    uint64_t            n1, n2, sum1, sum2;
    char                err[256];
    int                 rc1, rc2;

    tc_log_set_level(TC_LOG_EMERG); /* skip warnings are expected here */

    /* exact-size heap copy: ASan sees a read one byte past the file */
    file = malloc(size ? size : 1);
    if (file == NULL) {
        return 0;
    }
    memcpy(file, data, size);

    pf = tc_pcapfile_open_mem(file, size, "fuzz", err, sizeof(err));
    if (pf == NULL) {
        F_CHECK(strlen(err) > 0);
        free(file);
        return 0;
    }

    n1 = read_pass(pf, file, size, &rc1, &sum1);
    tc_pcapfile_rewind(pf);
    n2 = read_pass(pf, file, size, &rc2, &sum2);
    F_CHECK(n1 == n2 && rc1 == rc2 && sum1 == sum2);

    tc_pcapfile_stats(pf, &st);
    F_CHECK(st.records == n1 + n2);
    F_CHECK(st.truncated_tail <= 1);

    tc_pcapfile_close(pf);
    free(file);
    return 0;
}
