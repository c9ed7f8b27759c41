package tracecontext_test

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/tracecontext"
)

const (
	upTrace = "771a43a4192642f0b136d5159a501700"
	upSpan  = "b3e2a7d1c8f04e59"
)

func headers(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

func mustPropagator(t testing.TB, opts ...tracecontext.Option) *tracecontext.Propagator {
	t.Helper()
	p, err := tracecontext.NewPropagator(opts...)
	require.NoError(t, err)
	return p
}

func assertSampleRand(t *testing.T, s string) float64 {
	t.Helper()
	require.Len(t, s, 8, "six decimals: %q", s)
	require.True(t, strings.HasPrefix(s, "0."), s)
	v, err := strconv.ParseFloat(s, 64)
	require.NoError(t, err)
	require.True(t, v >= 0 && v < 1)
	return v
}

func TestContinueNewTrace(t *testing.T) {
	p := mustPropagator(t, tracecontext.WithPublicKey("pk"), tracecontext.WithRelease("1.0"),
		tracecontext.WithEnvironment("prod"), tracecontext.WithOrgID("42"))
	sc := p.Continue(http.Header{})
	require.True(t, sc.IsValid())
	assert.False(t, sc.ParentSpanID.IsValid(), "head of the trace")
	assert.Equal(t, tracecontext.DecisionDeferred, sc.Sampled, "no rate: deferred, as tracing without performance")
	assert.False(t, sc.DSC.Frozen)
	assert.Equal(t, sc.TraceID.String(), sc.DSC.TraceID)
	assert.Equal(t, "pk", sc.DSC.PublicKey)
	assert.Equal(t, "1.0", sc.DSC.Release)
	assert.Equal(t, "prod", sc.DSC.Environment)
	assert.Equal(t, "42", sc.DSC.OrgID)
	assert.Empty(t, sc.DSC.SampleRate)
	assert.Empty(t, sc.DSC.Sampled)
	assertSampleRand(t, sc.DSC.SampleRand)

	other := p.Continue(http.Header{})
	assert.NotEqual(t, sc.TraceID, other.TraceID)
	assert.NotEqual(t, sc.SpanID, other.SpanID)
}

func TestContinueHeadDecision(t *testing.T) {
	for _, rate := range []float64{0, 1} {
		p := mustPropagator(t, tracecontext.WithSampleRate(rate))
		sc := p.Continue(http.Header{})
		want := tracecontext.DecisionNotSampled
		if rate == 1 {
			want = tracecontext.DecisionSampled
		}
		assert.Equal(t, want, sc.Sampled)
		assert.Equal(t, strconv.FormatFloat(rate, 'f', -1, 64), sc.DSC.SampleRate)
		assert.Equal(t, strconv.FormatBool(rate == 1), sc.DSC.Sampled)
	}
}

func TestContinueSentryTraceWithFrozenDSC(t *testing.T) {
	baggage := "other-vendor=foo;bar,sentry-trace_id=" + upTrace + ",sentry-public_key=upstream,sentry-sample_rate=0.5," +
		"sentry-sample_rand=0.250000,sentry-sampled=true,sentry-release=up%201,sentry-new_key=x,userId=alice"
	p := mustPropagator(t, tracecontext.WithPublicKey("ours"), tracecontext.WithRelease("ours"), tracecontext.WithSampleRate(0))
	sc := p.Continue(headers("sentry-trace", upTrace+"-"+upSpan+"-1", "baggage", baggage))

	assert.Equal(t, upTrace, sc.TraceID.String())
	assert.Equal(t, upSpan, sc.ParentSpanID.String())
	assert.NotEqual(t, upSpan, sc.SpanID.String(), "a new server span")
	assert.True(t, sc.SpanID.IsValid())
	assert.Equal(t, tracecontext.DecisionSampled, sc.Sampled, "inherited, whatever the local rate")
	assert.Equal(t, tracecontext.DSC{
		TraceID: upTrace, PublicKey: "upstream", SampleRate: "0.5", SampleRand: "0.250000", Sampled: "true",
		Release: "up 1", Extra: []tracecontext.Member{{Key: "new_key", Value: "x"}}, Frozen: true,
	}, sc.DSC, "frozen upstream DSC, untouched")
	assert.Equal(t, "other-vendor=foo;bar,userId=alice", sc.Baggage.String())
}

func TestContinueInheritedDecisionWithoutSampleRand(t *testing.T) {
	p := mustPropagator(t)
	for range 200 {
		sc := p.Continue(headers("sentry-trace", upTrace+"-"+upSpan+"-1", "baggage", "sentry-trace_id="+upTrace+",sentry-sample_rate=0.25"))
		assert.True(t, sc.DSC.Frozen)
		assert.Less(t, assertSampleRand(t, sc.DSC.SampleRand), 0.25, "sampled: below the incoming rate")

		sc = p.Continue(headers("sentry-trace", upTrace+"-"+upSpan+"-0", "baggage", "sentry-trace_id="+upTrace+",sentry-sample_rate=0.25"))
		assert.GreaterOrEqual(t, assertSampleRand(t, sc.DSC.SampleRand), 0.25, "not sampled: at or above the incoming rate")
	}
}

func TestContinueDeferredUsesInheritedSampleRand(t *testing.T) {
	tests := []struct {
		name string
		rand string
		want tracecontext.Decision
	}{
		{name: "below the rate", rand: "0.249999", want: tracecontext.DecisionSampled},
		{name: "at the rate", rand: "0.250000", want: tracecontext.DecisionNotSampled},
		{name: "above the rate", rand: "0.9", want: tracecontext.DecisionNotSampled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustPropagator(t, tracecontext.WithSampleRate(0.25))
			sc := p.Continue(headers("sentry-trace", upTrace+"-"+upSpan, "baggage", "sentry-trace_id="+upTrace+",sentry-sample_rand="+tt.rand))
			assert.Equal(t, tt.want, sc.Sampled)
			assert.Equal(t, tt.rand, sc.DSC.SampleRand)
			assert.True(t, sc.DSC.Frozen)
		})
	}
}

