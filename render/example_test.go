package render_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"time"

	"github.com/tracemeta/tracemeta/render"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// exampleSpan is the span context of a request that started a trace.
func exampleSpan() tracecontext.SpanContext {
	sc := tracecontext.SpanContext{
		TraceID: tracecontext.TraceID{0x77, 0x1a, 0x43, 0xa4, 0x19, 0x26, 0x42, 0xf0, 0xb1, 0x36, 0xd5, 0x15, 0x9a, 0x50, 0x17, 0x00},
		SpanID:  tracecontext.SpanID{0xb7, 0xad, 0x6b, 0x71, 0x69, 0x20, 0x33, 0x31},
		Sampled: tracecontext.DecisionSampled,
	}
	sc.DSC = tracecontext.DSC{
		TraceID:    sc.TraceID.String(),
		PublicKey:  "49d0f7386ad645858ae85020e393bef3",
		SampleRate: "1",
		Release:    `shop@1.0 "beta"`,
	}
	return sc
}

func ExampleAppendMetaTags() {
	tags := render.AppendMetaTags(nil, exampleSpan())
	fmt.Println(string(tags))
	// Output:
	// <meta name="sentry-trace" content="771a43a4192642f0b136d5159a501700-b7ad6b7169203331-1"><meta name="baggage" content="sentry-trace_id=771a43a4192642f0b136d5159a501700,sentry-public_key=49d0f7386ad645858ae85020e393bef3,sentry-sample_rate=1,sentry-release=shop%401.0%20%22beta%22">
}

func ExampleNew() {
	// Build the Renderer once and reuse one buffer: no allocation per page.
	r := render.New(render.WithFormats(render.SentryTrace|render.Traceparent), render.WithXHTML(true))
	buf := make([]byte, 0, 1024)
	buf = r.AppendMetaTags(buf[:0], exampleSpan())
	fmt.Println(string(buf))
	// Output:
	// <meta name="sentry-trace" content="771a43a4192642f0b136d5159a501700-b7ad6b7169203331-1"/><meta name="traceparent" content="00-771a43a4192642f0b136d5159a501700-b7ad6b7169203331-01"/>
}

func ExampleWithFormats_datadog() {
	// Sentry's, OpenTelemetry's and Datadog's browser SDKs all continue the
	// same trace. The clock is fixed here for the output; it defaults to
	// time.Now.
	r := render.New(
		render.WithFormats(render.SentryTrace|render.Traceparent|render.Datadog),
		render.WithClock(func() time.Time { return time.UnixMilli(1796558400123) }),
	)
	fmt.Println(string(r.AppendMetaTags(nil, exampleSpan())))
	fmt.Println(string(r.AppendDatadogComment(nil, exampleSpan())))
	// Output:
	// <meta name="sentry-trace" content="771a43a4192642f0b136d5159a501700-b7ad6b7169203331-1"><meta name="traceparent" content="00-771a43a4192642f0b136d5159a501700-b7ad6b7169203331-01"><meta name="dd-trace-id" content="12769628082215589632"><meta name="dd-trace-time" content="1796558400123">
	// <!-- DATADOG;trace-id=12769628082215589632;trace-time=1796558400123 -->
}

func ExampleAppendServerTiming() {
	rec := httptest.NewRecorder()
	rec.Header().Add("Server-Timing", string(render.AppendServerTiming(nil, exampleSpan())))
	fmt.Println(rec.Header().Get("Server-Timing"))
	// Output:
	// sentry-trace;desc="771a43a4192642f0b136d5159a501700-b7ad6b7169203331-1", baggage;desc="sentry-trace_id=771a43a4192642f0b136d5159a501700,sentry-public_key=49d0f7386ad645858ae85020e393bef3,sentry-sample_rate=1,sentry-release=shop%401.0%20%22beta%22"
}

func ExampleClaim() {
	// A middleware puts one Once into each request's context...
	var once render.Once
	ctx := render.ContextWithOnce(context.Background(), &once)

	// ...and every entry point claims it before it renders the tags.
	for range 2 {
		if render.Claim(ctx) {
			fmt.Println("render the tags")
		} else {
			fmt.Println("already rendered")
		}
	}
	// Output:
	// render the tags
	// already rendered
}
