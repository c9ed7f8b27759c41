package adapterkit_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/inject"
	"github.com/tracemeta/tracemeta/inject/internal/adapterkit"
	"github.com/tracemeta/tracemeta/render"
	"github.com/tracemeta/tracemeta/tracecontext"
)

type tx struct{ ctx context.Context }

func (t *tx) Context() context.Context { return t.ctx }

// TestTransactionContext checks what is taken for an SDK's transaction.
func TestTransactionContext(t *testing.T) {
	ctx := context.WithValue(context.Background(), tx{}, 1)
	tests := []struct {
		name  string
		value any
		ok    bool
	}{
		{"transaction", &tx{ctx}, true},
		{"nil pointer", (*tx)(nil), false},
		{"nil context", &tx{}, false},
		{"something else", "sentry", false},
		{"nothing", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := adapterkit.TransactionContext(tt.value)
			require.Equal(t, tt.ok, ok)
			if ok {
				assert.Equal(t, ctx, got)
			}
		})
	}
}

// TestWithValuesOf checks that the request's values come first, then the
// transaction's, and that cancellation stays the request's.
func TestWithValuesOf(t *testing.T) {
	type key string
	req, cancel := context.WithCancel(context.WithValue(context.Background(), key("both"), "request's"))
	txCtx := context.WithValue(context.WithValue(context.Background(), key("both"), "transaction's"), key("tx"), "transaction's")
	ctx := adapterkit.WithValuesOf(req, txCtx)
	assert.Equal(t, "request's", ctx.Value(key("both")))
	assert.Equal(t, "transaction's", ctx.Value(key("tx")))
	assert.Nil(t, ctx.Value(key("none")))
	cancel()
	assert.ErrorIs(t, ctx.Err(), context.Canceled)
}

// TestSettingsOf checks what the adapters read of inject's options.
func TestSettingsOf(t *testing.T) {
	src := tracecontext.SourceFunc(func(context.Context) (tracecontext.SpanContext, bool) { return tracecontext.SpanContext{}, false })
	t.Run("defaults", func(t *testing.T) {
		s := adapterkit.SettingsOf(nil)
		assert.Nil(t, s.Source)
		assert.Nil(t, s.TraceContext)
		assert.Nil(t, s.Logger)
		assert.Nil(t, s.Skipped)
	})
	t.Run("the default Source given", func(t *testing.T) {
		assert.Nil(t, adapterkit.SettingsOf([]inject.Option{inject.WithSource(tracecontext.ContextSource())}).Source)
		assert.Nil(t, adapterkit.SettingsOf([]inject.Option{inject.WithSource(nil)}).Source)
	})
	t.Run("set", func(t *testing.T) {
		logger := slog.New(slog.DiscardHandler)
		var heard []inject.Reason
		s := adapterkit.SettingsOf([]inject.Option{
			nil,
			inject.WithSource(src),
			inject.WithTraceContext(tracecontext.WithRelease("a")),
			inject.WithLogger(logger),
			inject.WithTraceContext(tracecontext.WithSampleRate(1)),
			inject.WithSkipHook(func(_ *http.Request, r inject.Reason) { heard = append(heard, r) }),
		})
		assert.NotNil(t, s.Source)
		assert.Len(t, s.TraceContext, 2)
		assert.Same(t, logger, s.Logger)
		require.NotNil(t, s.Skipped)
		s.Skipped(httptest.NewRequest(http.MethodGet, "/", nil), uint8(inject.ReasonFailed))
		assert.Equal(t, []inject.Reason{inject.ReasonFailed}, heard)
	})
}

// TestContinuation checks the trace a Continuation continues, and the
// error of an invalid trace option.
func TestContinuation(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Sentry-Trace", "5b8efff798038103d269b633813fc60c-eee19b7ec3c1b174-1")

	c, err := adapterkit.NewContinuation(nil, nil)
	require.NoError(t, err)
	ctx := c.Context(context.Background(), r, false)
	sc, ok := tracecontext.FromContext(ctx)
	require.True(t, ok)
	assert.Equal(t, "5b8efff798038103d269b633813fc60c", sc.TraceID.String())
	assert.NotNil(t, render.OnceFromContext(ctx))

	_, ok = tracecontext.FromContext(c.Context(context.Background(), r, true))
	assert.False(t, ok, "an SDK in front traced the request")

	sdk := tracecontext.Continue(nil)
	own := tracecontext.SourceFunc(func(ctx context.Context) (tracecontext.SpanContext, bool) {
		sc, ok := ctx.Value(tx{}).(tracecontext.SpanContext)
		return sc, ok
	})
	c, err = adapterkit.NewContinuation([]inject.Option{inject.WithSource(own)}, nil)
	require.NoError(t, err)
	ctx = c.Context(context.WithValue(context.Background(), tx{}, sdk), r, false)
	_, ok = tracecontext.FromContext(ctx)
	assert.False(t, ok, "the Source found the SDK's span: no second trace")
	ctx = c.Context(context.Background(), r, false)
	_, ok = tracecontext.FromContext(ctx)
	assert.True(t, ok, "the Source found none: the trace is continued")

	_, err = adapterkit.NewContinuation([]inject.Option{inject.WithTraceContext(tracecontext.WithSampleRate(2))}, nil)
	assert.True(t, errors.Is(err, inject.ErrInvalidOption) && errors.Is(err, tracecontext.ErrInvalidOption), "%v", err)
}
