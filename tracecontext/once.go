package tracecontext

import (
	"context"
	"sync/atomic"
)

// Once records that the trace meta tags of one response have been rendered,
// so that two entry points (a template func and inject's middleware, say)
// never put two sets into the same page. This package owns it: a request's
// context carries one ([ContextWithOnce], or the context [Middleware] gives
// every request, which carries one already), and every entry point claims
// it ([Once.Claim], [ClaimContext]) right before it renders. Package render
// offers the same names.
//
// The zero value is ready to use. A Once must not be copied after first use.
type Once struct {
	claimed atomic.Bool
}

// Claim reports whether the caller is the first to claim o, and marks it
// claimed. A nil *Once never refuses.
func (o *Once) Claim() bool {
	if o == nil {
		return true
	}
	return o.claimed.CompareAndSwap(false, true)
}

// onceKey is the context key of the response's Once. It is unexported: a
// context carries a Once through ContextWithOnce, or answers for one itself
// through OnceValue, and nothing else can forge or shadow it.
type onceKey struct{}

// ContextWithOnce returns a copy of ctx that carries o.
func ContextWithOnce(ctx context.Context, o *Once) context.Context {
	if ctx == nil {
		ctx = context.Background()
	}
	return context.WithValue(ctx, onceKey{}, o)
}

// OnceFromContext returns the Once that ctx carries, or nil.
func OnceFromContext(ctx context.Context) *Once {
	if ctx == nil {
		return nil
	}
	o, _ := ctx.Value(onceKey{}).(*Once)
	return o
}

// ClaimContext reports whether the caller may render the tags for the
// response that ctx belongs to: true when ctx carries no [Once], or when this
// is the first claim of the Once it carries.
func ClaimContext(ctx context.Context) bool { return OnceFromContext(ctx).Claim() }

// OnceValue is for a context type of one's own that carries a response's Once
// itself, to save the allocation of [ContextWithOnce] (inject's middleware
// and the Caddy module do, in the context they give each request). Its Value
// method asks OnceValue first:
//
//	func (c *requestContext) Value(key any) any {
//		if v, ok := tracecontext.OnceValue(key, &c.once); ok {
//			return v
//		}
//		return c.Context.Value(key)
//	}
//
// OnceValue reports whether key is the key of the response's Once, and then
// returns o as its value.
func OnceValue(key any, o *Once) (any, bool) {
	if _, ok := key.(onceKey); ok {
		return o, true
	}
	return nil, false
}
