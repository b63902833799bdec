/*
 * test_session.c: scripted scenarios for the pure session state machine.
 * Each test plays the client (captured packets) and the target (reply
 * headers) by hand and checks the segments the session emits.
 */
#include "tc_config.h"

#include <string.h>

#include "t_harness.h"
#include "tc_session.h"

#define C_ISN 1000u   /* client's initial sequence number */
#define S_ISN 500000u /* online server's */
#define T_ISN 900000u /* target's */

static tc_ledger_t    ledger;
static tc_sess_conf_t conf;
static tc_sess_t      sess;
static tc_sess_out_t  out;
static tc_endpoint_t  client;
static uint8_t        data[1 << 20];
static tc_msec_t      now;


static void
setup(void)
{
    size_t i;

    tc_sess_free(&sess);
    memset(&ledger, 0, sizeof(ledger));
    memset(&sess, 0, sizeof(sess));
    memset(&out, 0, sizeof(out));
    tc_sess_conf_default(&conf, &ledger);
    tc_addr_parse("10.77.1.2", &client.ip);
    client.port = 40000;
    for (i = 0; i < sizeof(data); i++) {
        data[i] = (uint8_t) (i * 7 + 3);
    }
    now = 100000;
}


static tc_pkt_view_t
cpkt(uint8_t flags, uint32_t seq, uint32_t ack, uint32_t off, uint32_t len)
{
    tc_pkt_view_t v;

    memset(&v, 0, sizeof(v));
    v.src = client.ip;
    v.sport = client.port;
    v.dport = 80;
    v.flags = flags;
    v.seq = seq;
    v.ack = ack;
    v.window = 502;
    v.payload = data + off;
    v.payload_len = len;
    v.payload_caplen = len;
    v.wscale = -1;
    return v;
}


static tc_pkt_view_t
rpkt(uint8_t flags, uint32_t seq, uint32_t ack, uint16_t win, uint32_t len)
{
    tc_pkt_view_t v;

    memset(&v, 0, sizeof(v));
    v.dst = client.ip;
    v.dport = client.port;
    v.sport = 80;
    v.flags = flags;
    v.seq = seq;
    v.ack = ack;
    v.window = win;
    v.payload_len = len;
    v.wscale = (flags & TC_TCP_SYN) ? 7 : -1;
    v.mss = (flags & TC_TCP_SYN) ? 1460 : 0;
    return v;
}


static void
client_in(uint8_t flags, uint32_t seq, uint32_t ack, uint32_t off, uint32_t len)
{
    tc_pkt_view_t v = cpkt(flags, seq, ack, off, len);

    tc_sess_client(&sess, &conf, &v, now, &out);
}


static void
reply_in(uint8_t flags, uint32_t seq, uint32_t ack, uint16_t win, uint32_t len)
{
    tc_pkt_view_t v = rpkt(flags, seq, ack, win, len);

    tc_sess_reply(&sess, &conf, &v, now, &out);
}


/* The client's SYN starts the session; tc_sess_start()'s result. */
static int
start_syn(void)
{
    tc_pkt_view_t v = cpkt(TC_TCP_SYN, C_ISN, 0, 0, 0);

    return tc_sess_start(&sess, &conf, &client, &v, now, &out);
}


/* Client SYN, target SYN-ACK; the handshake ACK goes out. */
static void
handshake(void)
{
    T_CHECK_EQ(start_syn(), TC_OK);
    T_CHECK_EQ(out.n, 1);
    T_CHECK_EQ(out.segs[0].flags, TC_TCP_SYN);
    T_CHECK_EQ(out.segs[0].seq, C_ISN);
    T_CHECK_EQ(out.segs[0].mss, 1460);
    T_CHECK(out.wakeup > now);

    reply_in(TC_TCP_SYN | TC_TCP_ACK, T_ISN, C_ISN + 1, 65535, 0);
    T_CHECK_EQ(sess.state, TC_SESS_ESTABLISHED);
    T_CHECK_EQ(out.n, 1);
    T_CHECK_EQ(out.segs[0].flags, TC_TCP_ACK);
    T_CHECK_EQ(out.segs[0].seq, C_ISN + 1);
    T_CHECK_EQ(out.segs[0].ack, T_ISN + 1);

    /* the client's own handshake ACK: the baseline of the server's ack */
    client_in(TC_TCP_ACK, C_ISN + 1, S_ISN + 1, 0, 0);
    T_CHECK_EQ(out.n, 0);
}


static uint32_t
sent_bytes(void)
{
    uint32_t i, n = 0;

    for (i = 0; i < out.n; i++) {
        n += out.segs[i].len;
    }
    return n;
}


