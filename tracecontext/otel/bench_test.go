package tmotel_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/baggage"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	tmotel "github.com/tracemeta/tracemeta/tracecontext/otel"
)

// BenchmarkSource reads the span of a request, without and with baggage.
func BenchmarkSource(b *testing.B) {
	tp := sdktrace.NewTracerProvider()
	b.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	ctx, span := tp.Tracer("bench").Start(context.Background(), "GET /")
	b.Cleanup(func() { span.End() })
	bag, err := baggage.Parse(upstreamBaggage)
	require.NoError(b, err)
	for _, bc := range []struct {
		name string
		ctx  context.Context
	}{
		{"span", ctx},
		{"span+baggage", baggage.ContextWithBaggage(ctx, bag)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			src := tmotel.Source()
			b.ReportAllocs()
			for b.Loop() {
				if _, ok := src.SpanContext(bc.ctx); !ok {
					b.Fatal("no span")
				}
			}
		})
	}
}
