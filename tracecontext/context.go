package tracecontext

import (
	"context"
	"fmt"
)

type contextKey struct{}

// NewContext returns a copy of ctx that carries sc. [FromContext] reads it
// back, and so does the default [Source].
//
// It costs one allocation: the returned context holds sc itself, where
// [context.WithValue] would allocate a second time to box it.
func NewContext(ctx context.Context, sc SpanContext) context.Context {
	if ctx == nil {
		ctx = context.Background()
	}
	return &spanCtx{Context: ctx, sc: sc}
}

// spanCtx is the context of [NewContext]. Everything but the value of
// contextKey is its parent's, cancellation included.
type spanCtx struct {
	context.Context
	sc SpanContext
}

// Value returns a pointer to the SpanContext for contextKey, so that reading
// it does not allocate, and asks the parent for any other key.
func (c *spanCtx) Value(key any) any {
	if key == (contextKey{}) {
		return &c.sc
	}
	return c.Context.Value(key)
}

func (c *spanCtx) String() string {
	return fmt.Sprintf("%v.WithValue(tracecontext.SpanContext %s)", c.Context, c.sc.SentryTrace())
}

// FromContext returns the SpanContext stored in ctx by [NewContext], and
// whether there was one.
func FromContext(ctx context.Context) (SpanContext, bool) {
	if ctx == nil {
		return SpanContext{}, false
	}
	sc, ok := ctx.Value(contextKey{}).(*SpanContext)
	if !ok {
		return SpanContext{}, false
	}
	return *sc, true
}

// Source gives the trace context of the span active in a request's context.
// Every entry point of tracemeta reads the span through a Source at the
// moment it renders, so the tags describe the span active then.
type Source interface {
	// SpanContext returns the trace context of the span active in ctx, or
	// false if there is none.
	SpanContext(ctx context.Context) (SpanContext, bool)
}

// SourceFunc adapts a function to a [Source].
type SourceFunc func(ctx context.Context) (SpanContext, bool)

// SpanContext calls f(ctx).
func (f SourceFunc) SpanContext(ctx context.Context) (SpanContext, bool) { return f(ctx) }

// ContextSource returns the [Source] that reads what [NewContext] stored, as
// [Middleware] does. It is the default Source of every entry point. It
// reports no span for a context whose SpanContext is not valid.
func ContextSource() Source { return contextSource{} }

type contextSource struct{}

func (contextSource) SpanContext(ctx context.Context) (SpanContext, bool) {
	sc, ok := FromContext(ctx)
	if !ok || !sc.IsValid() {
		return SpanContext{}, false
	}
	return sc, true
}