static void
test_handshake_and_request(void)
{
    setup();
    handshake();

    client_in(TC_TCP_ACK | TC_TCP_PSH, C_ISN + 1, S_ISN + 1, 0, 100);
    T_CHECK_EQ(out.n, 1);
    T_CHECK_EQ(out.segs[0].seq, C_ISN + 1);
    T_CHECK_EQ(out.segs[0].len, 100);
    T_CHECK_EQ(out.segs[0].ack, T_ISN + 1);
    T_CHECK(memcmp(out.segs[0].payload, data, 100) == 0);
    T_CHECK_EQ(ledger.bytes_sent, 100);

    /* the target answers 300 bytes and acks the request */
    reply_in(TC_TCP_ACK | TC_TCP_PSH, T_ISN + 1, C_ISN + 101, 512, 300);
    T_CHECK_EQ(out.n, 1);
    T_CHECK_EQ(out.segs[0].flags, TC_TCP_ACK);
    T_CHECK_EQ(out.segs[0].ack, T_ISN + 301);
    T_CHECK_EQ(ledger.bytes_acked, 100);
    T_CHECK_EQ(tc_buf_len(&sess.buf), 0);
}


/* rpkt() from the endpoint ip:port. */
static tc_pkt_view_t
rpkt_from(const char *ip, uint16_t port, uint8_t flags, uint32_t ack)
{
    tc_pkt_view_t v = rpkt(flags, T_ISN, ack, 512, 0);

    (void) tc_addr_parse(ip, &v.src);
    v.sport = port;
    return v;
}


/* A session takes its replies from the target, or from whatever acks its
 * SYN (NAT between); from then on a reply from elsewhere is another
 * connection's. */
static void
test_reply_source(void)
{
    tc_pkt_view_t v;
    tc_endpoint_t target;
    uint8_t       sa = TC_TCP_SYN | TC_TCP_ACK;

    memset(&target, 0, sizeof(target));
    (void) tc_addr_parse("10.77.2.2", &target.ip);
    target.port = 80;

    /* behind NAT: a stranger first (not acking the SYN), then the answer */
    setup();
    T_CHECK_EQ(start_syn(), TC_OK);
    v = rpkt_from("10.77.5.2", 8080, TC_TCP_ACK, C_ISN + 7);
    T_CHECK_EQ(tc_sess_reply_source(&sess, &target, &v), TC_SESS_SRC_FOREIGN);
    v = rpkt_from("10.77.5.2", 8080, sa, C_ISN + 1);
    T_CHECK_EQ(tc_sess_reply_source(&sess, &target, &v), TC_SESS_SRC_NEW);
    T_CHECK_EQ(tc_sess_reply_source(&sess, &target, &v), TC_SESS_SRC_PEER);
    v = rpkt_from("10.77.2.2", 80, TC_TCP_ACK, C_ISN + 1);
    T_CHECK_EQ(tc_sess_reply_source(&sess, &target, &v), TC_SESS_SRC_FOREIGN);
    v = rpkt_from("10.77.5.2", 8081, TC_TCP_ACK, C_ISN + 1);
    T_CHECK_EQ(tc_sess_reply_source(&sess, &target, &v), TC_SESS_SRC_FOREIGN);

    /* the target itself: any reply of it names it, then others are out */
    setup();
    T_CHECK_EQ(start_syn(), TC_OK);
    v = rpkt_from("10.77.2.2", 80, TC_TCP_ACK | TC_TCP_RST, C_ISN + 1);
    T_CHECK_EQ(tc_sess_reply_source(&sess, &target, &v), TC_SESS_SRC_PEER);
    v = rpkt_from("10.77.5.2", 8080, sa, C_ISN + 1);
    T_CHECK_EQ(tc_sess_reply_source(&sess, &target, &v), TC_SESS_SRC_FOREIGN);
}


/* A keep-alive client waits for each answer: so does the replay. */
static void
test_pacing_waits_for_reply(void)
{
    setup();
    handshake();
    now += 1; /* the wait below lasts less than max_lag */

    /* request 1, then request 2 captured before the target answered 1:
     * its larger ack shows the client waited for the online answer */
    client_in(TC_TCP_ACK, C_ISN + 1, S_ISN + 1, 0, 50);
    T_CHECK_EQ(sent_bytes(), 50);
    client_in(TC_TCP_ACK, C_ISN + 51, S_ISN + 201, 50, 60);
    T_CHECK_EQ(out.n, 0);
    T_CHECK(sess.waiting);

    /* a pure ACK from the target releases nothing */
    reply_in(TC_TCP_ACK, T_ISN + 1, C_ISN + 51, 512, 0);
    T_CHECK_EQ(sent_bytes(), 0);

    /* the answer releases request 2, which carries the ack */
    reply_in(TC_TCP_ACK, T_ISN + 1, C_ISN + 51, 512, 180);
    T_CHECK_EQ(out.n, 1);
    T_CHECK_EQ(out.segs[0].seq, C_ISN + 51);
    T_CHECK_EQ(out.segs[0].len, 60);
    T_CHECK_EQ(out.segs[0].ack, T_ISN + 181);
    T_CHECK_EQ(ledger.reply_waits, 1);
}


