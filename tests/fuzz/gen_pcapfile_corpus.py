#!/usr/bin/env python3
"""gen_pcapfile_corpus.py: writes the seed corpus for fuzz_pcapfile into
tests/fuzz/corpus/pcapfile/ (or the directory given as the first argument).

Each file is a whole capture file.  The set covers classic pcap in both
timestamp units and byte orders, every link type tc_link strips, pcapng
with several sections, interfaces, clocks and block types, and the damage
the reader must grade: truncated headers and records, garbled lengths,
packets over the snapshot length or for undeclared interfaces.  Files stay
small (under 1 KB) so the fuzzer mutates them quickly.  Run it again after
changing it; the output is deterministic.
"""

import struct

from seedlib import write_corpus

# A TCP SYN from 10.0.0.1:40000 to 10.0.0.2:80 (checksums left zero: the
# reader does not look at them).
IP4 = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, 1, 0, 64, 6, 0,
                  bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
TCP = struct.pack("!HHIIBBHHH", 40000, 80, 1, 0, 0x50, 0x02, 65535, 0, 0)
PKT4 = IP4 + TCP
PKT6 = struct.pack("!IHBB16s16s", 0x60000000, 20, 6, 64, b"\x20" * 16,
                   b"\x21" * 16) + TCP

ETH4 = b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" + PKT4
ETH6 = b"\x02" * 6 + b"\x04" * 6 + b"\x86\xdd" + PKT6
VLAN4 = b"\x02" * 6 + b"\x04" * 6 + b"\x81\x00\x00\x07\x08\x00" + PKT4
SLL4 = struct.pack("!HHH8sH", 0, 1, 6, b"\x04" * 8, 0x0800) + PKT4
SLL2_6 = struct.pack("!HHIHBB8s", 0x86dd, 0, 1, 1, 0, 6, b"\x04" * 8) + PKT6
NULL_LE4 = struct.pack("<I", 2) + PKT4
NULL_BE6 = struct.pack(">I", 30) + PKT6
LOOP4 = struct.pack(">I", 2) + PKT4


def pcap(records, dlt=1, snaplen=65535, bo="<", magic=0xA1B2C3D4,
         major=2):
    """records: (sec, frac, data[, caplen field, wirelen])"""
    out = struct.pack(bo + "IHHiIII", magic, major, 4, 0, 0, snaplen, dlt)
    for r in records:
        sec, frac, data = r[0], r[1], r[2]
        caplen = r[3] if len(r) > 3 else len(data)
        wirelen = r[4] if len(r) > 4 else len(data)
        out += struct.pack(bo + "IIII", sec, frac, caplen, wirelen) + data
    return out


def block(btype, body, bo="<", length=None, trailer=None):
    body += b"\0" * (-len(body) % 4)
    n = 12 + len(body)
    return (struct.pack(bo + "II", btype, n if length is None else length) +
            body + struct.pack(bo + "I", n if trailer is None else trailer))


def shb(bo="<", major=1):
    return block(0x0A0D0D0A,
                 struct.pack(bo + "IHHq", 0x1A2B3C4D, major, 0, -1), bo)


def opt(code, value, bo="<"):
    return struct.pack(bo + "HH", code, len(value)) + value + \
        b"\0" * (-len(value) % 4)


def idb(dlt=1, snaplen=65535, tsresol=None, tsoffset=None, bo="<"):
    body = struct.pack(bo + "HHI", dlt, 0, snaplen)
    if tsresol is not None:
        body += opt(9, bytes([tsresol]), bo)
    if tsoffset is not None:
        body += opt(14, struct.pack(bo + "q", tsoffset), bo)
    if tsresol is not None or tsoffset is not None:
        body += struct.pack(bo + "I", 0)
    return block(1, body, bo)


def epb(ifid, ts, data, bo="<", caplen=None):
    c = len(data) if caplen is None else caplen
    return block(6, struct.pack(bo + "IIIII", ifid, ts >> 32,
                                ts & 0xFFFFFFFF, c, len(data)) + data, bo)


def spb(data, bo="<"):
    return block(3, struct.pack(bo + "I", len(data)) + data, bo)


def pb(ifid, ts, data, bo="<"):
    return block(2, struct.pack(bo + "HHIIII", ifid, 0, ts >> 32,
                                ts & 0xFFFFFFFF, len(data), len(data)) + data,
                 bo)


