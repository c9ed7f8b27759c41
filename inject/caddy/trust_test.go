package injectcaddy_test

import (
	"encoding/binary"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/tracecontext"
)

// tracedUpstream is an application that records the headers of each request
// and answers with a page and the headers respond returns for the span the
// request's sentry-trace names (zero when it names none).
type tracedUpstream struct {
	addr string
	headerLog
}

func newTracedUpstream(t testing.TB, respond func(caddy tracecontext.SpanContext) http.Header) *tracedUpstream {
	u := &tracedUpstream{}
	u.addr = httpUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		u.record(r)
		caddy, _ := tracecontext.ParseSentryTrace(r.Header.Get("Sentry-Trace"))
		if respond != nil {
			for k, v := range respond(caddy) {
				w.Header()[k] = v
			}
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte("<!doctype html><html><head><title>Shop</title></head><body><h1>Shop</h1></body></html>"))
	})
	return u
}

// page is what a test reads of a rewritten page: its span and its DSC.
type page struct {
	sentryTrace string // the content of its sentry-trace tag
	span        tracecontext.SpanContext
	baggage     string
	dsc         tracecontext.DSC
}

func readPage(t testing.TB, body string) page {
	t.Helper()
	p := page{span: pageSpan(t, body)}
	m := metas(t, body)
	p.sentryTrace = m["sentry-trace"][0]
	require.Len(t, m["baggage"], 1, "one baggage tag in:\n%s", body)
	p.baggage = m["baggage"][0]
	b, err := tracecontext.ParseBaggage(p.baggage)
	require.NoError(t, err)
	p.dsc = tracecontext.DSCFromBaggage(b)
	return p
}

// navigateTraced starts Caddy, with its tracing directive when tracing, with
// a tracemeta block of the subdirectives block in front of a tracedUpstream
// that answers with respond; navigates to its page with the request headers
// header; and returns what the page says and the upstream.
func navigateTraced(t testing.TB, block string, tracing bool, respond func(tracecontext.SpanContext) http.Header, header http.Header) (page, *tracedUpstream) {
	t.Helper()
	up := newTracedUpstream(t, respond)
	base := startCaddy(t, withTracing(tracing, "\ttracemeta {\n"+block+"\t}\n\treverse_proxy "+up.addr+"\n"))
	_, body := navigate(t, base+"/", "", header)
	return readPage(t, body), up
}

// assertAgree checks that the page's sampled flag and its baggage's
// sentry-sampled say the same.
func assertAgree(t testing.TB, p page) {
	t.Helper()
	want := map[tracecontext.Decision]string{
		tracecontext.DecisionDeferred:   "",
		tracecontext.DecisionSampled:    "true",
		tracecontext.DecisionNotSampled: "false",
	}[p.span.Sampled]
	assert.Equal(t, want, p.dsc.Sampled, "sentry-trace says %s, baggage %q", p.span.Sampled, p.baggage)
}

// TestSamplingDefault checks what a page says of a trace Caddy starts: a
// deferred decision (no flag, no sentry-sampled, a sample_rand for the
// browser to decide from) by default, a head decision with sample_rate.
func TestSamplingDefault(t *testing.T) {
	for _, tc := range []struct {
		name, block string
		want        tracecontext.Decision
		rate        string // the DSC's sentry-sample_rate
	}{
		{"bare", "", tracecontext.DecisionDeferred, ""},
		{"sample_rate 1", "\t\tsample_rate 1\n", tracecontext.DecisionSampled, "1"},
		{"sample_rate 0", "\t\tsample_rate 0\n", tracecontext.DecisionNotSampled, "0"},
	} {
		for _, tracing := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/tracing=%v", tc.name, tracing), func(t *testing.T) {
				p, up := navigateTraced(t, tc.block, tracing, nil, nil)
				assert.Equal(t, tc.want, p.span.Sampled)
				if tc.want == tracecontext.DecisionDeferred {
					assert.Equal(t, p.span.TraceID.String()+"-"+p.span.SpanID.String(), p.sentryTrace, "a deferred sentry-trace has no flag")
					assert.NotContains(t, p.baggage, "sentry-sampled")
				}
				assert.Equal(t, tc.rate, p.dsc.SampleRate)
				assert.Regexp(t, `^0\.[0-9]{6}$`, p.dsc.SampleRand, "the browser decides from the trace's sample_rand")
				assertAgree(t, p)
				assert.Equal(t, p.sentryTrace, up.last(t).Get("Sentry-Trace"), "the upstream continues the page's span with its decision")
			})
		}
	}
}