/* Pipelined requests (same ack) go out together, without waiting. */
static void
test_pipelined(void)
{
    uint32_t i;

    setup();
    handshake();
    for (i = 0; i < 16; i++) {
        client_in(TC_TCP_ACK, C_ISN + 1 + i * 30, S_ISN + 1, i * 30, 30);
        T_CHECK_EQ(sent_bytes(), 30);
    }
    T_CHECK_EQ(ledger.bytes_sent, 480);
    T_CHECK(!sess.waiting);
}


/* -W: no waiting at all. */
static void
test_no_wait(void)
{
    setup();
    conf.no_wait = true;
    handshake();
    client_in(TC_TCP_ACK, C_ISN + 1, S_ISN + 1, 0, 50);
    client_in(TC_TCP_ACK, C_ISN + 51, S_ISN + 201, 50, 60);
    T_CHECK_EQ(sent_bytes(), 60);
}


/* Data captured before the SYN-ACK waits for the handshake. */
static void
test_data_before_synack(void)
{
    setup();
    start_syn();
    client_in(TC_TCP_ACK, C_ISN + 1, S_ISN + 1, 0, 100);
    T_CHECK_EQ(out.n, 0);
    reply_in(TC_TCP_SYN | TC_TCP_ACK, T_ISN, C_ISN + 1, 65535, 0);
    T_CHECK_EQ(out.n, 1);
    T_CHECK_EQ(out.segs[0].len, 100);
    T_CHECK_EQ(out.segs[0].ack, T_ISN + 1);
}


/* A connection already open when capture began: synthesized handshake. */
static void
test_midstream(void)
{
    tc_pkt_view_t v;

    setup();
    v = cpkt(TC_TCP_ACK | TC_TCP_PSH, 777777, 123456, 0, 40);
    T_CHECK_EQ(tc_sess_start(&sess, &conf, &client, &v, now, &out), TC_OK);
    T_CHECK_EQ(out.n, 1);
    T_CHECK_EQ(out.segs[0].flags, TC_TCP_SYN);
    T_CHECK_EQ(out.segs[0].seq, 777776);
    T_CHECK_EQ(ledger.sess_midstream, 1);

    reply_in(TC_TCP_SYN | TC_TCP_ACK, T_ISN, 777777, 65535, 0);
    T_CHECK_EQ(out.n, 1);
    T_CHECK_EQ(out.segs[0].seq, 777777);
    T_CHECK_EQ(out.segs[0].len, 40);

    /* a pure ACK cannot start a session */
    setup();
    v = cpkt(TC_TCP_ACK, 5, 6, 0, 0);
    T_CHECK_EQ(tc_sess_start(&sess, &conf, &client, &v, now, &out),
               TC_DECLINED);
}


/* Unacked data is retransmitted with backoff, then given up. */
static void
test_retransmission(void)
{
    unsigned i;

    setup();
    handshake();
    client_in(TC_TCP_ACK, C_ISN + 1, S_ISN + 1, 0, 100);
    T_CHECK_EQ(sent_bytes(), 100);
    T_CHECK(out.wakeup > now && out.wakeup <= now + 1000);

    now = out.wakeup;
    tc_sess_timer(&sess, &conf, now, &out);
    T_CHECK_EQ(out.n, 1);
    T_CHECK(out.segs[0].retrans);
    T_CHECK_EQ(out.segs[0].seq, C_ISN + 1);
    T_CHECK_EQ(out.segs[0].len, 100);
    T_CHECK_EQ(ledger.bytes_sent, 100);

    /* ack arrives: nothing more to send, no retransmission timer */
    reply_in(TC_TCP_ACK, T_ISN + 1, C_ISN + 101, 512, 0);
    T_CHECK_EQ(sess.rto_at, 0);

    client_in(TC_TCP_ACK, C_ISN + 101, S_ISN + 1, 100, 10);
    for (i = 0; i < 20 && sess.state != TC_SESS_CLOSED; i++) {
        now = out.wakeup;
        tc_sess_timer(&sess, &conf, now, &out);
    }
    T_CHECK_EQ(sess.state, TC_SESS_CLOSED);
    T_CHECK_EQ(ledger.sess_ended[TC_END_RETRANS_LIMIT], 1);
    T_CHECK_EQ(ledger.bytes_lost, 10);
    T_CHECK(out.done);
}


