package injectcaddy

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"sync"

	"go.uber.org/zap"

	"github.com/tracemeta/tracemeta/inject"
)

// responseWriter is what the rest of Caddy's chain writes an eligible
// response to, inside inject.Middleware. At the status it reads the span the
// upstream names in its headers. A navigation's page that the upstream
// compressed is decoded as it streams (see decode.go), so that
// inject.Middleware rewrites it, and encoded again with the same coding by
// the encodingWriter outside the Middleware when there is one. Whether the
// page has trace tags of its own is the Middleware's to find
// (inject.WithExistingTags).
type responseWriter struct {
	http.ResponseWriter // inject.Middleware's

	x      *exchange
	nav    bool            // a navigation: its compressed page may be decoded
	head   bool            // a HEAD request: a page without its body
	enc    *encodingWriter // encodes a decoded page again, or nil
	status bool            // a final status was written (or implied by a Write)

	dec       *streamDecoder // decodes a compressed page (decoder), or nil
	decoder   streamDecoder
	coding    string    // the page's coding, while decoding
	code      int       // the status, held until the decoder writes
	committed bool      // the decoded page's status went out
	encoded   heldBytes // the compressed bytes, until committed
	decoded   heldBytes // the decoded bytes, until committed
}

// heldBuffers are the buffers of heldBytes: what a response holds before it
// writes it on (a compressed page's first bytes, until they decode; the
// start of a page gathered for encode) is held in a pooled buffer.
var heldBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}

// maxPooledHeld is the capacity past which a buffer is not pooled again.
const maxPooledHeld = 2 * max(maxHeldEncoded, maxHeldDecoded)

// heldBytes is bytes held in a pooled buffer, taken on the first append.
type heldBytes struct{ buf *[]byte }

func (h *heldBytes) append(p []byte) {
	if h.buf == nil {
		h.buf = heldBuffers.Get().(*[]byte)
	}
	*h.buf = append(*h.buf, p...)
}

// bytes returns what is held, valid until release.
func (h *heldBytes) bytes() []byte {
	if h.buf == nil {
		return nil
	}
	return *h.buf
}

func (h *heldBytes) len() int { return len(h.bytes()) }

// release drops what is held and gives the buffer back.
func (h *heldBytes) release() {
	if b := h.buf; b != nil {
		h.buf = nil
		if cap(*b) <= maxPooledHeld {
			*b = (*b)[:0]
			heldBuffers.Put(b)
		}
	}
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
			case acquireDecode(coding):
				// Held with the status until the decoder writes, so
				// that a stream it cannot decode passes through.
				w.decoder.start(coding, decodedSink{w})
				w.dec = &w.decoder
				w.coding, w.code = coding, code
				return
			default:
				w.x.logger.Debug("compressed page passed through without the tags: too many pages being decoded at once",
					zap.String("coding", coding))
			}
		}
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
		if w.encoded.len()+len(p) > maxHeldEncoded {
			if err := w.commit(); err != nil {
				return 0, err
			}
		} else {
			w.encoded.append(p)
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
		if w.decoded.len()+len(p) <= maxHeldDecoded {
			w.decoded.append(p)
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
	w.encoded.release()
	w.decodedHeader(w.coding)
	w.ResponseWriter.WriteHeader(w.code)
	decoded := w.decoded
	w.decoded = heldBytes{}
	defer decoded.release()
	if decoded.len() == 0 {
		return nil
	}
	_, err := w.writePlain(decoded.bytes())
	return err
}

// passEncoded gives up decoding before anything decoded went out: the held
// status and compressed bytes go out as they came.
func (w *responseWriter) passEncoded(cause error) error {
	w.x.logger.Debug("compressed page passed through without the tags", zap.String("coding", w.coding), zap.Error(cause))
	w.endDecode()
	w.decoded.release()
	w.ResponseWriter.WriteHeader(w.code)
	_, err := w.ResponseWriter.Write(w.encoded.bytes())
	w.encoded.release()
	return err
}

// endDecode stops the decoder, if any, and gives its slot back.
func (w *responseWriter) endDecode() {
	if d := w.dec; d != nil {
		w.dec = nil
		d.abort()
		releaseDecode(w.coding)
	}
}

// writePlain writes decoded or uncompressed bytes on to inject.Middleware.
func (w *responseWriter) writePlain(p []byte) (int, error) { return w.ResponseWriter.Write(p) }

// FlushError flushes; http.ResponseController finds it. A compressed page's status goes out with the first flush, decoded:
// what the decoder has not written yet follows with the next bytes.
func (w *responseWriter) FlushError() error {
	if w.dec != nil && !w.committed {
		if err := w.commit(); err != nil {
			return err
		}
	}
	return http.NewResponseController(w.ResponseWriter).Flush()
}

// Flush is FlushError for the callers that want an http.Flusher.
func (w *responseWriter) Flush() { _ = w.FlushError() }

// Unwrap returns inject.Middleware's writer, for http.ResponseController.
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// finish writes the end of a compressed page once the handler has returned,
// or the page as it came when it cannot be decoded.
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
	return nil
}

// injectPackage is the package of inject.Middleware's writer.
var injectPackage = reflect.TypeFor[inject.Reason]().PkgPath()

// isInjectWriter reports whether w is inject.Middleware's own writer, which
// it hands a request it reads the response of.
func isInjectWriter(w http.ResponseWriter) bool {
	t := reflect.TypeOf(w)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.PkgPath() == injectPackage
}