// TestTrustIncoming checks that org_id and strict_trace_continuation hold
// for the incoming headers with and without Caddy's tracing directive, whose
// OpenTelemetry span continues a client's traceparent whatever the rules
// say: a trace the rules refuse is not continued (the page and the upstream
// get a new trace), and a DSC of another organization never reaches the
// page.
func TestTrustIncoming(t *testing.T) {
	const (
		traceID = "771a43a4192642f0b136d5159a501700"
		spanID  = "b7ad6b7169203331"
		ours    = "\t\torg_id 1\n"
		strict  = "\t\torg_id 1\n\t\tstrict_trace_continuation\n"
	)
	traceparent := func(flags string) string { return "00-" + traceID + "-" + spanID + "-" + flags }
	for _, tc := range []struct {
		name, block string
		header      http.Header
		continued   bool // the page continues traceID
		org         string
	}{
		{"bare traceparent, strict", strict, http.Header{"Traceparent": {traceparent("01")}}, false, "1"},
		{"bare traceparent not sampled, strict", strict, http.Header{"Traceparent": {traceparent("00")}}, false, "1"},
		{"bare traceparent, org", ours, http.Header{"Traceparent": {traceparent("01")}}, true, "1"},
		{"bare traceparent, default", "", http.Header{"Traceparent": {traceparent("01")}}, true, ""},
		{"foreign org", ours, http.Header{
			"Traceparent": {traceparent("01")},
			"Baggage":     {"sentry-trace_id=" + traceID + ",sentry-org_id=999,sentry-sample_rate=1,sentry-sampled=true"},
		}, false, "1"},
		{"foreign org with sentry-trace", ours, http.Header{
			"Sentry-Trace": {traceID + "-" + spanID + "-1"},
			"Traceparent":  {traceparent("01")},
			"Baggage":      {"sentry-trace_id=" + traceID + ",sentry-org_id=999,sentry-sample_rate=1,sentry-sampled=true"},
		}, false, "1"},
		{"own org, strict", strict, http.Header{
			"Traceparent": {traceparent("01")},
			"Baggage":     {"sentry-trace_id=" + traceID + ",sentry-org_id=1,sentry-public_key=aaaabbbbccccddddeeeeffff00001111,sentry-sample_rate=0.5,sentry-sampled=true"},
		}, true, "1"},
		{"flag and baggage disagree", "", http.Header{
			"Sentry-Trace": {traceID + "-" + spanID + "-0"},
			"Traceparent":  {traceparent("00")},
			"Baggage":      {"sentry-trace_id=" + traceID + ",sentry-sample_rate=1,sentry-sampled=true"},
		}, true, ""},
		{"baggage without a trace", ours, http.Header{"Baggage": {"sentry-org_id=999,sentry-sample_rate=1,sentry-sampled=true"}}, false, "1"},
	} {
		for _, tracing := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/tracing=%v", tc.name, tracing), func(t *testing.T) {
				p, up := navigateTraced(t, tc.block, tracing, nil, tc.header)
				got := up.last(t)

				if tc.continued {
					assert.Equal(t, traceID, p.span.TraceID.String(), "the trace is continued")
				} else {
					assert.NotEqual(t, traceID, p.span.TraceID.String(), "the trace is not continued: the page starts its own")
				}
				assert.NotContains(t, p.baggage, "sentry-org_id=999", "no DSC of another organization")
				assert.Equal(t, tc.org, p.dsc.OrgID)
				assert.Equal(t, p.span.TraceID.String(), p.dsc.TraceID)
				if tc.name == "own org, strict" {
					assert.Equal(t, "aaaabbbbccccddddeeeeffff00001111", p.dsc.PublicKey, "the incoming DSC that passed the rules is kept")
				}
				assertAgree(t, p)

				// The upstream continues the page's trace, in every header.
				upSpan, err := tracecontext.ParseSentryTrace(got.Get("Sentry-Trace"))
				require.NoError(t, err)
				assert.Equal(t, p.span.TraceID, upSpan.TraceID)
				assert.Equal(t, p.span.SpanID, upSpan.SpanID, "the upstream's parent is the span the page names")
				if tp := got.Get("Traceparent"); tp != "" {
					upTP, err := tracecontext.ParseTraceparent(tp)
					require.NoError(t, err)
					assert.Equal(t, p.span.TraceID, upTP.TraceID, "the upstream's traceparent is of the page's trace")
					if tracing && tc.continued {
						assert.Equal(t, p.span.SpanID, upTP.SpanID, "the page names the span Caddy's tracing continued")
					}
				}
				assert.NotContains(t, got.Get("Baggage"), "sentry-org_id=999")
			})
		}
	}
}

