#!/usr/bin/env python3
"""An HTTP/1.1 sink for the end-to-end tests that must prove a request
body arrived intact, byte for byte (nginx's $request_length proves only
its size):

  sink.py ADDR PORT LOG

Every request is answered 200 "ok" (keep-alive); for each one a line
"METHOD PATH LENGTH SHA256-OF-BODY" is appended to LOG (flushed at once),
so the online host's and the target's logs can be compared.  Bodies are
read by Content-Length (at most 64 MB).  Runs until killed.
"""

import hashlib
import http.server
import sys

BODY_MAX = 64 << 20


class Sink(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    log_file = None

    def _answer(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n < 0 or n > BODY_MAX:
            self.send_error(413)
            return
        h = hashlib.sha256()
        left = n
        while left > 0:
            chunk = self.rfile.read(min(left, 65536))
            if not chunk:
                break
            h.update(chunk)
            left -= len(chunk)
        self.log_file.write("%s %s %d %s\n" % (self.command, self.path,
                                               n - left, h.hexdigest()))
        self.log_file.flush()
        self.send_response(200)
        self.send_header("Content-Length", "3")
        self.end_headers()
        self.wfile.write(b"ok\n")

    do_GET = _answer
    do_POST = _answer
    do_PUT = _answer

    def log_message(self, fmt, *args):
        pass


def main():
    if len(sys.argv) != 4:
        sys.stderr.write("usage: sink.py ADDR PORT LOG\n")
        return 2
    Sink.log_file = open(sys.argv[3], "a")
    srv = http.server.ThreadingHTTPServer((sys.argv[1], int(sys.argv[2])),
                                          Sink)
    srv.daemon_threads = True
    srv.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
