#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_proto into tests/fuzz/corpus/proto/.

Frames are built here independently of the C codec, from the wire format
in src/core/tc_proto.h.  Run it again after changing it (the output is
deterministic):
    python3 tests/fuzz/gen_proto_corpus.py
"""
import struct

from seedlib import write_corpus

MAGIC = 0x54435059
VERSION = 1
HELLO, ROUTE, REPLY, PING, PONG, CHECK, CHECK_REPLY = 1, 2, 3, 4, 5, 6, 7
# CHECK_REPLY item tags: numbers 1..12 (u64), then texts and rp_filter.
N_INPUT, N_QUEUE_NUM, N_IP_FORWARD, N_PACKETS, N_QUEUE_SEQ = 1, 2, 3, 4, 5
T_VERSION, T_DEVICES, T_FILTER, T_RP_FILTER = 0x40, 0x41, 0x42, 0x43
CAP_CHECK = 2
AF_INET, AF_INET6 = 4, 6


def frame(ftype, body, version=VERSION, flags=0, length=None, magic=MAGIC):
    if length is None:
        length = len(body)
    return struct.pack(">IBBHI", magic, version, ftype, flags, length) + body


def hello(name, role=1, caps=0, version=VERSION):
    name = name.encode()
    return struct.pack(">BBHIH", version, role, 0, caps, len(name)) + name


def route_entry(op, family, port, addr):
    return struct.pack(">BBH", op, family, port) + addr.ljust(16, b"\0")


def route(entries):
    return struct.pack(">HH", len(entries), 0) + b"".join(entries)


def ipv4_tcp_header(payload_len):
    tot = 40 + payload_len
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, tot, 1, 0x4000, 64, 6, 0,
                     bytes([10, 0, 0, 2]), bytes([10, 0, 0, 1]))
    tcp = struct.pack(">HHIIBBHHH", 80, 40000, 1000, 2000, 0x50, 0x18,
                      65535, 0, 0)
    return ip + tcp


def reply(family, flags, hdr_len, orig_len, pkt):
    return struct.pack(">BBHI", family, flags, hdr_len, orig_len) + pkt


def ping(token):
    return struct.pack(">Q", token)


def check(token, flags=0):
    return struct.pack(">II", token, flags)


def item(tag, value):
    return struct.pack(">BB", tag, len(value)) + value


def num(tag, v):
    return item(tag, struct.pack(">Q", v))


def rpf(dev, value):
    return item(T_RP_FILTER, bytes([value]) + dev.encode())


def check_reply(token, items):
    return struct.pack(">I", token) + b"".join(items)


def check_seeds(s):
    nfq = check_reply(7, [num(N_INPUT, 1), num(N_QUEUE_NUM, 0),
                          num(N_IP_FORWARD, 0), num(N_PACKETS, 12),
                          num(N_QUEUE_SEQ, 12), item(T_VERSION, b"0.1.0"),
                          rpf("all", 0), rpf("default", 1), rpf("eth0", 2)])
    pcap = check_reply(8, [num(N_INPUT, 2), num(N_IP_FORWARD, 1),
                           item(T_DEVICES, b"eth0,eth1"),
                           item(T_FILTER, b"tcp and src port 80"),
                           item(T_VERSION, b"0.1.0")])
    s["hello_caps_check"] = frame(HELLO, hello("tcpcopy --check", 1,
                                               CAP_CHECK))
    s["check"] = frame(CHECK, check(0x01020304))
    s["check_flags"] = frame(CHECK, check(1, 0xffffffff))
    s["check_short"] = frame(CHECK, check(1)[:7])
    s["check_reply_nfqueue"] = frame(CHECK_REPLY, nfq)
    s["check_reply_pcap"] = frame(CHECK_REPLY, pcap)
    s["check_reply_empty"] = frame(CHECK_REPLY, check_reply(0, []))
    s["check_reply_unknown_tag"] = frame(CHECK_REPLY, check_reply(
        1, [item(0x7f, b"later"), num(N_PACKETS, 1), num(N_PACKETS, 2),
            item(T_VERSION, b"0.1.0-long"), item(T_VERSION, b"0.2")]))
    s["check_reply_num_len7"] = frame(CHECK_REPLY, check_reply(
        1, [item(N_PACKETS, bytes(7))]))
    s["check_reply_trunc_item"] = frame(CHECK_REPLY,
                                        check_reply(1, [num(N_PACKETS, 1)])[:9])
    s["check_reply_text_nul"] = frame(CHECK_REPLY, check_reply(
        1, [item(T_FILTER, b"tcp\0port")]))
    s["check_reply_rpf_noname"] = frame(CHECK_REPLY, check_reply(
        1, [item(T_RP_FILTER, b"\x01")]))
    s["check_reply_rpf_33"] = frame(CHECK_REPLY, check_reply(
        1, [rpf("e%d" % i, 1) for i in range(33)]))
    s["stream_check"] = (s["hello_caps_check"] + s["check"]
                         + s["check_reply_nfqueue"] + s["route_add_v4"]
                         + s["reply_v4_hdr"])


def seeds():
    v4 = bytes([192, 168, 1, 20])
    v6 = bytes(range(0x20, 0x30))
    hdr = ipv4_tcp_header(0)
    hdr_p = ipv4_tcp_header(11)
    s = {}
    s["hello_tcpcopy"] = frame(HELLO, hello("tcpcopy@online", 1, 1))
    s["hello_intercept_empty_name"] = frame(HELLO, hello("", 2, 0))
    s["hello_name63"] = frame(HELLO, hello("n" * 63, 1, 0xffffffff))
    s["route_add_v4"] = frame(ROUTE, route([route_entry(1, AF_INET, 80, v4)]))
    s["route_mixed"] = frame(ROUTE, route([
        route_entry(1, AF_INET, 40000, v4),
        route_entry(2, AF_INET6, 443, v6),
        route_entry(1, AF_INET6, 1, v6[::-1]),
    ]))
    s["reply_v4_hdr"] = frame(REPLY, reply(AF_INET, 0, 40, 40, hdr))
    s["reply_v4_payload"] = frame(
        REPLY, reply(AF_INET, 1, 40, 51, hdr_p + b"hello world"))
    s["reply_v6"] = frame(REPLY, reply(AF_INET6, 0, 60, 60, bytes(60)))
    s["ping"] = frame(PING, ping(0x0102030405060708))
    s["pong"] = frame(PONG, ping(0xffffffffffffffff))
    s["unknown_type"] = frame(77, b"future", flags=0x8001)
    s["empty_body_type0"] = frame(0, b"")

    # Back-to-back streams as a peer would send them.
    s["stream_session"] = (s["hello_tcpcopy"] + s["route_mixed"]
                           + s["reply_v4_payload"] + s["ping"] + s["pong"])
    s["stream_then_partial"] = (s["hello_intercept_empty_name"]
                                + s["reply_v4_hdr"] + s["ping"][:15])
    s["stream_unknown_middle"] = (s["ping"] + s["unknown_type"]
                                  + s["route_add_v4"])
    s["stream_then_bad_magic"] = s["pong"] + frame(PING, ping(1), magic=0)

    # Truncated and corrupted frames.
    s["trunc_header"] = s["hello_tcpcopy"][:7]
    s["trunc_body"] = s["route_mixed"][:40]
    s["bad_magic"] = frame(PING, ping(1), magic=0x47455420)  # "GET "
    s["bad_version"] = frame(HELLO, hello("x"), version=2)
    s["oversize_len"] = frame(REPLY, b"", length=0x00010001)
    s["hello_bad_role"] = frame(HELLO, hello("x", role=3))
    s["hello_name_nul"] = frame(HELLO, hello("ab\0cd"))
    s["hello_len_mismatch"] = frame(HELLO, hello("abc") + b"!")
    s["route_count0"] = frame(ROUTE, struct.pack(">HH", 0, 0))
    s["route_bad_family"] = frame(ROUTE, route([route_entry(1, 2, 80, v4)]))
    s["route_v4_padding"] = frame(ROUTE, route([
        route_entry(1, AF_INET, 80, v4 + b"\xff" * 12)]))
    s["reply_short_hdr"] = frame(REPLY, reply(AF_INET, 0, 19, 40, bytes(19)))
    s["reply_payload_no_flag"] = frame(
        REPLY, reply(AF_INET, 0, 40, 51, hdr_p + b"hello world"))
    s["ping_short"] = frame(PING, ping(5)[:7])
    check_seeds(s)
    return s


def main():
    write_corpus("proto", seeds())


if __name__ == "__main__":
    main()
