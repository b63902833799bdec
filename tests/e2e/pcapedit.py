#!/usr/bin/env python3
"""pcapedit.py: reads and damages classic pcap files for t_offline_assist.

    pcapedit.py count FILE               records in FILE
    pcapedit.py find FILE TEXT           numbers (1-based, one a line) of the
                                         records that hold TEXT (Python
                                         escapes such as \\r\\n allowed)
    pcapedit.py caplen FILE OUT N        copy with record N's captured
                                         length set to 0x7fffffff (garbled)
    pcapedit.py linktype FILE OUT DLT    copy with the header's link type DLT
    pcapedit.py cut FILE OUT N           copy without records 1..N (the
                                         capture starts mid-connection)
    pcapedit.py slice FILE OUT N         copy with every record cut to N bytes
                                         (a small snapshot length)
    pcapedit.py firstcut FILE PORTS      the first record to a port in PORTS
                                         whose packet was cut short
    pcapedit.py content FILE PORTS [FROM [TO]]
        what the clients asked in records FROM..TO-1 (1-based; default all):
        one "http REQUEST-LINE" line per HTTP request (sorted) and one
        "redis CMD N" line per redis command name (sorted), from each
        client-to-server stream (destination port in PORTS, e.g. 80,6379)
        put together in sequence order (retransmitted bytes once).
    pcapedit.py midflows FILE PORTS
        client connections that start in the middle: the first packet of
        theirs that could open a session (a SYN, or data without RST) is
        data, not a SYN.

Ethernet, Linux cooked (v1, v2) and raw IP records; IPv4 only (the test
bed's addresses).  Only for test files: no bounds beyond what they need.
"""
import re
import struct
import sys

HDR = 24
REC = 16
HTTP_RE = re.compile(rb"(GET|POST|HEAD|PUT|DELETE) (\S+) (HTTP/1\.[01])\r\n")
RESP_RE = re.compile(rb"\*(\d+)\r\n\$(\d+)\r\n([A-Za-z]+)\r\n")


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        sys.exit("%s: not a classic pcap file" % path)
    return data, end


def records(data, end):
    """(number, offset, caplen) of every whole record."""
    pos, n = HDR, 0
    while pos + REC <= len(data):
        caplen = struct.unpack(end + "I", data[pos + 8:pos + 12])[0]
        if pos + REC + caplen > len(data):
            break
        n += 1
        yield n, pos, caplen
        pos += REC + caplen


def ip_offset(dlt, frame):
    if dlt == 1:  # Ethernet, VLAN tags skipped
        off = 12
        while frame[off:off + 2] in (b"\x81\x00", b"\x88\xa8"):
            off += 4
        return off + 2 if frame[off:off + 2] == b"\x08\x00" else None
    if dlt == 113:  # Linux cooked v1
        return 16 if frame[14:16] == b"\x08\x00" else None
    if dlt == 276:  # Linux cooked v2
        return 20 if frame[0:2] == b"\x08\x00" else None
    if dlt in (12, 101):
        return 0
    return None


def tcp_of(dlt, frame):
    """(src, sport, dst, dport, seq, payload) of an IPv4 TCP frame."""
    off = ip_offset(dlt, frame)
    if off is None or len(frame) < off + 20 or frame[off] >> 4 != 4:
        return None
    ihl = (frame[off] & 15) * 4
    tot = struct.unpack(">H", frame[off + 2:off + 4])[0]
    if frame[off + 9] != 6:
        return None
    t = off + ihl
    sport, dport, seq = struct.unpack(">HHI", frame[t:t + 8])
    doff = (frame[t + 12] >> 4) * 4
    payload = frame[t + doff:off + tot]
    return frame[off + 12:off + 16], sport, frame[off + 16:off + 20], dport, \
        seq, payload


