package fasthttpkit_test

import (
	"context"
	"net"
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/valyala/fasthttp"

	"github.com/tracemeta/tracemeta/inject"
	"github.com/tracemeta/tracemeta/inject/internal/conformance"
	"github.com/tracemeta/tracemeta/inject/internal/fasthttpkit"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// requestView is what inject's middleware saw of a request.
type requestView struct {
	method, host, uri, url, remote, proto string
	header                                http.Header
	traceID, parent                       string // hex
}

func viewOf(r *http.Request) requestView {
	sc, _ := tracecontext.FromContext(r.Context())
	return requestView{
		method: r.Method, host: r.Host, uri: r.RequestURI, url: r.URL.String(), remote: r.RemoteAddr, proto: r.Proto,
		header: r.Header.Clone(), traceID: sc.TraceID.String(), parent: sc.ParentSpanID.String(),
	}
}

// TestRequestsInARowSeeOnlyTheirOwn checks that the pooled state of a
// request keeps nothing of the one before: requests with different
// methods, URIs, hosts, remote addresses, headers and traces, one after
// the other, each see only their own, and each response keeps only its
// own headers and body and is decided from them alone.
func TestRequestsInARowSeeOnlyTheirOwn(t *testing.T) {
	const traceA = "771a43a4192642f0b136d5159a501700"
	const spanA = "b3e2a7d1c8f04e59"
	type exchange struct {
		raw        string
		remote     *net.TCPAddr
		respHeader map[string]string
		body       string
		want       requestView
		wantHeader map[string]string // the response's, after the rewrite
	}
	a := exchange{
		raw: "GET /a/b?x=1 HTTP/1.1\r\nHost: a.example\r\nAccept: text/html\r\nSec-Fetch-Dest: document\r\n" +
			"Sec-Fetch-Mode: navigate\r\nSentry-Trace: " + traceA + "-" + spanA + "-1\r\n" +
			"Baggage: sentry-trace_id=" + traceA + ",sentry-sample_rand=0.25,vendor=a\r\nTracestate: t=1\r\n\r\n",
		remote:     &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 4711},
		respHeader: map[string]string{"Content-Type": "text/html; charset=utf-8", "X-From-A": "a", "Cache-Control": "private"},
		body:       "<html><head></head><body>a</body></html>",
		want: requestView{
			method: http.MethodGet, host: "a.example", uri: "/a/b?x=1", url: "/a/b?x=1", remote: "192.0.2.1:4711", proto: "HTTP/1.1",
			header: http.Header{
				"Accept": {"text/html"}, "Sec-Fetch-Dest": {"document"}, "Sec-Fetch-Mode": {"navigate"},
				"Sentry-Trace": {traceA + "-" + spanA + "-1"}, "Baggage": {"sentry-trace_id=" + traceA + ",sentry-sample_rand=0.25,vendor=a"},
				"Tracestate": {"t=1"},
			},
		},
		wantHeader: map[string]string{"Content-Type": "text/html; charset=utf-8", "X-From-A": "a", "Cache-Control": "private"},
	}
	a.want.traceID, a.want.parent = traceA, spanA
	b := exchange{
		raw:        "HEAD /c%20d HTTP/1.0\r\nHost: b.example\r\nHx-Request: true\r\n\r\n",
		remote:     &net.TCPAddr{IP: net.ParseIP("2001:db8::2"), Port: 80},
		respHeader: map[string]string{"Content-Type": "text/plain"},
		body:       "b",
		want: requestView{
			method: http.MethodHead, host: "b.example", uri: "/c%20d", url: "/c%20d", remote: "[2001:db8::2]:80", proto: "HTTP/1.0",
			header: http.Header{"Hx-Request": {"true"}}, parent: tracecontext.SpanID{}.String(),
		},
		wantHeader: map[string]string{"Content-Type": "text/plain", "X-From-A": "", "Cache-Control": ""},
	}
	const traceC = "0af7651916cd43dd8448eb211c80319c"
	const spanC = "00f067aa0ba902b7"
	c := exchange{
		raw: "GET /c HTTP/1.1\r\nHost: c.example\r\nAccept: text/html\r\nSec-Fetch-Dest: document\r\n" +
			"Traceparent: 00-" + traceC + "-" + spanC + "-01\r\n\r\n",
		remote:     &net.TCPAddr{IP: net.IPv4(198, 51, 100, 3), Port: 9},
		respHeader: map[string]string{"Content-Type": "text/html", "Content-Encoding": "br"},
		body:       "compressed",
		want: requestView{
			method: http.MethodGet, host: "c.example", uri: "/c", url: "/c", remote: "198.51.100.3:9", proto: "HTTP/1.1",
			header: http.Header{
				"Accept": {"text/html"}, "Sec-Fetch-Dest": {"document"},
				"Traceparent": {"00-" + traceC + "-" + spanC + "-01"},
			},
			traceID: traceC, parent: spanC,
		},
		// Compressed: passed through, and the pages after it are not.
		wantHeader: map[string]string{"Content-Type": "text/html", "Content-Encoding": "br", "X-From-A": "", "Cache-Control": ""},
	}
	// Many headers: the writer's maps are not kept for the next response.
	d := exchange{
		raw:        "GET /d HTTP/1.1\r\nHost: d.example\r\n\r\n",
		remote:     &net.TCPAddr{IP: net.IPv4(198, 51, 100, 4), Port: 10},
		respHeader: map[string]string{"Content-Type": "application/json"},
		body:       "{}",
		want: requestView{
			method: http.MethodGet, host: "d.example", uri: "/d", url: "/d", remote: "198.51.100.4:10", proto: "HTTP/1.1",
			header: http.Header{}, parent: tracecontext.SpanID{}.String(),
		},
		wantHeader: map[string]string{"Content-Type": "application/json", "X-Many-7": "7", "X-From-A": ""},
	}
	for i := range 100 {
		d.respHeader["X-Many-"+strconv.Itoa(i)] = strconv.Itoa(i)
	}
	for _, ex := range []*exchange{&a, &b, &c} {
		ex.wantHeader["X-Many-7"] = ""
	}

	var seen *requestView
	see := func(r *http.Request) {
		if seen == nil {
			v := viewOf(r)
			seen = &v
		}
	}
	k, err := fasthttpkit.New([]inject.Option{
		inject.WithSource(tracecontext.ContextSource()),
		inject.WithSkip(func(r *http.Request) bool { see(r); return false }),
		inject.WithSkipHook(func(r *http.Request, _ inject.Reason) { see(r) }),
	}, nil, true)
	require.NoError(t, err)

	for i := range 20 { // the pool hands the same state out again
		for _, ex := range []exchange{a, b, c, d, a} {
			var req fasthttp.Request
			require.NoError(t, req.Read(bufioReader(ex.raw)))
			var fctx fasthttp.RequestCtx
			fctx.Init(&req, ex.remote, nil)
			seen = nil

			rn, r := k.Begin(&fctx)
			ctx := k.Context(context.Background(), r, false)
			for name, v := range ex.respHeader {
				fctx.Response.Header.Set(name, v)
			}
			fctx.Response.SetBodyString(ex.body)
			require.NoError(t, k.Finish(&fctx, rn, ctx))

			require.NotNil(t, seen, "round %d", i)
			got := *seen
			if ex.want.traceID != "" {
				assert.Equal(t, ex.want.traceID, got.traceID, "round %d: the request's own trace", i)
			} else {
				assert.NotContains(t, []string{traceA, traceC}, got.traceID, "round %d: a new trace, not one before", i)
			}
			assert.Equal(t, ex.want.parent, got.parent, "round %d", i)
			want := ex.want
			got.traceID, want.traceID = "", ""
			assert.Equal(t, want, got, "round %d", i)
			for name, v := range ex.wantHeader {
				assert.Equal(t, v, string(fctx.Response.Header.Peek(name)), "round %d: response header %s", i, name)
			}
			if ex.body == a.body { // the one page that gets the tags
				assert.Contains(t, string(fctx.Response.Body()), `<meta name="sentry-trace" content="`+traceA+"-")
			} else {
				assert.Equal(t, ex.body, string(fctx.Response.Body()), "round %d", i)
			}
		}
	}
}

