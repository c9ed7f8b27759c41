package injectfasthttp_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/valyala/fasthttp"

	"github.com/tracemeta/tracemeta/inject"
	injectfasthttp "github.com/tracemeta/tracemeta/inject/fasthttp"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// TestNewRequest checks the net/http request built from a fasthttp one.
func TestNewRequest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		raw        string
		method     string
		proto      string
		host       string
		uri        string
		path       string
		query      string
		header     http.Header
		protoMajor int
	}{
		{
			name:   "navigation",
			raw:    "GET /a/b?x=1&y=%20 HTTP/1.1\r\nHost: shop.example\r\nAccept: text/html\r\nsec-fetch-dest: document\r\nbaggage: a=1\r\nBaggage: b=2\r\nUser-Agent: x\r\nCookie: c=1\r\n\r\n",
			method: http.MethodGet, proto: "HTTP/1.1", host: "shop.example", uri: "/a/b?x=1&y=%20", path: "/a/b", query: "x=1&y=%20",
			header:     http.Header{"Accept": {"text/html"}, "Sec-Fetch-Dest": {"document"}, "Baggage": {"a=1", "b=2"}},
			protoMajor: 1,
		},
		{
			name:   "HTTP/1.0 HEAD",
			raw:    "HEAD /x HTTP/1.0\r\nHost: h\r\n\r\n",
			method: http.MethodHead, proto: "HTTP/1.0", host: "h", uri: "/x", path: "/x",
			header: http.Header{}, protoMajor: 1,
		},
		{
			name: "the limits of each header",
			raw: "GET / HTTP/1.1\r\nHost: h\r\nSec-Fetch-Dest: empty\r\nSec-Fetch-Dest: document\r\n" +
				"Sentry-Trace: a\r\nSentry-Trace: b\r\nSentry-Trace: c\r\nHx-Request: " + strings.Repeat("t", 300) + "\r\n\r\n",
			method: http.MethodGet, proto: "HTTP/1.1", host: "h", path: "/",
			header: http.Header{
				"Sec-Fetch-Dest": {"empty"},
				"Sentry-Trace":   {"a", "b"},
				"Hx-Request":     {strings.Repeat("t", 255) + "\x7f"},
			},
			protoMajor: 1,
		},
		{
			name:   "absolute URI",
			raw:    "GET http://other.example/p?q HTTP/1.1\r\nHost: h\r\n\r\n",
			method: http.MethodGet, proto: "HTTP/1.1", host: "other.example", path: "/p", query: "q",
			header: http.Header{}, protoMajor: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var req fasthttp.Request
			require.NoError(t, req.Read(bufioReader(tt.raw)))
			var fctx fasthttp.RequestCtx
			fctx.Init(&req, &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 4711}, nil)
			r := injectfasthttp.NewRequest(&fctx)
			assert.Equal(t, tt.method, r.Method)
			assert.Equal(t, tt.proto, r.Proto)
			assert.Equal(t, tt.protoMajor, r.ProtoMajor)
			assert.Equal(t, tt.host, r.Host)
			if tt.uri != "" {
				assert.Equal(t, tt.uri, r.RequestURI)
			}
			assert.Equal(t, tt.path, r.URL.Path)
			assert.Equal(t, tt.query, r.URL.RawQuery)
			assert.Equal(t, tt.header, r.Header, "the headers read, within their limits; Host is r.Host, as net/http has it")
			assert.Equal(t, "192.0.2.1:4711", r.RemoteAddr)
			assert.Equal(t, http.NoBody, r.Body)
			assert.NotNil(t, r.Context())
		})
	}
}

