package injectfasthttp

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"reflect"

	"github.com/valyala/fasthttp"

	"github.com/tracemeta/tracemeta/inject"
	"github.com/tracemeta/tracemeta/render"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// Adapter is what a middleware for a framework on fasthttp needs, configured
// once by its options ([Option]): the trace continued for each request
// ([Adapter.RequestContext]) and the response rewritten once the handlers
// have written it ([Adapter.Rewrite]). [Middleware] is one for plain fasthttp,
// and the Fiber adapters are built on it. An Adapter is safe for concurrent
// use.
type Adapter struct {
	source     tracecontext.Source
	propagator *tracecontext.Propagator
	rewriter   *Rewriter
	sdkTraces  bool // the tags come from an SDK's Source, given with inject.WithSource: no trace is continued here
}

// NewAdapter returns an Adapter configured by opts.
func NewAdapter(opts ...Option) *Adapter {
	cfg := newConfig(opts)
	a := &Adapter{
		source:     cfg.source,
		propagator: cfg.propagator,
		rewriter:   NewRewriter(cfg.injectOptions()...),
	}
	if a.source == nil {
		a.source = tracecontext.ContextSource()
		a.sdkTraces = !rendersContextSpan(cfg.inject)
	}
	return a
}

// probeSpan is the span that rendersContextSpan looks for in the tags.
var probeSpan = func() tracecontext.SpanContext {
	sc := tracecontext.SpanContext{
		TraceID: tracecontext.TraceID{0x9e, 0x37, 0x79, 0xb9, 0x7f, 0x4a, 0x7c, 0x15, 0xf3, 0x9c, 0xc0, 0x60, 0x5c, 0xed, 0xc8, 0x34},
		SpanID:  tracecontext.SpanID{0x9e, 0x37, 0x79, 0xb9, 0x7f, 0x4a, 0x7c, 0x15},
	}
	sc.DSC.TraceID = sc.TraceID.String()
	return sc
}()

// rendersContextSpan reports whether the tags that inject renders with opts
// name the span stored with [tracecontext.NewContext]: false when an
// [inject.WithSource] among them reads an SDK's span instead. inject keeps
// its options to itself, so a Writer that renders with them is asked, once:
// do the tags it renders for a context that holds probeSpan name it?
func rendersContextSpan(opts []inject.Option) bool {
	wopts := make([]inject.WriterOption, 0, len(opts)+1)
	for _, o := range opts {
		if wo, ok := o.(inject.WriterOption); ok && wo != nil {
			wopts = append(wopts, wo)
		}
	}
	if len(wopts) == 0 {
		return true // the default Source, tracecontext.ContextSource
	}
	var out bytes.Buffer
	ctx := tracecontext.NewContext(context.Background(), probeSpan)
	w := inject.NewWriter(&out, nil, append(wopts, inject.WithContext(ctx))...)
	_, _ = io.WriteString(w, "<head>")
	_ = w.Close()
	if w.Inserted() == 0 {
		// No tags: the Source found no span in ctx, or the render
		// options render none, and then no Source matters.
		return w.Reason() != inject.ReasonNoSpan
	}
	return bytes.Contains(out.Bytes(), []byte(probeSpan.DSC.TraceID))
}

// RequestContext returns ctx with the trace continued from r (sentry-trace
// and baggage, or traceparent), as [tracecontext.Middleware] continues it,
// unless traced reports that an SDK in front started one, or the Source
// ([WithSource]) finds a span in ctx, or the tags are rendered from an SDK's
// Source given with [inject.WithSource] (through [WithInject]), whose trace
// is then the only one; and with a [render.Once], unless ctx
// has one, so that a template that renders the tags itself (templates'
// traceMeta) and the rewriter put exactly one set into the page. The
// framework stores it where its handlers find the request's context.
func (a *Adapter) RequestContext(ctx context.Context, r *http.Request, traced bool) context.Context {
	if a.sdkTraces {
		traced = true
	}
	if _, ok := a.source.SpanContext(ctx); !ok && !traced {
		if render.OnceFromContext(ctx) == nil {
			// The span and the response's Once in one allocation.
			return tracecontext.NewRequestContext(ctx, a.propagator.ContinueRequest(r))
		}
		ctx = tracecontext.NewContext(ctx, a.propagator.ContinueRequest(r))
	}
	if render.OnceFromContext(ctx) == nil {
		ctx = render.ContextWithOnce(ctx, new(render.Once))
	}
	return ctx
}