func TestContinueSentryTraceWithoutBaggage(t *testing.T) {
	p := mustPropagator(t, tracecontext.WithPublicKey("pk"), tracecontext.WithSampleRate(1))
	sc := p.Continue(headers("sentry-trace", upTrace+"-"+upSpan+"-0"))
	assert.Equal(t, tracecontext.DecisionNotSampled, sc.Sampled, "inherited")
	assert.False(t, sc.DSC.Frozen)
	assert.Equal(t, upTrace, sc.DSC.TraceID)
	assert.Equal(t, "pk", sc.DSC.PublicKey)
	assert.Equal(t, "false", sc.DSC.Sampled)
	assert.Empty(t, sc.DSC.SampleRate, "the head's rate is unknown, and ours was not applied")
	assertSampleRand(t, sc.DSC.SampleRand)
}

func TestContinueTraceparent(t *testing.T) {
	const tp = "00-" + upTrace + "-" + upSpan + "-01"
	t.Run("fallback", func(t *testing.T) {
		sc := mustPropagator(t).Continue(headers("traceparent", tp, "tracestate", "rojo=00f067aa0ba902b7", "tracestate", "congo=t61rcWkgMzE"))
		assert.Equal(t, upTrace, sc.TraceID.String())
		assert.Equal(t, upSpan, sc.ParentSpanID.String())
		assert.Equal(t, tracecontext.DecisionSampled, sc.Sampled)
		assert.Equal(t, "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE", sc.TraceState)
	})
	t.Run("invalid sentry-trace falls back", func(t *testing.T) {
		sc := mustPropagator(t).Continue(headers("sentry-trace", "garbage", "traceparent", tp))
		assert.Equal(t, upTrace, sc.TraceID.String())
	})
	t.Run("sentry-trace wins", func(t *testing.T) {
		other := "0af7651916cd43dd8448eb211c80319c"
		sc := mustPropagator(t).Continue(headers("sentry-trace", other+"-"+upSpan+"-0", "traceparent", tp, "tracestate", "a=1"))
		assert.Equal(t, other, sc.TraceID.String())
		assert.Equal(t, tracecontext.DecisionNotSampled, sc.Sampled)
		assert.Empty(t, sc.TraceState, "tracestate of another trace")
	})
	t.Run("tracestate of the same trace kept", func(t *testing.T) {
		sc := mustPropagator(t).Continue(headers("sentry-trace", upTrace+"-"+upSpan, "traceparent", tp, "tracestate", "a=1"))
		assert.Equal(t, tracecontext.DecisionDeferred, sc.Sampled, "sentry-trace's decision")
		assert.Equal(t, "a=1", sc.TraceState)
	})
	t.Run("not accepted", func(t *testing.T) {
		sc := mustPropagator(t, tracecontext.WithAcceptTraceparent(false)).Continue(headers("traceparent", tp))
		assert.NotEqual(t, upTrace, sc.TraceID.String())
		assert.False(t, sc.ParentSpanID.IsValid())
	})
	t.Run("w3c duplicated traceparent starts a new trace", func(t *testing.T) {
		sc := mustPropagator(t).Continue(headers(
			"traceparent", "00-12345678901234567890123456789011-1234567890123456-01",
			"traceparent", "00-12345678901234567890123456789012-1234567890123456-01"))
		assert.NotEqual(t, "12345678901234567890123456789011", sc.TraceID.String())
		assert.NotEqual(t, "12345678901234567890123456789012", sc.TraceID.String())
	})
}

