package injectcaddy

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"

	"go.uber.org/zap"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/tracemeta/tracemeta/render"
)

// maxHeadScan bounds how much of a page the responseWriter holds looking for
// trace meta tags the upstream rendered: a <head> ends far sooner.
const maxHeadScan = 32 << 10

// responseWriter is what the rest of Caddy's chain writes an eligible
// response to, inside inject.Middleware. At the status it reads the span the
// upstream names in its headers; then it reads the start of an HTML body up
// to the end of its <head> (holding it when the head spans several writes,
// up to maxHeadScan bytes or a Flush), and claims the request's render.Once
// when the upstream rendered trace meta tags of its own, so that
// inject.Middleware inserts none.
type responseWriter struct {
	http.ResponseWriter // inject.Middleware's

	ctx     context.Context // the request's, with its render.Once
	x       *exchange
	status  bool   // a final status was written (or implied by a Write)
	holding bool   // the head is being read: the body goes to held
	held    []byte // the start of the body, while holding

	dec *decoding // a compressed page held whole to decode it, or nil
}

func newResponseWriter(w http.ResponseWriter, ctx context.Context, x *exchange) *responseWriter {
	return &responseWriter{ResponseWriter: w, ctx: ctx, x: x}
}

// WriteHeader reads the upstream's span from the headers of the final
// status, and decides whether to read the head.
func (w *responseWriter) WriteHeader(code int) {
	if !w.status && code >= 200 {
		w.status = true
		h := w.Header()
		if sc, ok := upstreamSpan(h, w.x.sc); ok {
			w.x.upstream = sc
		}
		if coding := decodable(h); coding != "" && w.x.identity {
			// Held with the status: whether the page is decoded or
			// passed through is known only at its end.
			w.dec = &decoding{code: code, coding: coding}
			return
		}
		w.holding = mayBeHTML(h)
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write reads p while reading the head, and writes it through.
func (w *responseWriter) Write(p []byte) (int, error) {
	if !w.status {
		w.WriteHeader(http.StatusOK)
	}
	if w.dec != nil {
		if len(w.dec.buf)+len(p) > maxEncoded {
			// More than its Content-Length said: not ours to decode.
			if err := w.passEncoded(); err != nil {
				return 0, err
			}
			return w.ResponseWriter.Write(p)
		}
		w.dec.buf = append(w.dec.buf, p...)
		return len(p), nil
	}
	if !w.holding {
		return w.ResponseWriter.Write(p)
	}
	if len(w.held) == 0 {
		// The whole head in one write, as a proxied page nearly always
		// comes: decide on p itself, without a copy.
		if end := headEnd(p); end >= 0 || len(p) >= maxHeadScan {
			w.holding = false
			w.claimOwn(p, end)
			return w.ResponseWriter.Write(p)
		}
	}
	from := max(len(w.held)-len("</head"), 0)
	w.held = append(w.held, p...)
	end := headEnd(w.held[from:])
	if end >= 0 {
		end += from
	}
	if end >= 0 || len(w.held) >= maxHeadScan {
		if err := w.release(end); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// claimOwn claims the request's render.Once when the page's head, b up to
// end (or the first maxHeadScan bytes of b, for -1), holds trace meta tags.
func (w *responseWriter) claimOwn(b []byte, end int) {
	if end < 0 {
		end = min(len(b), maxHeadScan)
	}
	if hasTraceMeta(b[:end]) {
		render.Claim(w.ctx)
	}
}

// release ends the reading of the head: it claims the tags for the
// upstream's own set if the held bytes have one before end (-1: anywhere),
// and writes them through.
func (w *responseWriter) release(end int) error {
	if !w.holding {
		return nil
	}
	w.holding = false
	w.claimOwn(w.held, end)
	_, err := w.ResponseWriter.Write(w.held)
	w.held = nil
	return err
}

// FlushError writes what is held and flushes; http.ResponseController finds
// it.
func (w *responseWriter) FlushError() error {
	if w.dec != nil {
		// A flush before the end: the page goes out as it came.
		if err := w.passEncoded(); err != nil {
			return err
		}
	}
	if err := w.release(-1); err != nil {
		return err
	}
	return http.NewResponseController(w.ResponseWriter).Flush()
}

// Flush is FlushError for the callers that want an http.Flusher.
func (w *responseWriter) Flush() { _ = w.FlushError() }

// Unwrap returns inject.Middleware's writer, for http.ResponseController.
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// finish writes what is still held, once the handler has returned: a
// compressed page decoded, or as it came when it cannot be.
func (w *responseWriter) finish() error {
	if d := w.dec; d != nil {
		out, err := decodeBody(d.coding, d.buf)
		if err != nil {
			w.x.logger.Debug("compressed page passed through", zap.String("coding", d.coding), zap.Error(err))
			return w.passEncoded()
		}
		w.dec = nil
		h := w.Header()
		delete(h, "Content-Encoding")
		h["Content-Length"] = []string{strconv.Itoa(len(out))}
		if etag := h["Etag"]; len(etag) == 1 && !strings.HasPrefix(etag[0], "W/") {
			h["Etag"] = []string{"W/" + etag[0]} // the decoded bytes differ
		}
		w.holding = mayBeHTML(h)
		w.ResponseWriter.WriteHeader(d.code)
		if _, err := w.Write(out); err != nil {
			return err
		}
	}
	return w.release(-1)
}

// passEncoded gives up decoding: the held status and compressed bytes go
// out as they came.
func (w *responseWriter) passEncoded() error {
	d := w.dec
	w.dec = nil
	w.ResponseWriter.WriteHeader(d.code)
	_, err := w.ResponseWriter.Write(d.buf)
	return err
}

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

// headEnd returns the index in b of the end of a <head> ("</head"), or of
// the start of the <body> ("<body"), in any case: the upstream's own tags
// stand before either. It returns -1 when b holds neither.
func headEnd(b []byte) int {
	for i := bytes.IndexByte(b, '<'); i >= 0; {
		if equalFoldAt(b, i+1, "/head") || equalFoldAt(b, i+1, "body") {
			return i
		}
		j := bytes.IndexByte(b[i+1:], '<')
		if j < 0 {
			return -1
		}
		i += 1 + j
	}
	return -1
}

// hasTraceMeta reports whether the head of the page in b holds a <meta
// name="sentry-trace"> or <meta name="traceparent"> element. Pages without
// either name in lower case, as every SDK writes it, are answered without
// tokenizing; the others are read with an HTML5 tokenizer, so that the
// names in a comment, a script or an attribute value do not count.
func hasTraceMeta(b []byte) bool {
	if !bytes.Contains(b, []byte("sentry-trace")) && !bytes.Contains(b, []byte("traceparent")) {
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