def corpus():
    c = {}
    t = 1700000000
    # classic: units, byte orders, link types
    c["pcap_us_le"] = pcap([(t, 1, ETH4), (t, 2, ETH6)])
    c["pcap_us_be"] = pcap([(t, 1, ETH4), (t, 2, VLAN4)], bo=">")
    c["pcap_ns_le"] = pcap([(t, 999999999, ETH4)], magic=0xA1B23C4D)
    c["pcap_ns_be"] = pcap([(t, 5, ETH6)], magic=0xA1B23C4D, bo=">")
    c["pcap_sll"] = pcap([(t, 0, SLL4)], dlt=113)
    c["pcap_sll2"] = pcap([(t, 0, SLL2_6)], dlt=276)
    c["pcap_raw101"] = pcap([(t, 0, PKT4), (t, 0, PKT6)], dlt=101)
    c["pcap_raw12"] = pcap([(t, 0, PKT6)], dlt=12, bo=">")
    c["pcap_raw14"] = pcap([(t, 0, PKT4)], dlt=14)
    c["pcap_ipv4"] = pcap([(t, 0, PKT4)], dlt=228)
    c["pcap_ipv6"] = pcap([(t, 0, PKT6)], dlt=229)
    c["pcap_null"] = pcap([(t, 0, NULL_LE4), (t, 1, NULL_BE6)], dlt=0)
    c["pcap_loop"] = pcap([(t, 0, LOOP4)], dlt=108, bo=">")
    c["pcap_unsupported_dlt"] = pcap([(t, 0, ETH4)], dlt=105)
    # classic damage
    good = pcap([(t, 0, ETH4), (t, 1, ETH4)])
    c["pcap_trunc_global"] = good[:20]
    c["pcap_trunc_rechdr"] = good[:24 + 16 + len(ETH4) + 7]
    c["pcap_trunc_data"] = good[:-5]
    c["pcap_huge_caplen"] = pcap([(t, 0, ETH4), (t, 0, ETH4, 0x7FFFFFFF, 54)])
    c["pcap_over_snaplen"] = pcap([(t, 0, ETH4), (t, 0, ETH4)], snaplen=40)
    c["pcap_snaplen0"] = pcap([(t, 0, ETH4)], snaplen=0)
    c["pcap_bad_version"] = pcap([(t, 0, ETH4)], major=3)
    c["not_pcap"] = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
    # pcapng
    c["ng_le"] = shb() + idb() + epb(0, 1, ETH4) + epb(0, 2, ETH6)
    c["ng_be"] = (shb(">") + idb(bo=">") + epb(0, 1, ETH4, ">") +
                  spb(ETH4, ">") + pb(0, 3, ETH6, ">"))
    c["ng_ifaces"] = (shb() + block(4, b"\0" * 8) + idb(1) +
                      idb(101, 0, 9, 100) + idb(276, 96, 0x80 | 20) +
                      epb(1, 5, PKT4) + block(0xBAD, b"") + epb(0, 7, ETH4) +
                      spb(ETH4) + epb(2, 3 << 20, SLL2_6) + pb(1, 42, PKT6) +
                      block(5, b"\0" * 8))
    c["ng_sections"] = (shb() + idb() + idb() + epb(1, 1, ETH4) + shb(">") +
                        epb(0, 2, PKT6, ">") + idb(229, bo=">") +
                        epb(1, 3, PKT6, ">") + epb(0, 4, PKT6, ">") + shb() +
                        idb(0) + epb(0, 5, NULL_LE4))
    c["ng_tsresol"] = (shb() + idb(1, 0, 19) + idb(1, 0, 0x80 | 127) +
                       idb(1, 0, 39, -(1 << 62)) + epb(0, (1 << 64) - 1, ETH4) +
                       epb(1, 1 << 40, ETH4) + epb(2, 5, ETH4))
    # pcapng damage
    ok = shb() + idb() + epb(0, 1, ETH4)
    c["ng_trunc_shb"] = ok[:20]
    c["ng_trunc_block"] = ok[:-9]
    c["ng_bad_len13"] = ok + block(0xBAD, b"\0" * 4, length=13)
    c["ng_bad_len8"] = ok + block(0xBAD, b"\0" * 4, length=8)
    c["ng_len_mismatch"] = ok + block(0xBAD, b"\0" * 4, trailer=20)
    c["ng_len_huge"] = ok + block(0xBAD, b"\0" * 4, length=0x7FFFFFF0)
    c["ng_caplen_past_block"] = ok + epb(0, 2, ETH4, caplen=200)
    c["ng_undeclared_if"] = shb() + epb(0, 1, ETH4) + idb() + epb(3, 1, ETH4)
    c["ng_over_snaplen"] = shb() + idb(1, 30) + epb(0, 1, ETH4) + spb(ETH4)
    c["ng_bad_bom"] = ok + shb()[:8] + b"\x11\x22\x33\x44" + shb()[12:]
    c["ng_bad_version"] = shb(major=2) + idb()
    c["ng_short_idb"] = shb() + block(1, b"\0" * 4)
    return c


def main():
    write_corpus("pcapfile", corpus(), max_len=1024)


if __name__ == "__main__":
    main()
