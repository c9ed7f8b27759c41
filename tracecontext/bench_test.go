package tracecontext_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tracemeta/tracemeta/tracecontext"
)

var (
	benchSentryTrace = upTrace + "-" + upSpan + "-1"
	benchTraceparent = "00-" + upTrace + "-" + upSpan + "-01"
	benchBaggage     = "sentry-trace_id=" + upTrace + ",sentry-public_key=49d0f7386ad645858ae85020e393bef3," +
		"sentry-sample_rate=0.25,sentry-sample_rand=0.118307,sentry-sampled=true,sentry-release=web%401.2,sentry-environment=prod"
)

func BenchmarkParseSentryTrace(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tracecontext.ParseSentryTrace(benchSentryTrace); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseTraceparent(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tracecontext.ParseTraceparent(benchTraceparent); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseBaggage(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tracecontext.ParseBaggage(benchBaggage); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDSCAppendBaggage(b *testing.B) {
	bg, err := tracecontext.ParseBaggage(benchBaggage)
	if err != nil {
		b.Fatal(err)
	}
	dsc := tracecontext.DSCFromBaggage(bg)
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		buf = dsc.AppendBaggage(buf[:0])
	}
}

func BenchmarkContinue(b *testing.B) {
	p := mustPropagator(b, tracecontext.WithSampleRate(0.25), tracecontext.WithPublicKey("pk"), tracecontext.WithRelease("api@1"))
	cases := []struct {
		name string
		h    http.Header
	}{
		{name: "new trace", h: http.Header{}},
		{name: "sentry-trace and baggage", h: headers("sentry-trace", benchSentryTrace, "baggage", benchBaggage)},
		{name: "deferred sentry-trace", h: headers("sentry-trace", upTrace+"-"+upSpan)},
		{name: "traceparent", h: headers("traceparent", benchTraceparent, "tracestate", "rojo=00f067aa0ba902b7")},
		{name: "hostile", h: headers("sentry-trace", "\"><script>alert(1)</script>", "baggage", "<a>=<b>")},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p.Continue(c.h)
			}
		})
	}
}

func BenchmarkMiddleware(b *testing.B) {
	h := tracecontext.Middleware(tracecontext.WithSampleRate(0.25))(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("sentry-trace", benchSentryTrace)
	r.Header.Set("baggage", benchBaggage)
	w := httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(w, r)
	}
}

func BenchmarkTransport(b *testing.B) {
	res := &http.Response{StatusCode: http.StatusOK, Body: http.NoBody}
	rt := tracecontext.Transport(roundTripFunc(func(*http.Request) (*http.Response, error) { return res, nil }))
	sc := mustPropagator(b).Continue(headers("sentry-trace", benchSentryTrace, "baggage", benchBaggage))
	req, err := http.NewRequestWithContext(tracecontext.NewContext(context.Background(), sc), http.MethodGet, "http://localhost:8080/api", nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rt.RoundTrip(req); err != nil {
			b.Fatal(err)
		}
	}
}