/* No SYN-ACK at all: SYN retransmitted, then syn_timeout. */
static void
test_syn_timeout(void)
{
    unsigned i, syns = 0;

    setup();
    start_syn();
    for (i = 0; i < 20 && sess.state != TC_SESS_CLOSED; i++) {
        now = out.wakeup;
        tc_sess_timer(&sess, &conf, now, &out);
        syns += (out.n == 1 && out.segs[0].flags == TC_TCP_SYN);
    }
    T_CHECK_EQ(syns, conf.syn_retries_max);
    T_CHECK_EQ(ledger.sess_ended[TC_END_SYN_TIMEOUT], 1);
}


/* The target's window limits what is in flight; a zero window probes. */
static void
test_zero_window(void)
{
    setup();
    start_syn();
    /* window 1000 bytes, no scaling on the SYN-ACK window itself */
    reply_in(TC_TCP_SYN | TC_TCP_ACK, T_ISN, C_ISN + 1, 1000, 0);
    client_in(TC_TCP_ACK, C_ISN + 1, S_ISN + 1, 0, 3000);
    T_CHECK_EQ(sent_bytes(), 1000);

    /* acked, but the window is now zero (scaled: 0 << 7) */
    reply_in(TC_TCP_ACK, T_ISN + 1, C_ISN + 1001, 0, 0);
    T_CHECK_EQ(sent_bytes(), 0);
    T_CHECK(sess.rto_at != 0);

    now = sess.rto_at;
    tc_sess_timer(&sess, &conf, now, &out);
    T_CHECK_EQ(out.n, 1);
    T_CHECK_EQ(out.segs[0].len, 0);
    T_CHECK_EQ(out.segs[0].seq, C_ISN + 1000);

    /* window opens: 8 x 128 = 1024 bytes */
    reply_in(TC_TCP_ACK, T_ISN + 1, C_ISN + 1001, 8, 0);
    T_CHECK_EQ(sent_bytes(), 1024);
    T_CHECK_EQ(sess.state, TC_SESS_ESTABLISHED);
}


/* Client closes first; target closes; normal end after linger. */
static void
test_fin_from_client(void)
{
    setup();
    handshake();
    client_in(TC_TCP_ACK, C_ISN + 1, S_ISN + 1, 0, 20);
    reply_in(TC_TCP_ACK, T_ISN + 1, C_ISN + 21, 512, 40);

    /* the client acked the online answer (40 bytes) and closes */
    client_in(TC_TCP_ACK | TC_TCP_FIN, C_ISN + 21, S_ISN + 41, 0, 0);
    T_CHECK_EQ(out.n, 1);
    T_CHECK_EQ(out.segs[0].flags, TC_TCP_ACK | TC_TCP_FIN);
    T_CHECK_EQ(out.segs[0].seq, C_ISN + 21);

    reply_in(TC_TCP_ACK | TC_TCP_FIN, T_ISN + 41, C_ISN + 22, 512, 0);
    T_CHECK_EQ(out.n, 1);
    T_CHECK_EQ(out.segs[0].ack, T_ISN + 42);
    T_CHECK_EQ(sess.state, TC_SESS_CLOSED);
    T_CHECK_EQ(ledger.sess_ended[TC_END_NORMAL], 1);
    T_CHECK_EQ(ledger.bytes_lost, 0);
    T_CHECK(!out.done);

    now += conf.linger;
    tc_sess_timer(&sess, &conf, now, &out);
    T_CHECK(out.done);
}


/* Target closes first (e.g. HTTP Connection: close). */
static void
test_fin_from_target(void)
{
    setup();
    handshake();
    client_in(TC_TCP_ACK, C_ISN + 1, S_ISN + 1, 0, 20);
    reply_in(TC_TCP_ACK | TC_TCP_FIN, T_ISN + 1, C_ISN + 21, 512, 40);
    T_CHECK_EQ(out.n, 1);
    T_CHECK_EQ(out.segs[0].ack, T_ISN + 42);
    T_CHECK(sess.t_fin);

    /* the client's FIN acks the online FIN: no wait, FIN goes out */
    client_in(TC_TCP_ACK | TC_TCP_FIN, C_ISN + 21, S_ISN + 42, 0, 0);
    T_CHECK_EQ(out.n, 1);
    T_CHECK(out.segs[0].flags & TC_TCP_FIN);
    reply_in(TC_TCP_ACK, T_ISN + 42, C_ISN + 22, 512, 0);
    T_CHECK_EQ(sess.state, TC_SESS_CLOSED);
    T_CHECK_EQ(ledger.sess_ended[TC_END_NORMAL], 1);
}


