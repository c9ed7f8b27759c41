// Package fasthttpkit is the part of the adapters' kit that needs fasthttp:
// the replay of a finished fasthttp response through inject's middleware,
// the net/http request built from a fasthttp one, and the run of one request
// that inject/fasthttp and the Fiber adapters (inject/fiber, inject/fiberv3)
// share.
package fasthttpkit

import (
	"context"
	"errors"
	"net/http"

	"github.com/valyala/fasthttp"

	"github.com/tracemeta/tracemeta/inject"
	"github.com/tracemeta/tracemeta/inject/internal/adapterkit"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// Kit is what one adapter on fasthttp shares between requests: the trace it
// continues and the rewriter of its responses. It is safe for concurrent use.
type Kit struct {
	*adapterkit.Continuation
	*Rewriter
}

// New returns the Kit configured by inject options opts; a non-nil p
// replaces the Propagator of inject.WithTraceContext. With validate, the
// error reports every invalid option, as [inject.NewMiddleware] does; the
// Kit is usable either way.
func New(opts []inject.Option, p *tracecontext.Propagator, validate bool) (*Kit, error) {
	cont, cerr := adapterkit.NewContinuation(opts, p)
	rw, rerr := newRewriter(opts, validate)
	if !validate {
		return &Kit{cont, rw}, nil
	}
	return &Kit{cont, rw}, errors.Join(rerr, cerr)
}

// SDKContext returns the context of the transaction sentry-go's fasthttp
// integration (sentryfasthttp) started for fctx's request, and true; or
// [context.Background] and false.
func SDKContext(fctx *fasthttp.RequestCtx) (context.Context, bool) {
	if ctx, ok := adapterkit.TransactionContext(fctx.UserValue(adapterkit.SentryTransactionKey)); ok {
		return ctx, true
	}
	return context.Background(), false
}

// Framework is how [Serve] uses the context C of a framework on fasthttp.
type Framework[C any] struct {
	RequestCtx   func(c C) *fasthttp.RequestCtx
	Context      func(c C) context.Context      // the request's context, where handlers read it
	SetContext   func(c C, ctx context.Context) // stores it there
	Traced       func(c C) bool                 // an SDK integration in front started a trace
	Next         func(c C) error                // runs the rest of the chain
	ErrorHandler func(c C, err error) error     // the app's, which answers an error of the chain
}

// Middleware returns the handler of a Fiber-like adapter for the
// framework fw, configured by inject options opts, and with validate the
// error of every invalid option (the handler is usable either way): each
// request is run by [Serve].
func Middleware[C any](fw *Framework[C], opts []inject.Option, validate bool) (func(c C) error, error) {
	k, err := New(opts, nil, validate)
	return Handler(k, fw), err
}

// Handler returns the handler that runs each request of fw with k.
func Handler[C any](k *Kit, fw *Framework[C]) func(c C) error {
	return func(c C) error { return Serve(k, fw, c) }
}

// Serve runs one request of a framework on fasthttp: it continues the trace
// into the request's context, runs the rest of the chain, answers its error
// at once (so that an error page is rewritten too), then rewrites the
// response unless the connection was hijacked. The error is that of
// [Rewriter.Rewrite], for a body stream that fails before its status.
func Serve[C any](k *Kit, fw *Framework[C], c C) error {
	fctx := fw.RequestCtx(c)
	rn := k.getRun()
	r := k.request(rn, fctx)
	fw.SetContext(c, k.Context(fw.Context(c), r, fw.Traced != nil && fw.Traced(c)))
	if err := fw.Next(c); err != nil {
		if herr := fw.ErrorHandler(c, err); herr != nil {
			// As Fiber answers an error of its ErrorHandler.
			fctx.SetStatusCode(fasthttp.StatusInternalServerError)
			if !fctx.Response.IsBodyStream() && len(fctx.Response.Body()) == 0 {
				fctx.SetBodyString(fasthttp.StatusMessage(fasthttp.StatusInternalServerError))
			}
		}
	}
	if fctx.Hijacked() {
		k.putRun(rn)
		return nil
	}
	setContext(r, fw.Context(c))
	return k.rewrite(fctx, r, rn)
}

// Begin returns the run of fctx's request and its net/http request, built
// as [NewRequest] builds it: both are valid until [Kit.Finish] or
// [Kit.Abandon], which gives them back to the kit's pool.
func (k *Kit) Begin(fctx *fasthttp.RequestCtx) (*Run, *http.Request) {
	rn := k.getRun()
	return (*Run)(rn), k.request(rn, fctx)
}

// Finish rewrites the response fctx holds, for rn's request with the
// context ctx, as [Rewriter.Rewrite] does, and gives rn back.
func (k *Kit) Finish(fctx *fasthttp.RequestCtx, rn *Run, ctx context.Context) error {
	r := &rn.req
	setContext(r, ctx)
	return k.rewrite(fctx, r, (*run)(rn))
}

// Abandon gives rn back without a rewrite, as for a hijacked connection.
func (k *Kit) Abandon(rn *Run) { k.putRun((*run)(rn)) }

// Run is the pooled state of one request that [Kit.Begin] starts.
type Run run

// coreMiddleware builds inject's middleware around h.
func coreMiddleware(opts []inject.Option, validate bool, h http.Handler) (http.Handler, error) {
	mw, err := adapterkit.Core(opts, validate)
	return mw(h), err
}
