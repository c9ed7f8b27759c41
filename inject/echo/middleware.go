package injectecho

import (
	"net/http"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/tracemeta/tracemeta/inject"
)

// Middleware returns echo middleware that inserts the trace meta tags into
// the <head> of the HTML pages written by the handlers after it, error pages
// included, with [inject.Middleware] and the same options: the eligibility
// rules, the Source, the render options and the exactly-once flag are the
// core's.
//
//	e := echo.New()
//	e.Use(sentryecho.New(sentryecho.Options{}))                         // the tracing middleware first
//	e.Use(injectecho.Middleware(inject.WithSource(tmsentrygo.Source()))) // then the injector
//
// The handlers after it get an [echo.Response] of their own that writes
// through the rewriter, so its Status, Size and Committed report what they
// did; once the middleware returns, c.Response() and c.Request() are those
// the middlewares before it had, and c.Response() reports what went to the
// client, tags included.
//
// echo renders an error page (its HTTPErrorHandler) only after every
// middleware returned, which is too late for a rewriter around the handler.
// So when the rest of the chain returns an error, the middleware calls
// c.Error with it while the rewriter is still in place, and returns nil: the
// error is handled, as echo's own Recover middleware handles the errors it
// turns into pages. An unknown route's 404, a handler's 500, the default
// JSON error page and a custom HTML HTTPErrorHandler all keep their status
// and body, and an HTML error page gets the tags. A middleware before this
// one that needs the error value (a logger) sees nil; put it after this one.
//
// sentryecho for echo v4 keeps its transaction on the echo context, not in
// the request's context, where [inject.WithSource] looks; the middleware
// makes it visible there too (see the package documentation).
//
// Tracing (sentryecho, otelecho) and compression (echo's Gzip middleware)
// must come before this middleware: the tracing so that the span is in the
// context when the page reaches its <head>, the compression so that the
// rewriter sees plain HTML. Nil options are skipped, as [inject.Middleware]
// skips them.
func Middleware(opts ...inject.Option) echo.MiddlewareFunc {
	return newAdapter(inject.Middleware(opts...)).middleware
}

// NewMiddleware is [Middleware] that reports invalid options, as
// [inject.NewMiddleware] does: an error wrapping [inject.ErrInvalidOption]
// for each option out of range, which is left at its default. The
// middleware it returns is usable either way.
func NewMiddleware(opts ...inject.Option) (echo.MiddlewareFunc, error) {
	mw, err := inject.NewMiddleware(opts...)
	return newAdapter(mw).middleware, err
}

// newAdapter returns the adapter around the core middleware mw.
func newAdapter(mw func(http.Handler) http.Handler) *adapter {
	a := &adapter{mw: mw}
	a.pool.New = func() any {
		rn := &run{}
		rn.h = a.mw(rn)
		return rn
	}
	return a
}

// middleware is the echo.MiddlewareFunc.
func (a *adapter) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error { return a.serve(c, next) }
}

// adapter is what every request served by one Middleware shares.
type adapter struct {
	mw   func(http.Handler) http.Handler // the core middleware
	pool sync.Pool                       // of *run
}

// run is the core's handler around the rest of one echo chain. It is pooled
// with the handler built around it, so that a request allocates no closure
// for it.
type run struct {
	h    http.Handler     // the core's handler, with run as its next; built once
	c    echo.Context     // the request in flight; nil while pooled
	next echo.HandlerFunc // the rest of the chain
	err  error            // what the rest of the chain returned, when not handled
}

// serve runs the rest of the chain for c inside the core's handler.
func (a *adapter) serve(c echo.Context, next echo.HandlerFunc) error {
	rn := a.pool.Get().(*run)
	rn.c, rn.next, rn.err = c, next, nil
	prev, req := c.Response(), c.Request()
	defer a.done(rn, prev, req)
	rn.h.ServeHTTP(prev, withSentryTransaction(c, req))
	return rn.err
}

// done restores what the middlewares before this one had, for a panic too,
// and puts rn back.
func (a *adapter) done(rn *run, prev *echo.Response, req *http.Request) {
	rn.c.SetResponse(prev)
	rn.c.SetRequest(req)
	rn.c, rn.next, rn.err = nil, nil, nil
	a.pool.Put(rn)
}

// ServeHTTP runs the rest of the chain with the ResponseWriter and request
// that the core's handler passes on: its rewriting writer, or, for a request
// it does not rewrite (htmx...), echo's own Response, left in place.
func (rn *run) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := rn.c
	c.SetRequest(r)
	if _, isEcho := w.(*echo.Response); isEcho {
		rn.err = rn.next(c) // passed through: echo handles the error as usual
		return
	}
	res := echo.NewResponse(w, c.Echo())
	res.Status = http.StatusOK // as echo resets its own for each request
	c.SetResponse(res)
	if err := rn.next(c); err != nil {
		// The error page goes through the rewriter: echo would render
		// it after the rewriter's handler returned.
		c.Error(err)
	}
}
