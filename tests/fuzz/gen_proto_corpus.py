#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_proto into tests/fuzz/corpus/proto/.

Frames are built here independently of the C codec, from the wire format
in src/core/tc_proto.h.  Run from the repository root:
    python3 tests/fuzz/gen_proto_corpus.py
"""
import os
import struct

MAGIC = 0x54435059
VERSION = 1
HELLO, ROUTE, REPLY, PING, PONG = 1, 2, 3, 4, 5
AF_INET, AF_INET6 = 4, 6
OUT = os.path.join("tests", "fuzz", "corpus", "proto")


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
    return s


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, data in sorted(seeds().items()):
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    print("wrote %d files to %s" % (len(seeds()), OUT))


if __name__ == "__main__":
    main()