/* RST from the target ends the session and counts the unacked bytes. */
static void
test_rst_from_target(void)
{
    setup();
    handshake();
    client_in(TC_TCP_ACK, C_ISN + 1, S_ISN + 1, 0, 20);
    reply_in(TC_TCP_RST, T_ISN + 1, 0, 0, 0);
    T_CHECK_EQ(sess.state, TC_SESS_CLOSED);
    T_CHECK_EQ(ledger.sess_ended[TC_END_TARGET_RST], 1);
    T_CHECK_EQ(ledger.bytes_lost, 20);
    T_CHECK(out.done);

    /* everything acked and our FIN sent, yet the target resets: it did
     * not read it all, so this is not a normal end */
    setup();
    handshake();
    client_in(TC_TCP_ACK, C_ISN + 1, S_ISN + 1, 0, 20);
    reply_in(TC_TCP_ACK, T_ISN + 1, C_ISN + 21, 512, 0);
    client_in(TC_TCP_ACK | TC_TCP_FIN, C_ISN + 21, S_ISN + 1, 0, 0);
    reply_in(TC_TCP_RST, T_ISN + 1, 0, 0, 0);
    T_CHECK_EQ(ledger.sess_ended[TC_END_TARGET_RST], 1);
    T_CHECK_EQ(ledger.sess_ended[TC_END_NORMAL], 0);

    /* a refused SYN */
    setup();
    start_syn();
    reply_in(TC_TCP_RST | TC_TCP_ACK, 0, C_ISN + 1, 0, 0);
    T_CHECK_EQ(ledger.sess_ended[TC_END_TARGET_REFUSED], 1);
}


/*
 * A client RST waits until the target answered what came before it, and
 * reaches the target as a FIN, so the target still serves every request
 * it had not read yet; an RST follows if the target does not close.
 */
static void
test_rst_from_client(void)
{
    setup();
    handshake();
    client_in(TC_TCP_ACK, C_ISN + 1, S_ISN + 1, 0, 20);
    client_in(TC_TCP_RST | TC_TCP_ACK, C_ISN + 21, S_ISN + 31, 0, 0);
    T_CHECK_EQ(out.n, 0);
    reply_in(TC_TCP_ACK, T_ISN + 1, C_ISN + 21, 512, 0);
    T_CHECK_EQ(out.n, 0);

    /* the answer: now the FIN goes */
    reply_in(TC_TCP_ACK, T_ISN + 1, C_ISN + 21, 512, 30);
    T_CHECK_EQ(out.n, 1);
    T_CHECK_EQ(out.segs[0].flags, TC_TCP_FIN | TC_TCP_ACK);
    T_CHECK_EQ(out.segs[0].seq, C_ISN + 21);

    /* acked, but the target does not close: RST after reply_timeout */
    reply_in(TC_TCP_ACK, T_ISN + 31, C_ISN + 22, 512, 0);
    T_CHECK_EQ(out.wakeup, now + conf.reply_timeout);
    now += conf.reply_timeout;
    tc_sess_timer(&sess, &conf, now, &out);
    T_CHECK(out.n == 1 && (out.segs[0].flags & TC_TCP_RST));
    T_CHECK_EQ(sess.state, TC_SESS_CLOSED);
    T_CHECK_EQ(ledger.sess_ended[TC_END_NORMAL], 1);
}


/* The client's close waits until the target answered as much as the
 * online server did, even when the replay lags (no catch-up for it). */
static void
test_close_waits_for_all_answers(void)
{
    setup();
    handshake();
    /* three pipelined requests; online answered 300 bytes in all */
    client_in(TC_TCP_ACK, C_ISN + 1, S_ISN + 1, 0, 30);
    reply_in(TC_TCP_ACK, T_ISN + 1, C_ISN + 31, 512, 100);
    client_in(TC_TCP_ACK | TC_TCP_RST, C_ISN + 31, S_ISN + 301, 0, 0);
    T_CHECK_EQ(out.n, 0);
    now += conf.max_lag * 4; /* lagging: still no close */
    tc_sess_timer(&sess, &conf, now, &out);
    T_CHECK_EQ(out.n, 0);
    reply_in(TC_TCP_ACK, T_ISN + 101, C_ISN + 31, 512, 100);
    T_CHECK_EQ(out.n, 1);
    T_CHECK_EQ(out.segs[0].flags, TC_TCP_ACK); /* just the ACK */
    reply_in(TC_TCP_ACK, T_ISN + 201, C_ISN + 31, 512, 100);
    T_CHECK_EQ(out.n, 1);
    T_CHECK_EQ(out.segs[0].flags, TC_TCP_FIN | TC_TCP_ACK);
    T_CHECK_EQ(out.segs[0].ack, T_ISN + 301);
}


