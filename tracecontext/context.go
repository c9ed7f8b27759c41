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

// spanCtx is the context of [NewContext] and of [Middleware]. Everything but
// the value of contextKey (and, for Middleware's, of the Once) is its
// parent's, cancellation included.
type spanCtx struct {
	context.Context
	sc      SpanContext
	once    Once
	hasOnce bool // the context is a request's, from Middleware: it carries once
}

// Value returns a pointer to the SpanContext for contextKey, so that reading
// it does not allocate, the response's Once in a request's context, and
// asks the parent for any other key.
func (c *spanCtx) Value(key any) any {
	switch key.(type) {
	case contextKey:
		return &c.sc
	case onceKey:
		if c.hasOnce {
			return &c.once
		}
	}
	return c.Context.Value(key)
}

// SpanContextValue is for a context type of one's own that carries the
// request's SpanContext itself, to save the allocation of [NewContext] (the
// Caddy module's context does), as [OnceValue] is for a [Once]: its Value
// method asks SpanContextValue first. It reports whether key is the key
// under which [FromContext] looks for the span, and then returns sc as its
// value; sc must stay valid, and unchanged, as long as the context is used.
func SpanContextValue(key any, sc *SpanContext) (any, bool) {
	if _, ok := key.(contextKey); ok {
		return sc, true
	}
	return nil, false
}

// NewRequestContext returns a copy of ctx that carries sc, as [NewContext]
// does, and a new [Once] for the response to the request ctx belongs to, in
// one allocation: the context [Middleware] gives every request. A framework
// adapter that continues the trace itself (one without net/http requests)
// gives it to the request's handlers the same way.
func NewRequestContext(ctx context.Context, sc SpanContext) context.Context {
	if ctx == nil {
		ctx = context.Background()
	}
	return &spanCtx{Context: ctx, sc: sc, hasOnce: true}
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
//
// Source is the stable contract between tracemeta and tracing SDKs: every
// adapter (the sentry-go, OpenTelemetry and Datadog modules under
// tracecontext, and any a user writes) implements it, and it does not change
// within a major version.
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
	// FromContext, reading through the pointer: the SpanContext is copied
	// once, into the result, not twice.
	if ctx == nil {
		return SpanContext{}, false
	}
	sc, ok := ctx.Value(contextKey{}).(*SpanContext)
	if !ok || !sc.IsValid() {
		return SpanContext{}, false
	}
	return *sc, true
}
