#!/usr/bin/env python3
"""Holds K client connections to an HTTP or redis server and uses them in
two phases, for the mid-stream test and the idle-session benchmark:

  conns.py http|redis HOST PORT K --pre N --post M --tag T
           [--ready FILE] [--go FILE] [--wait S]

Phase 1 ("pre") opens K connections and sends N requests on each.  Then it
creates --ready FILE and waits (at most --wait seconds) for --go FILE to
exist.  Phase 2 ("post") sends M more requests on every one of the same
connections.  Requests are unique: HTTP "GET /T/pre/<conn>/<i>", redis
"SET T:pre:<conn>:<i> 1" (and "post" for phase 2).  Every response is read
before the next request.  Prints one summary line and exits 0 if every
request got its answer.
"""

import argparse
import os
import resource
import socket
import sys
import time


def http_request(tag, phase, conn, i):
    return ("GET /%s/%s/%d/%d HTTP/1.1\r\nHost: e2e\r\n\r\n"
            % (tag, phase, conn, i)).encode()


def redis_request(tag, phase, conn, i):
    key = "%s:%s:%d:%d" % (tag, phase, conn, i)
    return ("*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$1\r\n1\r\n"
            % (len(key), key)).encode()


def read_http(sock, buf):
    """Reads one HTTP response (Content-Length bodies only); returns the
    leftover bytes.  Raises on a non-200 status or a closed connection."""
    while b"\r\n\r\n" not in buf:
        data = sock.recv(65536)
        if not data:
            raise ConnectionError("closed by server")
        buf += data
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    if b" 200 " not in lines[0] + b" ":
        raise ConnectionError("status line %r" % lines[0])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(rest) < length:
        data = sock.recv(65536)
        if not data:
            raise ConnectionError("closed by server")
        rest += data
    return rest[length:]


def read_redis(sock, buf):
    while b"\r\n" not in buf:
        data = sock.recv(65536)
        if not data:
            raise ConnectionError("closed by server")
        buf += data
    line, _, rest = buf.partition(b"\r\n")
    if line != b"+OK":
        raise ConnectionError("reply %r" % line)
    return rest


def phase(socks, bufs, args, name, count):
    make = http_request if args.proto == "http" else redis_request
    read = read_http if args.proto == "http" else read_redis
    done = 0
    for i in range(count):
        for c, sock in enumerate(socks):
            sock.sendall(make(args.tag, name, c, i))
            bufs[c] = read(sock, bufs[c])
            done += 1
    return done


def wait_file(path, limit):
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if os.path.exists(path):
            return True
        time.sleep(0.05)
    return False


def main():
    p = argparse.ArgumentParser()
    p.add_argument("proto", choices=["http", "redis"])
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("k", type=int)
    p.add_argument("--pre", type=int, default=1)
    p.add_argument("--post", type=int, default=1)
    p.add_argument("--tag", default="mid")
    p.add_argument("--ready")
    p.add_argument("--go")
    p.add_argument("--wait", type=float, default=60)
    args = p.parse_args()

    need = args.k + 100
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE,
                           (need, max(hard, need)))

    socks = []
    t0 = time.monotonic()
    for _ in range(args.k):
        s = socket.create_connection((args.host, args.port), timeout=10)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        socks.append(s)
    bufs = [b""] * len(socks)
    pre = phase(socks, bufs, args, "pre", args.pre)
    print("opened %d connections, %d pre requests in %.2f s"
          % (len(socks), pre, time.monotonic() - t0), flush=True)
    if args.ready:
        with open(args.ready, "w") as f:
            f.write("%d\n" % os.getpid())
    if args.go and not wait_file(args.go, args.wait):
        print("no go file after %.0f s" % args.wait, flush=True)
        return 1
    post = phase(socks, bufs, args, "post", args.post)
    print("post requests answered: %d" % post, flush=True)
    for s in socks:
        s.close()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (OSError, ConnectionError) as e:
        print("conns.py: %s" % e, flush=True)
        sys.exit(1)
