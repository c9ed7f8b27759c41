package inject

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/tracemeta/tracemeta/render"
)

// Middleware returns net/http middleware that inserts the trace meta tags
// into the <head> of the HTML pages its handler writes, as they stream out.
// It is a plain func(http.Handler) http.Handler, so it plugs into net/http,
// chi (r.Use), gorilla/mux (r.Use) and echo (echo.WrapMiddleware).
//
// The tags name the span that the Source ([WithSource]; by default
// [tracecontext.ContextSource]) finds in the request's context at the moment
// the page reaches its insertion point, so the middleware must run inside
// the one that starts the server span (tracecontext.Middleware, sentryhttp,
// otelhttp), and inside any compression middleware, whose output it would
// otherwise see encoded and pass through. Which responses it rewrites, and
// what it changes in their headers, is in the package documentation.
//
// Each request costs two allocations beyond the handler's: the
// ResponseWriter with the request's context, and the request copy of
// [http.Request.WithContext]; only the first behind tracecontext.Middleware,
// whose request context carries the [render.Once] already. A raised
// Content-Length costs one more the first time a length is met (the
// middleware keeps the values it formatted, so a page served again costs
// none), a sniffed Content-Type two more. The rewriter and its buffers are
// pooled, and the tags are rendered into the rewriter's buffer.
//
// An option out of range is left at its default: [NewMiddleware] reports
// it, and Middleware logs it at warn level ([WithLogger]).
func Middleware(opts ...Option) func(http.Handler) http.Handler {
	mw, err := NewMiddleware(opts...)
	if err != nil {
		if l := newMiddlewareConfig(opts).logger; l != nil {
			l.LogAttrs(context.Background(), slog.LevelWarn, "tracemeta: invalid option", slog.Any("error", err))
		}
	}
	return mw
}

// NewMiddleware is [Middleware] that reports invalid options: an error
// wrapping [ErrInvalidOption] for each option out of range, which is left at
// its default. The middleware it returns is usable either way.
func NewMiddleware(opts ...Option) (func(http.Handler) http.Handler, error) {
	m := &middleware{cfg: newMiddlewareConfig(opts)}
	m.cfg.writer.prepare()
	m.pool.New = func() any { return newResponse(m) }
	return func(next http.Handler) http.Handler {
		return &handler{m: m, next: next}
	}, errors.Join(m.cfg.writer.invalid...)
}

// middleware is what every handler wrapped by one Middleware shares.
type middleware struct {
	warnedEncoding atomic.Bool // the warning about an inner compression was logged

	cfg     middlewareConfig
	pool    sync.Pool // of *response
	lengths lengthCache
}

// lengthCache keeps the Content-Lengths the middleware formatted, the last
// of each slot (chosen by the length): a page served again and again has the
// same length with its tags, and its header value then costs no allocation.
// Safe for concurrent use.
type lengthCache struct {
	slots [16]atomic.Pointer[formattedLength]
}

type formattedLength struct {
	n int64
	s string
}

// format returns n in decimal.
func (c *lengthCache) format(n int64) string {
	slot := &c.slots[uint64(n)%uint64(len(c.slots))]
	if f := slot.Load(); f != nil && f.n == n {
		return f.s
	}
	s := strconv.FormatInt(n, 10)
	slot.Store(&formattedLength{n: n, s: s})
	return s
}

// handler is next wrapped by the middleware m.
type handler struct {
	m    *middleware
	next http.Handler
}

// ServeHTTP serves r with next, rewriting the response when it is eligible.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m := h.m
	head := r.Method == http.MethodHead
	var reason Reason
	if head {
		// Never rewritten, but its headers must describe the GET's
		// response: judged by the rules of the GET, and reported as a
		// HEAD whatever they say.
		reason = partialReason(r.Header)
		m.report(r, ReasonMethod)
	} else {
		reason = requestReason(r)
	}
	if reason == ReasonNone && m.cfg.skip != nil && m.cfg.skip(r) {
		reason = ReasonSkipped
	}
	if reason != ReasonNone {
		if !head {
			m.report(r, reason)
		}
		h.next.ServeHTTP(w, r)
		return
	}

	view, hd := newHandle(w)
	once := render.OnceFromContext(r.Context())
	if once == nil {
		hd.ctx.Context = r.Context()
		r = r.WithContext(&hd.ctx)
		once = &hd.ctx.once
	}
	// Otherwise a Once is there already, from another Middleware around
	// this one (one on the router and one on a route, say) or the app's
	// own: sharing it keeps the layers to one set of tags.
	s := m.pool.Get().(*response)
	s.start(w, r, once, head)
	hd.s = s

	done := false
	defer func() {
		// Runs for a panic of the handler too, which propagates: the
		// state goes back unused, and whatever it held is dropped, as
		// net/http drops the response of a panicking handler.
		hd.s = nil
		if !done {
			s.release()
			m.pool.Put(s)
		}
	}()
	h.next.ServeHTTP(view, r)
	done = true
	hd.s = nil
	s.finish()
	s.release()
	m.pool.Put(s)
}

// report tells the skip hook and the logger why the response to r was not
// rewritten.
func (m *middleware) report(r *http.Request, reason Reason) {
	if m.cfg.skipHook != nil {
		m.cfg.skipHook(r, reason)
	}
	if l := m.cfg.logger; l != nil && l.Enabled(r.Context(), slog.LevelDebug) {
		l.LogAttrs(r.Context(), slog.LevelDebug, "tracemeta: response not rewritten",
			slog.String("reason", reason.String()),
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path))
	}
}

// warnCompressed logs, once per Middleware, at warn level, that a response
// to r came out compressed by a layer inside the middleware, which then
// cannot rewrite any page: the fix is to move compression outside. The
// response is also reported with [ReasonContentEncoding], as every skip.
func (m *middleware) warnCompressed(r *http.Request, coding string) {
	l := m.cfg.logger
	if l == nil || m.warnedEncoding.Load() || !m.warnedEncoding.CompareAndSwap(false, true) {
		return
	}
	l.LogAttrs(r.Context(), slog.LevelWarn,
		"tracemeta: a response was compressed inside inject.Middleware, so no page gets the trace tags: "+
			"put the compression middleware outside it (around it), not inside",
		slog.String("content_encoding", coding),
		slog.String("path", r.URL.Path))
}

// logFailure logs a failure the middleware recovered from.
func (m *middleware) logFailure(r *http.Request, err error) {
	m.logAt(r, slog.LevelWarn, "tracemeta: rewriter failed, response passed through", err)
}

// logWriteError logs an error of the wrapped writer after the handler
// returned, when there is no one left to return it to.
func (m *middleware) logWriteError(r *http.Request, err error) {
	m.logAt(r, slog.LevelDebug, "tracemeta: writing the end of the response", err)
}

func (m *middleware) logAt(r *http.Request, level slog.Level, msg string, err error) {
	l := m.cfg.logger
	if l == nil {
		return
	}
	ctx := context.Background()
	if r != nil {
		ctx = r.Context()
	}
	if l.Enabled(ctx, level) {
		l.LogAttrs(ctx, level, msg, slog.Any("error", err))
	}
}