// TestRunAllocations checks what a page costs in allocations through the
// kit, with sentry-trace and baggage incoming: the trace headers' values
// (one string, which the continued trace may keep), the continued trace's
// context, and inject's middleware's writer; nothing of the request, its
// headers or the response's, which the pooled run holds. The kit's string
// cache is seeded at random: three of the page's repeated strings may share
// a bucket and evict one another (about once in 2,000 kits), so a count
// over the bound is measured again with a new kit, twice at most; a kit
// that allocates more on every page fails all three. Under -race, sync.Pool
// drops what it is given now and then: the count is checked by the run
// without it (scripts/test.sh runs every Test…Allocs and Test…Allocations
// so).
func TestRunAllocations(t *testing.T) {
	const bound = 3.0
	var req fasthttp.Request
	require.NoError(t, req.Read(bufioReader("GET /products/42?ref=home HTTP/1.1\r\nHost: shop.example\r\n"+
		"Accept: text/html,application/xhtml+xml\r\nSec-Fetch-Dest: document\r\nSec-Fetch-Mode: navigate\r\n"+
		"User-Agent: Mozilla/5.0\r\nSentry-Trace: 771a43a4192642f0b136d5159a501700-b3e2a7d1c8f04e59-1\r\n"+
		"Baggage: sentry-trace_id=771a43a4192642f0b136d5159a501700,sentry-sample_rand=0.25,sentry-sampled=true\r\n\r\n")))
	var fctx fasthttp.RequestCtx
	fctx.Init(&req, &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 4711}, nil)
	var n float64
	for kit := range 3 {
		k, err := fasthttpkit.New(nil, nil, true)
		require.NoError(t, err)
		serve := func() {
			fctx.Response.Reset()
			fctx.Response.Header.SetContentType("text/html; charset=utf-8")
			fctx.Response.SetBodyString(conformance.Page)
			rn, r := k.Begin(&fctx)
			ctx := k.Context(context.Background(), r, false)
			if err := k.Finish(&fctx, rn, ctx); err != nil {
				t.Fatal(err)
			}
		}
		serve()
		require.Contains(t, string(fctx.Response.Body()), `<meta name="sentry-trace" content="771a43a4192642f0b136d5159a501700-`)
		n = testing.AllocsPerRun(200, serve)
		t.Logf("kit %d: %v allocations per page", kit+1, n)
		if n <= bound || conformance.RaceEnabled {
			break
		}
	}
	if conformance.RaceEnabled {
		return
	}
	assert.LessOrEqual(t, n, bound)
}
