package tmotel_test

import (
	"context"
	"fmt"
	"net/http"

	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/tracemeta/tracemeta/tracecontext"
	tmotel "github.com/tracemeta/tracemeta/tracecontext/otel"
)

// A request that arrived with traceparent and baggage headers: the page names
// the server span, in the caller's trace, with the sentry- baggage as the DSC
// and the other members kept out of the page.
func Example() {
	tp := sdktrace.NewTracerProvider()
	defer func() { _ = tp.Shutdown(context.Background()) }()

	header := http.Header{}
	header.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	header.Set("baggage", "sentry-trace_id=4bf92f3577b34da6a3ce929d0e0e4736,sentry-sample_rand=0.042000,userId=alice")
	// otelhttp does this for every request.
	prop := propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})
	ctx := prop.Extract(context.Background(), propagation.HeaderCarrier(header))
	ctx, span := tp.Tracer("shop").Start(ctx, "GET /orders")
	defer span.End()

	sc, ok := tmotel.Source().SpanContext(ctx)
	fmt.Println(ok, sc.TraceID, sc.Sampled)
	fmt.Println("parent:", sc.ParentSpanID)
	fmt.Println("names the server span:", sc.SpanID == [8]byte(span.SpanContext().SpanID()))
	fmt.Println("DSC:", sc.DSC.Baggage())
	fmt.Println("kept out of the page:", sc.Baggage.String())
	fmt.Println("in the request:", baggage.FromContext(ctx).Len(), "members")
	// Output:
	// true 4bf92f3577b34da6a3ce929d0e0e4736 sampled
	// parent: 00f067aa0ba902b7
	// names the server span: true
	// DSC: sentry-trace_id=4bf92f3577b34da6a3ce929d0e0e4736,sentry-sample_rand=0.042000
	// kept out of the page: userId=alice
	// in the request: 3 members
}

// A service that starts the trace gives the Sentry browser SDK a DSC.
func ExampleWithHeadDSC() {
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	ctx, span := tp.Tracer("shop").Start(context.Background(), "GET /")
	defer span.End()

	src := tmotel.Source(tmotel.WithHeadDSC(tracecontext.DSC{
		PublicKey: "public-key", SampleRate: "1", Release: "shop@1.0", Environment: "prod",
	}))
	sc, _ := src.SpanContext(ctx)
	fmt.Println(sc.DSC.TraceID == span.SpanContext().TraceID().String())
	fmt.Println(sc.DSC.PublicKey, sc.DSC.Sampled, sc.DSC.Release, sc.DSC.Frozen)
	// Output:
	// true
	// public-key true shop@1.0 true
}
