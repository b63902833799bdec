#!/usr/bin/env python3
"""gen_pkt_corpus.py: writes the seed corpus for fuzz_pkt into
tests/fuzz/corpus/pkt/ (or the directory given as the first argument).

Each file is one raw IP packet (no link-layer header).  The set covers the
paths of tc_pkt_parse(): valid IPv4/IPv6 segments with and without options
and payload (with correct checksums, so the fuzz target's rewrite check
applies), and one or two inputs for every error and length corner case.
Run it again after changing it; the output is deterministic.
"""

import struct

from seedlib import write_corpus


def csum(data):
    """RFC 1071 Internet checksum as a big-endian integer."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def tcp_hdr(sport=40000, dport=80, seq=1, ack=0, flags=0x02, win=65535,
            opts=b"", doff=None):
    if len(opts) % 4:
        opts += b"\0" * (4 - len(opts) % 4)
    if doff is None:
        doff = (20 + len(opts)) // 4
    return struct.pack("!HHIIBBHHH", sport, dport, seq, ack, doff << 4,
                       flags, win, 0, 0) + opts


def with_tcp_csum(seg, pseudo):
    """seg (TCP header + payload) with its checksum field filled in."""
    c = csum(pseudo + seg)
    return seg[:16] + struct.pack("!H", c) + seg[18:]


SRC4 = bytes([10, 0, 0, 1])
DST4 = bytes([10, 0, 0, 2])
SRC6 = bytes.fromhex("20010db8000000000000000000000001")
DST6 = bytes.fromhex("20010db8000000000000000000000002")


def ipv4(tcp, payload=b"", tot_len=None, ihl=5, frag=0x4000, proto=6,
         ip_opts=b"", ttl=64):
    seg = tcp + payload
    hlen = 20 + len(ip_opts)
    pseudo = SRC4 + DST4 + struct.pack("!BBH", 0, 6, len(seg))
    seg = with_tcp_csum(seg, pseudo)
    if tot_len is None:
        tot_len = hlen + len(seg)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, tot_len, 0x1234, frag,
                      ttl, proto, 0, SRC4, DST4) + ip_opts
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + seg


def ipv6(tcp, payload=b"", plen=None, nh=6):
    seg = tcp + payload
    pseudo = SRC6 + DST6 + struct.pack("!IxxxB", len(seg), 6)
    seg = with_tcp_csum(seg, pseudo)
    if plen is None:
        plen = len(seg)
    return struct.pack("!IHBB16s16s", 0x60000000, plen, nh, 64, SRC6,
                       DST6) + seg


MSS = bytes([2, 4, 5, 180])
SYN_OPTS = MSS + bytes([4, 2, 8, 10, 0, 0, 0, 9, 0, 0, 0, 0, 1, 3, 3, 7])
TS = bytes([1, 1, 8, 10, 0, 0, 1, 0, 0, 0, 2, 0])
GET = b"GET / HTTP/1.1\r\nHost: t\r\n\r\n"


def corpus():
    c = {}
    c["v4_syn_opts"] = ipv4(tcp_hdr(opts=SYN_OPTS))
    c["v4_synack"] = ipv4(tcp_hdr(flags=0x12, ack=2, opts=MSS + b"\1\3\3\x0f"))
    c["v4_data"] = ipv4(tcp_hdr(flags=0x18, seq=100, ack=200, opts=TS), GET)
    c["v4_data_odd"] = ipv4(tcp_hdr(flags=0x18), b"abcde")
    c["v4_fin"] = ipv4(tcp_hdr(flags=0x11, seq=0xFFFFFFFF, ack=7))
    c["v4_rst"] = ipv4(tcp_hdr(flags=0x04, win=0))
    c["v4_ipopts"] = ipv4(tcp_hdr(flags=0x10), b"xy", ihl=7,
                          ip_opts=bytes([1] * 7 + [0]))
    c["v4_padding"] = ipv4(tcp_hdr(flags=0x10), b"z") + b"\0" * 5
    c["v4_snaplen"] = ipv4(tcp_hdr(flags=0x18), GET)[:60]
    c["v4_bigtcp"] = ipv4(tcp_hdr(flags=0x10), GET * 4, tot_len=0)
    c["v4_trunc_tcp"] = ipv4(tcp_hdr(opts=SYN_OPTS))[:45]
    c["v4_bad_ihl"] = ipv4(tcp_hdr(), ihl=3)
    c["v4_totlen_short"] = ipv4(tcp_hdr(), tot_len=30)
    c["v4_doff_big"] = ipv4(tcp_hdr(doff=15), b"0123")
    c["v4_doff_small"] = ipv4(tcp_hdr(doff=2))
    c["v4_frag_mf"] = ipv4(tcp_hdr(), b"abcd", frag=0x2000)
    c["v4_frag_off"] = ipv4(tcp_hdr(), b"abcd", frag=0x0010)
    c["v4_udp"] = ipv4(tcp_hdr(), proto=17)
    c["v4_opt_badlen"] = ipv4(tcp_hdr(opts=bytes([1, 1, 2, 1, 2, 4, 5, 180])))
    c["v4_opt_past_end"] = ipv4(tcp_hdr(opts=bytes([1, 1, 1, 8, 10, 0, 0, 0])))
    c["v4_opt_wrong_len"] = ipv4(tcp_hdr(opts=bytes([2, 3, 5, 3, 4, 9, 4, 2])))
    c["v6_syn_opts"] = ipv6(tcp_hdr(opts=SYN_OPTS))
    c["v6_data"] = ipv6(tcp_hdr(flags=0x18, seq=5, ack=6), GET)
    c["v6_jumbo"] = ipv6(tcp_hdr(flags=0x10), GET, plen=0)
    c["v6_snaplen"] = ipv6(tcp_hdr(flags=0x18), GET)[:70]
    c["v6_hopbyhop"] = ipv6(tcp_hdr(), nh=0)
    c["v6_plen_short"] = ipv6(tcp_hdr(opts=MSS), plen=20)
    c["bad_version"] = bytes([0x55]) + ipv4(tcp_hdr())[1:]
    c["tiny"] = bytes([0x45])
    return c


def main():
    write_corpus("pkt", corpus())


if __name__ == "__main__":
    main()
