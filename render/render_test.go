package render_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/render"
	"github.com/tracemeta/tracemeta/tracecontext"
)

const (
	sentryTraceTag = `<meta name="sentry-trace" content="` + traceHex + `-` + spanHex
	traceparentTag = `<meta name="traceparent" content="00-` + traceHex + `-` + spanHex
	fullBaggage    = `sentry-trace_id=` + traceHex +
		`,sentry-public_key=49d0f7386ad645858ae85020e393bef3,sentry-sample_rate=0.01337` +
		`,sentry-sample_rand=0.123456,sentry-sampled=true,sentry-release=1.0.0` +
		`,sentry-environment=production,sentry-transaction=GET%20%2Fcheckout`
)

func TestAppendMetaTags(t *testing.T) {
	tests := []struct {
		name    string
		sampled tracecontext.Decision
		dsc     tracecontext.DSC
		opts    []render.Option
		want    string
	}{
		{
			name:    "sampled with DSC",
			sampled: tracecontext.DecisionSampled,
			dsc:     fullDSC(),
			want:    sentryTraceTag + `-1">` + `<meta name="baggage" content="` + fullBaggage + `">`,
		},
		{
			name:    "not sampled",
			sampled: tracecontext.DecisionNotSampled,
			dsc:     tracecontext.DSC{TraceID: traceHex, PublicKey: "pk", Sampled: "false"},
			want: sentryTraceTag + `-0">` +
				`<meta name="baggage" content="sentry-trace_id=` + traceHex + `,sentry-public_key=pk,sentry-sampled=false">`,
		},
		{
			name:    "deferred decision has no flag",
			sampled: tracecontext.DecisionDeferred,
			dsc:     tracecontext.DSC{TraceID: traceHex},
			want:    sentryTraceTag + `">` + `<meta name="baggage" content="sentry-trace_id=` + traceHex + `">`,
		},
		{
			name:    "empty DSC has no baggage tag",
			sampled: tracecontext.DecisionSampled,
			want:    sentryTraceTag + `-1">`,
		},
		{
			name:    "all formats in order",
			sampled: tracecontext.DecisionSampled,
			dsc:     tracecontext.DSC{TraceID: traceHex},
			opts:    []render.Option{render.WithFormats(render.Traceparent | render.Baggage | render.SentryTrace)},
			want: sentryTraceTag + `-1">` + `<meta name="baggage" content="sentry-trace_id=` + traceHex + `">` +
				traceparentTag + `-01">`,
		},
		{
			name:    "traceparent of a deferred decision is not sampled",
			sampled: tracecontext.DecisionDeferred,
			opts:    []render.Option{render.WithFormats(render.Traceparent)},
			want:    traceparentTag + `-00">`,
		},
		{
			name:    "baggage only",
			sampled: tracecontext.DecisionSampled,
			dsc:     tracecontext.DSC{Release: "r"},
			opts:    []render.Option{render.WithFormats(render.Baggage)},
			want:    `<meta name="baggage" content="sentry-release=r">`,
		},
		{
			name:    "xhtml",
			sampled: tracecontext.DecisionSampled,
			dsc:     tracecontext.DSC{TraceID: traceHex},
			opts:    []render.Option{render.WithXHTML(true), render.WithFormats(render.SentryTrace | render.Baggage | render.Traceparent)},
			want: sentryTraceTag + `-1"/>` + `<meta name="baggage" content="sentry-trace_id=` + traceHex + `"/>` +
				traceparentTag + `-01"/>`,
		},
		{
			name:    "no formats",
			sampled: tracecontext.DecisionSampled,
			dsc:     fullDSC(),
			opts:    []render.Option{render.WithFormats(0)},
			want:    ``,
		},
		{
			name:    "baggage value escaped",
			sampled: tracecontext.DecisionSampled,
			dsc:     tracecontext.DSC{Release: `it's`},
			opts:    []render.Option{render.WithFormats(render.Baggage)},
			want:    `<meta name="baggage" content="sentry-release=it&#39;s">`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := spanContext(t, tt.sampled, tt.dsc)
			got := render.AppendMetaTags([]byte("prefix"), sc, tt.opts...)
			assert.Equal(t, "prefix"+tt.want, string(got))
			assert.Equal(t, string(got), "prefix"+string(render.New(tt.opts...).AppendMetaTags(nil, sc)),
				"the package func and the method agree")
		})
	}
}

func TestAppendMetaTagsInvalidSpanContext(t *testing.T) {
	valid := spanContext(t, tracecontext.DecisionSampled, fullDSC())
	tests := []struct {
		name string
		sc   tracecontext.SpanContext
	}{
		{name: "zero", sc: tracecontext.SpanContext{}},
		{name: "zero trace id", sc: func() tracecontext.SpanContext { sc := valid; sc.TraceID = tracecontext.TraceID{}; return sc }()},
		{name: "zero span id", sc: func() tracecontext.SpanContext { sc := valid; sc.SpanID = tracecontext.SpanID{}; return sc }()},
	}
	all := render.New(render.WithFormats(render.SentryTrace | render.Baggage | render.Traceparent))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, "x", string(all.AppendMetaTags([]byte("x"), tt.sc)))
			assert.Equal(t, "x", string(all.AppendServerTiming([]byte("x"), tt.sc)))
		})
	}
}

func TestZeroRendererRendersNothing(t *testing.T) {
	var r render.Renderer
	sc := spanContext(t, tracecontext.DecisionSampled, fullDSC())
	assert.Empty(t, r.AppendMetaTags(nil, sc))
	assert.Empty(t, r.AppendServerTiming(nil, sc))
}

func TestAppendMetaTagsBaggageLimit(t *testing.T) {
	// 40 members of ~300 bytes: far more than 8192 bytes of baggage.
	dsc := fullDSC()
	for i := range 40 {
		dsc.Extra = append(dsc.Extra, tracecontext.Member{
			Key:   "x" + strings.Repeat("k", i%5),
			Value: strings.Repeat(`<"&'>`, 60),
		})
	}
	sc := spanContext(t, tracecontext.DecisionSampled, dsc)
	metas := parsePage(t, page(string(render.AppendMetaTags(nil, sc))))
	require.Len(t, metas, 2)
	baggage := metas[1].Content
	assert.LessOrEqual(t, len(baggage), 8192)
	got := decodeBaggage(t, baggage) // fails on a cut member
	require.NotEmpty(t, got.Extra)
	for _, m := range got.Extra {
		assert.Equal(t, strings.Repeat(`<"&'>`, 60), m.Value, "whole members only")
	}
}
