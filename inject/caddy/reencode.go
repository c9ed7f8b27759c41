package injectcaddy

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"reflect"
	"strings"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// reencoding wraps next (inject.Middleware around serveNext) with the
// encodingWriter of a request that may be a navigation. In a site without
// Caddy's encode, it compresses again a page the upstream compressed, which
// the responseWriter decodes to rewrite it. In a site with encode, where the
// upstream is asked for an uncompressed page, it hands encode the start of
// the page in one write: encode decides whether to compress a page without
// Content-Length on its first write alone (longer than its minimum_length),
// and the Middleware writes the page up to the tags apart.
func reencoding(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !acceptsHTML(r.Header) {
			next.ServeHTTP(w, r)
			return
		}
		x := exchangeFrom(r.Context())
		if x == nil {
			next.ServeHTTP(w, r)
			return
		}
		ew := &x.enc
		*ew = encodingWriter{ResponseWriter: w, head: r.Method == http.MethodHead}
		if insideEncode(w) {
			ew.encodeOutside = true
		} else if ew.offer = decodableCodings(r.Header["Accept-Encoding"]); ew.offer == "" {
			next.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(ew, r)
		if err := ew.close(); err != nil && x.err == nil {
			x.err = fmt.Errorf("tracemeta: %w", err)
		}
	})
}

// encodePackage is the package of Caddy's encode handler, whose response
// writer insideEncode looks for: encode exports no name for it.
const encodePackage = "github.com/caddyserver/caddy/v2/modules/caddyhttp/encode"

// insideEncode reports whether w is, or wraps, the response writer of
// Caddy's encode handler, which compresses what tracemeta writes.
func insideEncode(w http.ResponseWriter) bool {
	return unwrapFind(w, 16, func(w http.ResponseWriter) bool {
		t := reflect.TypeOf(w)
		if t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		return t.PkgPath() == encodePackage
	}) != nil
}

// encodingWriterOf returns the encodingWriter that w (inject.Middleware's
// writer) wraps, or nil.
func encodingWriterOf(w http.ResponseWriter) *encodingWriter {
	ew, _ := unwrapFind(w, 4, func(w http.ResponseWriter) bool {
		_, ok := w.(*encodingWriter)
		return ok
	}).(*encodingWriter)
	return ew
}

// unwrapFind returns the first of w and the writers it wraps (through
// Unwrap, as http.ResponseController finds them, at most depth deep) that
// match accepts, or nil.
func unwrapFind(w http.ResponseWriter, depth int, match func(http.ResponseWriter) bool) http.ResponseWriter {
	for range depth {
		if w == nil {
			return nil
		}
		if match(w) {
			return w
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return nil
		}
		w = u.Unwrap()
	}
	return nil
}

// decodableCodings returns the Accept-Encoding to send an upstream for a
// navigation: the codings among those the client accepts that tracemeta can
// decode and encode again (gzip, zstd), in the client's order; "" when the
// client accepts neither. It allocates nothing: it runs on every
// navigation.
func decodableCodings(values []string) string {
	// 1 + the rank at which each coding was first accepted, 0 if not.
	var gzipRank, zstdRank, rank int
	for _, v := range values {
		for v != "" {
			var item string
			item, v, _ = strings.Cut(v, ",")
			coding, params, _ := strings.Cut(item, ";")
			coding = strings.TrimSpace(coding)
			if refused(params) {
				continue
			}
			switch {
			case isCoding(coding, "gzip"), isCoding(coding, "x-gzip"), coding == "*":
				if gzipRank == 0 {
					rank++
					gzipRank = rank
				}
			case isCoding(coding, "zstd"):
				if zstdRank == 0 {
					rank++
					zstdRank = rank
				}
			}
		}
	}
	switch {
	case gzipRank != 0 && zstdRank != 0 && gzipRank < zstdRank:
		return "gzip, zstd"
	case gzipRank != 0 && zstdRank != 0:
		return "zstd, gzip"
	case gzipRank != 0:
		return "gzip"
	case zstdRank != 0:
		return "zstd"
	}
	return ""
}

// isCoding reports whether s is the lower-case coding name, in any ASCII
// case.
func isCoding(s, name string) bool { return len(s) == len(name) && equalFoldAt(s, 0, name) }

// refused reports whether the parameters of an Accept-Encoding item give it
// a weight of zero.
func refused(params string) bool {
	for params != "" {
		var p string
		p, params, _ = strings.Cut(params, ";")
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		if isCoding(k, "q") {
			v = strings.TrimRight(strings.TrimSpace(v), "0")
			return v == "" || v == "0." || v == "0"
		}
	}
	return false
}

// coalesceSize is how much of a page the encodingWriter gathers before its
// first write to encode: more than encode's default minimum_length, 512.
const coalesceSize = 1 << 10

