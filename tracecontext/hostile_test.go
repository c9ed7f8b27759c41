package tracecontext_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/tracecontext"
)

// hostileHeader is a request header shape that an attacker can send within
// net/http's default 1 MiB header limit.
type hostileHeader struct {
	name string
	h    http.Header
}

const hostileSize = 1 << 20

// hostileHeaders returns the shapes that once made parsing cost what was
// sent instead of what is kept.
func hostileHeaders() []hostileHeader {
	members := func(n int) string {
		var b strings.Builder
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "k%d=v", i)
		}
		return b.String()
	}
	repeated := func(v string, n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = v
		}
		return out
	}
	valid := upTrace + "-" + upSpan + "-1"
	return []hostileHeader{
		{"baggage k=v and 1 MiB of ;", http.Header{"Baggage": {"k=v" + strings.Repeat(";", hostileSize)}}},
		{"baggage 1 MiB of ;p", http.Header{"Baggage": {"k=v" + strings.Repeat(";p", hostileSize/2)}}},
		{"baggage 1 MiB of ,", http.Header{"Baggage": {strings.Repeat(",", hostileSize)}}},
		{"baggage 1 MiB of %-escapes", http.Header{"Baggage": {"k=" + strings.Repeat("%41", hostileSize/3)}}},
		{"baggage 1 MiB of %-escapes in small members", http.Header{"Baggage": {strings.Repeat("k=%41%41,", hostileSize/9)}}},
		{"baggage 100k members", http.Header{"Baggage": {members(100_000)}}},
		{"baggage one 1 MiB property", http.Header{"Baggage": {"k=v;p=" + strings.Repeat("x", hostileSize)}}},
		{"baggage 1 MiB of invalid members", http.Header{"Baggage": {strings.Repeat("k v,", hostileSize/4)}}},
		{"baggage 1 MiB of whitespace", http.Header{"Baggage": {"k=v" + strings.Repeat(" ", hostileSize) + ",a=b"}}},
		{"baggage 1000 repeated headers", http.Header{"Baggage": repeated(members(100), 1000)}},
		{"baggage 100k empty headers", http.Header{"Baggage": repeated("", 100_000)}},
		{"sentry-trace 1 MiB", http.Header{"Sentry-Trace": {valid + strings.Repeat("1", hostileSize)}}},
		{"sentry-trace 1 MiB of whitespace", http.Header{"Sentry-Trace": {strings.Repeat(" ", hostileSize) + valid}}},
		{"sentry-trace 10k repeated", http.Header{"Sentry-Trace": repeated(valid, 10_000)}},
		{"traceparent 1 MiB", http.Header{"Traceparent": {"00-" + upTrace + "-" + upSpan + "-01" + strings.Repeat("-", hostileSize)}}},
		{"traceparent 10k repeated", http.Header{"Traceparent": repeated("00-"+upTrace+"-"+upSpan+"-01", 10_000)}},
		{"tracestate 1 MiB", http.Header{
			"Traceparent": {"00-" + upTrace + "-" + upSpan + "-01"},
			"Tracestate":  {strings.Repeat("a=b,", hostileSize/4)},
		}},
		{"tracestate 50k repeated", http.Header{
			"Traceparent": {"00-" + upTrace + "-" + upSpan + "-01"},
			"Tracestate":  repeated("a=b", 50_000),
		}},
	}
}

