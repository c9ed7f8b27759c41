package inject_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/inject"
)

// hostileShape is a response an upstream may send to cost its proxy as much
// as it can: its handler sets the headers, writes a page that gets the tags,
// then sets the trailers.
type hostileShape struct {
	name    string
	handler http.HandlerFunc
}

// trailersSet is how many of the declared trailers the handlers set: a Go
// client reads trailers of up to 4 KiB only.
const trailersSet = 100

// headersAndTrailer sends headers headers and a Trailer header naming
// declared names, the first trailersSet of them set after the body.
func headersAndTrailer(headers, declared int) http.HandlerFunc {
	names := make([]string, declared)
	for i := range names {
		names[i] = "X-Trailer-" + strconv.Itoa(i)
	}
	trailer := strings.Join(names, ", ")
	return func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		for i := range headers {
			h["X-Header-"+strconv.Itoa(i)] = []string{"v"}
		}
		h.Set("Trailer", trailer)
		_, _ = io.WriteString(w, page)
		for _, k := range names[:min(trailersSet, declared)] {
			h[k] = []string{"t"}
		}
	}
}

func hostileShapes() []hostileShape {
	const huge = 1 << 20
	return []hostileShape{
		{name: "4096 headers, Trailer naming 4096", handler: headersAndTrailer(4096, 4096)},
		{name: "16384 headers, Trailer naming 16384", handler: headersAndTrailer(16384, 16384)},
		{name: "1 MiB Cache-Control and 1 MiB Content-Type", handler: func(w http.ResponseWriter, _ *http.Request) {
			h := w.Header()
			h.Set("Content-Type", "text/html; "+strings.Repeat("a=b; ", huge/5)+"charset=utf-8")
			h.Set("Cache-Control", strings.Repeat("x=1, ", huge/5)+"no-cache")
			_, _ = io.WriteString(w, page)
		}},
		{name: "16384 Set-Cookie", handler: func(w http.ResponseWriter, _ *http.Request) {
			h := w.Header()
			h.Set("Content-Type", "text/html; charset=utf-8")
			for i := range 16384 {
				h.Add("Set-Cookie", "c"+strconv.Itoa(i)+"=v")
			}
			_, _ = io.WriteString(w, page)
		}},
		{name: "16 headers, Trailer naming 16384", handler: headersAndTrailer(16, 16384)},
	}
}

// hostileServer serves shape's handler, behind the middleware or not, either
// directly or as the upstream of an httputil.ReverseProxy, which is then
// what the middleware wraps.
func hostileServer(tb testing.TB, handler http.Handler, proxied, withMiddleware bool) *httptest.Server {
	tb.Helper()
	if proxied {
		upstream := httptest.NewServer(handler)
		tb.Cleanup(upstream.Close)
		u, err := url.Parse(upstream.URL)
		require.NoError(tb, err)
		handler = httputil.NewSingleHostReverseProxy(u)
	}
	if withMiddleware {
		handler = inject.Middleware()(handler)
	}
	srv := httptest.NewServer(withSpan(testSpan(1), handler))
	tb.Cleanup(srv.Close)
	return srv
}

// getPage sends a navigation and reads the response whole.
func getPage(tb testing.TB, srv *httptest.Server) (*http.Response, string) {
	tb.Helper()
	resp, err := srv.Client().Get(srv.URL)
	require.NoError(tb, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(tb, err)
	return resp, string(body)
}

// allocatedPerResponse returns the fewest bytes the process allocated for
// one exchange with srv (client, proxy, upstream and server), over a few.
func allocatedPerResponse(tb testing.TB, srv *httptest.Server) uint64 {
	tb.Helper()
	getPage(tb, srv) // the connections and pools warmed up
	var least uint64
	for i := range 3 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		getPage(tb, srv)
		runtime.ReadMemStats(&after)
		if n := after.TotalAlloc - before.TotalAlloc; i == 0 || n < least {
			least = n
		}
	}
	return least
}

// TestHostileHeadersAndTrailerLinear checks that N headers and a Trailer
// naming N names cost the middleware what they cost net/http, directly and
// behind an httputil.ReverseProxy: a snapshot and restore of the header
// that compared every header with every declared name would allocate
// about N*N*16 bytes (64 MB for N = 2048).
func TestHostileHeadersAndTrailerLinear(t *testing.T) {
	if testing.Short() {
		t.Skip("sends thousands of headers")
	}
	const n = 2048
	for _, proxied := range []bool{false, true} {
		name := "direct"
		if proxied {
			name = "httputil.ReverseProxy"
		}
		t.Run(name, func(t *testing.T) {
			plain := hostileServer(t, headersAndTrailer(n, n), proxied, false)
			wrapped := hostileServer(t, headersAndTrailer(n, n), proxied, true)

			resp, body := getPage(t, wrapped)
			assert.Equal(t, injected(testSpan(1)), body, "the page gets its tags")
			assert.Len(t, resp.Trailer, n, "the trailers are announced")
			assert.Equal(t, "t", resp.Trailer.Get("X-Trailer-"+strconv.Itoa(trailersSet-1)), "the trailers go out")
			assert.Equal(t, "t", resp.Trailer.Get("X-Trailer-7"))
			assert.Equal(t, "v", resp.Header.Get("X-Header-7"))

			want := allocatedPerResponse(t, plain)
			got := allocatedPerResponse(t, wrapped)
			t.Logf("bytes allocated per response: %d without the middleware, %d with", want, got)
			// The snapshot map and the trailers put back are linear: a
			// few dozen bytes a header, well under what net/http spends
			// on each (parsing, writing, copying in the proxy).
			assert.Less(t, got, want*3/2, "the middleware at most half again net/http's own allocations")
		})
	}
}

// BenchmarkHostileUpstream measures what the responses of hostileShapes
// cost, for the whole exchange (client, proxy, upstream), without and with
// the middleware, directly and behind an httputil.ReverseProxy. cpu-ns/op is
// the process's CPU time (user and system) per response, where the
// platform reports it. The Go client reads at most 4 KiB of trailers, so the
// shapes set a hundred of those they declare.
//
//	go test -run '^$' -bench HostileUpstream -benchmem -benchtime 20x -count 3 ./inject/
func BenchmarkHostileUpstream(b *testing.B) {
	for _, shape := range hostileShapes() {
		for _, proxied := range []bool{false, true} {
			for _, withMiddleware := range []bool{false, true} {
				path, mw := "direct", "net-http"
				if proxied {
					path = "proxy"
				}
				if withMiddleware {
					mw = "tracemeta"
				}
				b.Run(shape.name+"/"+path+"/"+mw, func(b *testing.B) {
					srv := hostileServer(b, shape.handler, proxied, withMiddleware)
					getPage(b, srv)
					b.ReportAllocs()
					n := 0
					cpu := processCPU()
					for b.Loop() {
						getPage(b, srv)
						n++
					}
					if spent := processCPU() - cpu; spent > 0 {
						b.ReportMetric(float64(spent.Nanoseconds())/float64(n), "cpu-ns/op")
					}
				})
			}
		}
	}
}
