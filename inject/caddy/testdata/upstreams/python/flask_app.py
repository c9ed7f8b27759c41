"""A shop page served by Flask, traced by the Sentry SDK, an upstream of the
Caddy module's tests. The SDK continues the request's sentry-trace and
baggage; its Flask integration gives templates {{ sentry_trace }}, the
<meta name="sentry-trace"> tag of the request's transaction.

    SENTRY_DSN=http://<key>@127.0.0.1:<port>/1 python3 flask_app.py
    # prints "listening on http://127.0.0.1:PORT"

GET /page takes:
  own=1            render the app's own sentry-trace and baggage tags
  framing=length   render_template: the page with a Content-Length
  framing=stream   stream_template: chunked, written as Jinja renders it
  framing=flushed  stream_with_context: the head in two chunks, 50 ms apart
  banner=1         a client-side template holding a <header> in the head
The page is gzip-compressed when the request accepts gzip. GET /api/items
answers JSON with the sentry-trace the request carried. Every response says
what the app got and rendered, for the tests: X-Test-Received-Trace (the
request's sentry-trace), X-Test-Own-Trace (the sentry-trace of its tags).
"""

import os
import sys
import time
import zlib

import sentry_sdk
from sentry_sdk.integrations.flask import FlaskIntegration

# The DSN names a collector on loopback: nothing leaves the machine.
sentry_sdk.init(
    dsn=os.environ.get("SENTRY_DSN", ""),
    integrations=[FlaskIntegration()],
    traces_sample_rate=1.0,
    release="shop@1.4.0",
)

from flask import Flask, Response, jsonify, request, stream_template, stream_with_context  # noqa: E402
from flask import render_template  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

app = Flask(__name__)


def gzipped(chunks):
    """The gzip stream of chunks, flushed after each so it streams as they do."""
    z = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    for c in chunks:
        out = z.compress(c.encode() if isinstance(c, str) else c) + z.flush(zlib.Z_SYNC_FLUSH)
        if out:
            yield out
    yield z.flush()


@app.get("/page")
def page():
    span = sentry_sdk.Hub.current.scope.span
    own = request.args.get("own") == "1"
    ctx = dict(
        own=own,
        banner=request.args.get("banner") == "1",
        baggage=span.containing_transaction.get_baggage().serialize() if span else "",
    )
    headers = {
        "Content-Type": "text/html; charset=utf-8",
        "Vary": "Accept-Encoding",
        "X-Test-Received-Trace": request.headers.get("Sentry-Trace", ""),
        "X-Test-Accept-Encoding": request.headers.get("Accept-Encoding", ""),
    }
    if own and span:
        headers["X-Test-Own-Trace"] = span.to_traceparent()
    framing = request.args.get("framing", "stream")
    if framing == "length":
        body = render_template("page.html", **ctx)
    elif framing == "flushed":
        # The head's first part, then, 50 ms later, the rest from the page's
        # own tags (or the stylesheet) on.
        whole = render_template("page.html", **ctx)
        cut = whole.index('<meta name="sentry-trace"' if own else "<link rel=")

        @stream_with_context
        def two_chunks():
            yield whole[:cut]
            time.sleep(0.05)
            yield whole[cut:]

        body = two_chunks()
    else:
        body = stream_template("page.html", **ctx)
    gzip = "gzip" in request.headers.get("Accept-Encoding", "")
    if gzip:
        headers["Content-Encoding"] = "gzip"
        body = b"".join(gzipped([body])) if isinstance(body, str) else gzipped(body)
    return Response(body, headers=headers)


@app.get("/api/items")
def items():
    return jsonify(sentry_trace=request.headers.get("Sentry-Trace", ""), items=["tea", "cups"])


def main():
    server = make_server("127.0.0.1", 0, app, threaded=True)
    print("listening on http://127.0.0.1:%d" % server.server_port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
