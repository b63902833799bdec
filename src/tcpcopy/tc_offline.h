/*
 * tc_offline.h: offline replay (--offline FILE).  Reads a recorded pcap or
 * pcapng file and hands each client packet to the engine at its recorded
 * offset from the first one (divided by -a, gaps capped by -I), on the
 * event loop's timers, -T times through the file with distinct client
 * ports per loop.  Replay starts once the intercepts are connected and
 * the process stops itself when the file is done and the last session has
 * ended.
 */
#ifndef TC_OFFLINE_H_INCLUDED
#define TC_OFFLINE_H_INCLUDED

#include "tc_core.h"
#include "tc_replay.h"

#define TC_OFFLINE_LOOPS_MAX 10000 /* -T */
#define TC_OFFLINE_SPEED_MAX 1e6   /* -a */

typedef struct {
    const char *path;
    double      speed;    /* -a: recorded gaps divided by this (> 0) */
    tc_msec_t   idle_max; /* -I: longest wait between two packets; 0 =
                             no cap */
    unsigned loops;       /* -T: times through the file, >= 1 */
    size_t   nintercepts; /* ready before the first packet goes */
    bool     progress;    /* draw a progress line on stderr */
} tc_offline_conf_t;

typedef struct tc_offline_s tc_offline_t;

/*
 * Opens the file and checks it can be replayed (format, link type); with
 * -T > 1 reads it once to plan the client ports of the later loops.
 * conf and r must outlive the driver; r's transfers are set.  Returns the
 * driver, or NULL with a one-line reason naming the file in err.
 */
tc_offline_t *tc_offline_open(const tc_offline_conf_t *conf, tc_replay_t *r,
                              char *err, size_t errlen);

/*
 * Starts on r's loop (after tc_replay_init and the control client were
 * set up): waits for the intercepts, then replays.  When done, it calls
 * tc_event_stop().  TC_OK or TC_ERROR.
 */
int tc_offline_start(tc_offline_t *o);

/* The exit status: 0 when every record of the file (all loops) was read,
 * 1 otherwise (garbled file, no intercept, interrupted). */
int tc_offline_status(const tc_offline_t *o);

/* Logs the summary line and ends the progress line.  Call once, after the
 * loop returned and before the final ledger. */
void tc_offline_summary(tc_offline_t *o);

/* Frees the driver and unmaps the file.  NULL is ignored. */
void tc_offline_close(tc_offline_t *o);

#endif /* TC_OFFLINE_H_INCLUDED */