// TestContinueHostileHeaders checks that every hostile shape is continued
// safely: a valid span, a bounded DSC and third-party baggage, and an error
// that quotes at most a bounded part of the input.
func TestContinueHostileHeaders(t *testing.T) {
	for _, tc := range hostileHeaders() {
		t.Run(tc.name, func(t *testing.T) {
			var errs []error
			p, err := tracecontext.NewPropagator(
				tracecontext.WithErrorInterval(0),
				tracecontext.WithErrorHandler(func(err error) { errs = append(errs, err) }),
			)
			require.NoError(t, err)
			sc := p.Continue(tc.h)
			require.True(t, sc.IsValid())
			assert.LessOrEqual(t, sc.Baggage.Len(), tracecontext.MaxBaggageMembers)
			assert.LessOrEqual(t, len(sc.Baggage.String()), tracecontext.MaxBaggageBytes)
			assert.LessOrEqual(t, len(sc.TraceState), 8192)
			for _, err := range errs {
				assert.LessOrEqual(t, len(err.Error()), 512, "an error quotes a bounded part of the header")
			}
		})
	}
}

// TestParseBaggageHostile checks ParseBaggage on the baggage shapes: it keeps
// whole members within the limits and says it dropped the rest.
func TestParseBaggageHostile(t *testing.T) {
	for _, tc := range hostileHeaders() {
		v := tc.h["Baggage"]
		if len(v) != 1 {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			b, err := tracecontext.ParseBaggage(v[0])
			assert.LessOrEqual(t, b.Len(), tracecontext.MaxBaggageMembers)
			assert.LessOrEqual(t, len(b.String()), tracecontext.MaxBaggageBytes)
			if err != nil {
				assert.True(t, errors.Is(err, tracecontext.ErrBaggageTooLarge) || errors.Is(err, tracecontext.ErrInvalidBaggage), err)
				assert.LessOrEqual(t, len(err.Error()), 512)
			}
		})
	}
}

func BenchmarkContinueHostile(b *testing.B) {
	for _, tc := range hostileHeaders() {
		b.Run(strings.ReplaceAll(tc.name, " ", "_"), func(b *testing.B) {
			p, _ := tracecontext.NewPropagator(tracecontext.WithErrorHandler(func(error) {}))
			b.ReportAllocs()
			for b.Loop() {
				p.Continue(tc.h)
			}
		})
	}
}

// maxHostileBytes bounds what continuing one request may allocate, whatever
// its headers: the kept members (at most MaxBaggageMembers of them) and
// strings, never a copy or a slice sized by what was sent.
const maxHostileBytes = 16 << 10

// TestContinueHostileHeadersMemory checks the bound on allocated bytes per
// request, with every error reported (and formatted).
func TestContinueHostileHeadersMemory(t *testing.T) {
	for _, tc := range hostileHeaders() {
		t.Run(tc.name, func(t *testing.T) {
			p, err := tracecontext.NewPropagator(
				tracecontext.WithErrorInterval(0),
				tracecontext.WithErrorHandler(func(err error) { _ = err.Error() }),
			)
			require.NoError(t, err)
			perRequest := allocatedBytes(10, func() { p.Continue(tc.h) })
			t.Logf("%d bytes allocated per request", perRequest)
			assert.LessOrEqual(t, perRequest, uint64(maxHostileBytes))
		})
	}
}

// allocatedBytes returns the heap bytes f allocates per call, averaged over
// runs calls.
func allocatedBytes(runs int, f func()) uint64 {
	f() // warm up
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range runs {
		f()
	}
	runtime.ReadMemStats(&after)
	return (after.TotalAlloc - before.TotalAlloc) / uint64(runs)
}

// TestMiddlewareHostileHeadersMemory checks the bound through the net/http
// middleware, request copy and context included.
func TestMiddlewareHostileHeadersMemory(t *testing.T) {
	var seen tracecontext.SpanContext
	h := tracecontext.Middleware(tracecontext.WithSampleRate(1))(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		seen, _ = tracecontext.FromContext(r.Context())
	}))
	for _, tc := range hostileHeaders() {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.Header = tc.h
			rec := httptest.NewRecorder()
			perRequest := allocatedBytes(10, func() { h.ServeHTTP(rec, req) })
			require.True(t, seen.IsValid())
			assert.LessOrEqual(t, perRequest, uint64(maxHostileBytes))
		})
	}
}
