package injectfasthttp

import (
	"context"
	"net/http"

	"github.com/valyala/fasthttp"

	"github.com/tracemeta/tracemeta/inject"
	"github.com/tracemeta/tracemeta/inject/internal/fasthttpkit"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// Option configures [NewAdapter], and the deprecated NewHandler of the
// Fiber adapters.
//
// Deprecated: [Middleware] takes inject's options, [inject.WithSource] and
// [inject.WithTraceContext] among them.
type Option func(*fasthttpkit.Legacy)

// WithInject passes opts to [inject.Middleware].
//
// Deprecated: give opts to [Middleware] itself.
func WithInject(opts ...inject.Option) Option {
	return func(c *fasthttpkit.Legacy) { c.Inject = append(c.Inject, opts...) }
}

// WithSource sets the Source that the tags are read from.
//
// Deprecated: use [inject.WithSource].
func WithSource(src tracecontext.Source) Option {
	return func(c *fasthttpkit.Legacy) {
		// First, so that one given with WithInject wins, as before.
		c.Inject = append([]inject.Option{inject.WithSource(src)}, c.Inject...)
	}
}

// WithTraceContext sets the options of the trace continued when no SDK
// started one.
//
// Deprecated: use [inject.WithTraceContext], which [NewMiddleware] checks.
func WithTraceContext(opts ...tracecontext.Option) Option {
	return func(c *fasthttpkit.Legacy) {
		p, _ := tracecontext.NewPropagator(opts...) // usable either way
		c.Propagator = p
	}
}

// WithPropagator sets the Propagator that continues the trace when no SDK
// did. A nil p means one without options, the default.
//
// Deprecated: use [inject.WithTraceContext] with the Propagator's options.
func WithPropagator(p *tracecontext.Propagator) Option {
	return func(c *fasthttpkit.Legacy) { c.Propagator = p }
}

// Adapter is what a middleware for a framework on fasthttp needs.
//
// Deprecated: use [Middleware]; the Fiber adapters have their own.
type Adapter struct{ kit *fasthttpkit.Kit }

// NewAdapter returns an Adapter configured by opts.
//
// Deprecated: use [Middleware].
func NewAdapter(opts ...Option) *Adapter {
	return &Adapter{kit: fasthttpkit.NewLegacy(opts)}
}

// RequestContext returns ctx with the trace continued from r, unless traced
// or the Source finds a span in ctx, and with a render.Once.
//
// Deprecated: [Middleware] does it.
func (a *Adapter) RequestContext(ctx context.Context, r *http.Request, traced bool) context.Context {
	return a.kit.Context(ctx, r, traced)
}

// Rewrite runs the response fctx holds through inject's middleware.
//
// Deprecated: [Middleware] does it.
func (a *Adapter) Rewrite(fctx *fasthttp.RequestCtx, r *http.Request) error {
	return a.kit.Rewrite(fctx, r)
}

// Rewriter runs finished fasthttp responses through [inject.Middleware].
//
// Deprecated: use [Middleware].
type Rewriter = fasthttpkit.Rewriter

// NewRewriter returns a Rewriter with opts.
//
// Deprecated: use [Middleware].
func NewRewriter(opts ...inject.Option) *Rewriter { return fasthttpkit.NewRewriter(opts...) }

// NewRequest returns the net/http request for fctx's request.
//
// Deprecated: [Middleware] builds it; a handler reads fctx.
func NewRequest(fctx *fasthttp.RequestCtx) *http.Request { return fasthttpkit.NewRequest(fctx) }
