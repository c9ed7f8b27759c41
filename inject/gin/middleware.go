package injectgin

import (
	"bufio"
	"net"
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
//	r.Use(injectgin.Middleware(inject.WithSource(tmsentrygo.Source()))) // then the injector
//
// The handlers after it get a [gin.ResponseWriter] that writes through the
// rewriter, whichever way gin writes a body (c.HTML, c.Data, c.String,
// c.Render, c.File, c.Stream, c.Writer.Write and WriteString, ReadFrom).
// It defers the status as gin does: WriteHeader records it and
// WriteHeaderNow, the first Write or Flush forwards it, so a header set
// between (the Content-Length of c.Data) is part of the response. Status,
// Size and Written report what the handlers did, as gin's writer does.
// Once it returns, c.Writer and c.Request are the ones the middlewares
// before it had, and c.Writer.Status, Size and Written there report what
// they would without it, the tags counted in Size: a status the handlers
// sent (c.AbortWithStatus) has been sent, and one they only set is
// recorded, for gin to send once the chain returned. A WebSocket upgrade
// (coder/websocket, gorilla/websocket) gets the connection with its 101
// sent as the library wrote it.
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
// writer the handlers hold is not pooled (see responseWriter). out is: like
// gin's writer under it, which gin reuses for its next request, it must not
// be written once the handler returned.
type run struct {
	h   http.Handler // the core's handler, with run as its next; built once
	c   *gin.Context // the request in flight; nil while pooled
	out sentWriter   // gin's writer of the request in flight, as the core's handler writes to it
}

// sentWriter is gin's writer as the core's handler gets it: a net/http
// ResponseWriter, whose status is sent once WriteHeader was called. gin's own
// WriteHeader only records a status until a write, a flush or the end of the
// chain. The core calls WriteHeader when it commits a response whose status
// the handlers made gin send (WriteHeaderNow, a write, a flush,
// c.AbortWithStatus), and that status must be sent before a Hijack (a
// WebSocket's 101, which net/http writes out on Hijack only if it has it)
// and before this middleware returns (a middleware in front reads Written
// and Size from gin's writer). It is not sent at once: a layer in front,
// such as gin-contrib/gzip, may still change the headers on the first
// write, as it would without this middleware. A status the handlers only
// set never reaches the core: gin's writer records it (see run.ServeHTTP).
type sentWriter struct {
	gin.ResponseWriter
	pending bool // WriteHeader was called: the status is to be sent
}

// WriteHeader records code in gin's writer, to be sent by the first write,
// a flush, a Hijack or the end of the middleware.
func (w *sentWriter) WriteHeader(code int) {
	w.ResponseWriter.WriteHeader(code)
	w.pending = true
}

// send makes gin's writer send the status that WriteHeader recorded.
func (w *sentWriter) send() {
	if w.pending {
		w.pending = false
		w.ResponseWriter.WriteHeaderNow() // a no-op once sent
	}
}

// Hijack sends the status the core committed, as net/http sends the status
// written before a Hijack, then hands the connection over.
func (w *sentWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.send()
	return w.ResponseWriter.Hijack()
}

// Unwrap returns gin's writer, for [http.ResponseController].
func (w *sentWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// handle is the gin.HandlerFunc.
func (a *adapter) handle(c *gin.Context) {
	rn := a.pool.Get().(*run)
	rn.c = c
	orig, req := c.Writer, c.Request
	rn.out = sentWriter{ResponseWriter: orig}
	defer a.done(rn, orig, req)
	rn.h.ServeHTTP(&rn.out, req)
	rn.out.send()
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
	if w == http.ResponseWriter(&rn.out) {
		c.Next() // passed through: gin's writer as it was
		return
	}
	rw := newResponseWriter(w, c.Writer)
	c.Writer = rw
	c.Next()
	if !rw.Written() {
		// A status set but never sent: gin's writer records it, as it
		// would have without this middleware, and sends it once the whole
		// chain returned, unless a middleware in front writes first.
		rw.orig.WriteHeader(rw.status)
	}
}