// FuzzNewRequest checks that any request fasthttp accepts becomes a
// net/http request without a panic, with a URL and a protocol.
func FuzzNewRequest(f *testing.F) {
	f.Add("GET /a?b HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\n")
	f.Add("GET http://x/%zz HTTP/1.1\r\nHost: h\r\n\r\n")
	f.Add("POST * HTTP/9.9\r\nHost: \r\nx: \xff\r\n\r\n")
	f.Fuzz(func(t *testing.T, raw string) {
		var fctx fasthttp.RequestCtx
		if err := fctx.Request.Read(bufioReader(raw)); err != nil {
			return // not a request fasthttp serves
		}
		r := injectfasthttp.NewRequest(&fctx)
		require.NotNil(t, r.URL)
		require.NotNil(t, r.Header)
		require.GreaterOrEqual(t, r.ProtoMajor, 1)
		r.Header.Get("Accept") // usable
	})
}

// hostileRequest returns a request of about size bytes of headers that no
// decision reads, in many small headers, and trace headers far over their
// limits: what a client may send to a server with a large ReadBufferSize.
func hostileRequest(size int) string {
	var b strings.Builder
	b.WriteString("GET /page HTTP/1.1\r\nHost: shop.example\r\nAccept: text/html\r\nSec-Fetch-Dest: document\r\n")
	for i := 0; b.Len() < size/2; i++ {
		fmt.Fprintf(&b, "X-%d: %d\r\n", i, i)
	}
	third := size / 6
	b.WriteString("Baggage: " + strings.Repeat("k=v,", third/4) + "\r\n")
	b.WriteString("Tracestate: " + strings.Repeat("a=b,", third/8) + "\r\n")
	b.WriteString("Sentry-Trace: " + strings.Repeat("0", third/4) + "\r\n")
	for range 100 {
		b.WriteString("Sec-Fetch-Dest: document\r\nHx-Request: " + strings.Repeat("x", 100) + "\r\n")
	}
	b.WriteString("\r\n")
	return b.String()
}

// maxRequestBytes bounds the bytes NewRequest allocates for any request:
// the headers inject and tracecontext read, each within the bytes they read
// of it (baggage's 16 KiB input budget and tracestate's 8 KiB the largest),
// and the request.
const maxRequestBytes = 32 << 10

// TestNewRequestMemory checks that NewRequest allocates within
// maxRequestBytes whatever the headers, at Fiber's default 4 KiB header
// limit and at a 1 MiB ReadBufferSize alike.
func TestNewRequestMemory(t *testing.T) {
	for _, size := range []int{4 << 10, 64 << 10, 1 << 20} {
		t.Run(strconv.Itoa(size), func(t *testing.T) {
			var req fasthttp.Request
			br := bufio.NewReaderSize(strings.NewReader(hostileRequest(size)), 2<<20)
			require.NoError(t, req.Read(br))
			var fctx fasthttp.RequestCtx
			fctx.Init(&req, &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 4711}, nil)
			perRequest := allocatedBytes(20, func() { injectfasthttp.NewRequest(&fctx) })
			t.Logf("%d bytes of headers: %d bytes allocated per request", size, perRequest)
			limit := uint64(maxRequestBytes)
			if raceEnabled {
				limit *= 2 // the pooled scratch buffer is dropped now and then
			}
			assert.LessOrEqual(t, perRequest, limit)
		})
	}
}

// allocatedBytes returns the bytes f allocates per call, on average over n
// calls.
func allocatedBytes(n int, f func()) uint64 {
	f() // pools warmed
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range n {
		f()
	}
	runtime.ReadMemStats(&after)
	return (after.TotalAlloc - before.TotalAlloc) / uint64(n)
}