// TestTrustUpstream checks what a page names when the upstream's response
// names its own span: never a DSC of another organization, a decision made
// at the head stands, a deferred one takes the upstream's, and the sampled
// flag and sentry-sampled always agree.
func TestTrustUpstream(t *testing.T) {
	upSpanID := "a1a2a3a4a5a6a7a8"
	// timing answers with a Server-Timing that names the upstream's span in
	// Caddy's trace with the sampled flag flag, and, unless dsc is empty, a
	// baggage of that trace with the members dsc.
	timing := func(flag, dsc string) func(caddy tracecontext.SpanContext) http.Header {
		return func(c tracecontext.SpanContext) http.Header {
			v := `sentry-trace;desc="` + c.TraceID.String() + "-" + upSpanID + "-" + flag + `"`
			if dsc != "" {
				v += `, baggage;desc="sentry-trace_id=` + c.TraceID.String() + "," + dsc + `"`
			}
			return http.Header{"Server-Timing": {v}}
		}
	}
	orgIs1 := func(t testing.TB, d tracecontext.DSC) { assert.Equal(t, "1", d.OrgID) }
	for _, tc := range []struct {
		name, block string
		respond     func(caddy tracecontext.SpanContext) http.Header
		named       bool // the page names the upstream's span
		want        tracecontext.Decision
		dsc         func(t testing.TB, d tracecontext.DSC)
	}{
		{"not sampled by the upstream, decided at the head", "\t\tsample_rate 1\n",
			timing("0", "sentry-sampled=true"), true, tracecontext.DecisionSampled, nil},
		{"not sampled by the upstream, deferred", "",
			timing("0", "sentry-sample_rate=0.1,sentry-sampled=true"), true, tracecontext.DecisionNotSampled,
			func(t testing.TB, d tracecontext.DSC) {
				assert.Equal(t, "0.1", d.SampleRate, "the upstream decided: its DSC")
			}},
		{"sampled by the upstream, deferred", "\t\torg_id 1\n\t\tstrict_trace_continuation\n",
			timing("1", "sentry-org_id=1,sentry-release=app%402,sentry-sample_rate=0.5,sentry-sampled=true"), true, tracecontext.DecisionSampled,
			func(t testing.TB, d tracecontext.DSC) { assert.Equal(t, "app@2", d.Release) }},
		{"foreign org", "\t\torg_id 1\n",
			timing("1", "sentry-org_id=999,sentry-sample_rate=1,sentry-sampled=true"), false, tracecontext.DecisionDeferred, orgIs1},
		{"no org in its DSC, strict", "\t\torg_id 1\n\t\tstrict_trace_continuation\n",
			timing("1", "sentry-public_key=aaaabbbbccccddddeeeeffff00001111"), false, tracecontext.DecisionDeferred, orgIs1},
		{"no DSC, strict", "\t\torg_id 1\n\t\tstrict_trace_continuation\n",
			timing("1", ""), true, tracecontext.DecisionSampled,
			func(t testing.TB, d tracecontext.DSC) { assert.Equal(t, "1", d.OrgID, "Caddy's DSC") }},
		{"traceresponse not sampled, deferred", "",
			func(c tracecontext.SpanContext) http.Header {
				return http.Header{"Traceresponse": {"00-" + c.TraceID.String() + "-" + upSpanID + "-00"}}
			},
			true, tracecontext.DecisionDeferred, nil},
	} {
		for _, tracing := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/tracing=%v", tc.name, tracing), func(t *testing.T) {
				p, up := navigateTraced(t, tc.block, tracing, tc.respond, nil)
				caddy, err := tracecontext.ParseSentryTrace(up.last(t).Get("Sentry-Trace"))
				require.NoError(t, err)
				require.Equal(t, caddy.TraceID, p.span.TraceID)
				if tc.named {
					assert.Equal(t, upSpanID, p.span.SpanID.String(), "the page names the upstream's span")
				} else {
					assert.Equal(t, caddy.SpanID, p.span.SpanID, "the page names Caddy's span")
				}
				assert.Equal(t, tc.want, p.span.Sampled)
				assert.NotContains(t, p.baggage, "sentry-org_id=999", "no DSC of another organization")
				assert.Equal(t, p.span.TraceID.String(), p.dsc.TraceID)
				assertAgree(t, p)
				if tc.dsc != nil {
					tc.dsc(t, p.dsc)
				}
				if strings.Contains(tc.block, "sample_rate 1") {
					assert.Equal(t, "1", p.dsc.SampleRate, "the head's DSC stands")
				}
			})
		}
	}
}

// TestDatadogFormat checks formats datadog: the page carries dd-trace-id
// (the decimal of the lower 64 bits of the trace id, as Datadog correlates
// it) and dd-trace-time beside sentry-trace and traceparent, all naming the
// one span the upstream continues.
func TestDatadogFormat(t *testing.T) {
	up := newTracedUpstream(t, nil)
	base := startCaddy(t, "\ttracemeta {\n\t\tformats sentry-trace baggage traceparent datadog\n\t}\n\treverse_proxy "+up.addr+"\n")
	before := time.Now().UnixMilli()
	_, body := navigate(t, base+"/", "", nil)
	m := metas(t, body)
	require.Len(t, m["sentry-trace"], 1)
	sc, err := tracecontext.ParseSentryTrace(m["sentry-trace"][0])
	require.NoError(t, err)
	require.Equal(t, []string{strconv.FormatUint(binary.BigEndian.Uint64(sc.TraceID[8:]), 10)}, m["dd-trace-id"])
	require.Len(t, m["dd-trace-time"], 1)
	ms, err := strconv.ParseInt(m["dd-trace-time"][0], 10, 64)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, ms, before)
	assert.LessOrEqual(t, ms, time.Now().UnixMilli())
	tp, err := tracecontext.ParseTraceparent(m["traceparent"][0])
	require.NoError(t, err)
	assert.Equal(t, sc.TraceID, tp.TraceID)
	assert.Equal(t, sc.SpanID, tp.SpanID)
	assert.Equal(t, m["sentry-trace"][0], up.last(t).Get("Sentry-Trace"))
}
