package injectcaddy

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp/encode"
	_ "github.com/caddyserver/caddy/v2/modules/caddyhttp/encode/gzip"
	"github.com/klauspost/compress/gzip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// allocsWriter is a ResponseWriter that keeps nothing, with a header map
// cleared between requests.
type allocsWriter struct{ h http.Header }

func (w *allocsWriter) Header() http.Header         { return w.h }
func (w *allocsWriter) WriteHeader(int)             {}
func (w *allocsWriter) Write(p []byte) (int, error) { return len(p), nil }

// TestHandlerAllocs bounds what the handler allocates per navigation beyond
// the handler it wraps, with the sentry-trace and baggage of a browser's
// navigation incoming: the exchange (which holds the writers and the
// span), the request copy, inject.Middleware's writer, the copy of the
// header map the upstream request gets, the two trace headers and the
// baggage's escaped value. The header copy is a small map of two
// allocations for up to seven headers, and a table of four past that (eight
// headers is a browser navigation's least). A compressed page costs its
// decoder's coroutine (iter.Pull: six, and the method value it runs) on
// top. Under -race, sync.Pool drops what it is given now and then, so the
// counts are checked by the run without it (scripts/test.sh runs every
// Test…Allocs and Test…Allocations so).
func TestHandlerAllocs(t *testing.T) {
	page := []byte("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Shop</title>\n</head>\n<body>\n" +
		strings.Repeat("<p>Item: lorem ipsum dolor sit amet.</p>\n", 50) + "</body>\n</html>\n")
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(page)
	require.NoError(t, zw.Close())

	ctx, cancel := caddy.NewContext(caddy.Context{Context: context.Background()})
	defer cancel()
	var h Handler
	require.NoError(t, h.Provision(ctx))
	enc := &encode.Encode{EncodingsRaw: caddy.ModuleMap{"gzip": json.RawMessage(`{}`)}}
	require.NoError(t, enc.Provision(ctx))

	for _, tc := range []struct {
		name     string
		coding   string
		body     []byte
		encode   bool // Caddy's encode wraps the handler
		few      bool // five request headers, not a browser's eight
		maxExtra float64
	}{
		{"identity", "", page, false, false, 10},
		{"identity, five headers", "", page, false, true, 8},
		{"gzip", "gzip", gz.Bytes(), false, false, 17},
		{"identity under encode", "", page, true, false, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			length := strconv.Itoa(len(tc.body))
			next := caddyhttp.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
				hd := w.Header()
				hd["Content-Type"] = []string{"text/html; charset=utf-8"}
				hd["Content-Length"] = []string{length}
				if tc.coding != "" {
					hd["Content-Encoding"] = []string{tc.coding}
				}
				_, err := w.Write(tc.body)
				return err
			})
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.Header.Set("Accept", "text/html,application/xhtml+xml")
			r.Header.Set("Accept-Encoding", "gzip, deflate, br, zstd")
			r.Header.Set("User-Agent", "Mozilla/5.0")
			if !tc.few {
				r.Header.Set("Accept-Language", "en-GB,en;q=0.9")
				r.Header.Set("Sec-Fetch-Dest", "document")
				r.Header.Set("Sec-Fetch-Mode", "navigate")
			}
			r.Header.Set("Sentry-Trace", "771a43a4192642f0b136d5159a501700-b7ad6b7169203331-1")
			r.Header.Set("Baggage", "sentry-trace_id=771a43a4192642f0b136d5159a501700,sentry-public_key=49d0f7386ad645858ae85020e393bef3,"+
				"sentry-sample_rate=1,sentry-sample_rand=0.25,sentry-sampled=true,sentry-release=shop%401.4.2,sentry-environment=production,"+
				"sentry-transaction=GET%20%2Fproducts%2F%3Aid,other-vendor=value")
			w := &allocsWriter{h: http.Header{}}
			serve := func(s func() error) func() {
				return func() {
					clear(w.h)
					if err := s(); err != nil {
						t.Fatal(err)
					}
				}
			}
			inner := caddyhttp.Handler(next)
			outer := caddyhttp.Handler(caddyhttp.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
				return h.ServeHTTP(w, r, next)
			}))
			if tc.encode {
				inner = caddyhttp.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
					return enc.ServeHTTP(w, r, next)
				})
				tm := outer
				outer = caddyhttp.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
					return enc.ServeHTTP(w, r, tm)
				})
			}
			bare := testing.AllocsPerRun(200, serve(func() error { return inner.ServeHTTP(w, r) }))
			traced := testing.AllocsPerRun(200, serve(func() error { return outer.ServeHTTP(w, r) }))
			t.Logf("bare %v, tracemeta %v", bare, traced)
			if raceEnabled {
				return
			}
			assert.LessOrEqual(t, traced-bare, tc.maxExtra)
		})
	}
}

func TestUpstreamHeader(t *testing.T) {
	browser := []string{"Accept", "Accept-Encoding", "Accept-Language", "User-Agent", "Sec-Fetch-Dest", "Sec-Fetch-Mode",
		"Sentry-Trace", "Baggage", "Sec-Fetch-Site", "Sec-Fetch-User", "Cookie", "Upgrade-Insecure-Requests"}
	value := []string{"set"}
	for _, tc := range []struct {
		name        string
		keys        []string
		traceparent bool
		maxAllocs   float64 // the copy and the assignments of continueTrace and serveNext
	}{
		{"none", nil, false, 2},
		{"three", browser[:3], false, 2},
		{"five, with the trace", browser[:8:8][3:], false, 2},
		{"seven", browser[:7], false, 4},
		{"eight", browser[:8], false, 4},
		{"eight, traceparent", browser[:8], true, 4},
		{"twelve", browser, false, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var h http.Header
			if tc.keys != nil {
				h = http.Header{}
				for _, k := range tc.keys {
					h[k] = []string{k + " value"}
				}
			}
			c := upstreamHeader(h, tc.traceparent)
			require.NotNil(t, c)
			assert.Equal(t, len(h), len(c))
			for k, v := range h {
				assert.Equal(t, v, c[k], k)
			}
			c["Sentry-Trace"] = value
			assert.NotEqual(t, value, h["Sentry-Trace"], "the client's header is not changed")
			assert.LessOrEqual(t, testing.AllocsPerRun(100, func() {
				c := upstreamHeader(h, tc.traceparent)
				c["Sentry-Trace"], c["Baggage"], c["Accept-Encoding"] = value, value, value
				if tc.traceparent {
					c["Traceparent"] = value
				}
			}), tc.maxAllocs)
		})
	}
}
