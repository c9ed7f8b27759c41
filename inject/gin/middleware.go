package injectgin

import (
	"net/http"
	"sync"

	"github.com/gin-gonic/gin"

	"github.com/tracemeta/tracemeta/inject"
)

// Middleware returns gin middleware that inserts the trace meta tags into
// the <head> of the HTML pages written by the handlers after it, with
// [inject.Middleware] and the same options: the eligibility rules, the
// Source, the render options and the exactly-once flag are the core's.
//
//	r := gin.New()
//	r.Use(sentrygin.New(sentrygin.Options{}))                         // the tracing middleware first
//	r.Use(injectgin.Middleware(inject.WithSource(sentrygo.Source()))) // then the injector
//
// The handlers after it get a [gin.ResponseWriter] that writes through the
// rewriter, whichever way gin writes a body (c.HTML, c.Data, c.String,
// c.Render, c.File, c.Stream, c.Writer.Write and WriteString, ReadFrom).
// It defers the status as gin does: WriteHeader records it and
// WriteHeaderNow, the first Write or Flush forwards it, so a header set
// between (the Content-Length of c.Data) is part of the response. Status,
// Size and Written report what the handlers did, as gin's writer does;
// before the middleware returns, a status set but never written is
// forwarded, so an empty or aborted response (c.AbortWithStatus) keeps it.
// Once it returns, c.Writer and c.Request are the ones the middlewares
// before it had, and c.Writer.Status and Size there report what went to the
// client, tags included.
//
// The middlewares before it see the response as the client gets it:
// tracing (sentrygin, otelgin) and anything reading the span must come
// first, so that the span is in c.Request's context when the page reaches
// its <head>, and so must compression (gin-contrib/gzip), whose output the
// rewriter would see encoded and pass through. gin has one header map for
// every layer, and gin-contrib/gzip sets Content-Encoding in it before the
// handlers run: [inject.Middleware] takes a Content-Encoding set before it
// ran as the outer layer's, so the pages gzip compresses get the tags.
// gin's unknown-route 404 and
// 405 pages run the global middlewares, so a NoRoute handler's HTML page gets
// the tags; gin's own plain-text "404 page not found" is written after the
// middleware returned and is left alone, as any non-HTML body would be.
//
// A panic of a handler propagates unchanged, with c.Writer restored first,
// so that gin.Recovery before this middleware writes its 500 page directly.
// Nil options are skipped, as [inject.Middleware] skips them.
func Middleware(opts ...inject.Option) gin.HandlerFunc {
	return newAdapter(inject.Middleware(opts...)).handle
}

// NewMiddleware is [Middleware] that reports invalid options, as
// [inject.NewMiddleware] does: an error wrapping [inject.ErrInvalidOption]
// for each option out of range, which is left at its default. The
// middleware it returns is usable either way.
func NewMiddleware(opts ...inject.Option) (gin.HandlerFunc, error) {
	mw, err := inject.NewMiddleware(opts...)
	return newAdapter(mw).handle, err
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

// adapter is what every request served by one Middleware shares.
type adapter struct {
	mw   func(http.Handler) http.Handler // the core middleware
	pool sync.Pool                       // of *run
}

// run is inject's handler around the rest of one gin chain. It is pooled
// with the handler built around it, so a request allocates no closure; the
// writer the handlers hold is not pooled (see responseWriter).
type run struct {
	h http.Handler // the core's handler, with run as its next; built once
	c *gin.Context // the request in flight; nil while pooled
}

// handle is the gin.HandlerFunc.
func (a *adapter) handle(c *gin.Context) {
	rn := a.pool.Get().(*run)
	rn.c = c
	orig, req := c.Writer, c.Request
	defer a.done(rn, orig, req)
	rn.h.ServeHTTP(orig, req)
}

// done restores what the middlewares before this one had, for a panic too,
// and puts rn back.
func (a *adapter) done(rn *run, orig gin.ResponseWriter, req *http.Request) {
	c := rn.c
	c.Writer, c.Request = orig, req
	rn.c = nil
	a.pool.Put(rn)
}

// ServeHTTP runs the rest of the chain with the ResponseWriter and request
// that the core's handler passes on: its rewriting writer, or, for a request
// it does not rewrite (htmx...), gin's own writer, left in place.
func (rn *run) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := rn.c
	c.Request = r
	if _, isGin := w.(gin.ResponseWriter); isGin {
		c.Next() // passed through: gin's writer as it was
		return
	}
	rw := newResponseWriter(w, c.Writer)
	c.Writer = rw
	c.Next()
	// gin sends a status set but not written once the whole chain
	// returned; the rewriter must have it before its handler returns.
	rw.WriteHeaderNow()
}
