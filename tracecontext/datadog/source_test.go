package tmdatadog_test

import (
	"context"
	"encoding/binary"
	"net/http"
	"testing"

	"github.com/DataDog/dd-trace-go/v2/ddtrace/ext"
	"github.com/DataDog/dd-trace-go/v2/ddtrace/tracer"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/tracecontext"
	tmdatadog "github.com/tracemeta/tracemeta/tracecontext/datadog"
)

// want is the SpanContext a dd-trace-go span reports through the Source.
func want(t *testing.T, s *tracer.Span, d tracecontext.Decision) tracecontext.SpanContext {
	t.Helper()
	sc := tracecontext.SpanContext{TraceID: tracecontext.TraceID(s.Context().TraceIDBytes()), Sampled: d}
	binary.BigEndian.PutUint64(sc.SpanID[:], s.Context().SpanID())
	require.True(t, sc.IsValid())
	return sc
}

// extracted returns the span context dd-trace-go extracts from headers.
func extracted(t *testing.T, h http.Header) *tracer.SpanContext {
	t.Helper()
	sc, err := tracer.Extract(tracer.HTTPHeadersCarrier(h))
	require.NoError(t, err)
	return sc
}

func TestSource(t *testing.T) {
	tests := []struct {
		name string
		// start returns the context the Source reads and the SpanContext it
		// must report, or ok false for none.
		start func(t *testing.T) (ctx context.Context, want tracecontext.SpanContext, ok bool)
	}{
		{
			name: "root span: sampled, 128-bit trace id",
			start: func(t *testing.T) (context.Context, tracecontext.SpanContext, bool) {
				s, ctx := tracer.StartSpanFromContext(context.Background(), "root")
				t.Cleanup(func() { s.Finish() })
				w := want(t, s, tracecontext.DecisionSampled)
				assert.NotZero(t, s.Context().TraceIDUpper(), "dd-trace-go v2 generates 128-bit ids")
				return ctx, w, true
			},
		},
		{
			name: "child span: its own span id, the trace's id",
			start: func(t *testing.T) (context.Context, tracecontext.SpanContext, bool) {
				root, ctx := tracer.StartSpanFromContext(context.Background(), "root")
				child, ctx := tracer.StartSpanFromContext(ctx, "render")
				t.Cleanup(func() { child.Finish(); root.Finish() })
				w := want(t, child, tracecontext.DecisionSampled)
				assert.Equal(t, tracecontext.TraceID(root.Context().TraceIDBytes()), w.TraceID)
				assert.NotEqual(t, root.Context().SpanID(), child.Context().SpanID())
				return ctx, w, true
			},
		},
		{
			name: "user keep is sampled",
			start: func(t *testing.T) (context.Context, tracecontext.SpanContext, bool) {
				s, ctx := tracer.StartSpanFromContext(context.Background(), "root", tracer.Tag(ext.ManualKeep, true))
				t.Cleanup(func() { s.Finish() })
				p, ok := s.Context().SamplingPriority()
				require.True(t, ok)
				require.Equal(t, ext.PriorityUserKeep, p)
				return ctx, want(t, s, tracecontext.DecisionSampled), true
			},
		},
		{
			name: "user reject is not sampled",
			start: func(t *testing.T) (context.Context, tracecontext.SpanContext, bool) {
				s, ctx := tracer.StartSpanFromContext(context.Background(), "root", tracer.Tag(ext.ManualDrop, true))
				t.Cleanup(func() { s.Finish() })
				p, ok := s.Context().SamplingPriority()
				require.True(t, ok)
				require.Equal(t, ext.PriorityUserReject, p)
				return ctx, want(t, s, tracecontext.DecisionNotSampled), true
			},
		},
		{
			name: "continued from Datadog headers: 64-bit id, auto reject",
			start: func(t *testing.T) (context.Context, tracecontext.SpanContext, bool) {
				parent := extracted(t, http.Header{
					"X-Datadog-Trace-Id":          {"4570112125244341326"},
					"X-Datadog-Parent-Id":         {"1234"},
					"X-Datadog-Sampling-Priority": {"0"},
				})
				s, ctx := tracer.StartSpanFromContext(context.Background(), "server", tracer.ChildOf(parent))
				t.Cleanup(func() { s.Finish() })
				w := want(t, s, tracecontext.DecisionNotSampled)
				assert.Equal(t, "00000000000000003f6c4cc3b0e4fc4e", w.TraceID.String())
				return ctx, w, true
			},
		},
		{
			name: "continued from traceparent: the same 128-bit id",
			start: func(t *testing.T) (context.Context, tracecontext.SpanContext, bool) {
				parent := extracted(t, http.Header{
					"Traceparent": {"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
				})
				s, ctx := tracer.StartSpanFromContext(context.Background(), "server", tracer.ChildOf(parent))
				t.Cleanup(func() { s.Finish() })
				w := want(t, s, tracecontext.DecisionSampled)
				assert.Equal(t, "4bf92f3577b34da6a3ce929d0e0e4736", w.TraceID.String())
				return ctx, w, true
			},
		},
		{
			name: "no span",
			start: func(*testing.T) (context.Context, tracecontext.SpanContext, bool) {
				return context.Background(), tracecontext.SpanContext{}, false
			},
		},
		{
			name: "a span removed from the context",
			start: func(t *testing.T) (context.Context, tracecontext.SpanContext, bool) {
				s, ctx := tracer.StartSpanFromContext(context.Background(), "root")
				t.Cleanup(func() { s.Finish() })
				return tracer.ContextWithSpan(ctx, nil), tracecontext.SpanContext{}, false
			},
		},
		{
			name: "nil context",
			start: func(*testing.T) (context.Context, tracecontext.SpanContext, bool) {
				return nil, tracecontext.SpanContext{}, false
			},
		},
	}
	src := tmdatadog.Source()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, w, ok := tt.start(t)
			got, gotOK := src.SpanContext(ctx) //nolint:staticcheck // the nil context is a case
			assert.Equal(t, ok, gotOK)
			assert.Equal(t, w, got)
		})
	}
}
