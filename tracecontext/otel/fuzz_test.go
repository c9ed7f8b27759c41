package tmotel_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/trace"

	"github.com/tracemeta/tracemeta/tracecontext"
	tmotel "github.com/tracemeta/tracemeta/tracecontext/otel"
)

// FuzzSourceBaggage reads arbitrary baggage that OpenTelemetry accepted and
// checks the split: every member OpenTelemetry holds is either in the DSC
// (sentry- keys) or in the other vendors' baggage, with its value and
// properties, and nothing but sentry- entries can reach the page.
func FuzzSourceBaggage(f *testing.F) {
	f.Add(upstreamBaggage)
	f.Add("sentry-release=r%3C%26%3E'%22x,k=v;p;q=1")
	f.Add("sentry-=x,sentry-trace_id=,a=%E2%82%AC")
	f.Add("SENTRY-trace_id=1,sentry-Trace_ID=2")
	f.Add("sentry-trace_id=0123,sentry-public_key=pk")

	tid, err := trace.TraceIDFromHex(upstreamTrace)
	require.NoError(f, err)
	sid, err := trace.SpanIDFromHex(upstreamSpan)
	require.NoError(f, err)
	base := trace.ContextWithSpanContext(context.Background(),
		trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid}))

	f.Fuzz(func(t *testing.T, header string) {
		bag, err := baggage.Parse(header)
		if err != nil {
			return // OpenTelemetry's propagator would not have extracted it
		}
		sc, ok := tmotel.Source().SpanContext(baggage.ContextWithBaggage(base, bag))
		require.True(t, ok)

		wantDSC := map[string]string{}
		others := 0
		for _, m := range bag.Members() {
			if k, isDSC := strings.CutPrefix(m.Key(), "sentry-"); isDSC {
				if m.Value() != "" {
					wantDSC[k] = m.Value()
				}
				continue
			}
			others++
			got, found := sc.Baggage.Member(m.Key())
			require.True(t, found, "member %q lost", m.Key())
			require.Equal(t, m.Value(), got.Value)
			require.Len(t, got.Properties, len(m.Properties()))
		}
		if id, ok := wantDSC["trace_id"]; ok && id != upstreamTrace {
			wantDSC = map[string]string{} // a DSC of another trace is dropped
		}
		require.Equal(t, others, sc.Baggage.Len())
		require.Equal(t, wantDSC, dscEntries(sc.DSC))
		require.Equal(t, !sc.DSC.IsZero(), sc.DSC.Frozen)

		page, err := tracecontext.ParseBaggage(sc.DSC.Baggage())
		require.NoError(t, err)
		for _, m := range page.Members() {
			require.True(t, strings.HasPrefix(m.Key, "sentry-"), "%q reached the page", m.Key)
		}
		require.Equal(t, sc.DSC.Baggage(), tracecontext.DSCFromBaggage(page).Baggage(), "the page's DSC round-trips")
	})
}

// dscEntries returns the entries of d with a value, keys without "sentry-".
func dscEntries(d tracecontext.DSC) map[string]string {
	m := map[string]string{}
	add := func(k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	for k, v := range map[string]string{
		"trace_id": d.TraceID, "public_key": d.PublicKey, "sample_rate": d.SampleRate,
		"sample_rand": d.SampleRand, "sampled": d.Sampled, "release": d.Release,
		"environment": d.Environment, "transaction": d.Transaction, "org_id": d.OrgID,
		"replay_id": d.ReplayID,
	} {
		add(k, v)
	}
	for _, e := range d.Extra {
		add(e.Key, e.Value)
	}
	return m
}
