package tracecontext_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/tracecontext"
)

// FuzzContinue feeds arbitrary headers to Continue: it never panics, always
// returns a valid span, keeps the invariants of continuation, and what it
// would propagate parses back.
func FuzzContinue(f *testing.F) {
	f.Add(upTrace+"-"+upSpan+"-1", "sentry-trace_id="+upTrace+",sentry-sample_rate=0.5,sentry-sample_rand=0.1,sentry-org_id=1,a=b",
		"00-"+upTrace+"-"+upSpan+"-01", "rojo=1", 0.5)
	f.Add(upTrace+"-"+upSpan, "sentry-sample_rate=0.25", "", "", 0.25)
	f.Add("", "", "cc-"+upTrace+"-"+upSpan+"-00-x", "a=1,a=2", 1.0)
	f.Add("<script>", "k=%zz;;,", "ff-", "=", -1.0)
	f.Fuzz(func(t *testing.T, sentryTrace, baggage, traceparent, tracestate string, rate float64) {
		h := http.Header{}
		for k, v := range map[string]string{"Sentry-Trace": sentryTrace, "Baggage": baggage, "Traceparent": traceparent, "Tracestate": tracestate} {
			if v != "" {
				h[k] = []string{v}
			}
		}
		p, _ := tracecontext.NewPropagator(tracecontext.WithSampleRate(rate), tracecontext.WithOrgID("1"))
		sc := p.Continue(h)
		require.True(t, sc.IsValid())

		in, errST := tracecontext.ParseSentryTrace(sentryTrace)
		if errST != nil {
			in, _ = tracecontext.ParseTraceparent(traceparent)
		}
		if sc.ParentSpanID.IsValid() {
			require.True(t, in.IsValid(), "a parent only when one arrived")
			require.Equal(t, in.TraceID, sc.TraceID)
			require.Equal(t, in.SpanID, sc.ParentSpanID)
			if in.Sampled != tracecontext.DecisionDeferred {
				require.Equal(t, in.Sampled, sc.Sampled, "an inherited decision is kept")
			}
		}
		require.NotEqual(t, sc.ParentSpanID, sc.SpanID)

		r, err := strconv.ParseFloat(sc.DSC.SampleRand, 64)
		require.NoError(t, err, "sample_rand %q", sc.DSC.SampleRand)
		require.True(t, r >= 0 && r < 1)
		if !sc.DSC.Frozen {
			require.Equal(t, sc.TraceID.String(), sc.DSC.TraceID)
			if sc.DSC.SampleRate != "" {
				sr, err := strconv.ParseFloat(sc.DSC.SampleRate, 64)
				require.NoError(t, err)
				require.Equal(t, r < sr, sc.Sampled == tracecontext.DecisionSampled)
			}
		}
		for _, m := range sc.Baggage.Members() {
			assert.NotContains(t, m.Key, "sentry-")
		}

		out := sc.DSC.Baggage()
		assertDSCCharset(t, out)
		_, err = tracecontext.ParseBaggage(out)
		require.NoError(t, err)
		back, err := tracecontext.ParseSentryTrace(sc.SentryTrace())
		require.NoError(t, err)
		require.Equal(t, sc.TraceID, back.TraceID)
		if sc.TraceState != "" {
			require.Equal(t, "00-"+sc.TraceID.String(), traceparentPrefix(traceparent, sc.TraceID))
		}
	})
}

// traceparentPrefix returns "00-{trace id}" when traceparent names trace id,
// which it must for its tracestate to be carried.
func traceparentPrefix(traceparent string, id tracecontext.TraceID) string {
	tp, err := tracecontext.ParseTraceparent(traceparent)
	if err != nil || tp.TraceID != id {
		return "mismatch"
	}
	return "00-" + id.String()
}
