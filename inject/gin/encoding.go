package injectgin

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// outerEncoding is gin's writer, as the core middleware gets it, when a
// middleware before this one set Content-Encoding before the handlers ran.
//
// gin has one header map for every layer. A compression middleware such as
// gin-contrib/gzip sets "Content-Encoding: gzip" in it up front, then wraps
// c.Writer to compress what comes out of the layers after it. The bytes
// that the core middleware sees are plain HTML, but the header it reads
// would tell it they are encoded, and it would pass every page through. So
// the adapter takes the outer Content-Encoding out of the map while the
// handlers run, and puts it back when the status goes to the writer that
// encodes (or when the middleware returns), before anything reads it there.
//
// A Content-Encoding set by a handler after this middleware is the
// handler's own and is left alone: the core then passes the response
// through.
type outerEncoding struct {
	gin.ResponseWriter
	enc      []string // the Content-Encoding the outer layer set
	restored bool     // enc is back in the header map
}

// takeOuterEncoding removes a Content-Encoding that an outer layer set from
// w's header map, and returns the writer that puts it back; nil when there
// is none.
func takeOuterEncoding(w gin.ResponseWriter) *outerEncoding {
	h := w.Header()
	enc, ok := h["Content-Encoding"]
	if !ok {
		return nil
	}
	delete(h, "Content-Encoding")
	return &outerEncoding{ResponseWriter: w, enc: enc}
}

// restore puts the outer Content-Encoding back, unless a handler set its
// own.
func (w *outerEncoding) restore() {
	if w == nil || w.restored {
		return
	}
	w.restored = true
	h := w.ResponseWriter.Header()
	if _, set := h["Content-Encoding"]; !set {
		h["Content-Encoding"] = w.enc
	}
}

// WriteHeader restores the outer Content-Encoding with the final status,
// then records the status.
func (w *outerEncoding) WriteHeader(code int) {
	if code >= http.StatusOK {
		w.restore()
	}
	w.ResponseWriter.WriteHeader(code)
}

// WriteHeaderNow restores the outer Content-Encoding, then sends the status.
func (w *outerEncoding) WriteHeaderNow() {
	w.restore()
	w.ResponseWriter.WriteHeaderNow()
}

// Write restores the outer Content-Encoding, then writes p.
func (w *outerEncoding) Write(p []byte) (int, error) {
	w.restore()
	return w.ResponseWriter.Write(p)
}

// WriteString restores the outer Content-Encoding, then writes s.
func (w *outerEncoding) WriteString(s string) (int, error) {
	w.restore()
	return w.ResponseWriter.WriteString(s)
}

// Flush restores the outer Content-Encoding, then flushes.
func (w *outerEncoding) Flush() {
	w.restore()
	w.ResponseWriter.Flush()
}

// Unwrap returns gin's writer, for [http.ResponseController].
func (w *outerEncoding) Unwrap() http.ResponseWriter { return w.ResponseWriter }
