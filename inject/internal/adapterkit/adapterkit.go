// Package adapterkit holds what the framework adapters of inject (inject/gin,
// inject/echo, inject/echov5, inject/fasthttp, inject/fiber, inject/fiberv3)
// share and need of no framework: the user value keys of the SDK
// integrations, the trace an adapter continues itself, the settings read
// from inject's options, and the pool of per-request runs. The fasthttp
// replay, which needs fasthttp, is inject/internal/fasthttpkit.
package adapterkit

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"sync"

	"github.com/tracemeta/tracemeta/inject"
	"github.com/tracemeta/tracemeta/inject/internal/coreview"
	"github.com/tracemeta/tracemeta/render"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// SentryTransactionKey is the key under which sentry-go's integrations for
// frameworks without a request context of their own keep the transaction
// they started: sentryecho for echo v4 (echo.Context.Get), sentryfasthttp
// (RequestCtx.UserValue), sentryfiber (fiber.Ctx.Locals).
const SentryTransactionKey = "sentry_transaction"

// TransactionContext returns the context of the transaction v, which an
// SDK integration stored under [SentryTransactionKey], and true; or nil
// and false when v is none. The transaction is found by its method,
// Context() context.Context, which *sentry.Span has, so that no adapter
// depends on sentry-go.
func TransactionContext(v any) (context.Context, bool) {
	tx, ok := v.(interface{ Context() context.Context })
	if !ok {
		return nil, false
	}
	if rv := reflect.ValueOf(tx); rv.Kind() == reflect.Pointer && rv.IsNil() {
		return nil, false
	}
	ctx := tx.Context()
	return ctx, ctx != nil
}

// WithValuesOf returns ctx that also answers with the values of tx for the
// keys ctx has no value for: the span and the hub a Source reads from a
// transaction's context. Deadline and cancellation stay ctx's.
func WithValuesOf(ctx, tx context.Context) context.Context {
	return &mergedContext{Context: ctx, tx: tx}
}

// mergedContext is a request's context that also answers with the values
// of a transaction's context.
type mergedContext struct {
	context.Context                 // the request's: deadline, cancellation, and its values first
	tx              context.Context // the transaction's, for the values the request's lacks
}

// Value returns the request context's value for key, or else the
// transaction context's.
func (c *mergedContext) Value(key any) any {
	if v := c.Context.Value(key); v != nil {
		return v
	}
	return c.tx.Value(key)
}

// Settings is what an adapter reads of inject's options.
type Settings = coreview.Settings

// SettingsOf returns the Settings of opts.
func SettingsOf(opts []inject.Option) Settings { return coreview.Read(opts) }

// Core returns inject's middleware for opts, and, when validate is true,
// the error of [inject.NewMiddleware] for invalid options: the same for
// every adapter's Middleware (validate false) and NewMiddleware.
func Core(opts []inject.Option, validate bool) (func(http.Handler) http.Handler, error) {
	if !validate {
		return inject.Middleware(opts...), nil
	}
	return inject.NewMiddleware(opts...)
}

// Continuation continues the trace of a request for an adapter that does it
// itself (fasthttp, Fiber), when no SDK in front did. It is safe for
// concurrent use.
type Continuation struct {
	source     tracecontext.Source // the one the tags are rendered from
	propagator *tracecontext.Propagator
}

// NewContinuation returns the Continuation for inject options opts: the
// Source of inject.WithSource, the trace options of inject.WithTraceContext.
// A non-nil p replaces the Propagator those options build. The error wraps
// [inject.ErrInvalidOption] for an invalid trace option, left at its
// default; the Continuation is usable either way.
func NewContinuation(opts []inject.Option, p *tracecontext.Propagator) (*Continuation, error) {
	s := SettingsOf(opts)
	c := &Continuation{source: s.Source, propagator: p}
	if c.source == nil {
		c.source = tracecontext.ContextSource()
	}
	var err error
	if p == nil {
		c.propagator, err = tracecontext.NewPropagator(s.TraceContext...)
		if err != nil {
			err = fmt.Errorf("%w: inject.WithTraceContext: %w", inject.ErrInvalidOption, err)
		}
	}
	return c, err
}

// Context returns ctx with the trace continued from r (sentry-trace and
// baggage, or traceparent), as [tracecontext.Middleware] continues it,
// unless traced reports that an SDK in front started one, or the Source the
// tags are rendered from (inject.WithSource) finds a span in ctx, whose
// trace is then the only one; and with a [render.Once], unless ctx has one,
// so that a template that renders the tags itself and the rewriter put
// exactly one set into the page.
func (c *Continuation) Context(ctx context.Context, r *http.Request, traced bool) context.Context {
	if _, ok := c.source.SpanContext(ctx); !ok && !traced {
		if render.OnceFromContext(ctx) == nil {
			// The span and the response's Once in one allocation.
			return tracecontext.NewRequestContext(ctx, c.propagator.ContinueRequest(r))
		}
		ctx = tracecontext.NewContext(ctx, c.propagator.ContinueRequest(r))
	}
	if render.OnceFromContext(ctx) == nil {
		ctx = render.ContextWithOnce(ctx, new(render.Once))
	}
	return ctx
}

// Pool holds the runs of one adapter: a run is the per-request state of an
// adapter (the framework's context in flight), pooled with the core's
// handler built around it once, so that a request allocates no closure.
type Pool[R http.Handler] struct{ pool sync.Pool }

// Pooled is a run with the core's handler around it.
type Pooled[R http.Handler] struct {
	Run     R            // the adapter's run, the core's next handler
	Handler http.Handler // the core's handler, with Run as its next
}

// NewPool returns the Pool of runs made by newRun, each wrapped by mw.
func NewPool[R http.Handler](mw func(http.Handler) http.Handler, newRun func() R) *Pool[R] {
	p := &Pool[R]{}
	p.pool.New = func() any {
		rn := newRun()
		return &Pooled[R]{Run: rn, Handler: mw(rn)}
	}
	return p
}

// Get returns a run from the pool.
func (p *Pool[R]) Get() *Pooled[R] { return p.pool.Get().(*Pooled[R]) }

// Put gives back a run whose request is done.
func (p *Pool[R]) Put(rn *Pooled[R]) { p.pool.Put(rn) }
