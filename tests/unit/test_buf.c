/*
 * test_buf.c: the growable byte queue: order of bytes through appends,
 * reserve/commit (and the room a recv() may fill), partial consumes,
 * compaction and trimming.
 */
#include "tc_config.h"

#include <string.h>

#include "t_harness.h"
#include "tc_buf.h"


/* Bytes come out in the order they went in, across growth and moves. */
static void
test_fifo(void)
{
    tc_buf_t b = {0};
    uint8_t  in[1000], expect = 0;
    size_t   i, k, took, bad = 0;

    for (i = 0; i < sizeof(in); i++) {
        in[i] = (uint8_t) i;
    }

    for (k = 0; k < 2000; k++) {
        /* 1000 bytes in, ~997 out each round: the buffer slowly grows and
         * its consumed prefix is reclaimed many times */
        bad += (tc_buf_append(&b, in, 250) != TC_OK);
        took = tc_min(tc_buf_len(&b), (size_t) 249);
        for (i = 0; i < took; i++) {
            bad += (tc_buf_pos(&b)[i] != expect);
            expect = (uint8_t) (expect + 1 == 250 ? 0 : expect + 1);
        }
        tc_buf_consume(&b, took);
    }
    T_CHECK_EQ(bad, 0);
    T_CHECK_EQ(tc_buf_len(&b), 2000);
    T_CHECK(b.cap < 8192);
    tc_buf_free(&b);
    T_CHECK(b.data == NULL && b.cap == 0 && tc_buf_len(&b) == 0);
}


static void
test_reserve_commit_trim(void)
{
    tc_buf_t b = {0};
    uint8_t *room;

    room = tc_buf_reserve(&b, 100000);
    T_CHECK(room != NULL);
    T_CHECK(tc_buf_room(&b) >= 100000); /* a recv() may fill all of it */
    memset(room, 7, 100000);
    tc_buf_commit(&b, 100000);
    T_CHECK_EQ(tc_buf_len(&b), 100000);

    tc_buf_trim(&b, 4096); /* not empty: kept */
    T_CHECK(b.data != NULL);

    tc_buf_consume(&b, 1000000); /* more than there is */
    T_CHECK_EQ(tc_buf_len(&b), 0);
    T_CHECK_EQ(b.start, 0);

    tc_buf_trim(&b, 1u << 20); /* small enough: kept */
    T_CHECK(b.data != NULL);
    tc_buf_trim(&b, 4096);
    T_CHECK(b.data == NULL);
    tc_buf_free(&b);
}


int
main(void)
{
    T_RUN(test_fifo);
    T_RUN(test_reserve_commit_trim);
    return T_REPORT();
}
