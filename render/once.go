package render

import (
	"context"
	"sync/atomic"
)

// Once records that the tags of one response have been rendered, so that two
// entry points (a template func and the inject middleware, say) never put two
// sets into the same page. Put one into a request's context with
// [ContextWithOnce]; every entry point calls [Claim] before it renders.
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

// claimedNow reports whether o has been claimed, for the tests.
func (o *Once) claimedNow() bool { return o != nil && o.claimed.Load() }

// OnceKey is the context key under which a context carries the response's
// [Once]: [ContextWithOnce] stores it so, and [OnceFromContext] looks it up
// with ctx.Value(OnceKey{}). A context type of one's own may answer that key
// itself with a *Once, to carry the flag without the allocation of
// ContextWithOnce (inject's middleware does, in the context it gives each
// request).
type OnceKey struct{}

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