/*
 * The client's FIN and its ACK of the online server's FIN come before the
 * target answered (offline replay hands them over in one batch): the FIN
 * goes as soon as the target answered what the FIN acked, not after the
 * reply timeout (the target's FIN, which the last ACK also acks, only
 * comes after ours).
 */
static void
test_close_before_answer(void)
{
    setup();
    handshake();
    client_in(TC_TCP_ACK | TC_TCP_PSH, C_ISN + 1, S_ISN + 1, 0, 88);
    T_CHECK_EQ(sent_bytes(), 88);
    client_in(TC_TCP_ACK | TC_TCP_FIN, C_ISN + 89, S_ISN + 151, 0, 0);
    T_CHECK_EQ(out.n, 0);
    client_in(TC_TCP_ACK, C_ISN + 90, S_ISN + 152, 0, 0);
    T_CHECK_EQ(out.n, 0);

    reply_in(TC_TCP_ACK | TC_TCP_PSH, T_ISN + 1, C_ISN + 89, 512, 150);
    T_CHECK_EQ(out.n, 1);
    T_CHECK_EQ(out.segs[0].flags, TC_TCP_FIN | TC_TCP_ACK);
    T_CHECK_EQ(out.segs[0].ack, T_ISN + 151);
    T_CHECK_EQ(ledger.reply_timeouts, 0);

    reply_in(TC_TCP_ACK | TC_TCP_FIN, T_ISN + 151, C_ISN + 90, 512, 0);
    T_CHECK_EQ(sess.state, TC_SESS_CLOSED);
    T_CHECK_EQ(ledger.sess_ended[TC_END_NORMAL], 1);
}


/* The target answers less than the online server did (reply sizes
 * differ): the client's FIN goes once the target, having answered after
 * the last request, is silent for close_settle, not after the reply
 * timeout; counted as close_short. */
static void
test_close_after_short_answer(void)
{
    setup();
    handshake();
    client_in(TC_TCP_ACK | TC_TCP_PSH, C_ISN + 1, S_ISN + 1, 0, 88);
    T_CHECK_EQ(sent_bytes(), 88);
    client_in(TC_TCP_ACK | TC_TCP_FIN, C_ISN + 89, S_ISN + 151, 0, 0);
    T_CHECK_EQ(out.n, 0);

    reply_in(TC_TCP_ACK | TC_TCP_PSH, T_ISN + 1, C_ISN + 89, 512, 140);
    T_CHECK_EQ(out.n, 1); /* our ack of the answer, no FIN yet */
    T_CHECK(!(out.segs[0].flags & TC_TCP_FIN));
    T_CHECK(out.wakeup > now && out.wakeup <= now + conf.close_settle);

    now += conf.close_settle - 1;
    tc_sess_timer(&sess, &conf, now, &out);
    T_CHECK_EQ(out.n, 0);
    /* no wake-up in the past (a busy timer) while the close waits */
    T_CHECK_EQ(out.wakeup, now + 1);
    now += 1;
    tc_sess_timer(&sess, &conf, now, &out);
    T_CHECK_EQ(out.n, 1);
    T_CHECK_EQ(out.segs[0].flags, TC_TCP_FIN | TC_TCP_ACK);
    T_CHECK_EQ(ledger.reply_close_short, 1);
    T_CHECK_EQ(ledger.reply_timeouts, 0);
}


/* Silence alone is no answer: a target that sent nothing after the last
 * request keeps the client's FIN until the reply timeout. */
static void
test_close_waits_without_answer(void)
{
    setup();
    handshake();
    client_in(TC_TCP_ACK | TC_TCP_PSH, C_ISN + 1, S_ISN + 1, 0, 88);
    client_in(TC_TCP_ACK | TC_TCP_FIN, C_ISN + 89, S_ISN + 151, 0, 0);
    reply_in(TC_TCP_ACK, T_ISN + 1, C_ISN + 89, 512, 0);
    now += conf.close_settle * 2;
    tc_sess_timer(&sess, &conf, now, &out);
    T_CHECK_EQ(out.n, 0);
    T_CHECK_EQ(ledger.reply_close_short, 0);
}