// W3C trace-context test suite, test/test.py test_tracestate_*: what is
// carried through from the tracestate headers.
func TestContinueTracestate(t *testing.T) {
	const tp = "00-12345678901234567890123456789012-1234567890123456-00"
	allowedKey := "abcdefghijklmnopqrstuvwxyz0123456789_-*/"
	var value strings.Builder
	for c := 0x20; c <= 0x7e; c++ {
		if c != ',' && c != '=' {
			value.WriteByte(byte(c))
		}
	}
	var many []string
	for i := range 33 {
		many = append(many, "k"+strconv.Itoa(i)+"=v")
	}
	tests := []struct {
		name   string
		values []string
		want   string
	}{
		{name: "single", values: []string{"foo=1,bar=2"}, want: "foo=1,bar=2"},
		{name: "empty", values: []string{""}, want: ""},
		{name: "empty and one", values: []string{"foo=1", ""}, want: "foo=1"},
		{name: "one and empty", values: []string{"", "foo=1"}, want: "foo=1"},
		{name: "multiple headers combined in order", values: []string{"foo=1,bar=2", "rojo=1,congo=2", "baz=3"}, want: "foo=1,bar=2,rojo=1,congo=2,baz=3"},
		{name: "duplicated keys", values: []string{"foo=1,foo=1"}, want: ""},
		{name: "duplicated keys across headers", values: []string{"foo=1", "foo=2"}, want: ""},
		{name: "all allowed characters", values: []string{allowedKey + "=" + value.String()}, want: allowedKey + "=" + value.String()},
		{name: "all allowed characters with vendor", values: []string{allowedKey + "@a-z0-9_-*/=" + value.String()}, want: allowedKey + "@a-z0-9_-*/=" + value.String()},
		{name: "ows", values: []string{"foo=1 \t , \t bar=2, \t baz=3"}, want: "foo=1 \t , \t bar=2, \t baz=3"},
		{name: "leading ows", values: []string{"\t foo=1 \t"}, want: "foo=1"},
		{name: "key with space", values: []string{"foo =1"}, want: ""},
		{name: "upper-case key", values: []string{"FOO=1"}, want: ""},
		{name: "key with dot", values: []string{"foo.bar=1"}, want: ""},
		{name: "empty vendor", values: []string{"foo@=1,bar=2"}, want: ""},
		{name: "empty tenant", values: []string{"@foo=1,bar=2"}, want: ""},
		{name: "double at", values: []string{"foo@@bar=1,bar=2"}, want: ""},
		{name: "two ats", values: []string{"foo@bar@baz=1,bar=2"}, want: ""},
		{name: "32 members", values: []string{strings.Join(many[:32], ",")}, want: strings.Join(many[:32], ",")},
		{name: "33 members", values: []string{strings.Join(many, ",")}, want: ""},
		{name: "value too long", values: []string{"foo=" + strings.Repeat("x", 257)}, want: ""},
		{name: "value with trailing space inside", values: []string{"foo=1 ,bar=2"}, want: "foo=1 ,bar=2"},
		{name: "control byte", values: []string{"foo=1\x00"}, want: ""},
		{name: "markup", values: []string{`foo="><script>`}, want: `foo="><script>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := headers("traceparent", tp)
			for _, v := range tt.values {
				h.Add("tracestate", v)
			}
			sc := mustPropagator(t).Continue(h)
			assert.Equal(t, "12345678901234567890123456789012", sc.TraceID.String())
			assert.Equal(t, tt.want, sc.TraceState)
		})
	}
}

// The matrix of https://develop.sentry.dev/sdk/telemetry/traces/#stricttracecontinuation.
func TestContinueStrictTraceContinuation(t *testing.T) {
	tests := []struct {
		name      string
		incoming  string
		ours      string
		strict    bool
		continued bool
	}{
		{name: "same org", incoming: "1", ours: "1", strict: false, continued: true},
		{name: "same org, strict", incoming: "1", ours: "1", strict: true, continued: true},
		{name: "no incoming org", incoming: "", ours: "1", strict: false, continued: true},
		{name: "no incoming org, strict", incoming: "", ours: "1", strict: true, continued: false},
		{name: "no org of ours", incoming: "1", ours: "", strict: false, continued: true},
		{name: "no org of ours, strict", incoming: "1", ours: "", strict: true, continued: false},
		{name: "no org at all", incoming: "", ours: "", strict: false, continued: true},
		{name: "no org at all, strict", incoming: "", ours: "", strict: true, continued: true},
		{name: "other org", incoming: "1", ours: "2", strict: false, continued: false},
		{name: "other org, strict", incoming: "1", ours: "2", strict: true, continued: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var reported []error
			p := mustPropagator(t, tracecontext.WithOrgID(tt.ours), tracecontext.WithStrictTraceContinuation(tt.strict),
				tracecontext.WithErrorHandler(func(err error) { reported = append(reported, err) }), tracecontext.WithErrorInterval(0))
			baggage := "sentry-trace_id=" + upTrace + ",sentry-public_key=up,third=party"
			if tt.incoming != "" {
				baggage += ",sentry-org_id=" + tt.incoming
			}
			sc := p.Continue(headers("sentry-trace", upTrace+"-"+upSpan+"-1", "baggage", baggage))
			if tt.continued {
				assert.Equal(t, upTrace, sc.TraceID.String())
				assert.Equal(t, upSpan, sc.ParentSpanID.String())
				assert.Equal(t, tracecontext.DecisionSampled, sc.Sampled)
				assert.Equal(t, "up", sc.DSC.PublicKey)
				assert.Equal(t, tt.incoming, sc.DSC.OrgID)
				assert.Empty(t, reported)
				return
			}
			assert.NotEqual(t, upTrace, sc.TraceID.String(), "a new trace")
			assert.False(t, sc.ParentSpanID.IsValid())
			assert.Equal(t, tracecontext.DecisionDeferred, sc.Sampled)
			assert.Equal(t, tracecontext.DSC{TraceID: sc.TraceID.String(), SampleRand: sc.DSC.SampleRand, OrgID: tt.ours}, sc.DSC, "the upstream DSC is dropped")
			assert.Equal(t, "third=party", sc.Baggage.String(), "other vendors' baggage does not depend on Sentry's trace")
			require.Len(t, reported, 1)
			assert.ErrorIs(t, reported[0], tracecontext.ErrOrgMismatch)
		})
	}
}

func TestContinueIgnoresDSCOfAnotherTrace(t *testing.T) {
	var reported []error
	p := mustPropagator(t, tracecontext.WithPublicKey("ours"), tracecontext.WithErrorHandler(func(err error) { reported = append(reported, err) }))
	sc := p.Continue(headers("sentry-trace", upTrace+"-"+upSpan+"-1", "baggage", "sentry-trace_id=0af7651916cd43dd8448eb211c80319c,sentry-public_key=up,sentry-org_id=9"))
	assert.Equal(t, upTrace, sc.TraceID.String())
	assert.Equal(t, upTrace, sc.DSC.TraceID)
	assert.Equal(t, "ours", sc.DSC.PublicKey)
	assert.False(t, sc.DSC.Frozen)
	require.Len(t, reported, 1)
	assert.ErrorIs(t, reported[0], tracecontext.ErrInvalidBaggage)
}

func TestContinueReportsInvalidHeaders(t *testing.T) {
	tests := []struct {
		name string
		h    http.Header
		want error
	}{
		{name: "sentry-trace", h: headers("sentry-trace", "nonsense"), want: tracecontext.ErrInvalidTraceID},
		{name: "repeated sentry-trace", h: headers("sentry-trace", upTrace+"-"+upSpan, "sentry-trace", upTrace+"-"+upSpan), want: tracecontext.ErrInvalidSentryTrace},
		{name: "traceparent", h: headers("traceparent", "ff-"+upTrace+"-"+upSpan+"-01"), want: tracecontext.ErrInvalidTraceparent},
		{name: "repeated traceparent", h: headers("traceparent", "x", "traceparent", "y"), want: tracecontext.ErrInvalidTraceparent},
		{name: "baggage", h: headers("baggage", "a=%zz"), want: tracecontext.ErrInvalidBaggage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var reported []error
			p := mustPropagator(t, tracecontext.WithErrorHandler(func(err error) { reported = append(reported, err) }))
			sc := p.Continue(tt.h)
			assert.True(t, sc.IsValid(), "a bad header never fails: a new trace")
			assert.False(t, sc.ParentSpanID.IsValid())
			require.Len(t, reported, 1)
			assert.ErrorIs(t, reported[0], tt.want)
		})
	}
}

func TestErrorHandlerIsRateLimited(t *testing.T) {
	var mu sync.Mutex
	calls := 0
	p := mustPropagator(t, tracecontext.WithErrorInterval(time.Hour), tracecontext.WithErrorHandler(func(error) {
		mu.Lock()
		calls++
		mu.Unlock()
	}))
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				p.Continue(headers("sentry-trace", "bad"))
			}
		})
	}
	wg.Wait()
	assert.Equal(t, 1, calls)
}

// TestPackageLevelErrorHandlerIsRateLimited calls the package-level
// functions 1,000 times each, as a handler calling Continue per request does,
// with the same hook written inline: the hook is called at most once per
// interval across the calls, as the documented limit says, for every
// function; with a zero interval, every bad header is reported.
func TestPackageLevelErrorHandlerIsRateLimited(t *testing.T) {
	const calls = 1000
	bad := headers("sentry-trace", "bad")
	badRequest := func() *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header = bad.Clone()
		return r
	}
	next := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	tests := []struct {
		name string
		call func(opts ...tracecontext.Option)
	}{
		{"Continue", func(opts ...tracecontext.Option) { tracecontext.Continue(bad, opts...) }},
		{"Middleware", func(opts ...tracecontext.Option) {
			tracecontext.Middleware(opts...)(next).ServeHTTP(httptest.NewRecorder(), badRequest())
		}},
		{"CORS", func(opts ...tracecontext.Option) {
			// CORS reports no header errors: only the options' error,
			// once per call, which is not rate-limited.
			tracecontext.CORS(append(opts, tracecontext.WithSampleRate(2))...)(next).ServeHTTP(httptest.NewRecorder(), badRequest())
		}},
	}
	// An interval of its own per run, so that a run with -count finds no
	// limit left by the previous one.
	interval := time.Hour + time.Duration(time.Now().UnixNano()%int64(time.Hour))
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The hook below is one function for every subtest, and hooks
			// of one function share a limit per interval.
			interval := interval + time.Duration(i)
			var mu sync.Mutex
			var reported []error
			for range calls {
				tt.call(tracecontext.WithErrorInterval(interval), tracecontext.WithErrorHandler(func(err error) {
					mu.Lock()
					defer mu.Unlock()
					reported = append(reported, err)
				}))
			}
			var headerErrors, optionErrors int
			for _, err := range reported {
				if errors.Is(err, tracecontext.ErrInvalidOption) {
					optionErrors++
				} else {
					headerErrors++
				}
			}
			switch tt.name {
			case "CORS":
				assert.Equal(t, calls, optionErrors, "the invalid option is reported by every call")
				assert.Zero(t, headerErrors)
			default:
				assert.Equal(t, 1, headerErrors, "one report per interval across %d calls", calls)
				assert.Zero(t, optionErrors)
			}

			reported = nil
			for range calls {
				tt.call(tracecontext.WithErrorInterval(0), tracecontext.WithErrorHandler(func(err error) {
					mu.Lock()
					defer mu.Unlock()
					reported = append(reported, err)
				}))
			}
			if tt.name != "CORS" {
				assert.Len(t, reported, calls, "a zero interval reports every error")
			}
		})
	}
	// A hook of another function has a limit of its own.
	var other int
	for range calls {
		tracecontext.Continue(bad, tracecontext.WithErrorInterval(interval), tracecontext.WithErrorHandler(func(error) { other++ }))
	}
	assert.Equal(t, 1, other)
}

// TestPackageLevelDefault checks that the package-level functions without
// options cost what a shared Propagator's methods cost: no Propagator is
// built per call.
func TestPackageLevelDefault(t *testing.T) {
	h := headers("sentry-trace", upTrace+"-"+upSpan+"-1")
	p := mustPropagator(t)
	shared := testing.AllocsPerRun(100, func() { p.Continue(h) })
	perCall := testing.AllocsPerRun(100, func() { tracecontext.Continue(h) })
	assert.Equal(t, shared, perCall)
	assert.Equal(t, p.Continue(h).ParentSpanID, tracecontext.Continue(h).ParentSpanID)

	mw := testing.AllocsPerRun(100, func() { tracecontext.Middleware() })
	assert.Zero(t, mw, "Middleware() returns the shared Propagator's method")
}

func TestSampler(t *testing.T) {
	var got []tracecontext.SamplingContext
	p := mustPropagator(t, tracecontext.WithSampleRate(0), tracecontext.WithSampler(func(sc tracecontext.SamplingContext) float64 {
		got = append(got, sc)
		if sc.Request != nil && sc.Request.URL.Path == "/health" {
			return 0
		}
		return 1
	}))
	r := httptest.NewRequest(http.MethodGet, "/page", nil)
	sc := p.ContinueRequest(r)
	assert.Equal(t, tracecontext.DecisionSampled, sc.Sampled, "the sampler takes precedence over the rate")
	assert.Equal(t, "1", sc.DSC.SampleRate)
	require.Len(t, got, 1)
	assert.Same(t, r, got[0].Request)
	assert.Equal(t, sc.TraceID, got[0].TraceID)
	assert.False(t, got[0].Continued)

	sc = p.ContinueRequest(httptest.NewRequest(http.MethodGet, "/health", nil))
	assert.Equal(t, tracecontext.DecisionNotSampled, sc.Sampled)
	assert.Equal(t, "0", sc.DSC.SampleRate)

	r = httptest.NewRequest(http.MethodGet, "/page", nil)
	r.Header.Set("sentry-trace", upTrace+"-"+upSpan)
	p.ContinueRequest(r)
	require.Len(t, got, 3)
	assert.True(t, got[2].Continued)

	r.Header.Set("sentry-trace", upTrace+"-"+upSpan+"-0")
	p.ContinueRequest(r)
	assert.Len(t, got, 3, "not called for an inherited decision")

	for _, bad := range []float64{math.NaN(), -1, 2, math.Inf(1)} {
		p := mustPropagator(t, tracecontext.WithSampler(func(tracecontext.SamplingContext) float64 { return bad }))
		sc := p.Continue(http.Header{})
		assert.Equal(t, tracecontext.DecisionNotSampled, sc.Sampled, "%v counts as 0", bad)
		assert.Equal(t, "0", sc.DSC.SampleRate)
	}
}

func TestInvalidOptions(t *testing.T) {
	for _, rate := range []float64{-0.1, 1.5, math.NaN()} {
		p, err := tracecontext.NewPropagator(tracecontext.WithSampleRate(rate))
		require.ErrorIs(t, err, tracecontext.ErrInvalidOption)
		require.NotNil(t, p)
		assert.Equal(t, tracecontext.DecisionDeferred, p.Continue(http.Header{}).Sampled, "the invalid rate is ignored")
	}
	_, err := tracecontext.NewPropagator(tracecontext.WithErrorInterval(-time.Second))
	require.ErrorIs(t, err, tracecontext.ErrInvalidOption)

	var reported []error
	mw := tracecontext.Middleware(tracecontext.WithSampleRate(7), tracecontext.WithErrorHandler(func(err error) { reported = append(reported, err) }))
	require.NotNil(t, mw)
	require.Len(t, reported, 1, "Middleware cannot return the error: the hook gets it")
	assert.ErrorIs(t, reported[0], tracecontext.ErrInvalidOption)
}

// Sampling is consistent: over many traces the sampled share is the rate,
// and every decision made here agrees with sample_rand < sample_rate, which is
// how every SDK downstream decides from the same DSC.
func TestSamplingConsistency(t *testing.T) {
	const n = 100_000
	const rate = 0.25
	p := mustPropagator(t, tracecontext.WithSampleRate(rate))
	sampled := 0
	var sumRand float64
	for range n {
		sc := p.Continue(http.Header{})
		r, err := strconv.ParseFloat(sc.DSC.SampleRand, 64)
		require.NoError(t, err)
		sr, err := strconv.ParseFloat(sc.DSC.SampleRate, 64)
		require.NoError(t, err)
		isSampled := sc.Sampled == tracecontext.DecisionSampled
		require.Equal(t, r < sr, isSampled, "sample_rand %s, rate %s", sc.DSC.SampleRand, sc.DSC.SampleRate)
		require.Equal(t, strconv.FormatBool(isSampled), sc.DSC.Sampled)
		if isSampled {
			sampled++
		}
		sumRand += r
	}
	// Binomial standard deviation is sqrt(n*p*(1-p)) ~ 137: 0.01*n is 7 of them.
	assert.InDelta(t, rate*n, float64(sampled), 0.01*n)
	assert.InDelta(t, 0.5, sumRand/n, 0.01, "sample_rand is uniform")
}

// A trace continued by a second service without a decision is decided the
// same way as by the first, from the propagated sample_rand.
func TestSamplingConsistencyAcrossServices(t *testing.T) {
	head := mustPropagator(t) // deferred: tracing without performance
	for _, rate := range []float64{0.1, 0.5, 0.9} {
		down := mustPropagator(t, tracecontext.WithSampleRate(rate))
		for range 2000 {
			first := head.Continue(http.Header{})
			h := http.Header{}
			h.Set("sentry-trace", first.SentryTrace())
			h.Set("baggage", first.DSC.Baggage())
			second := down.Continue(h)
			r, err := strconv.ParseFloat(first.DSC.SampleRand, 64)
			require.NoError(t, err)
			require.Equal(t, r < rate, second.Sampled == tracecontext.DecisionSampled)
			require.Equal(t, first.DSC.SampleRand, second.DSC.SampleRand)
			require.Equal(t, first.TraceID, second.TraceID)
			require.Equal(t, first.SpanID, second.ParentSpanID)
		}
	}
}

func TestMiddleware(t *testing.T) {
	var got tracecontext.SpanContext
	var ok bool
	h := tracecontext.Middleware(tracecontext.WithSampleRate(1))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok = tracecontext.FromContext(r.Context())
	}))
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("sentry-trace", upTrace+"-"+upSpan+"-0")
	h.ServeHTTP(httptest.NewRecorder(), r)
	require.True(t, ok)
	assert.Equal(t, upTrace, got.TraceID.String())
	assert.Equal(t, upSpan, got.ParentSpanID.String())
	assert.Equal(t, tracecontext.DecisionNotSampled, got.Sampled)
	_, ok = tracecontext.FromContext(r.Context())
	assert.False(t, ok, "the caller's request is not changed")
}

func TestContinueAllocs(t *testing.T) {
	p := mustPropagator(t, tracecontext.WithSampleRate(0.5), tracecontext.WithPublicKey("pk"))
	t.Run("new trace", func(t *testing.T) {
		h := http.Header{}
		allocs := testing.AllocsPerRun(200, func() { p.Continue(h) })
		assert.LessOrEqual(t, allocs, 1.0, "one string for the DSC's trace id and sample_rand")
	})
	t.Run("upstream with frozen DSC", func(t *testing.T) {
		h := headers("sentry-trace", upTrace+"-"+upSpan+"-1",
			"baggage", "sentry-trace_id="+upTrace+",sentry-public_key=pk,sentry-sample_rate=0.5,sentry-sample_rand=0.1,sentry-sampled=true")
		allocs := testing.AllocsPerRun(200, func() { p.Continue(h) })
		assert.LessOrEqual(t, allocs, 1.0, "one slice of baggage members")
	})
	t.Run("upstream with encoded values", func(t *testing.T) {
		// A realistic baggage: the release and the transaction are
		// percent-encoded, and every request carries the same ones.
		h := headers("sentry-trace", upTrace+"-"+upSpan+"-1",
			"baggage", "sentry-trace_id="+upTrace+",sentry-public_key=pk,sentry-sample_rate=0.5,sentry-sample_rand=0.1,sentry-sampled=true,"+
				"sentry-release=shop%401.4.0%2Bbuild.7,sentry-environment=production,sentry-transaction=GET%20%2Fproducts%2F%3Aid")
		sc := p.Continue(h)
		assert.Equal(t, "shop@1.4.0+build.7", sc.DSC.Release)
		assert.Equal(t, "GET /products/:id", sc.DSC.Transaction)
		allocs := testing.AllocsPerRun(200, func() { p.Continue(h) })
		assert.LessOrEqual(t, allocs, 1.0, "the decoded values are reused")
		other := headers("sentry-trace", upTrace+"-"+upSpan+"-1",
			"baggage", "sentry-trace_id="+upTrace+",sentry-release=shop%401.5.0,sentry-transaction=GET%20%2Fcart")
		sc = p.Continue(other)
		assert.Equal(t, "shop@1.5.0", sc.DSC.Release, "a new value is decoded, not taken for a kept one")
		assert.Equal(t, "GET /cart", sc.DSC.Transaction)
	})
	t.Run("hostile headers, no hook", func(t *testing.T) {
		h := headers("sentry-trace", "<script>", "traceparent", "zz", "baggage", "a b=c")
		allocs := testing.AllocsPerRun(200, func() { p.Continue(h) })
		assert.LessOrEqual(t, allocs, 2.0, "no error is formatted when nobody reads it")
	})
}

func TestContextRoundTrip(t *testing.T) {
	sc := mustPropagator(t).Continue(http.Header{})
	ctx := tracecontext.NewContext(t.Context(), sc)
	got, ok := tracecontext.FromContext(ctx)
	require.True(t, ok)
	assert.Equal(t, sc, got)
	assert.Contains(t, ctx.(interface{ String() string }).String(), sc.SentryTrace())

	// Other values and cancellation still come from the parent.
	type key struct{}
	parent, cancel := contextWithValueAndCancel(key{}, "v")
	ctx = tracecontext.NewContext(parent, sc)
	assert.Equal(t, "v", ctx.Value(key{}))
	cancel()
	<-ctx.Done()
	assert.True(t, errors.Is(ctx.Err(), errCanceled()))

	_, ok = tracecontext.FromContext(nil) //nolint:staticcheck // nil is documented to work
	assert.False(t, ok)
	got, ok = tracecontext.FromContext(tracecontext.NewContext(nil, sc)) //nolint:staticcheck // nil is tolerated
	assert.True(t, ok)
	assert.Equal(t, sc, got)

	allocs := testing.AllocsPerRun(100, func() { _, _ = tracecontext.FromContext(ctx) })
	assert.Zero(t, allocs)
}

// spanCarrier is a context of one's own that carries its span itself,
// through SpanContextValue.
type spanCarrier struct {
	context.Context
	sc tracecontext.SpanContext
}

func (c *spanCarrier) Value(key any) any {
	if v, ok := tracecontext.SpanContextValue(key, &c.sc); ok {
		return v
	}
	return c.Context.Value(key)
}

func TestSpanContextValue(t *testing.T) {
	sc := mustPropagator(t).Continue(http.Header{})
	type key struct{}
	parent := context.WithValue(t.Context(), key{}, "v")
	ctx := &spanCarrier{Context: parent, sc: sc}
	got, ok := tracecontext.FromContext(ctx)
	require.True(t, ok, "FromContext finds the span the context carries itself")
	assert.Equal(t, sc, got)
	assert.Equal(t, "v", ctx.Value(key{}), "other keys are the parent's")
	v, ok := tracecontext.SpanContextValue(key{}, &sc)
	assert.False(t, ok, "not the span's key")
	assert.Nil(t, v)
	_, ok = tracecontext.FromContext(parent)
	assert.False(t, ok)
	allocs := testing.AllocsPerRun(100, func() { _, _ = tracecontext.FromContext(ctx) })
	assert.Zero(t, allocs)
}

func TestMiddlewareAllocs(t *testing.T) {
	h := tracecontext.Middleware(tracecontext.WithSampleRate(0.25))(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("sentry-trace", upTrace+"-"+upSpan+"-1")
	r.Header.Set("baggage", "sentry-trace_id="+upTrace+",sentry-sample_rate=0.25,sentry-sample_rand=0.1,sentry-sampled=true")
	w := httptest.NewRecorder()
	allocs := testing.AllocsPerRun(200, func() { h.ServeHTTP(w, r) })
	// The request copy of WithContext, the context holding the span, and the
	// baggage members.
	assert.LessOrEqual(t, allocs, 3.0)
}

func TestZeroPropagatorHasTheDefaults(t *testing.T) {
	var p tracecontext.Propagator
	sc := p.Continue(headers("traceparent", "00-"+upTrace+"-"+upSpan+"-01"))
	assert.Equal(t, upTrace, sc.TraceID.String(), "traceparent accepted")
	assert.Equal(t, tracecontext.DecisionSampled, sc.Sampled)
	assert.Equal(t, []string{"sentry-trace", "baggage"}, tracecontext.CORSAllowedHeaders())
}

// TestContinueDecisionsAgree checks that the DSC a continued trace carries
// says what its sentry-trace flag says, even where the upstream's baggage
// disagreed with its own flag: the page's tags and the outgoing headers
// never give the browser SDK and dynamic sampling two decisions.
func TestContinueDecisionsAgree(t *testing.T) {
	p := mustPropagator(t)
	for _, tc := range []struct {
		name, flag, baggageSampled string
		want                       string
	}{
		{"not sampled, baggage says sampled", "-0", "true", "false"},
		{"sampled, baggage says not", "-1", "false", "true"},
		{"sampled, baggage silent", "-1", "", "true"},
		{"deferred, baggage says sampled", "", "true", ""},
		{"deferred, baggage silent", "", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			baggage := "sentry-trace_id=" + upTrace + ",sentry-public_key=pk"
			if tc.baggageSampled != "" {
				baggage += ",sentry-sampled=" + tc.baggageSampled
			}
			sc := p.Continue(headers("sentry-trace", upTrace+"-"+upSpan+tc.flag, "baggage", baggage))
			assert.Equal(t, tc.want, sc.DSC.Sampled)
			assert.Equal(t, "pk", sc.DSC.PublicKey, "the upstream's DSC, frozen but for the decision")
		})
	}
}
