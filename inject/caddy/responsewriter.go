package injectcaddy

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
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
// upstream names in its headers. A navigation's page that the upstream
// compressed is decoded as it streams (see decode.go), so that
// inject.Middleware rewrites it, and encoded again with the same coding by
// the encodingWriter outside the Middleware when there is one. Then it reads
// the start of an HTML body up to the end of its <head> (holding it when the
// head spans several writes, up to maxHeadScan bytes or a Flush), and claims
// the request's render.Once when the upstream rendered trace meta tags of
// its own, so that inject.Middleware inserts none.
type responseWriter struct {
	http.ResponseWriter // inject.Middleware's

	ctx     context.Context // the request's, with its render.Once
	x       *exchange
	nav     bool            // a navigation: its compressed page may be decoded
	head    bool            // a HEAD request: a page without its body
	enc     *encodingWriter // encodes a decoded page again, or nil
	status  bool            // a final status was written (or implied by a Write)
	holding bool            // the head is being read: the body goes to held
	held    []byte          // the start of the body, while holding

	dec       *streamDecoder // decodes a compressed page, or nil
	coding    string         // the page's coding, while decoding
	code      int            // the status, held until the decoder writes
	committed bool           // the decoded page's status went out
	encoded   []byte         // the compressed bytes, until committed
	decoded   []byte         // the decoded bytes, until committed
}

func newResponseWriter(w http.ResponseWriter, r *http.Request, x *exchange, nav bool, enc *encodingWriter) *responseWriter {
	return &responseWriter{ResponseWriter: w, ctx: r.Context(), x: x, nav: nav, head: r.Method == http.MethodHead, enc: enc}
}

// WriteHeader reads the upstream's span from the headers of the final
// status, and decides whether to decode the page and to read the head.
func (w *responseWriter) WriteHeader(code int) {
	if !w.status && code >= 200 {
		w.status = true
		h := w.Header()
		if sc, ok := upstreamSpan(h, w.x.sc); ok {
			w.x.upstream = sc
		}
		if coding := rewritableCoding(code, h); coding != "" && w.nav {
			switch {
			case w.head:
				// No body to decode: the headers say what the GET's
				// would.
				w.decodedHeader(coding)
			case acquireDecode():
				// Held with the status until the decoder writes, so
				// that a stream it cannot decode passes through.
				w.dec = newStreamDecoder(coding, decodedSink{w})
				w.coding, w.code = coding, code
				return
			default:
				w.x.logger.Debug("compressed page passed through without the tags: too many pages being decoded at once",
					zap.String("coding", coding), zap.Int("limit", maxConcurrentDecodes))
			}
		}
		w.holding = mayBeHTML(h)
	}
	w.ResponseWriter.WriteHeader(code)
}

// decodedHeader makes h the header of the decoded page: no Content-Encoding
// (the encodingWriter puts coding back, when there is one), no
// Content-Length, and a weak ETag, since the bytes sent will differ.
func (w *responseWriter) decodedHeader(coding string) {
	h := w.Header()
	delete(h, "Content-Encoding")
	delete(h, "Content-Length")
	if etag := h["Etag"]; len(etag) == 1 && !strings.HasPrefix(etag[0], "W/") {
		h["Etag"] = []string{"W/" + etag[0]}
	}
	if w.enc != nil {
		w.enc.coding = coding
	}
}

// Write decodes p, or reads it while reading the head, and writes it
// through.
func (w *responseWriter) Write(p []byte) (int, error) {
	if !w.status {
		w.WriteHeader(http.StatusOK)
	}
	if w.dec != nil {
		return w.writeEncoded(p)
	}
	return w.writePlain(p)
}

// writeEncoded feeds p to the decoder.
func (w *responseWriter) writeEncoded(p []byte) (int, error) {
	if !w.committed {
		if len(w.encoded)+len(p) > maxHeldEncoded {
			if err := w.commit(); err != nil {
				return 0, err
			}
		} else {
			w.encoded = append(w.encoded, p...)
		}
	}
	if err := w.dec.feed(p); err != nil {
		if !w.committed {
			// Nothing decoded went out: the page goes as it came, p
			// with it.
			return len(p), w.passEncoded(err)
		}
		w.endDecode()
		return 0, fmt.Errorf("tracemeta: decoding the upstream's %s page: %w", w.coding, err)
	}
	return len(p), nil
}

// decodedSink is where the decoder writes the page: held, with the
// compressed bytes, up to maxHeldDecoded, so that a stream that turns out
// not to decode passes through as it came.
type decodedSink struct{ w *responseWriter }

func (s decodedSink) Write(p []byte) (int, error) {
	w := s.w
	if w.dec == nil {
		return len(p), nil // stopped: what it still decodes is dropped
	}
	if !w.committed {
		if len(w.decoded)+len(p) <= maxHeldDecoded {
			w.decoded = append(w.decoded, p...)
			return len(p), nil
		}
		if err := w.commit(); err != nil {
			return 0, err
		}
	}
	return w.writePlain(p)
}

// commit sends the decoded page's status and headers on, and what is
// decoded of it: from then on the page cannot pass through as it came.
func (w *responseWriter) commit() error {
	w.committed = true
	w.encoded = nil
	w.decodedHeader(w.coding)
	w.holding = mayBeHTML(w.Header())
	w.ResponseWriter.WriteHeader(w.code)
	decoded := w.decoded
	w.decoded = nil
	if len(decoded) == 0 {
		return nil
	}
	_, err := w.writePlain(decoded)
	return err
}

// passEncoded gives up decoding before anything decoded went out: the held
// status and compressed bytes go out as they came.
func (w *responseWriter) passEncoded(cause error) error {
	w.x.logger.Debug("compressed page passed through without the tags", zap.String("coding", w.coding), zap.Error(cause))
	w.endDecode()
	w.decoded = nil
	w.ResponseWriter.WriteHeader(w.code)
	_, err := w.ResponseWriter.Write(w.encoded)
	w.encoded = nil
	return err
}

// endDecode stops the decoder, if any, and gives its slot back.
func (w *responseWriter) endDecode() {
	if d := w.dec; d != nil {
		w.dec = nil
		d.abort()
		releaseDecode()
	}
}

// writePlain reads p while reading the head, and writes it through.
func (w *responseWriter) writePlain(p []byte) (int, error) {
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
// it. A compressed page's status goes out with the first flush, decoded:
// what the decoder has not written yet follows with the next bytes.
func (w *responseWriter) FlushError() error {
	if w.dec != nil && !w.committed {
		if err := w.commit(); err != nil {
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

// finish writes what is still held, once the handler has returned: the end
// of a compressed page, or the page as it came when it cannot be decoded.
func (w *responseWriter) finish() error {
	if d := w.dec; d != nil {
		err := d.close()
		switch {
		case err != nil && !w.committed:
			if err := w.passEncoded(err); err != nil {
				return err
			}
		case err != nil:
			w.endDecode()
			return fmt.Errorf("tracemeta: decoding the upstream's %s page: %w", w.coding, err)
		default:
			w.endDecode()
			if !w.committed {
				if err := w.commit(); err != nil {
					return err
				}
			}
		}
	}
	return w.release(-1)
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
