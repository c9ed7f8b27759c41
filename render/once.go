package render

import (
	"context"

	"github.com/tracemeta/tracemeta/tracecontext"
)

// Once records that the tags of one response have been rendered, so that two
// entry points (a template func and the inject middleware, say) never put two
// sets into the same page. Put one into a request's context with
// [ContextWithOnce]; every entry point calls [Claim] before it renders.
// The context of a request served by tracecontext.Middleware carries one
// already (the type lives in tracecontext for that reason).
//
// The zero value is ready to use. A Once must not be copied after first use.
type Once = tracecontext.Once

// OnceKey is the context key under which a context carries the response's
// [Once]: [ContextWithOnce] stores it so, and [OnceFromContext] looks it up
// with ctx.Value(OnceKey{}). A context type of one's own may answer that key
// itself with a *Once, to carry the flag without the allocation of
// ContextWithOnce (inject's middleware and tracecontext.Middleware do, in
// the context they give each request).
type OnceKey = tracecontext.OnceKey

// ContextWithOnce returns a copy of ctx that carries o.
func ContextWithOnce(ctx context.Context, o *Once) context.Context {
	return context.WithValue(ctx, OnceKey{}, o)
}

// OnceFromContext returns the Once that ctx carries, or nil.
func OnceFromContext(ctx context.Context) *Once {
	if ctx == nil {
		return nil
	}
	o, _ := ctx.Value(OnceKey{}).(*Once)
	return o
}

// Claim reports whether the caller may render the tags for the response that
// ctx belongs to: true when ctx carries no [Once], or when this is the first
// claim of the Once it carries.
func Claim(ctx context.Context) bool { return OnceFromContext(ctx).Claim() }