/* A request held longer than max_lag after capture goes without waiting. */
static void
test_catchup_when_lagging(void)
{
    setup();
    handshake();
    client_in(TC_TCP_ACK, C_ISN + 1, S_ISN + 1, 0, 10);
    client_in(TC_TCP_ACK, C_ISN + 11, S_ISN + 21, 10, 10);
    T_CHECK_EQ(out.n, 0);
    T_CHECK_EQ(out.wakeup, now + conf.max_lag);
    now += conf.max_lag;
    tc_sess_timer(&sess, &conf, now, &out);
    T_CHECK_EQ(sent_bytes(), 10);
    T_CHECK_EQ(ledger.reply_catchups, 1);
}


/* A segment far outside the sequence space is another connection's. */
static void
test_foreign_segment(void)
{
    setup();
    handshake();
    client_in(TC_TCP_ACK, C_ISN + 1 + 0x40000000u, S_ISN + 1, 0, 10);
    T_CHECK_EQ(out.n, 0);
    T_CHECK_EQ(sess.ooo_n, 0);
    T_CHECK_EQ(ledger.pkts_late, 1);
}


/* Out-of-order client segments are reordered; a hole that never fills is
 * a counted seq_gap, never silent corruption. */
static void
test_reorder_and_gap(void)
{
    setup();
    handshake();
    client_in(TC_TCP_ACK, C_ISN + 51, S_ISN + 1, 50, 50);
    T_CHECK_EQ(out.n, 0);
    client_in(TC_TCP_ACK, C_ISN + 1, S_ISN + 1, 0, 50);
    T_CHECK_EQ(sent_bytes(), 100);
    T_CHECK(memcmp(out.segs[0].payload, data, 100) == 0);

    /* a retransmission of bytes already taken is not sent twice */
    client_in(TC_TCP_ACK, C_ISN + 1, S_ISN + 1, 0, 100);
    T_CHECK_EQ(sent_bytes(), 0);
    T_CHECK_EQ(ledger.bytes_dup, 100);

    /* a hole: bytes 100..149 never captured */
    client_in(TC_TCP_ACK, C_ISN + 151, S_ISN + 1, 150, 50);
    T_CHECK_EQ(out.n, 0);
    now += conf.gap_timeout;
    tc_sess_timer(&sess, &conf, now, &out);
    T_CHECK_EQ(sess.state, TC_SESS_CLOSED);
    T_CHECK_EQ(ledger.sess_ended[TC_END_SEQ_GAP], 1);
    T_CHECK_EQ(ledger.bytes_gap, 50);
    T_CHECK(out.n == 1 && (out.segs[0].flags & TC_TCP_RST));
}


/* -t: a session with work pending that makes no progress is aborted;
 * -k: a session at rest (all answered) is closed, and that is no loss. */
static void
test_idle_timeout(void)
{
    setup();
    conf.keepalive_timeout = 30000;
    handshake();
    client_in(TC_TCP_ACK, C_ISN + 1, S_ISN + 1, 0, 10);
    reply_in(TC_TCP_ACK, T_ISN + 1, C_ISN + 11, 512, 10);
    T_CHECK_EQ(out.wakeup, now + conf.keepalive_timeout);
    now += conf.keepalive_timeout;
    tc_sess_timer(&sess, &conf, now, &out);
    T_CHECK_EQ(ledger.sess_keepalive, 1);
    T_CHECK_EQ(ledger.sess_ended[TC_END_NORMAL], 1);
    T_CHECK(out.done && out.n == 1 && (out.segs[0].flags & TC_TCP_RST));

    setup();
    conf.keepalive_timeout = 30000;
    conf.retries_max = 1000;
    conf.rto_max = 1000000;
    handshake();
    client_in(TC_TCP_ACK, C_ISN + 1, S_ISN + 1, 0, 10); /* never acked */
    while (sess.state != TC_SESS_CLOSED && now < 10000000) {
        now = out.wakeup;
        tc_sess_timer(&sess, &conf, now, &out);
    }
    T_CHECK_EQ(ledger.sess_ended[TC_END_IDLE_TIMEOUT], 1);
    T_CHECK_EQ(ledger.sess_keepalive, 0);
    T_CHECK_EQ(ledger.bytes_lost, 10);
}


