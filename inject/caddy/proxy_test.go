package injectcaddy_test

import (
	"compress/gzip"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/render"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// seen is what the upstream saw of a request, and the span it served it in.
type seen struct {
	header http.Header
	span   tracecontext.SpanContext // the upstream's server span, continuing the request's trace
}

// upstream is a Go application behind Caddy. It continues the trace of the
// request as an SDK does, renders a page, and compresses it with gzip when
// gzipSpeaking and the request accepts gzip. Query parameters choose what
// else it does: timing=1 names its span in Server-Timing, traceresponse=1 in
// a traceresponse header, tags=1 renders its own meta tags, cache=1 makes the
// page shared-cacheable.
type upstream struct {
	*httptest.Server
	gzipSpeaking bool

	mu   sync.Mutex
	seen []seen
}

func newUpstream(t testing.TB, gzipSpeaking bool) *upstream {
	u := &upstream{gzipSpeaking: gzipSpeaking}
	u.Server = httptest.NewServer(http.HandlerFunc(u.serve))
	t.Cleanup(u.Close)
	return u
}

const upstreamPage = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Shop</title>
%s</head>
<body>
<h1>Shop</h1>
%s
</body>
</html>
`

func (u *upstream) serve(w http.ResponseWriter, r *http.Request) {
	sc := tracecontext.Continue(r.Header)
	u.mu.Lock()
	u.seen = append(u.seen, seen{header: r.Header.Clone(), span: sc})
	u.mu.Unlock()

	q := r.URL.Query()
	h := w.Header()
	var own []byte
	if q.Get("tags") == "1" {
		own = render.AppendMetaTags(nil, sc)
	}
	if q.Get("timing") == "1" {
		h.Set("Server-Timing", `cache;desc="miss";dur=0.3, `+string(render.AppendServerTiming(nil, sc)))
	}
	if q.Get("traceresponse") == "1" {
		h.Set("Traceresponse", sc.Traceparent())
	}
	if q.Get("cache") == "1" {
		h.Set("Cache-Control", "public, max-age=60")
	}
	if r.URL.Path == "/fragment" {
		h.Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<li>one more item</li>`))
		return
	}
	// Enough body for encode's minimum length either way.
	filler := strings.Repeat("<p>Lorem ipsum dolor sit amet.</p>\n", 40)
	body := []byte(fmt.Sprintf(upstreamPage, own, filler))
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Vary", "Accept-Encoding")
	if u.gzipSpeaking && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		body = gzipped(body, gzip.DefaultCompression)
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", fmt.Sprint(len(body)))
	_, _ = w.Write(body)
}

// last returns what the upstream saw of the last request.
func (u *upstream) last(t testing.TB) seen {
	t.Helper()
	u.mu.Lock()
	defer u.mu.Unlock()
	require.NotEmpty(t, u.seen, "the upstream got no request")
	return u.seen[len(u.seen)-1]
}

// TestProxyMatrix proxies gzip- and identity-speaking upstreams, with and
// without encode, with and without Caddy's tracing, and checks the page, its
// encoding and the headers the upstream got.
func TestProxyMatrix(t *testing.T) {
	for _, gzipUp := range []bool{false, true} {
		for _, encode := range []string{"", "gzip", "zstd"} {
			for _, tracing := range []bool{false, true} {
				name := fmt.Sprintf("upstream=%s/encode=%s/tracing=%v", map[bool]string{false: "identity", true: "gzip"}[gzipUp], cmp(encode, "none"), tracing)
				t.Run(name, func(t *testing.T) {
					up := newUpstream(t, gzipUp)
					site := "\ttracemeta {\n\t\tpublic_key 49d0f7386ad645858ae85020e393bef3\n\t\trelease shop@1.4.0\n\t\tformats sentry-trace baggage traceparent\n\t}\n" +
						"\treverse_proxy " + up.Listener.Addr().String() + "\n"
					if encode != "" {
						site = "\tencode gzip zstd\n" + site
					}
					base := startCaddy(t, withTracing(tracing, site))

					accept := "gzip, deflate, br, zstd"
					if encode != "" {
						accept = encode
					}
					res, page := navigate(t, base+"/page?timing=0", accept, nil)
					require.Equal(t, http.StatusOK, res.StatusCode)
					got := up.last(t)
					switch {
					case encode != "":
						assert.Equal(t, encode, res.Header.Get("Content-Encoding"), "encode compresses the rewritten page")
						assert.Equal(t, "identity", got.header.Get("Accept-Encoding"), "the upstream is asked for an uncompressed page")
					case gzipUp:
						assert.Equal(t, "gzip", res.Header.Get("Content-Encoding"), "the rewritten page is compressed again as it came")
						assert.Equal(t, "gzip, zstd", got.header.Get("Accept-Encoding"), "the upstream is offered the codings tracemeta decodes")
					default:
						assert.Empty(t, res.Header.Get("Content-Encoding"))
						assert.NotEmpty(t, res.Header.Get("Content-Length"), "Content-Length is kept, raised by the tags")
						assert.Equal(t, "gzip, zstd", got.header.Get("Accept-Encoding"), "the upstream is offered the codings tracemeta decodes")
					}
					span := pageSpan(t, page)
					require.Equal(t, got.span.TraceID, span.TraceID, "the page and the upstream are in one trace")
					require.Equal(t, got.span.ParentSpanID, span.SpanID, "the upstream continues the span the page names")
					m := metas(t, page)
					require.Len(t, m["baggage"], 1)
					assert.Contains(t, m["baggage"][0], "sentry-trace_id="+span.TraceID.String())
					require.Len(t, m["traceparent"], 1)
					assert.Equal(t, tracecontext.DecisionDeferred, span.Sampled, "without sample_rate the browser SDK decides")
					assert.Contains(t, m["baggage"][0], "sentry-sample_rand=", "the browser decides from the trace's sample_rand")
					if tracing {
						// Caddy's tracing named its span in traceparent
						// with its OpenTelemetry decision, kept.
						assert.Equal(t, m["traceparent"][0][:52], got.header.Get("Traceparent")[:52], "the upstream gets traceparent naming the same span")
						assert.Equal(t, "sentry-public_key=49d0f7386ad645858ae85020e393bef3,sentry-release=shop%401.4.0",
							stripKeys(m["baggage"][0], "sentry-trace_id", "sentry-sample_rand"), "the head DSC of the tracing directive's trace, without a decision")
					} else {
						assert.Equal(t, got.header.Get("Traceparent"), m["traceparent"][0], "the upstream gets traceparent naming the same span")
						assert.Equal(t, "sentry-public_key=49d0f7386ad645858ae85020e393bef3,sentry-release=shop%401.4.0",
							stripKeys(m["baggage"][0], "sentry-trace_id", "sentry-sample_rand"), "the head DSC, without a decision")
					}
					assert.Equal(t, got.header.Get("Baggage"), m["baggage"][0], "the upstream gets the same DSC")
				})
			}
		}
	}
}

// stripKeys returns the baggage value b without the members keyed keys.
func stripKeys(b string, keys ...string) string {
	var kept []string
	for _, m := range strings.Split(b, ",") {
		k, _, _ := strings.Cut(m, "=")
		drop := false
		for _, key := range keys {
			drop = drop || k == key
		}
		if !drop {
			kept = append(kept, m)
		}
	}
	return strings.Join(kept, ",")
}

func cmp(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
