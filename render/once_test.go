package render_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tracemeta/tracemeta/render"
)

func TestOnce(t *testing.T) {
	var o render.Once
	assert.False(t, o.Claimed())
	assert.True(t, o.Claim(), "first claim")
	assert.True(t, o.Claimed())
	assert.False(t, o.Claim(), "second claim")
	o.Reset()
	assert.False(t, o.Claimed())
	assert.True(t, o.Claim(), "claim after Reset")
}

func TestNilOnceNeverRefuses(t *testing.T) {
	var o *render.Once
	assert.True(t, o.Claim())
	assert.True(t, o.Claim())
	assert.False(t, o.Claimed())
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
