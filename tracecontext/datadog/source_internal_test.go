package tmdatadog

import (
	"net/http"
	"testing"

	"github.com/DataDog/dd-trace-go/v2/ddtrace/ext"
	"github.com/DataDog/dd-trace-go/v2/ddtrace/tracer"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/tracecontext"
)

func TestDecision(t *testing.T) {
	tests := []struct {
		priority int
		want     tracecontext.Decision
	}{
		{priority: ext.PriorityUserKeep, want: tracecontext.DecisionSampled},
		{priority: ext.PriorityAutoKeep, want: tracecontext.DecisionSampled},
		{priority: ext.PriorityAutoReject, want: tracecontext.DecisionNotSampled},
		{priority: ext.PriorityUserReject, want: tracecontext.DecisionNotSampled},
		{priority: 3, want: tracecontext.DecisionSampled},
		{priority: -2, want: tracecontext.DecisionNotSampled},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, decision(tt.priority), "priority %d", tt.priority)
	}
}

// TestSpanContextWithoutPriority: a span context that carries no sampling
// priority (a caller that made no decision) defers it. The tracer's own spans
// always have one, so the span context comes from headers here.
func TestSpanContextWithoutPriority(t *testing.T) {
	tests := []struct {
		name   string
		header http.Header
		want   tracecontext.Decision
	}{
		{
			name:   "no priority: deferred",
			header: http.Header{"X-Datadog-Trace-Id": {"4570112125244341326"}, "X-Datadog-Parent-Id": {"1234"}},
			want:   tracecontext.DecisionDeferred,
		},
		{
			name: "priority 1: sampled",
			header: http.Header{"X-Datadog-Trace-Id": {"4570112125244341326"}, "X-Datadog-Parent-Id": {"1234"},
				"X-Datadog-Sampling-Priority": {"1"}},
			want: tracecontext.DecisionSampled,
		},
		{
			name: "priority -1: not sampled",
			header: http.Header{"X-Datadog-Trace-Id": {"4570112125244341326"}, "X-Datadog-Parent-Id": {"1234"},
				"X-Datadog-Sampling-Priority": {"-1"}},
			want: tracecontext.DecisionNotSampled,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dd, err := tracer.Extract(tracer.HTTPHeadersCarrier(tt.header))
			require.NoError(t, err)
			sc, ok := spanContext(dd)
			require.True(t, ok)
			assert.Equal(t, tt.want, sc.Sampled)
			assert.Equal(t, "00000000000000003f6c4cc3b0e4fc4e", sc.TraceID.String())
			assert.Equal(t, "00000000000004d2", sc.SpanID.String())
		})
	}
}

// TestSpanContextInvalid: no span context, or one with zero ids, is no span.
func TestSpanContextInvalid(t *testing.T) {
	for name, dd := range map[string]*tracer.SpanContext{"nil": nil, "zero ids": {}} {
		sc, ok := spanContext(dd)
		assert.False(t, ok, name)
		assert.Equal(t, tracecontext.SpanContext{}, sc, name)
	}
}
