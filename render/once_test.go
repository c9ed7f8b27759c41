package render_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/render"
	"github.com/tracemeta/tracemeta/tracecontext"
)

func TestOnce(t *testing.T) {
	o := new(render.Once)
	assert.True(t, o.Claim(), "first claim")
	assert.False(t, o.Claim(), "second claim")
	assert.False(t, o.Claim(), "third claim")
	*o = render.Once{}
	assert.True(t, o.Claim(), "claim of a new Once")
}

func TestNilOnceNeverRefuses(t *testing.T) {
	var o *render.Once
	assert.True(t, o.Claim())
	assert.True(t, o.Claim())
}

func TestClaim(t *testing.T) {
	tests := []struct {
		name string
		ctx  context.Context
		want []bool
	}{
		{name: "no Once", ctx: context.Background(), want: []bool{true, true}},
		{name: "nil context", ctx: nil, want: []bool{true, true}},
		{name: "Once", ctx: render.ContextWithOnce(context.Background(), new(render.Once)), want: []bool{true, false, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i, want := range tt.want {
				assert.Equal(t, want, render.Claim(tt.ctx), "claim %d", i)
			}
		})
	}
}

func TestOnceFromContext(t *testing.T) {
	o := new(render.Once)
	assert.Same(t, o, render.OnceFromContext(render.ContextWithOnce(context.Background(), o)))
	assert.Nil(t, render.OnceFromContext(context.Background()))
	assert.Nil(t, render.OnceFromContext(nil)) //nolint:staticcheck // a nil context must not panic
}

func TestClaimConcurrent(t *testing.T) {
	ctx := render.ContextWithOnce(context.Background(), new(render.Once))
	var wins atomic.Int32
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			if render.Claim(ctx) {
				wins.Add(1)
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int32(1), wins.Load())
}

// TestOnceValue checks the seam for a context of one's own: one that answers
// through tracecontext.OnceValue carries the flag as ContextWithOnce does,
// and no other key reaches it.
func TestOnceValue(t *testing.T) {
	o := new(render.Once)
	ctx := onceContext{Context: context.Background(), once: o}
	assert.Same(t, o, render.OnceFromContext(ctx))
	assert.True(t, render.Claim(ctx))
	assert.False(t, render.Claim(context.WithValue(ctx, struct{}{}, 1)), "through a wrapping context too")
	v, ok := tracecontext.OnceValue(struct{}{}, o)
	assert.False(t, ok)
	assert.Nil(t, v)
}

type onceContext struct {
	context.Context
	once *render.Once
}

func (c onceContext) Value(key any) any {
	if v, ok := tracecontext.OnceValue(key, c.once); ok {
		return v
	}
	return c.Context.Value(key)
}

// TestRequestContextCarriesOnce checks that the context of a request served
// by tracecontext.Middleware carries the response's Once, and a context from
// NewContext does not.
func TestRequestContextCarriesOnce(t *testing.T) {
	var got context.Context
	h := tracecontext.Middleware()(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { got = r.Context() }))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	require.NotNil(t, render.OnceFromContext(got))
	assert.True(t, render.Claim(got))
	assert.False(t, render.Claim(got), "one response, one claim")
	assert.Nil(t, render.OnceFromContext(tracecontext.NewContext(context.Background(), tracecontext.SpanContext{})))

	sc := tracecontext.SpanContext{TraceID: tracecontext.NewTraceID(), SpanID: tracecontext.NewSpanID()}
	ctx := tracecontext.NewRequestContext(context.Background(), sc)
	got2, ok := tracecontext.FromContext(ctx)
	require.True(t, ok)
	assert.Equal(t, sc, got2)
	assert.NotNil(t, render.OnceFromContext(ctx), "NewRequestContext carries a Once")
	assert.NotSame(t, render.OnceFromContext(ctx), render.OnceFromContext(tracecontext.NewRequestContext(context.Background(), sc)), "one per request")
}
