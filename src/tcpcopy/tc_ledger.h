/*
 * tc_ledger.h: tcpcopy's accounting.  Every stage counts what it handled
 * and what it gave up, with a reason, so that no request is lost silently.
 * One ledger per process, owned by main and passed by pointer.
 */
#ifndef TC_LEDGER_H_INCLUDED
#define TC_LEDGER_H_INCLUDED

#include "tc_core.h"
#include "tc_stats.h"

/* Why a session ended; "normal" is the only reason that is not a loss. */
typedef enum {
    TC_END_NORMAL = 0,     /* FIN or RST exchanged as the client did */
    TC_END_TARGET_RST,     /* the target reset an established session */
    TC_END_TARGET_REFUSED, /* the target answered our SYN with RST */
    TC_END_SYN_TIMEOUT,    /* no SYN-ACK from the target (via intercept) */
    TC_END_RETRANS_LIMIT,  /* data never acked by the target */
    TC_END_IDLE_TIMEOUT,   /* no traffic from client or target for -t */
    TC_END_SEQ_GAP,        /* capture lost client bytes the session needs */
    TC_END_PORT_REUSE,     /* a new SYN took the client port over */
    TC_END_MEMORY,         /* the session buffer limit was reached */
    TC_END_SHUTDOWN,       /* tcpcopy stopped with the session open */
    TC_END_NREASONS
} tc_end_reason_e;

/* Why a captured or received packet was not used. */
typedef struct {
    uint64_t pkts_captured;   /* TCP packets read from the capture */
    uint64_t pkts_matched;    /* ... to a transferred port */
    uint64_t pkts_parse_err;  /* ... that did not parse */
    uint64_t pkts_no_session; /* ... for no session, not a SYN or data */
    uint64_t pkts_late;       /* ... for a session already ended */
    uint64_t capture_drops;   /* kernel socket drops (SO_RXQ_OVFL) */

    uint64_t sess_opened;    /* sessions started from a captured SYN */
    uint64_t sess_midstream; /* ... from a connection already open */
    uint64_t sess_ended[TC_END_NREASONS];
    uint64_t sess_active;
    uint64_t sess_keepalive;   /* quiescent sessions closed after -k */
    uint64_t sess_sampled_out; /* client connections not replayed (-r, -g) */
    uint64_t sess_no_syn;      /* ... skipped: SYN not captured (-O) */
    uint64_t sess_refused;     /* ... refused: memory bound (-m), ports */
    uint64_t mem_used;         /* -m: heap bytes held since start (gauge) */
    uint64_t copies;           /* sessions per client connection (-n) */

    uint64_t bytes_captured;   /* client payload bytes accepted in order */
    uint64_t bytes_dup;        /* client bytes seen twice (retransmits) */
    uint64_t bytes_sent;       /* client bytes sent to the target (first) */
    uint64_t bytes_acked;      /* client bytes acked by the target */
    uint64_t bytes_acked_orig; /* ... in copy 0 only: the multiple of -n
                                  delivered is bytes_acked / this */
    uint64_t bytes_lost;       /* client bytes of ended sessions never acked */
    uint64_t bytes_gap;        /* client bytes missing from the capture */

    uint64_t answer_online; /* bytes the online server sent (as acked by
                               the clients) in ended sessions */
    uint64_t answer_target; /* bytes the target sent in the same */

    uint64_t segs_sent;    /* segments sent to the target */
    uint64_t segs_retrans; /* ... of which retransmissions */
    uint64_t send_errors;  /* sendto() failures (any reason) */
    uint64_t send_eperm;
    uint64_t send_emsgsize;
    uint64_t send_enobufs;

    uint64_t replies;           /* reply headers received from intercept */
    uint64_t replies_unknown;   /* ... for no session */
    uint64_t replies_foreign;   /* ... for a session, from another endpoint
                                   than the one that answered its SYN:
                                   another connection of that client
                                   endpoint */
    uint64_t replies_bad;       /* ... that did not parse */
    uint64_t reply_waits;       /* requests held until the target answered */
    uint64_t reply_timeouts;    /* ... released without an answer */
    uint64_t reply_catchups;    /* ... released early: replay lagging */
    uint64_t reply_close_short; /* client's close passed on after a shorter
                                   answer than online's, then silence */

    uint64_t ctl_connects; /* control connections established */
    uint64_t ctl_disconnects;
    uint64_t ctl_routes_sent;
    uint64_t ctl_routes_unsent; /* routes not delivered (no connection) */
    uint64_t ctl_ready;         /* intercepts with a connection up (gauge) */

    /* offline replay (--offline): what became of the file's records, every
     * loop counted; off_loops is 0 when live */
    uint64_t off_loops;        /* -T: times through the file asked for */
    uint64_t off_records;      /* packet records read */
    uint64_t off_replayed;     /* ... client packets given to the engine */
    uint64_t off_server;       /* ... from a transferred port: never sent */
    uint64_t off_other_port;   /* ... TCP of no transferred port */
    uint64_t off_not_tcp;      /* ... IP but not TCP (or not parsed) */
    uint64_t off_not_ip;       /* ... no IP packet in the frame */
    uint64_t off_over_snaplen; /* skipped by the reader: caplen > snaplen */
    uint64_t off_bad_iface;    /* ... pcapng: undeclared interface */
    uint64_t off_truncated;    /* the file ended inside a record */
} tc_ledger_t;

/* One control connection's counters (tc_ctl.c fills one per connection
 * for SIGUSR1, the exit and --metrics). */
typedef struct {
    uint64_t replies; /* REPLY frames received on it */
    uint64_t routes;  /* ROUTE entries queued on it */
    uint64_t connects;
    uint64_t disconnects;
    uint64_t ready; /* 1 while its handshake is done (gauge) */
} tc_ledger_conn_t;

/*
 * The ledger's one description (tc_stats.h): every field of tc_ledger_t
 * with its log key and group and its metric, in log-line order.  Both
 * tc_ledger_format() and tc_ledger_prom() are generated from it.
 */
extern const tc_stat_t tc_ledger_stats[];
extern const size_t    tc_ledger_nstats;

/* The same for tc_ledger_conn_t (labelled intercept=, conn= in metrics). */
extern const tc_stat_t tc_ledger_conn_stats[];
extern const size_t    tc_ledger_conn_nstats;

const char *tc_end_reason_str(int reason);

/*
 * Formats the one-line summary into buf (NUL-terminated, cut short when
 * size is too small): every field of tc_ledger_stats, then with -n the
 * multiple of the traffic delivered.  Returns buf.
 */
char *tc_ledger_format(const tc_ledger_t *l, char *buf, size_t size);

/* Formats one control connection's counters ("replies=N routes=N ...";
 * the ready state is left to the caller's words).  Returns buf. */
char *tc_ledger_conn_format(const tc_ledger_conn_t *c, char *buf, size_t size);

#endif /* TC_LEDGER_H_INCLUDED */