// TestNewRequestDecidesAsTheWholeHeader checks that the headers NewRequest
// keeps lead to what all of them lead to: the same trace continued (parent,
// decision, DSC, other vendors' baggage, tracestate, the errors reported)
// and the same eligibility, for ordinary and hostile headers alike.
func TestNewRequestDecidesAsTheWholeHeader(t *testing.T) {
	const trace = "771a43a4192642f0b136d5159a501700"
	const span = "b3e2a7d1c8f04e59"
	members := func(n int, prefix string) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = fmt.Sprintf("%s%d=v%d", prefix, i, i)
		}
		return strings.Join(parts, ",")
	}
	tests := []struct {
		name   string
		header string
	}{
		{"a browser's navigation", "Accept: text/html\r\nSec-Fetch-Dest: document\r\nSec-Fetch-Mode: navigate\r\n" +
			"Sentry-Trace: " + trace + "-" + span + "-1\r\nBaggage: sentry-trace_id=" + trace + ",sentry-sample_rand=0.5,other=1\r\n"},
		{"htmx", "Hx-Request: true\r\nSentry-Trace: " + trace + "-" + span + "\r\n"},
		{"traceparent and tracestate", "Traceparent: 00-" + trace + "-" + span + "-01\r\nTracestate: a=1,b=2\r\nTracestate: c=3\r\n"},
		{"two sentry-trace headers", "Sentry-Trace: " + trace + "-" + span + "-1\r\nSentry-Trace: " + trace + "-" + span + "-0\r\n"},
		{"a long invalid sentry-trace", "Sentry-Trace: " + trace + "-" + span + "-1" + strings.Repeat(" ", 2000) + "x\r\n"},
		{"baggage past its input budget", "Sentry-Trace: " + trace + "-" + span + "-1\r\nBaggage: " + members(2000, "k") + "\r\n"},
		{"baggage in many headers", "Sentry-Trace: " + trace + "-" + span + "-1\r\n" + strings.Repeat("Baggage: "+members(50, "m")+"\r\n", 300)},
		{"tracestate past 8192 bytes", "Traceparent: 00-" + trace + "-" + span + "-01\r\nTracestate: " + members(1500, "t") + "\r\n"},
		{"many Sec-Fetch-Dest", strings.Repeat("Sec-Fetch-Dest: document\r\n", 500) + "Sec-Fetch-Dest: empty\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var req fasthttp.Request
			br := bufio.NewReaderSize(strings.NewReader("GET / HTTP/1.1\r\nHost: h\r\n"+tt.header+"\r\n"), 2<<20)
			require.NoError(t, req.Read(br))
			var fctx fasthttp.RequestCtx
			fctx.Init(&req, &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 4711}, nil)
			kept := injectfasthttp.NewRequest(&fctx)
			whole := kept.Clone(kept.Context())
			whole.Header = http.Header{}
			req.Header.VisitAll(func(k, v []byte) {
				key := http.CanonicalHeaderKey(string(k))
				whole.Header[key] = append(whole.Header[key], string(v))
			})

			continued := func(r *http.Request) (tracecontext.SpanContext, []string) {
				var errs []string
				p, err := tracecontext.NewPropagator(tracecontext.WithErrorInterval(0),
					tracecontext.WithErrorHandler(func(err error) { errs = append(errs, err.Error()) }))
				require.NoError(t, err)
				return p.ContinueRequest(r), errs
			}
			got, gotErrs := continued(kept)
			want, wantErrs := continued(whole)
			assert.Equal(t, want.ParentSpanID, got.ParentSpanID)
			if want.ParentSpanID.IsValid() {
				assert.Equal(t, want.TraceID, got.TraceID)
			}
			assert.Equal(t, want.Sampled, got.Sampled)
			assert.Equal(t, want.DSC.Sampled, got.DSC.Sampled)
			if want.ParentSpanID.IsValid() {
				want.DSC.SampleRand, got.DSC.SampleRand = "", "" // generated here unless inherited
				assert.Equal(t, want.DSC, got.DSC)
			}
			assert.Equal(t, want.Baggage.String(), got.Baggage.String())
			assert.Equal(t, want.TraceState, got.TraceState)
			assert.Equal(t, wantErrs, gotErrs)

			mw := inject.Middleware()
			page := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				_, _ = io.WriteString(w, "<html><head></head></html>")
			})
			span := tracecontext.Continue(nil)
			var bodies []string
			for _, r := range []*http.Request{whole, kept} {
				rec := httptest.NewRecorder()
				mw(page).ServeHTTP(rec, r.WithContext(tracecontext.NewContext(r.Context(), span)))
				bodies = append(bodies, rec.Body.String())
			}
			assert.Equal(t, bodies[0], bodies[1], "the same page: the tags in both or in neither")
		})
	}
}