// encodingWriter is Caddy's writer as inject.Middleware writes to it. It
// passes every response through, but the page the responseWriter decoded
// (coding set), which it compresses again with that coding, and the start
// of a navigation's page in a site with encode (coalescing set by
// serveNext), which it gathers into one write.
type encodingWriter struct {
	http.ResponseWriter // Caddy's

	offer         string    // without encode: the Accept-Encoding the upstream is sent for a navigation
	encodeOutside bool      // Caddy's encode wraps the handler
	head          bool      // a HEAD request: no body to encode
	coding        string    // set by the responseWriter: the coding of the page it decoded
	coalescing    bool      // set by serveNext: the start of the page is gathered in start
	start         heldBytes // the start of the page, while coalescing
	flushLater    bool      // a flush came while coalescing
	wrote         bool      // the final status went out
	enc           encoder
	codingValue   [1]string // the Content-Encoding value, without an allocation
}

// encoder is a pooled gzip or zstd writer.
type encoder interface {
	io.Writer
	Flush() error
	Close() error
}

// WriteHeader puts the coding back into the headers of the decoded page,
// and starts its encoder.
func (w *encodingWriter) WriteHeader(code int) {
	if !w.wrote && code >= 200 {
		w.wrote = true
		if w.coalescing {
			// encode needs no help with a length, and a stream
			// that is not a page keeps its flushes.
			h := w.Header()
			ct := h["Content-Type"]
			w.coalescing = len(h["Content-Length"]) == 0 && (len(ct) == 0 || containsFold(ct[0], "text/html"))
		}
		if w.coding != "" {
			h := w.Header()
			w.codingValue[0] = w.coding
			h["Content-Encoding"] = w.codingValue[:]
			delete(h, "Content-Length")
			if !w.head && code != http.StatusNoContent && code != http.StatusNotModified {
				w.enc = newEncoder(w.coding, w.ResponseWriter)
			}
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write encodes p when the page is encoded again, or gathers it while
// coalescing.
func (w *encodingWriter) Write(p []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	if w.coalescing {
		w.start.append(p)
		if w.start.len() < coalesceSize {
			return len(p), nil
		}
		if err := w.endCoalescing(); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	if w.enc != nil {
		return w.enc.Write(p)
	}
	return w.ResponseWriter.Write(p)
}

// endCoalescing writes the start of the page gathered so far, and the flush
// it held back.
func (w *encodingWriter) endCoalescing() error {
	w.coalescing = false
	start := w.start
	w.start = heldBytes{}
	defer start.release()
	if start.len() > 0 {
		if _, err := w.ResponseWriter.Write(start.bytes()); err != nil {
			return err
		}
	}
	if w.flushLater {
		w.flushLater = false
		return http.NewResponseController(w.ResponseWriter).Flush()
	}
	return nil
}

// FlushError sends what the encoder holds, and flushes; while coalescing,
// the flush waits for the start of the page.
func (w *encodingWriter) FlushError() error {
	if w.coalescing {
		w.flushLater = true
		return nil
	}
	if w.enc != nil {
		if err := w.enc.Flush(); err != nil {
			return err
		}
	}
	return http.NewResponseController(w.ResponseWriter).Flush()
}

// Flush is FlushError for the callers that want an http.Flusher.
func (w *encodingWriter) Flush() { _ = w.FlushError() }

// Hijack hands the connection over, when Caddy's writer can.
func (w *encodingWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// Unwrap returns Caddy's writer, for http.ResponseController.
func (w *encodingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// close writes what is still gathered, ends the encoded stream and gives the
// encoder back.
func (w *encodingWriter) close() error {
	var err error
	if w.coalescing {
		err = w.endCoalescing()
	}
	if w.enc != nil {
		err = errors.Join(err, w.enc.Close())
		putEncoder(w.enc)
		w.enc = nil
	}
	return err
}

var (
	gzipWriters sync.Pool // of *gzip.Writer
	zstdWriters sync.Pool // of *zstd.Encoder
)

// newEncoder returns a pooled encoder of coding writing to dst, at the
// default level, as an upstream compresses a page on the fly.
func newEncoder(coding string, dst io.Writer) encoder {
	switch coding {
	case "gzip":
		if zw, ok := gzipWriters.Get().(*gzip.Writer); ok {
			zw.Reset(dst)
			return zw
		}
		return gzip.NewWriter(dst)
	case "zstd":
		if zw, ok := zstdWriters.Get().(*zstd.Encoder); ok {
			zw.Reset(dst)
			return zw
		}
		zw, err := zstd.NewWriter(dst,
			zstd.WithEncoderConcurrency(1),
			zstd.WithLowerEncoderMem(true),
			zstd.WithWindowSize(1<<20))
		if err != nil {
			panic(errors.Join(errors.New("tracemeta: zstd encoder options"), err)) // constant options
		}
		return zw
	}
	panic("tracemeta: unknown coding " + coding)
}

func putEncoder(e encoder) {
	switch zw := e.(type) {
	case *gzip.Writer:
		zw.Reset(io.Discard)
		gzipWriters.Put(zw)
	case *zstd.Encoder:
		zw.Reset(nil)
		zstdWriters.Put(zw)
	}
}
