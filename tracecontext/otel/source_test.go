package tmotel_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/tracemeta/tracemeta/tracecontext"
	tmotel "github.com/tracemeta/tracemeta/tracecontext/otel"
)

const (
	upstreamTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
	upstreamSpan  = "00f067aa0ba902b7"
	// upstreamBaggage mixes a Sentry DSC with other vendors' members.
	upstreamBaggage = "sentry-trace_id=4bf92f3577b34da6a3ce929d0e0e4736,sentry-public_key=pk," +
		"sentry-sample_rate=0.25,sentry-sample_rand=0.042000,sentry-sampled=true,sentry-release=web%401.0," +
		"sentry-custom=x,userId=alice;pii,tenant=acme%2Ceu;region=eu-1"
)

var (
	upstreamDSC = tracecontext.DSC{
		TraceID:    upstreamTrace,
		PublicKey:  "pk",
		SampleRate: "0.25",
		SampleRand: "0.042000",
		Sampled:    "true",
		Release:    "web@1.0",
		Extra:      []tracecontext.Member{{Key: "custom", Value: "x"}},
		Frozen:     true,
	}
	// upstreamOthers are the members that are not Sentry's, in key order.
	upstreamOthers = []tracecontext.Member{
		{Key: "tenant", Value: "acme,eu", Properties: []tracecontext.Property{{Key: "region", Value: "eu-1", HasValue: true}}},
		{Key: "userId", Value: "alice", Properties: []tracecontext.Property{{Key: "pii"}}},
	}
)

// propagator extracts what an otelhttp handler extracts by default.
var propagator = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})

// rendering is what a page handler saw when it rendered its tags.
type rendering struct {
	sc     tracecontext.SpanContext
	ok     bool
	active trace.SpanContext // the span active when rendering
}

// serve runs one request with header through a handler instrumented the
// way otelhttp does it (extract, then a server span), on a tracer provider
// with sampler that records into rec. With child set, the page renders
// inside a child span. opts configure the Source.
func serve(t *testing.T, sampler sdktrace.Sampler, header http.Header, child bool, opts ...tmotel.Option) (rendering, *tracetest.SpanRecorder) {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sampler), sdktrace.WithSpanProcessor(rec))
	t.Cleanup(func() { require.NoError(t, tp.Shutdown(context.Background())) })
	tracer := tp.Tracer("tracemeta-test")

	var got rendering
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := propagator.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
		ctx, span := tracer.Start(ctx, "GET /products/{id}", trace.WithSpanKind(trace.SpanKindServer))
		defer span.End()
		if child {
			var render trace.Span
			ctx, render = tracer.Start(ctx, "template.render")
			defer render.End()
		}
		got.active = trace.SpanContextFromContext(ctx)
		got.sc, got.ok = tmotel.Source(opts...).SpanContext(ctx)
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte(`<head><meta name="traceparent" content="` + got.sc.Traceparent() + `"></head>`))
	})
	req := httptest.NewRequest(http.MethodGet, "/products/7", nil)
	for k, v := range header {
		req.Header[k] = v
	}
	rr := httptest.NewRecorder()
	h.ServeHTTP(rr, req)
	require.Equal(t, http.StatusOK, rr.Code)
	return got, rec
}

func incoming(traceparent, tracestate, bag string) http.Header {
	h := http.Header{}
	if traceparent != "" {
		h.Set("traceparent", traceparent)
	}
	if tracestate != "" {
		h.Set("tracestate", tracestate)
	}
	if bag != "" {
		h.Set("baggage", bag)
	}
	return h
}

