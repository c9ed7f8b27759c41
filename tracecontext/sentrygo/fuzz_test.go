package sentrygo_test

import (
	"context"
	"testing"

	"github.com/getsentry/sentry-go"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/tracecontext"
	"github.com/tracemeta/tracemeta/tracecontext/sentrygo"
)

// FuzzSourceDSC continues a trace from arbitrary sentry-trace and baggage
// headers and checks that the Source reads the DSC sentry-go holds for the
// transaction entry for entry: tracecontext's baggage parser agrees with
// sentry-go's encoder on every value sentry-go accepts.
func FuzzSourceDSC(f *testing.F) {
	f.Add(upstreamTrace+"-"+upstreamSpan+"-1", upstreamBaggage)
	f.Add(upstreamTrace+"-"+upstreamSpan, "sentry-release=r%3C%26%3E'%22x,sentry-environment=%E2%82%AC")
	f.Add("", "sentry-trace_id=abc")
	f.Add(upstreamTrace+"-"+upstreamSpan+"-0", "other=1;p=2,sentry-sampled=false,sentry-x=%20")
	f.Add("not-a-trace", "sentry-public_key=%zz")

	client, err := sentry.NewClient(sentry.ClientOptions{EnableTracing: true, TracesSampleRate: 1})
	require.NoError(f, err)
	src := sentrygo.Source()

	f.Fuzz(func(t *testing.T, sentryTrace, baggage string) {
		ctx := sentry.SetHubOnContext(context.Background(), sentry.NewHub(client, sentry.NewScope()))
		txn := sentry.StartTransaction(ctx, "fuzz", sentry.ContinueFromHeaders(sentryTrace, baggage))
		defer txn.Finish()

		sc, ok := src.SpanContext(txn.Context())
		require.True(t, ok)
		require.True(t, sc.IsValid())
		require.Equal(t, tracecontext.TraceID(txn.TraceID), sc.TraceID)
		require.Equal(t, tracecontext.SpanID(txn.SpanID), sc.SpanID)

		want, err := sentry.DynamicSamplingContextFromHeader([]byte(txn.ToBaggage()))
		require.NoError(t, err)
		// An entry with an empty value says nothing; a page leaves it out.
		for k, v := range want.Entries {
			if v == "" {
				delete(want.Entries, k)
			}
		}
		require.Equal(t, want.Entries, dscEntries(sc.DSC), "baggage %q", txn.ToBaggage())
	})
}
