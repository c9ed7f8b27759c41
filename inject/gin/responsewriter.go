package injectgin

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"

	"github.com/gin-gonic/gin"
)

// errHijackAfterBody is what Hijack returns once body bytes were written, as
// gin's own writer refuses then.
var errHijackAfterBody = errors.New("injectgin: hijack after the response body was written")

// noWritten is the size of a response whose status was not forwarded yet,
// as gin counts it.
const noWritten = -1

// responseWriter is the gin.ResponseWriter the handlers after the
// middleware get. It keeps gin's bookkeeping (a deferred status, Size,
// Written) and writes through view, the core's rewriting ResponseWriter;
// what gin's own writer would do with net/http's, it does with view.
//
// It is allocated per request and not pooled. Like gin's own writer, it
// must not be used once the handler returned: the core's writer under it
// then writes to gin's, which gin reuses for its next request.
type responseWriter struct {
	view   http.ResponseWriter // the core's writer: the rewriter in front of gin's
	orig   gin.ResponseWriter  // gin's writer, for CloseNotify and Pusher
	status int                 // the status to forward; gin's default 200, or what gin set before
	size   int                 // body bytes written; noWritten until the status is forwarded
}

var (
	_ gin.ResponseWriter = (*responseWriter)(nil)
	_ io.ReaderFrom      = (*responseWriter)(nil)
)

func newResponseWriter(view http.ResponseWriter, orig gin.ResponseWriter) *responseWriter {
	// gin sets the status of its 404 and 405 pages before it runs the
	// middlewares: start from the status gin's writer has.
	return &responseWriter{view: view, orig: orig, status: orig.Status(), size: noWritten}
}

// Header returns the header map of the response.
func (w *responseWriter) Header() http.Header { return w.view.Header() }

// WriteHeader records code as the status to send, as gin's writer does: it
// is forwarded by WriteHeaderNow, the first Write or Flush. Once the status
// was forwarded, it is ignored.
func (w *responseWriter) WriteHeader(code int) {
	if code > 0 && w.status != code && !w.Written() {
		w.status = code
	}
}

// WriteHeaderNow forwards the status to the rewriter, once.
func (w *responseWriter) WriteHeaderNow() {
	if !w.Written() {
		w.size = 0
		w.view.WriteHeader(w.status)
	}
}

// Write writes data through the rewriter.
func (w *responseWriter) Write(data []byte) (int, error) {
	w.WriteHeaderNow()
	n, err := w.view.Write(data)
	w.size += n
	return n, err
}

// WriteString writes s through the rewriter, without copying it when the
// rewriter has decided.
func (w *responseWriter) WriteString(s string) (int, error) {
	w.WriteHeaderNow()
	n, err := io.WriteString(w.view, s)
	w.size += n
	return n, err
}

// ReadFrom copies from r through the rewriter; once the rewriter has
// decided, with the ReadFrom of the writer under it (sendfile for c.File).
func (w *responseWriter) ReadFrom(r io.Reader) (int64, error) {
	w.WriteHeaderNow()
	var n int64
	var err error
	if rf, ok := w.view.(io.ReaderFrom); ok {
		n, err = rf.ReadFrom(r)
	} else {
		n, err = io.Copy(writerOnly{w.view}, r)
	}
	w.size += int(n)
	return n, err
}

// writerOnly hides ReadFrom from io.Copy.
type writerOnly struct{ io.Writer }

// Status returns the status of the response: the one recorded by
// WriteHeader, or gin's default 200.
func (w *responseWriter) Status() int { return w.status }

// Size returns the number of body bytes the handlers wrote, or -1 before the
// status was forwarded, as gin's writer counts them. The tags inserted are
// not counted; gin's writer outside the middleware counts them.
func (w *responseWriter) Size() int { return w.size }

// Written reports whether the status was forwarded.
func (w *responseWriter) Written() bool { return w.size != noWritten }

// Flush forwards the status, then flushes what the rewriter can give.
func (w *responseWriter) Flush() {
	w.WriteHeaderNow()
	if f, ok := w.view.(http.Flusher); ok {
		f.Flush()
	}
}

// Hijack hands the connection to the handler, as gin's writer does: before
// any body byte was written. The response is then not rewritten.
func (w *responseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if w.size > 0 {
		return nil, nil, errHijackAfterBody
	}
	if w.size < 0 {
		w.size = 0
	}
	return http.NewResponseController(w.view).Hijack()
}

// CloseNotify returns the close notification channel of gin's writer, which
// c.Stream watches. New code should watch the request's context instead.
func (w *responseWriter) CloseNotify() <-chan bool { return w.orig.CloseNotify() }

// Pusher returns the HTTP/2 pusher of gin's writer, or nil. A pushed
// resource is not a page: it does not go through the rewriter.
func (w *responseWriter) Pusher() http.Pusher { return w.orig.Pusher() }

// Unwrap returns the rewriter, for [http.ResponseController].
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.view }