func TestSource(t *testing.T) {
	tests := []struct {
		name       string
		sampler    sdktrace.Sampler
		header     http.Header
		child      bool
		want       tracecontext.Decision
		wantRemote bool // continues upstreamTrace
		wantState  string
		wantDSC    tracecontext.DSC
		wantOthers []tracecontext.Member
	}{
		{
			name:    "head of trace, sampled",
			sampler: sdktrace.AlwaysSample(),
			want:    tracecontext.DecisionSampled,
		},
		{
			name:    "head of trace, not sampled",
			sampler: sdktrace.NeverSample(),
			want:    tracecontext.DecisionNotSampled,
		},
		{
			name:    "head of trace, child span",
			sampler: sdktrace.AlwaysSample(),
			child:   true,
			want:    tracecontext.DecisionSampled,
		},
		{
			name:       "remote parent sampled, baggage split",
			sampler:    sdktrace.ParentBased(sdktrace.NeverSample()),
			header:     incoming("00-"+upstreamTrace+"-"+upstreamSpan+"-01", "vendor=opaque,other=1", upstreamBaggage),
			want:       tracecontext.DecisionSampled,
			wantRemote: true,
			wantState:  "vendor=opaque,other=1",
			wantDSC:    upstreamDSC,
			wantOthers: upstreamOthers,
		},
		{
			name:       "remote parent not sampled",
			sampler:    sdktrace.ParentBased(sdktrace.AlwaysSample()),
			header:     incoming("00-"+upstreamTrace+"-"+upstreamSpan+"-00", "", ""),
			want:       tracecontext.DecisionNotSampled,
			wantRemote: true,
		},
		{
			name:       "remote parent, child span",
			sampler:    sdktrace.ParentBased(sdktrace.NeverSample()),
			header:     incoming("00-"+upstreamTrace+"-"+upstreamSpan+"-01", "", "userId=alice;pii"),
			child:      true,
			want:       tracecontext.DecisionSampled,
			wantRemote: true,
			wantOthers: upstreamOthers[1:],
		},
		{
			// No traceparent: a new trace, which the baggage's DSC
			// does not describe.
			name:       "baggage of another trace",
			sampler:    sdktrace.AlwaysSample(),
			header:     incoming("", "", upstreamBaggage),
			want:       tracecontext.DecisionSampled,
			wantOthers: upstreamOthers,
		},
		{
			name:       "baggage without a Sentry DSC",
			sampler:    sdktrace.AlwaysSample(),
			header:     incoming("", "", "tenant=acme%2Ceu;region=eu-1,userId=alice;pii"),
			want:       tracecontext.DecisionSampled,
			wantOthers: upstreamOthers,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, rec := serve(t, tt.sampler, tt.header, tt.child)
			require.True(t, got.ok, "no span reported")
			sc := got.sc

			// The tags name the span active when they were rendered.
			assert.Equal(t, got.active.TraceID().String(), sc.TraceID.String())
			assert.Equal(t, got.active.SpanID().String(), sc.SpanID.String())
			assert.Equal(t, tt.want, sc.Sampled)
			flags := map[tracecontext.Decision]string{tracecontext.DecisionSampled: "01", tracecontext.DecisionNotSampled: "00"}[tt.want]
			assert.Equal(t, "00-"+got.active.TraceID().String()+"-"+got.active.SpanID().String()+"-"+flags, sc.Traceparent())
			assert.Equal(t, tt.wantState, sc.TraceState)
			assert.Equal(t, tt.wantDSC, sc.DSC)
			assert.Equal(t, tt.wantOthers, sc.Baggage.Members(), "other vendors' baggage")
			assert.NotContains(t, sc.DSC.Baggage(), "alice", "other vendors' baggage never reaches the page")
			if tt.wantRemote {
				assert.Equal(t, upstreamTrace, sc.TraceID.String())
			}

			ended := rec.Ended()
			if tt.want != tracecontext.DecisionSampled {
				assert.Empty(t, ended, "a span not sampled was recorded")
				return
			}
			// The values are those of the span the SDK recorded.
			var rendered sdktrace.ReadOnlySpan
			for _, s := range ended {
				if s.SpanContext().SpanID() == got.active.SpanID() {
					rendered = s
				}
			}
			require.NotNil(t, rendered, "the span named by the tags was not recorded")
			assert.Equal(t, rendered.SpanContext().TraceID().String(), sc.TraceID.String())
			assert.Equal(t, rendered.SpanContext().TraceState().String(), sc.TraceState)
			assert.Equal(t, rendered.Parent().SpanID().String(), sc.ParentSpanID.String())
			switch {
			case tt.child:
				require.Len(t, ended, 2)
				assert.Equal(t, "template.render", rendered.Name())
				assert.Equal(t, trace.SpanKindServer, ended[1].SpanKind())
				assert.Equal(t, ended[1].SpanContext().SpanID().String(), sc.ParentSpanID.String())
			case tt.wantRemote:
				assert.True(t, rendered.Parent().IsRemote())
				assert.Equal(t, upstreamSpan, sc.ParentSpanID.String())
			default:
				assert.False(t, sc.ParentSpanID.IsValid(), "head of trace has no parent")
			}
		})
	}
}

