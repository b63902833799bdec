#!/usr/bin/env python3
"""Opens one short HTTP connection from each given local port, in turn:

  ports.py SRC_IP DST_IP DST_PORT FIRST_PORT COUNT TAG

Each connection sends "GET /TAG/<port> HTTP/1.1" with Connection: close
and reads the answer, so the server closes first and the client port is
free again at once: a second run uses exactly the same client endpoints.
Prints how many requests were answered; exits 0 if all were.
"""

import socket
import sys


def main():
    src, dst, dport, first, count, tag = sys.argv[1:7]
    dport, first, count = int(dport), int(first), int(count)
    answered = 0
    for port in range(first, first + count):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.settimeout(5)
        try:
            s.bind((src, port))
            s.connect((dst, dport))
            s.sendall(("GET /%s/%d HTTP/1.1\r\nHost: e2e\r\n"
                       "Connection: close\r\n\r\n" % (tag, port)).encode())
            data = b""
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
            answered += data.startswith(b"HTTP/1.1 200")
        except OSError as e:
            print("port %d: %s" % (port, e), file=sys.stderr)
        finally:
            s.close()
    print("answered %d of %d" % (answered, count))
    return 0 if answered == count else 1


if __name__ == "__main__":
    sys.exit(main())
