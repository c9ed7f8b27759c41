package inject

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"

	"github.com/tracemeta/tracemeta/render"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// Compile-time checks of the interfaces each view always has.
var (
	_ http.ResponseWriter = (*handle)(nil)
	_ io.ReaderFrom       = (*handle)(nil)
	_ io.StringWriter     = (*handle)(nil)
	_ http.Pusher         = (*handle)(nil)
	_ http.Flusher        = (*flushHandle)(nil)
	_ http.Hijacker       = (*hijackHandle)(nil)
	_ http.Flusher        = (*flushHijackHandle)(nil)
	_ http.Hijacker       = (*flushHijackHandle)(nil)
)

// handle is the ResponseWriter a handler gets. It has the methods every
// ResponseWriter can offer safely: Write, WriteString and ReadFrom go
// through the rewriter; FlushError and Unwrap serve
// [http.ResponseController], which reaches the wrapped writer's deadlines
// and full duplex through Unwrap; Push may always say ErrNotSupported.
// [http.Flusher] and [http.Hijacker], which handlers find by type assertion
// and cannot fail softly, are added by the three views below when the
// wrapped writer has them, and only then. The deprecated
// http.CloseNotifier is not kept: the request's context is done when the
// client goes away.
//
// A handle is allocated per request and carries the request's context, so
// that it can forget its pooled state when the handler returns. From then on
// it is the wrapped writer itself: a framework that writes its error page
// after the wrapped handler returned (echo's WrapMiddleware does) has it
// sent as it wrote it, untouched, as it would be without the middleware.
type handle struct {
	s   *response           // nil once the handler returned
	rw  http.ResponseWriter // the wrapped writer
	ctx requestContext      // the context the handler's request carries
}

type (
	flushHandle       struct{ handle }
	hijackHandle      struct{ handle }
	flushHijackHandle struct{ handle }
)

// newHandle returns a handle for rw with the optional interfaces of rw.
func newHandle(rw http.ResponseWriter) (http.ResponseWriter, *handle) {
	_, f := rw.(http.Flusher)
	_, hj := rw.(http.Hijacker)
	switch {
	case f && hj:
		v := &flushHijackHandle{handle{rw: rw}}
		return v, &v.handle
	case f:
		v := &flushHandle{handle{rw: rw}}
		return v, &v.handle
	case hj:
		v := &hijackHandle{handle{rw: rw}}
		return v, &v.handle
	}
	v := &handle{rw: rw}
	return v, v
}

// Header returns the wrapped writer's header map.
func (h *handle) Header() http.Header { return h.rw.Header() }

// WriteHeader holds the status until the middleware decides whether to
// rewrite the body; 1xx statuses go out at once. After the handler
// returned, it goes to the wrapped writer.
func (h *handle) WriteHeader(code int) {
	if h.s == nil {
		h.rw.WriteHeader(code)
		return
	}
	h.s.writeHeader(code)
}

// Write writes p through the rewriter, or, after the handler returned, to
// the wrapped writer.
func (h *handle) Write(p []byte) (int, error) {
	if h.s == nil {
		return h.rw.Write(p)
	}
	return h.s.write(p)
}

// WriteString writes str through the rewriter, or, after the handler
// returned, to the wrapped writer.
func (h *handle) WriteString(str string) (int, error) {
	s := h.s
	if s == nil {
		return io.WriteString(h.rw, str)
	}
	return s.writeString(str)
}

// ReadFrom copies from r through the rewriter, or, after the handler
// returned, to the wrapped writer.
func (h *handle) ReadFrom(r io.Reader) (int64, error) {
	if h.s == nil {
		return io.Copy(h.rw, r)
	}
	return h.s.readFrom(r)
}

// FlushError sends the status and everything the rewriter can give, then
// flushes the wrapped writer. It returns an error wrapping
// [http.ErrNotSupported] when the wrapped writer cannot flush.
func (h *handle) FlushError() error {
	if h.s == nil {
		if !canFlush(h.rw) {
			return fmt.Errorf("inject: %w", http.ErrNotSupported)
		}
		return flushWriter(h.rw)
	}
	return h.s.flush()
}

// Push initiates an HTTP/2 server push through the wrapped writer, or
// returns [http.ErrNotSupported] when it cannot push, as [http.Pusher]
// allows.
func (h *handle) Push(target string, opts *http.PushOptions) error {
	if p, ok := h.rw.(http.Pusher); ok {
		return p.Push(target, opts)
	}
	return http.ErrNotSupported
}

// Unwrap returns the wrapped ResponseWriter, for [http.ResponseController].
func (h *handle) Unwrap() http.ResponseWriter { return h.rw }

// Flush is [handle.FlushError] without the error, for [http.Flusher].
func (h *flushHandle) Flush() { _ = h.FlushError() }

// Flush is [handle.FlushError] without the error, for [http.Flusher].
func (h *flushHijackHandle) Flush() { _ = h.FlushError() }

// Hijack hands the connection to the handler; the response is then not
// rewritten.
func (h *hijackHandle) Hijack() (net.Conn, *bufio.ReadWriter, error) { return h.hijack() }

// Hijack hands the connection to the handler; the response is then not
// rewritten.
func (h *flushHijackHandle) Hijack() (net.Conn, *bufio.ReadWriter, error) { return h.hijack() }

func (h *handle) hijack() (net.Conn, *bufio.ReadWriter, error) {
	if h.s == nil {
		return h.rw.(http.Hijacker).Hijack() // the views that have Hijack wrap a Hijacker
	}
	return h.s.hijack()
}

// requestContext is the context of a request served by the middleware: its
// parent with a [render.Once] for the response. It is part of the handle's
// allocation, which saves the one of [render.ContextWithOnce].
type requestContext struct {
	context.Context
	once render.Once
}

// Value returns the request's Once, as [render.ContextWithOnce] would, and
// asks the parent for any other key.
func (c *requestContext) Value(key any) any {
	if v, ok := tracecontext.OnceValue(key, &c.once); ok {
		return v
	}
	return c.Context.Value(key)
}

// String names the context for debugging, as the context package does.
func (c *requestContext) String() string { return fmt.Sprint(c.Context) + ".WithValue(render.Once)" }