// TestSourceHeadDSC: a service that starts the trace as far as Sentry is
// concerned renders the DSC it was given, for the span's trace and decision;
// a DSC from upstream always wins.
func TestSourceHeadDSC(t *testing.T) {
	head := tracecontext.DSC{
		PublicKey:   "pk-web",
		SampleRate:  "0.5",
		Release:     "shop@2.0",
		Environment: "prod",
		Extra:       []tracecontext.Member{{Key: "team", Value: "web"}},
	}
	withIDs := func(sampled string) tracecontext.DSC {
		d := head
		d.Sampled = sampled
		d.Frozen = true
		return d // TraceID is the span's, checked below
	}
	tests := []struct {
		name    string
		sampler sdktrace.Sampler
		header  http.Header
		want    tracecontext.DSC
	}{
		{name: "head, sampled", sampler: sdktrace.AlwaysSample(), want: withIDs("true")},
		{name: "head, not sampled", sampler: sdktrace.NeverSample(), want: withIDs("false")},
		{
			name:    "continued without a DSC",
			sampler: sdktrace.ParentBased(sdktrace.NeverSample()),
			header:  incoming("00-"+upstreamTrace+"-"+upstreamSpan+"-01", "", "userId=alice"),
			want:    withIDs("true"),
		},
		{
			name:    "stale DSC replaced",
			sampler: sdktrace.AlwaysSample(),
			header:  incoming("", "", upstreamBaggage),
			want:    withIDs("true"),
		},
		{
			name:    "upstream DSC wins",
			sampler: sdktrace.ParentBased(sdktrace.NeverSample()),
			header:  incoming("00-"+upstreamTrace+"-"+upstreamSpan+"-01", "", upstreamBaggage),
			want:    upstreamDSC,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := serve(t, tt.sampler, tt.header, false, tmotel.WithHeadDSC(head))
			require.True(t, got.ok)
			want := tt.want
			if want.TraceID == "" {
				want.TraceID = got.active.TraceID().String()
			}
			assert.Equal(t, want, got.sc.DSC)
		})
	}

	t.Run("not shared between requests", func(t *testing.T) {
		src := tmotel.Source(tmotel.WithHeadDSC(head))
		ctx := trace.ContextWithSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
			TraceID: trace.TraceID{1}, SpanID: trace.SpanID{1},
		}))
		first, ok := src.SpanContext(ctx)
		require.True(t, ok)
		first.DSC.Extra[0].Value = "changed"
		head.Extra[0].Value = "changed too"
		second, ok := src.SpanContext(ctx)
		require.True(t, ok)
		assert.Equal(t, []tracecontext.Member{{Key: "team", Value: "web"}}, second.DSC.Extra)
	})
}

// TestSourceRemoteOnly: a context with only the caller's span context (the
// handler extracted it but started no span) names the caller's span.
func TestSourceRemoteOnly(t *testing.T) {
	tid, err := trace.TraceIDFromHex(upstreamTrace)
	require.NoError(t, err)
	sid, err := trace.SpanIDFromHex(upstreamSpan)
	require.NoError(t, err)
	ts, err := trace.ParseTraceState("vendor=opaque")
	require.NoError(t, err)
	ctx := trace.ContextWithRemoteSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled, TraceState: ts, Remote: true,
	}))
	bag, err := baggage.Parse(upstreamBaggage)
	require.NoError(t, err)
	ctx = baggage.ContextWithBaggage(ctx, bag)

	sc, ok := tmotel.Source().SpanContext(ctx)
	require.True(t, ok)
	assert.Equal(t, "00-"+upstreamTrace+"-"+upstreamSpan+"-01", sc.Traceparent())
	assert.Equal(t, upstreamTrace+"-"+upstreamSpan+"-1", sc.SentryTrace())
	assert.False(t, sc.ParentSpanID.IsValid())
	assert.Equal(t, "vendor=opaque", sc.TraceState)
	assert.Equal(t, upstreamDSC, sc.DSC)
	assert.Equal(t, upstreamOthers, sc.Baggage.Members())
}

