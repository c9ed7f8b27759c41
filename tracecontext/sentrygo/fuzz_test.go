package tmsentrygo_test

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/getsentry/sentry-go"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/tracecontext"
	tmsentrygo "github.com/tracemeta/tracemeta/tracecontext/sentrygo"
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
	f.Add("not-a-trace", "sentry-trace_id=771a43a4192642f0b136d5159a501700,sentry-public_key=up")

	client, err := sentry.NewClient(sentry.ClientOptions{EnableTracing: true, TracesSampleRate: 1})
	require.NoError(f, err)
	src := tmsentrygo.Source()

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
		if id := want.Entries["trace_id"]; id != "" && id != txn.TraceID.String() {
			// A DSC of another trace is replaced by the transaction's own.
			want = sentry.DynamicSamplingContextFromTransaction(txn)
		}
		for k, v := range want.Entries {
			switch {
			case v == "":
				// An entry with an empty value says nothing; a page
				// leaves it out.
				delete(want.Entries, k)
			case !utf8.ValidString(v):
				// W3C baggage decodes octets that are not UTF-8 to
				// U+FFFD; sentry-go keeps the raw bytes.
				want.Entries[k] = strings.ToValidUTF8(v, "\uFFFD")
			}
		}
		require.Equal(t, want.Entries, dscEntries(sc.DSC), "baggage %q", txn.ToBaggage())
	})
}
