"""A shop page served by Python's http.server, an upstream of the Caddy
module's tests: HTTP/1.0, the body delimited by the end of the connection
unless framing=length.

    python3 stdlib_server.py   # prints "listening on http://127.0.0.1:PORT"

GET /page takes:
  own=1            render the app's own sentry-trace and baggage tags, for a
                   span continuing the request's sentry-trace and baggage
  framing=length   the page in one write with a Content-Length
  framing=close    the page in one write, no Content-Length
  framing=flushed  the head in two writes, flushed, 50 ms apart
  banner=1         a client-side template holding a <header> in the head
The page is gzip-compressed when the request accepts gzip. Every response says
what the app got and rendered, for the tests: X-Test-Received-Trace (the
request's sentry-trace), X-Test-Own-Trace (the sentry-trace of its tags).
"""

import html
import http.server
import re
import secrets
import sys
import time
import urllib.parse
import zlib

SENTRY_TRACE = re.compile(r"^([0-9a-f]{32})-([0-9a-f]{16})(?:-([01]))?$")


def continue_trace(sentry_trace, baggage):
    """The sentry-trace and baggage of a server span continuing the request's
    trace, or starting one, as a Sentry SDK does."""
    span = secrets.token_hex(8)
    m = SENTRY_TRACE.match(sentry_trace.strip())
    if m:
        sampled = "-" + m.group(3) if m.group(3) else ""
        dsc = [p.strip() for p in baggage.split(",") if p.strip().startswith("sentry-")]
        return m.group(1) + "-" + span + sampled, ",".join(dsc)
    trace = secrets.token_hex(16)
    return trace + "-" + span + "-1", (
        "sentry-trace_id=" + trace
        + ",sentry-public_key=49d0f7386ad645858ae85020e393bef3,sentry-sample_rate=1,sentry-sampled=true"
    )


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path != "/page":
            self.send_error(404)
            return
        q = dict(urllib.parse.parse_qsl(url.query))
        received = self.headers.get("Sentry-Trace", "")
        own = ""
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("X-Test-Received-Trace", received)
        self.send_header("X-Test-Accept-Encoding", self.headers.get("Accept-Encoding", ""))
        if q.get("own") == "1":
            trace, bag = continue_trace(received, self.headers.get("Baggage", ""))
            self.send_header("X-Test-Own-Trace", trace)
            own = '<meta name="sentry-trace" content="%s">\n<meta name="baggage" content="%s">\n' % (
                html.escape(trace), html.escape(bag))
        banner = ""
        if q.get("banner") == "1":
            banner = '<script type="text/template" id="banner"><header class="banner">Sale today</header></script>\n'
        first = ('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Shop</title>\n'
                 + banner).encode()
        rest = (own + '<link rel="stylesheet" href="/shop.css">\n</head>\n<body>\n<header><h1>Shop</h1></header>\n'
                + "<p>Lorem ipsum dolor sit amet, rendered by Python.</p>\n" * 40
                + "</body>\n</html>\n").encode()
        gz = None
        if "gzip" in self.headers.get("Accept-Encoding", ""):
            self.send_header("Content-Encoding", "gzip")
            gz = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        framing = q.get("framing", "close")
        if framing == "length":
            body = first + rest
            if gz:
                body = gz.compress(body) + gz.flush()
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.end_headers()
        if framing == "flushed":
            self.wfile.write(gz.compress(first) + gz.flush(zlib.Z_SYNC_FLUSH) if gz else first)
            self.wfile.flush()
            time.sleep(0.05)
            self.wfile.write(gz.compress(rest) + gz.flush() if gz else rest)
            return
        body = first + rest
        self.wfile.write(gz.compress(body) + gz.flush() if gz else body)

    def log_message(self, format, *args):
        sys.stderr.write("%s\n" % (format % args))


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print("listening on http://127.0.0.1:%d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