/* A request the target never answers is released after reply_timeout. */
static void
test_reply_timeout(void)
{
    setup();
    conf.max_lag = 10 * conf.reply_timeout;
    handshake();
    client_in(TC_TCP_ACK, C_ISN + 1, S_ISN + 1, 0, 10);
    client_in(TC_TCP_ACK, C_ISN + 11, S_ISN + 21, 10, 10);
    reply_in(TC_TCP_ACK, T_ISN + 1, C_ISN + 11, 512, 0);
    T_CHECK_EQ(out.n, 0);
    now += conf.reply_timeout;
    tc_sess_timer(&sess, &conf, now, &out);
    T_CHECK_EQ(sent_bytes(), 10);
    T_CHECK_EQ(ledger.reply_timeouts, 1);
}


/* Large requests are cut at the MSS and never duplicated. */
static void
test_large_request(void)
{
    uint32_t total = 0, hi = C_ISN + 1;
    unsigned i, rounds;

    setup();
    handshake();
    for (i = 0; i < 700; i++) { /* 700 x 1448 ~ 1 MB from the client */
        client_in(TC_TCP_ACK, C_ISN + 1 + i * 1448, S_ISN + 1, i * 1448, 1448);
        total += sent_bytes();
        hi = sess.snd_max;
    }
    for (rounds = 0; rounds < 10000 && tc_buf_len(&sess.buf) > 0; rounds++) {
        /* the target acks everything sent so far, one ack per round */
        reply_in(TC_TCP_ACK, T_ISN + 1, hi, 65535, 0);
        total += sent_bytes();
        while (out.more) {
            tc_sess_flush(&sess, &conf, now, &out);
            total += sent_bytes();
        }
        hi = sess.snd_max;
    }
    T_CHECK_EQ(total, 700 * 1448);
    T_CHECK_EQ(ledger.bytes_sent, 700 * 1448);
    T_CHECK_EQ(ledger.bytes_acked, 700 * 1448);
}


static void
test_port_reuse(void)
{
    tc_pkt_view_t v;

    setup();
    handshake();
    v = cpkt(TC_TCP_SYN, C_ISN, 0, 0, 0);
    T_CHECK(!tc_sess_is_new_syn(&sess, &v));
    v = cpkt(TC_TCP_SYN, C_ISN + 100000, 0, 0, 0);
    T_CHECK(tc_sess_is_new_syn(&sess, &v));
    tc_sess_abort(&sess, &conf, TC_END_PORT_REUSE, now, &out);
    T_CHECK(out.n == 1 && (out.segs[0].flags & TC_TCP_RST));
    T_CHECK(out.done);
    T_CHECK_EQ(ledger.sess_ended[TC_END_PORT_REUSE], 1);
    T_CHECK_EQ(ledger.sess_active, 0);

    /* aborting it again, with a reused output still full of another
     * session's segments: nothing stale may be sent */
    out.n = 5;
    tc_sess_abort(&sess, &conf, TC_END_SHUTDOWN, now, &out);
    T_CHECK_EQ(out.n, 0);
    T_CHECK(out.done);
    T_CHECK_EQ(ledger.sess_ended[TC_END_SHUTDOWN], 0);
}


/* A SYN answered by an old connection's ACK: RST it and retry. */
static void
test_syn_hits_old_connection(void)
{
    setup();
    start_syn();
    reply_in(TC_TCP_ACK, 4242, 777, 512, 0);
    T_CHECK_EQ(out.n, 2);
    T_CHECK_EQ(out.segs[0].flags, TC_TCP_RST);
    T_CHECK_EQ(out.segs[0].seq, 777);
    T_CHECK_EQ(out.segs[1].flags, TC_TCP_SYN);
}


int
main(void)
{
    T_RUN(test_handshake_and_request);
    T_RUN(test_reply_source);
    T_RUN(test_pacing_waits_for_reply);
    T_RUN(test_pipelined);
    T_RUN(test_no_wait);
    T_RUN(test_data_before_synack);
    T_RUN(test_midstream);
    T_RUN(test_retransmission);
    T_RUN(test_syn_timeout);
    T_RUN(test_zero_window);
    T_RUN(test_fin_from_client);
    T_RUN(test_fin_from_target);
    T_RUN(test_rst_from_target);
    T_RUN(test_rst_from_client);
    T_RUN(test_catchup_when_lagging);
    T_RUN(test_close_waits_for_all_answers);
    T_RUN(test_close_before_answer);
    T_RUN(test_close_after_short_answer);
    T_RUN(test_close_waits_without_answer);
    T_RUN(test_foreign_segment);
    T_RUN(test_reorder_and_gap);
    T_RUN(test_idle_timeout);
    T_RUN(test_reply_timeout);
    T_RUN(test_large_request);
    T_RUN(test_port_reuse);
    T_RUN(test_syn_hits_old_connection);
    tc_sess_free(&sess);
    return T_REPORT();
}
