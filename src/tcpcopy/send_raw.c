/*
 * send_raw.c: the default sender, a raw IPv4 socket (IPPROTO_RAW implies
 * IP_HDRINCL): our packets go out with the client's source address, routed
 * by the online host's kernel toward the target.
 */
#include "tc_config.h"

#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tc_send.h"
#include "tc_sock.h"

#define RAW_SNDBUF (16 * 1024 * 1024)


static int
raw_send_open(tc_sender_t *snd, char *err, size_t errlen)
{
    int fd;

    fd = tc_sock_open(AF_INET, SOCK_RAW, IPPROTO_RAW, "raw send socket", err,
                      errlen);
    if (fd == -1) {
        return TC_ERROR;
    }
    tc_sock_buffer(fd, SO_SNDBUF, RAW_SNDBUF);

    snd->fd = fd;
    return TC_OK;
}


static int
raw_send(tc_sender_t *snd, const uint8_t *pkt, size_t len, const tc_addr_t *dst)
{
    struct sockaddr_in sin;

    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    memcpy(&sin.sin_addr, dst->addr, 4);

    if (sendto(snd->fd, pkt, len, 0, (struct sockaddr *) &sin, sizeof(sin)) ==
        -1) {
        return TC_ERROR;
    }
    return TC_OK;
}


static void
raw_send_close(tc_sender_t *snd)
{
    if (snd->fd != -1) {
        close(snd->fd);
        snd->fd = -1;
    }
}


const tc_send_ops_t tc_send_raw_ops = {
    .name = "raw",
    .open = raw_send_open,
    .send = raw_send,
    .close = raw_send_close,
};


int
tc_sender_open(tc_sender_t *snd, char *err, size_t errlen)
{
    snd->ops = (snd->device != NULL) ? &tc_send_pcap_ops : &tc_send_raw_ops;
    return snd->ops->open(snd, err, errlen);
}