// Rewrite runs the response fctx holds through [inject.Middleware], with
// the options of [WithInject] and [WithSource], as [Rewriter.Rewrite] does;
// r is the request of [NewRequest] with the context of
// [Adapter.RequestContext].
func (a *Adapter) Rewrite(fctx *fasthttp.RequestCtx, r *http.Request) error {
	return a.rewriter.Rewrite(fctx, r)
}

// contextKey is the user value under which [Middleware] keeps the request's
// context.
type contextKey struct{}

// Context returns the context of fctx's request that [Middleware] stored,
// with the trace the tags name and the page's [render.Once]: the context to
// give templates' traceMeta, or [tracecontext.FromContext]. Outside
// Middleware it returns [context.Background].
func Context(fctx *fasthttp.RequestCtx) context.Context {
	if ctx, ok := fctx.UserValue(contextKey{}).(context.Context); ok {
		return ctx
	}
	return context.Background()
}

// Middleware returns a fasthttp handler that inserts the trace meta tags
// into the HTML pages next serves, configured by opts. For each request it
// continues the incoming trace ([Adapter.RequestContext]) and stores the
// context, for next to read with [Context]; calls next; then, unless next
// hijacked the connection, rewrites the response ([Adapter.Rewrite]). A
// body stream that fails before any byte of it is sent is answered with a
// 500.
//
// Behind sentry-go's fasthttp integration (sentryfasthttp), Middleware finds
// the transaction it keeps in the request's user values, leaves the trace
// to it and starts from its context; give the sentrygo module's Source to
// [WithSource], so that the tags name that transaction:
//
//	h := sentryfasthttp.New(sentryfasthttp.Options{}).Handle(
//		injectfasthttp.Middleware(handler, injectfasthttp.WithSource(tmsentrygo.Source())))
//
// Compression must wrap Middleware (fasthttp.CompressHandler(Middleware(h))),
// so that it sees the HTML before it is compressed; a compressed response
// passes through untouched.
func Middleware(next fasthttp.RequestHandler, opts ...Option) fasthttp.RequestHandler {
	a := NewAdapter(opts...)
	return func(fctx *fasthttp.RequestCtx) {
		r := NewRequest(fctx)
		// Not fctx as the parent: a body stream is replayed after the
		// handler returned, when fasthttp may have reused fctx.
		ctx, traced := sdkContext(fctx)
		ctx = a.RequestContext(ctx, r, traced)
		fctx.SetUserValue(contextKey{}, ctx)
		next(fctx)
		if fctx.Hijacked() {
			return
		}
		if err := a.Rewrite(fctx, r.WithContext(ctx)); err != nil {
			fctx.Error(fasthttp.StatusMessage(fasthttp.StatusInternalServerError), fasthttp.StatusInternalServerError)
		}
	}
}

// sentryTransactionKey is the user value under which sentry-go's fasthttp
// integration (sentryfasthttp) keeps the transaction it started, as
// sentryfasthttp.GetSpanFromContext reads it.
const sentryTransactionKey = "sentry_transaction"

// sdkContext returns the context of the transaction sentryfasthttp started
// for fctx's request, and true; or [context.Background] and false.
func sdkContext(fctx *fasthttp.RequestCtx) (context.Context, bool) {
	t, ok := fctx.UserValue(sentryTransactionKey).(interface{ Context() context.Context })
	if !ok {
		return context.Background(), false
	}
	if v := reflect.ValueOf(t); v.Kind() == reflect.Pointer && v.IsNil() {
		return context.Background(), false
	}
	if ctx := t.Context(); ctx != nil {
		return ctx, true
	}
	return context.Background(), false
}
