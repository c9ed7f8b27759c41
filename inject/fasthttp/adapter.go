package injectfasthttp

import (
	"context"

	"github.com/valyala/fasthttp"

	"github.com/tracemeta/tracemeta/inject"
	"github.com/tracemeta/tracemeta/inject/internal/fasthttpkit"
)

// contextKey is the user value under which [Middleware] keeps the request's
// context.
type contextKey struct{}

// Context returns the context of fctx's request that [Middleware] stored,
// with the trace the tags name and the page's render.Once: the context to
// give templates' traceMeta, or [tracecontext.FromContext]. Outside
// Middleware it returns [context.Background].
func Context(fctx *fasthttp.RequestCtx) context.Context {
	if ctx, ok := fctx.UserValue(contextKey{}).(context.Context); ok {
		return ctx
	}
	return context.Background()
}

// Middleware returns a fasthttp handler that inserts the trace meta tags
// into the HTML pages next serves, with [inject.Middleware] and the same
// options: the eligibility rules, the Source, the render options, the skip
// hook and the logger are the core's. For each request it continues the
// incoming trace (sentry-trace and baggage, or traceparent) as
// [tracecontext.Middleware] does, with the options of
// [inject.WithTraceContext], unless an SDK in front started one, and stores
// the context, for next to read with [Context]; calls next; then, unless
// next hijacked the connection, runs the response through inject's
// middleware. A body stream that fails before any byte of it is sent is
// answered with a 500.
//
// A body set whole is rewritten into a pooled buffer, or left where it is
// when it is not rewritten. A body stream (SetBodyStream,
// SetBodyStreamWriter) stays a stream: once the middleware has decided the
// status and the headers from the start of it (or at the stream writer's
// first Flush, as net/http's Flush makes the middleware decide), the rest is
// rewritten as fasthttp sends it, in constant memory.
//
// Behind a tracing SDK, give its Source with [inject.WithSource]: the tags
// name the SDK's span, and no second trace is continued. sentry-go's fasthttp
// integration (sentryfasthttp) keeps its transaction in the request's user
// values; Middleware finds it there and starts from its context:
//
//	h := sentryfasthttp.New(sentryfasthttp.Options{}).Handle(
//		injectfasthttp.Middleware(handler, inject.WithSource(tmsentrygo.Source())))
//
// Compression must wrap Middleware (fasthttp.CompressHandler(Middleware(h))),
// so that it sees the HTML before it is compressed; a compressed response
// passes through untouched. Nil options are skipped, as [inject.Middleware]
// skips them.
//
// The *http.Request that inject's options are given (a skip function of
// [inject.WithSkip], the skip hook, a sampler of tracecontext.WithSampler)
// is reused for a later request once the response is written, as fasthttp
// reuses its RequestCtx: keep nothing of it past the call but copies.
func Middleware(next fasthttp.RequestHandler, opts ...inject.Option) fasthttp.RequestHandler {
	k, _ := fasthttpkit.New(opts, nil, false)
	return handler(k, next)
}

// NewMiddleware is [Middleware] that reports invalid options, as
// [inject.NewMiddleware] does: an error wrapping [inject.ErrInvalidOption]
// for each option out of range (inject.WithTraceContext's included), which
// is left at its default. The handler it returns is usable either way.
func NewMiddleware(next fasthttp.RequestHandler, opts ...inject.Option) (fasthttp.RequestHandler, error) {
	k, err := fasthttpkit.New(opts, nil, true)
	return handler(k, next), err
}

// handler is the fasthttp handler of Middleware around next.
func handler(k *fasthttpkit.Kit, next fasthttp.RequestHandler) fasthttp.RequestHandler {
	return func(fctx *fasthttp.RequestCtx) {
		rn, r := k.Begin(fctx)
		// Not fctx as the parent: a body stream is replayed after the
		// handler returned, when fasthttp may have reused fctx.
		ctx, traced := fasthttpkit.SDKContext(fctx)
		ctx = k.Context(ctx, r, traced)
		fctx.SetUserValue(contextKey{}, ctx)
		next(fctx)
		if fctx.Hijacked() {
			k.Abandon(rn)
			return
		}
		if err := k.Finish(fctx, rn, ctx); err != nil {
			fctx.Error(fasthttp.StatusMessage(fasthttp.StatusInternalServerError), fasthttp.StatusInternalServerError)
		}
	}
}
