package injectcaddy

import (
	"bytes"
	"context"
	"net/http"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/tracemeta/tracemeta/render"
)

// maxHeadScan bounds how much of a page the responseWriter holds looking for
// trace meta tags the upstream rendered: a <head> ends far sooner.
const maxHeadScan = 32 << 10

// responseWriter is what the rest of Caddy's chain writes an eligible
// response to, inside inject.Middleware. At the status it reads the span the
// upstream names in its headers; then it holds the start of an HTML body
// until the end of its <head> (or maxHeadScan bytes, or a Flush), and claims
// the request's render.Once when the upstream rendered trace meta tags of
// its own, so that inject.Middleware inserts none.
type responseWriter struct {
	http.ResponseWriter // inject.Middleware's

	ctx     context.Context // the request's, with its render.Once
	x       *exchange
	status  bool   // a final status was written (or implied by a Write)
	holding bool   // the body is being held for the scan
	held    []byte // the start of the body, while holding
}

func newResponseWriter(w http.ResponseWriter, ctx context.Context, x *exchange) *responseWriter {
	return &responseWriter{ResponseWriter: w, ctx: ctx, x: x}
}

// WriteHeader reads the upstream's span from the headers of the final
// status, and decides whether to scan the body.
func (w *responseWriter) WriteHeader(code int) {
	if !w.status && code >= 200 {
		w.status = true
		h := w.Header()
		if sc, ok := upstreamSpan(h, w.x.sc); ok {
			w.x.upstream = sc
		}
		w.holding = mayBeHTML(h) && !render.OnceFromContext(w.ctx).Claimed()
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write holds p while scanning, else writes it through.
func (w *responseWriter) Write(p []byte) (int, error) {
	if !w.status {
		w.WriteHeader(http.StatusOK)
	}
	if !w.holding {
		return w.ResponseWriter.Write(p)
	}
	from := max(len(w.held)-len("</head"), 0)
	w.held = append(w.held, p...)
	if len(w.held) >= maxHeadScan || headEnds(w.held[from:]) {
		if err := w.release(); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// release ends the scan: it claims the tags for the upstream's own set if
// the held bytes have one, and writes them through.
func (w *responseWriter) release() error {
	if !w.holding {
		return nil
	}
	w.holding = false
	if hasTraceMeta(w.held) {
		render.Claim(w.ctx)
	}
	_, err := w.ResponseWriter.Write(w.held)
	w.held = nil
	return err
}

// FlushError ends the scan and flushes; http.ResponseController finds it.
func (w *responseWriter) FlushError() error {
	if err := w.release(); err != nil {
		return err
	}
	return http.NewResponseController(w.ResponseWriter).Flush()
}

// Flush is FlushError for the callers that want an http.Flusher.
func (w *responseWriter) Flush() { _ = w.FlushError() }

// Unwrap returns inject.Middleware's writer, for http.ResponseController.
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// finish writes what is still held, once the handler has returned.
func (w *responseWriter) finish() error { return w.release() }

// mayBeHTML reports whether a response with header h may be an HTML page that
// inject.Middleware rewrites: its Content-Type is HTML or unset (it sniffs
// then), and it is not encoded.
func mayBeHTML(h http.Header) bool {
	if ce := h["Content-Encoding"]; len(ce) > 0 && ce[0] != "" && ce[0] != "identity" {
		return false
	}
	ct, ok := h["Content-Type"]
	if !ok {
		return true
	}
	return len(ct) > 0 && containsFold(ct[0], "text/html")
}

// headEnds reports whether b holds the end of a <head>, or the start of the
// <body>: the upstream's own tags would stand before either.
func headEnds(b []byte) bool {
	for i := bytes.IndexByte(b, '<'); i >= 0; {
		rest := b[i+1:]
		if equalFoldAt(rest, 0, "/head") || equalFoldAt(rest, 0, "body") {
			return true
		}
		j := bytes.IndexByte(rest, '<')
		if j < 0 {
			return false
		}
		i += 1 + j
	}
	return false
}

// hasTraceMeta reports whether the head of the page in b holds a <meta
// name="sentry-trace"> or <meta name="traceparent"> element. Pages without
// either name anywhere are answered without tokenizing; the others are read
// with an HTML5 tokenizer, so that the names in a comment, a script or an
// attribute value do not count.
func hasTraceMeta(b []byte) bool {
	if !containsFold(b, "sentry-trace") && !containsFold(b, "traceparent") {
		return false
	}
	z := html.NewTokenizer(bytes.NewReader(b))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return false
		case html.EndTagToken:
			if name, _ := z.TagName(); atom.Lookup(name) == atom.Head {
				return false
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch atom.Lookup(name) {
			case atom.Body:
				return false
			case atom.Meta:
				for hasAttr {
					var key, val []byte
					key, val, hasAttr = z.TagAttr()
					if string(key) == "name" && (bytes.EqualFold(val, []byte("sentry-trace")) || bytes.EqualFold(val, []byte("traceparent"))) {
						return true
					}
				}
			}
		}
	}
}
