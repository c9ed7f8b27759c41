package tmsentrygo_test

import (
	"context"
	"testing"

	"github.com/getsentry/sentry-go"
	"github.com/stretchr/testify/require"

	tmsentrygo "github.com/tracemeta/tracemeta/tracecontext/sentrygo"
)

// BenchmarkSource reads the span of a request with tracing enabled and
// disabled. Most of the cost is sentry-go writing its baggage string.
func BenchmarkSource(b *testing.B) {
	for _, bc := range []struct {
		name    string
		tracing bool
	}{
		{"tracing", true},
		{"tracing-without-performance", false},
	} {
		b.Run(bc.name, func(b *testing.B) {
			client, err := sentry.NewClient(sentry.ClientOptions{EnableTracing: bc.tracing, TracesSampleRate: 1})
			require.NoError(b, err)
			hub := sentry.NewHub(client, sentry.NewScope())
			ctx := sentry.SetHubOnContext(context.Background(), hub)
			txn := sentry.StartTransaction(ctx, "GET /", sentry.ContinueTrace(hub, upstreamTrace+"-"+upstreamSpan+"-1", upstreamBaggage))
			b.Cleanup(txn.Finish)
			src := tmsentrygo.Source()
			b.ReportAllocs()
			for b.Loop() {
				if _, ok := src.SpanContext(txn.Context()); !ok {
					b.Fatal("no span")
				}
			}
		})
	}
}