func TestSourceNoSpan(t *testing.T) {
	bag, err := baggage.Parse(upstreamBaggage)
	require.NoError(t, err)
	tests := []struct {
		name string
		ctx  context.Context
	}{
		{name: "nil context", ctx: nil},
		{name: "empty context", ctx: context.Background()},
		// Baggage alone names no span: nothing to continue.
		{name: "baggage only", ctx: baggage.ContextWithBaggage(context.Background(), bag)},
		{name: "invalid span context", ctx: trace.ContextWithSpanContext(context.Background(), trace.SpanContext{})},
		{
			name: "no-op tracer",
			ctx: func() context.Context {
				ctx, _ := noop.NewTracerProvider().Tracer("").Start(context.Background(), "x")
				return ctx
			}(),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc, ok := tmotel.Source().SpanContext(tt.ctx)
			assert.False(t, ok)
			assert.Equal(t, tracecontext.SpanContext{}, sc)
		})
	}
}

// TestSourceBaggageKeys: OpenTelemetry accepts baggage keys in process that
// W3C baggage cannot carry; such a member is dropped alone.
func TestSourceBaggageKeys(t *testing.T) {
	member := func(key, value string, props ...baggage.Property) baggage.Member {
		m, err := baggage.NewMemberRaw(key, value, props...)
		require.NoError(t, err)
		return m
	}
	prop, err := baggage.NewKeyValuePropertyRaw("bad prop", "v")
	require.NoError(t, err)
	tests := []struct {
		name    string
		members []baggage.Member
		want    []tracecontext.Member
		wantDSC tracecontext.DSC
	}{
		{
			name: "key with a space",
			members: []baggage.Member{
				member("user id", "alice"),
				member("tenant", "acme"),
				member("sentry-trace_id", upstreamTrace),
			},
			want:    []tracecontext.Member{{Key: "tenant", Value: "acme"}},
			wantDSC: tracecontext.DSC{TraceID: upstreamTrace, Frozen: true},
		},
		{
			name:    "non-ASCII key",
			members: []baggage.Member{member("clé", "v"), member("k", "v")},
			want:    []tracecontext.Member{{Key: "k", Value: "v"}},
		},
		{
			name:    "property key with a space",
			members: []baggage.Member{member("a", "1", prop), member("b", "2")},
			want:    []tracecontext.Member{{Key: "b", Value: "2"}},
		},
		{
			name:    "every key invalid",
			members: []baggage.Member{member("a b", "1")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bag, err := baggage.New(tt.members...)
			require.NoError(t, err)
			tid, err := trace.TraceIDFromHex(upstreamTrace)
			require.NoError(t, err)
			sid, err := trace.SpanIDFromHex(upstreamSpan)
			require.NoError(t, err)
			ctx := trace.ContextWithSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid}))
			ctx = baggage.ContextWithBaggage(ctx, bag)

			sc, ok := tmotel.Source().SpanContext(ctx)
			require.True(t, ok)
			assert.Equal(t, tt.want, sc.Baggage.Members())
			assert.Equal(t, tt.wantDSC, sc.DSC)
		})
	}
}

// TestSourceNilOption: a nil Option is skipped, as the core's options are,
// whether it comes alone or between others.
func TestSourceNilOption(t *testing.T) {
	head := tracecontext.DSC{PublicKey: "pk-web", Release: "shop@2.0"}
	ctx := trace.ContextWithSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1}, SpanID: trace.SpanID{2}, TraceFlags: trace.FlagsSampled,
	}))
	tests := []struct {
		name    string
		opts    []tmotel.Option
		wantDSC bool
	}{
		{name: "nil alone", opts: []tmotel.Option{nil}},
		{name: "nil before", opts: []tmotel.Option{nil, tmotel.WithHeadDSC(head)}, wantDSC: true},
		{name: "nil after", opts: []tmotel.Option{tmotel.WithHeadDSC(head), nil}, wantDSC: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var src tracecontext.Source
			require.NotPanics(t, func() { src = tmotel.Source(tt.opts...) })
			sc, ok := src.SpanContext(ctx)
			require.True(t, ok)
			assert.Equal(t, "01000000000000000000000000000000-0200000000000000-1", sc.SentryTrace())
			assert.Equal(t, tt.wantDSC, sc.DSC.PublicKey == "pk-web", "DSC: %+v", sc.DSC)
		})
	}
}