def content(path, ports, first, last):
    data, end = read(path)
    dlt = struct.unpack(end + "I", data[20:24])[0] & 0xFFFF
    streams = {}
    for n, pos, caplen in records(data, end):
        if n < first or (last and n >= last):
            continue
        seg = tcp_of(dlt, data[pos + REC:pos + REC + caplen])
        if seg is None or seg[3] not in ports or not seg[5]:
            continue
        key = seg[:4]
        seq, payload = seg[4], seg[5]
        st = streams.setdefault(key, [seq, bytearray()])
        back = (st[0] - seq) & 0xFFFFFFFF
        if back >= 1 << 31:  # at or after the next byte expected
            back = 0
        if back < len(payload):  # (a retransmission adds only what is new)
            st[1] += payload[back:]
            st[0] = (seq + len(payload)) & 0xFFFFFFFF
    http, redis = [], {}
    for (_, _, _, dport), (_, stream) in streams.items():
        for m in HTTP_RE.finditer(stream):
            http.append(b" ".join(m.groups()).decode())
        for m in RESP_RE.finditer(bytes(stream)):
            if int(m.group(2)) == len(m.group(3)):
                cmd = m.group(3).decode().lower()
                redis[cmd] = redis.get(cmd, 0) + 1
    for line in sorted(http):
        print("http " + line)
    for cmd in sorted(redis):
        print("redis %s %d" % (cmd, redis[cmd]))


def midflows(path, ports):
    data, end = read(path)
    dlt = struct.unpack(end + "I", data[20:24])[0] & 0xFFFF
    first = {}
    for _, pos, caplen in records(data, end):
        frame = data[pos + REC:pos + REC + caplen]
        seg = tcp_of(dlt, frame)
        if seg is None or seg[3] not in ports or seg[:4] in first:
            continue
        off = ip_offset(dlt, frame) + (frame[ip_offset(dlt, frame)] & 15) * 4
        flags = frame[off + 13]
        syn, ack, rst = flags & 2, flags & 16, flags & 4
        if not rst and ((syn and not ack) or seg[5]):
            first[seg[:4]] = not syn
    print(sum(1 for mid in first.values() if mid))


def write_edit(path, out, edit):
    data, end = read(path)
    buf = bytearray(data)
    edit(buf, end, data)
    with open(out, "wb") as f:
        f.write(buf)


def main(argv):
    cmd = argv[1]
    if cmd == "count":
        data, end = read(argv[2])
        print(sum(1 for _ in records(data, end)))
    elif cmd == "find":
        data, end = read(argv[2])
        text = argv[3].encode().decode("unicode_escape").encode("latin-1")
        for n, pos, caplen in records(data, end):
            if text in data[pos + REC:pos + REC + caplen]:
                print(n)
    elif cmd == "caplen":
        want = int(argv[4])

        def edit(buf, end, data):
            for n, pos, _ in records(data, end):
                if n == want:
                    struct.pack_into(end + "I", buf, pos + 8, 0x7FFFFFFF)
                    return
            sys.exit("no record %d" % want)
        write_edit(argv[2], argv[3], edit)
    elif cmd == "linktype":
        def edit(buf, end, data):
            struct.pack_into(end + "I", buf, 20, int(argv[4]))
        write_edit(argv[2], argv[3], edit)
    elif cmd == "cut":
        data, end = read(argv[2])
        upto = int(argv[4])
        keep = [data[:HDR]]
        for n, pos, caplen in records(data, end):
            if n > upto:
                keep.append(data[pos:pos + REC + caplen])
        with open(argv[3], "wb") as f:
            f.write(b"".join(keep))
    elif cmd == "content":
        ports = set(int(p) for p in argv[3].split(","))
        first = int(argv[4]) if len(argv) > 4 else 1
        last = int(argv[5]) if len(argv) > 5 else 0
        content(argv[2], ports, first, last)
    elif cmd == "slice":
        data, end = read(argv[2])
        snap = int(argv[4])
        out = [data[:HDR]]
        for _, pos, caplen in records(data, end):
            keep = min(caplen, snap)
            out.append(data[pos:pos + 8] +
                       struct.pack(end + "I", keep) + data[pos + 12:pos + 16] +
                       data[pos + REC:pos + REC + keep])
        with open(argv[3], "wb") as f:
            f.write(b"".join(out))
    elif cmd == "firstcut":
        data, end = read(argv[2])
        dlt = struct.unpack(end + "I", data[20:24])[0] & 0xFFFF
        ports = set(int(p) for p in argv[3].split(","))
        for n, pos, caplen in records(data, end):
            wire = struct.unpack(end + "I", data[pos + 12:pos + 16])[0]
            seg = tcp_of(dlt, data[pos + REC:pos + REC + caplen])
            if seg is not None and seg[3] in ports and caplen < wire:
                print(n)
                return 0
        return 1
    elif cmd == "midflows":
        midflows(argv[2], set(int(p) for p in argv[3].split(",")))
    else:
        sys.exit(__doc__)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
