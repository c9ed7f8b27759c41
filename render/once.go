package render

import (
	"context"

	"github.com/tracemeta/tracemeta/tracecontext"
)

// Once records that the tags of one response have been rendered, so that two
// entry points (a template func and the inject middleware, say) never put two
// sets into the same page: it is [tracecontext.Once], which documents it, and
// the functions below are tracecontext's, named for the renderers that call
// them.
type Once = tracecontext.Once

// ContextWithOnce returns a copy of ctx that carries o; see
// [tracecontext.ContextWithOnce].
func ContextWithOnce(ctx context.Context, o *Once) context.Context {
	return tracecontext.ContextWithOnce(ctx, o)
}

// OnceFromContext returns the Once that ctx carries, or nil; see
// [tracecontext.OnceFromContext].
func OnceFromContext(ctx context.Context) *Once { return tracecontext.OnceFromContext(ctx) }

// Claim reports whether the caller may render the tags for the response that
// ctx belongs to: true when ctx carries no [Once], or when this is the first
// claim of the Once it carries; see [tracecontext.ClaimContext].
func Claim(ctx context.Context) bool { return tracecontext.ClaimContext(ctx) }
