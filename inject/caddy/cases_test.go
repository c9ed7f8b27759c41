package injectcaddy_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/tracecontext"
)

// TestUpstreamSpan checks that the page names the upstream's own span when
// its response names one, and Caddy's otherwise.
func TestUpstreamSpan(t *testing.T) {
	for _, tc := range []struct {
		name, query string
		upstreams   bool // the page names the upstream's span
	}{
		{"none", "", false},
		{"server-timing", "timing=1", true},
		{"traceresponse", "traceresponse=1", true},
	} {
		for _, tracing := range []bool{false, true} {
			t.Run(tc.name+map[bool]string{false: "", true: "/tracing"}[tracing], func(t *testing.T) {
				up := newUpstream(t, true)
				base := startCaddy(t, withTracing(tracing, "\tencode gzip\n\ttracemeta\n\treverse_proxy "+up.Listener.Addr().String()+"\n"))
				_, page := navigate(t, base+"/page?"+tc.query, "gzip", nil)
				got := up.last(t)
				span := pageSpan(t, page)
				require.Equal(t, got.span.TraceID, span.TraceID)
				if tc.upstreams {
					assert.Equal(t, got.span.SpanID, span.SpanID, "the page names the upstream's server span")
				} else {
					assert.Equal(t, got.span.ParentSpanID, span.SpanID, "the page names Caddy's span")
				}
			})
		}
	}
}

// TestUpstreamRenderedTags checks that a page whose upstream rendered its own
// tags keeps them, alone.
func TestUpstreamRenderedTags(t *testing.T) {
	up := newUpstream(t, true)
	base := startCaddy(t, "\tencode gzip\n\ttracemeta\n\treverse_proxy "+up.Listener.Addr().String()+"\n")
	_, page := navigate(t, base+"/page?tags=1", "gzip", nil)
	got := up.last(t)
	span := pageSpan(t, page) // exactly one sentry-trace tag
	assert.Equal(t, got.span.SpanID, span.SpanID, "the page keeps the upstream's tags")
	assert.Len(t, metas(t, page)["baggage"], 1)
}

// TestContinuesIncomingTrace checks that Caddy continues the trace of an
// incoming sentry-trace and baggage, or traceparent, and the DSC it froze.
func TestContinuesIncomingTrace(t *testing.T) {
	const traceID = "771a43a4192642f0b136d5159a501700"
	for _, tc := range []struct {
		name   string
		header http.Header
	}{
		{"sentry-trace", http.Header{
			"Sentry-Trace": {traceID + "-b7ad6b7169203331-1"},
			"Baggage":      {"sentry-trace_id=" + traceID + ",sentry-public_key=aaaabbbbccccddddeeeeffff00001111,sentry-sample_rate=0.5,sentry-sampled=true,other=kept"},
		}},
		{"traceparent", http.Header{"Traceparent": {"00-" + traceID + "-b7ad6b7169203331-01"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			up := newUpstream(t, false)
			base := startCaddy(t, "\ttracemeta {\n\t\tpublic_key 49d0f7386ad645858ae85020e393bef3\n\t}\n\treverse_proxy "+up.Listener.Addr().String()+"\n")
			_, page := navigate(t, base+"/", "", tc.header)
			span := pageSpan(t, page)
			assert.Equal(t, traceID, span.TraceID.String())
			assert.NotEqual(t, "b7ad6b7169203331", span.SpanID.String(), "Caddy's own span, a child of the incoming one")
			got := up.last(t)
			assert.Equal(t, span.SpanID, got.span.ParentSpanID)
			bag := metas(t, page)["baggage"][0]
			if tc.name == "sentry-trace" {
				assert.Contains(t, bag, "sentry-public_key=aaaabbbbccccddddeeeeffff00001111", "the incoming DSC is frozen")
				assert.NotContains(t, bag, "other=", "other vendors' baggage never reaches the page")
				assert.Contains(t, got.header.Get("Baggage"), "other=kept", "the application's baggage goes on upstream")
			} else {
				assert.Contains(t, bag, "sentry-public_key=49d0f7386ad645858ae85020e393bef3")
			}
		})
	}
}

// TestPassThrough checks that the responses inject.Middleware must not
// rewrite come out as the upstream sent them, still compressed when it
// compressed them.
func TestPassThrough(t *testing.T) {
	up := newUpstream(t, true)
	base := startCaddy(t, "\ttracemeta\n\treverse_proxy "+up.Listener.Addr().String()+"\n")
	for _, tc := range []struct {
		name, method, path string
		header             http.Header
	}{
		{"htmx", http.MethodGet, "/page", http.Header{"Hx-Request": {"true"}}},
		{"turbo frame", http.MethodGet, "/page", http.Header{"Turbo-Frame": {"cart"}}},
		{"fetch", http.MethodGet, "/page", http.Header{"Sec-Fetch-Dest": {"empty"}}},
		{"shared-cacheable", http.MethodGet, "/page?cache=1", nil},
		{"fragment", http.MethodGet, "/fragment", nil},
		{"head", http.MethodHead, "/page", nil},
		{"no-html accept", http.MethodGet, "/page", http.Header{"Accept": {"*/*"}, "Accept-Encoding": {"gzip"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, base+tc.path, nil)
			require.NoError(t, err)
			req.Header.Set("Accept", "text/html")
			for k, v := range tc.header {
				req.Header[k] = v
			}
			res, body := do(t, req)
			assert.NotContains(t, body, `name="sentry-trace"`)
			if tc.name == "no-html accept" {
				assert.Equal(t, "gzip", res.Header.Get("Content-Encoding"), "a request that accepts no HTML keeps its compression")
				assert.Equal(t, "gzip", up.last(t).header.Get("Accept-Encoding"))
			}
			if tc.name == "htmx" {
				assert.NotEqual(t, "identity", up.last(t).header.Get("Accept-Encoding"), "a skipped request keeps its Accept-Encoding")
			}
		})
	}
}

// TestFileServer checks a static site served by file_server, with and
// without encode.
func TestFileServer(t *testing.T) {
	dir := t.TempDir()
	page := "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Static</title></head>\n<body>" + strings.Repeat("<p>static text</p>", 60) + "</body></html>\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "index.html"), []byte(page), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "app.js"), []byte("console.log('<head>')\n"), 0o644))
	for _, encode := range []string{"", "gzip"} {
		t.Run("encode="+cmp(encode, "none"), func(t *testing.T) {
			site := "\troot * " + dir + "\n\ttracemeta\n\tfile_server\n"
			if encode != "" {
				site = "\tencode gzip\n" + site
			}
			base := startCaddy(t, site)
			res, body := navigate(t, base+"/", encode, nil)
			require.Equal(t, http.StatusOK, res.StatusCode)
			assert.Equal(t, encode, res.Header.Get("Content-Encoding"))
			span := pageSpan(t, body)
			assert.True(t, span.IsValid())
			assert.Empty(t, res.Header.Get("Etag"), "an injected page keeps no validator")
			assert.Equal(t, page, strings.Replace(body, tagsOf(t, body), "", 1), "the page is the file plus the tags")

			res, body = navigate(t, base+"/", encode, http.Header{"Range": {"bytes=0-99"}})
			assert.Equal(t, http.StatusPartialContent, res.StatusCode)
			assert.Equal(t, page[:100], body, "a range is never rewritten")

			res, body = navigate(t, base+"/app.js", encode, nil)
			assert.Equal(t, "console.log('<head>')\n", body)
			assert.NotEmpty(t, res.Header.Get("Etag"), "other files keep theirs")
		})
	}
}

// tagsOf returns the tags inserted into page: the bytes from the first
// <meta name="sentry-trace" to the end of the last tag of the set.
func tagsOf(t testing.TB, page string) string {
	t.Helper()
	i := strings.Index(page, `<meta name="sentry-trace"`)
	require.GreaterOrEqual(t, i, 0)
	j := strings.Index(page[i:], `<meta name="baggage" content="`)
	require.GreaterOrEqual(t, j, 0)
	k := strings.Index(page[i+j:], `">`)
	return page[i : i+j+k+2]
}

// TestHostileHeaders checks that malformed or oversized trace headers, from
// the client or from the upstream, start a new trace or are ignored.
func TestHostileHeaders(t *testing.T) {
	up := newUpstream(t, false)
	base := startCaddy(t, "\ttracemeta\n\treverse_proxy "+up.Listener.Addr().String()+"\n")
	huge := strings.Repeat("a", 16<<10) // beyond the 8192 bytes of baggage kept
	for _, tc := range []struct {
		name   string
		header http.Header
	}{
		{"bad sentry-trace", http.Header{"Sentry-Trace": {"<script>alert(1)</script>"}}},
		{"upper-case hex", http.Header{"Sentry-Trace": {"771A43A4192642F0B136D5159A501700-B7AD6B7169203331-1"}}},
		{"repeated", http.Header{"Sentry-Trace": {"771a43a4192642f0b136d5159a501700-b7ad6b7169203331-1", "871a43a4192642f0b136d5159a501700-b7ad6b7169203331-1"}}},
		{"huge baggage", http.Header{"Baggage": {"sentry-release=" + huge}}},
		{"quote in baggage", http.Header{
			"Sentry-Trace": {"771a43a4192642f0b136d5159a501700-b7ad6b7169203331-1"},
			"Baggage":      {`sentry-trace_id=771a43a4192642f0b136d5159a501700,sentry-release='"><script>x</script>`},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, page := navigate(t, base+"/page", "", tc.header)
			span := pageSpan(t, page)
			assert.True(t, span.IsValid())
			assert.NotContains(t, page, "<script>x</script>")
			assert.NotContains(t, page, "<script>alert(1)")
		})
	}
	t.Run("upstream names another trace", func(t *testing.T) {
		other := tracecontext.SpanContext{TraceID: tracecontext.NewTraceID(), SpanID: tracecontext.NewSpanID()}
		up := httpUpstream(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Server-Timing", `sentry-trace;desc="`+other.SentryTrace()+`"`)
			w.Header().Set("Traceresponse", "garbage")
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte("<!doctype html><html><head><title>x</title></head><body></body></html>"))
		})
		base := startCaddy(t, "\ttracemeta\n\treverse_proxy "+up+"\n")
		_, page := navigate(t, base+"/", "", nil)
		assert.NotEqual(t, other.TraceID, pageSpan(t, page).TraceID, "a span of another trace is not named")
	})
}
