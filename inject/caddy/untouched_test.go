package injectcaddy_test

import (
	"compress/gzip"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// echoUpstream is an application whose every response depends only on its
// request: an HTML page (gzip when asked) whose Server-Timing and body repeat
// the trace headers it got. It records the headers of each request.
type echoUpstream struct {
	addr string
	headerLog
}

func newEchoUpstream(t testing.TB) *echoUpstream {
	u := &echoUpstream{}
	u.addr = httpUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		u.record(r)
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Vary", "Accept-Encoding")
		if st := r.Header.Get("Sentry-Trace"); st != "" {
			h.Set("Server-Timing", `sentry-trace;desc="`+st+`"`)
		}
		body := []byte(fmt.Sprintf("<!doctype html><html><head><title>%s %s</title></head><body>%s<p>%s</p></body></html>\n",
			r.Method, r.URL.Path, strings.Repeat("<p>filler text for encode</p>", 20), r.Header.Get("Sentry-Trace")))
		if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			body = gzipped(body, gzip.DefaultCompression)
			h.Set("Content-Encoding", "gzip")
		}
		h.Set("Content-Length", fmt.Sprint(len(body)))
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			_, _ = w.Write(body)
		}
	})
	return u
}

// withoutSpanIDs returns h with the parts of traceparent that name a span
// Caddy's tracing made for the request, or a trace it started (new each
// time), masked; and the baggage members, which OpenTelemetry writes from a
// map, in order. clientTrace is the trace id of the client's trace.
func withoutSpanIDs(h http.Header, clientTrace string) http.Header {
	out := h.Clone()
	for i, v := range out["Traceparent"] {
		if len(v) == 55 {
			trace := v[3:35]
			if trace != clientTrace {
				trace = "<new trace>"
			}
			out["Traceparent"][i] = v[:3] + trace + "-<span>" + v[52:]
		}
	}
	for i, v := range out["Baggage"] {
		members := strings.Split(v, ",")
		for j := range members {
			members[j] = strings.TrimSpace(members[j])
		}
		slices.Sort(members)
		out["Baggage"][i] = strings.Join(members, ",")
	}
	return out
}

// TestNotNavigationUntouched is a differential test: every request that is
// not a navigation reaches the upstream with exactly the headers it reaches
// it with when tracemeta is not in the chain (the client's trace headers,
// Accept-Encoding, and with Caddy's tracing Caddy's own propagation), and its
// response reaches the client exactly as without tracemeta.
func TestNotNavigationUntouched(t *testing.T) {
	const (
		traceID = "771a43a4192642f0b136d5159a501700"
		spanID  = "b7ad6b7169203331"
	)
	clientTrace := http.Header{
		"Sentry-Trace": {traceID + "-" + spanID + "-1"},
		"Baggage":      {"sentry-trace_id=" + traceID + ",sentry-org_id=999,sentry-sample_rate=1,sentry-sampled=true,vendor=kept"},
		"Traceparent":  {"00-" + traceID + "-" + spanID + "-01"},
		"Tracestate":   {"vendor=opaque"},
	}
	kinds := []struct {
		name, method string
		header       http.Header
		head         bool // only the trace headers are compared
	}{
		{"fetch", http.MethodGet, http.Header{"Sec-Fetch-Dest": {"empty"}, "Sec-Fetch-Mode": {"cors"}, "Accept": {"*/*"}}, false},
		{"fetch of html", http.MethodGet, http.Header{"Sec-Fetch-Dest": {"empty"}, "Accept": {"text/html"}}, false},
		{"script", http.MethodGet, http.Header{"Sec-Fetch-Dest": {"script"}, "Accept": {"*/*"}}, false},
		{"image", http.MethodGet, http.Header{"Sec-Fetch-Dest": {"image"}, "Accept": {"image/avif,image/webp,*/*"}}, false},
		{"api client", http.MethodGet, http.Header{"Accept": {"application/json"}}, false},
		{"curl", http.MethodGet, http.Header{"Accept": {"*/*"}}, false},
		{"no accept", http.MethodGet, nil, false},
		{"htmx", http.MethodGet, http.Header{"Hx-Request": {"true"}, "Accept": {"text/html"}}, false},
		{"turbo frame", http.MethodGet, http.Header{"Turbo-Frame": {"cart"}, "Accept": {"text/html"}}, false},
		{"xhr", http.MethodGet, http.Header{"X-Requested-With": {"XMLHttpRequest"}, "Accept": {"text/html"}}, false},
		{"post json", http.MethodPost, http.Header{"Sec-Fetch-Dest": {"empty"}, "Accept": {"application/json"}, "Content-Type": {"application/json"}}, false},
		{"preflight", http.MethodOptions, http.Header{"Origin": {"http://app.example"}, "Access-Control-Request-Method": {"PUT"}, "Access-Control-Request-Headers": {"sentry-trace,baggage"}}, false},
		{"delete", http.MethodDelete, http.Header{"Accept": {"application/json"}}, false},
		// A HEAD of a page is asked of the upstream as its GET, for
		// the GET's headers (see TestHeadUntouched), but it names no
		// span: its trace headers reach the upstream as sent.
		{"head", http.MethodHead, http.Header{"Sec-Fetch-Dest": {"document"}, "Accept": {"text/html"}}, true},
	}
	for _, tracing := range []bool{false, true} {
		t.Run(fmt.Sprintf("tracing=%v", tracing), func(t *testing.T) {
			up := newEchoUpstream(t)
			base := startCaddy(t, withTracing(tracing, "\tencode gzip zstd\n"+
				"\thandle_path /with/* {\n\t\ttracemeta {\n\t\t\torg_id 1\n\t\t\tstrict_trace_continuation\n\t\t\tformats sentry-trace baggage traceparent\n\t\t}\n\t\treverse_proxy "+up.addr+"\n\t}\n"+
				"\thandle_path /without/* {\n\t\treverse_proxy "+up.addr+"\n\t}\n"))
			send := func(prefix, method string, header http.Header) exchanged {
				req, err := http.NewRequest(method, base+prefix+"/page?q=1", strings.NewReader(map[bool]string{true: `{"a":1}`}[method == http.MethodPost]))
				require.NoError(t, err)
				req.Header.Set("Accept-Encoding", "gzip, br")
				for k, v := range header {
					req.Header[k] = v
				}
				return exchange(t, req, &up.headerLog)
			}
			for _, kind := range kinds {
				for _, traced := range []bool{true, false} {
					t.Run(fmt.Sprintf("%s/client-trace=%v", kind.name, traced), func(t *testing.T) {
						header := kind.header.Clone()
						if header == nil {
							header = http.Header{}
						}
						if traced {
							for k, v := range clientTrace {
								header[k] = v
							}
						}
						with := send("/with", kind.method, header)
						without := send("/without", kind.method, header)
						if kind.head {
							for _, k := range []string{"Sentry-Trace", "Baggage", "Traceparent", "Tracestate"} {
								assert.Equal(t, withoutSpanIDs(without.upstream, traceID)[k], withoutSpanIDs(with.upstream, traceID)[k], "the upstream gets %s as without tracemeta", k)
							}
							return
						}
						assert.Equal(t, withoutSpanIDs(without.upstream, traceID), withoutSpanIDs(with.upstream, traceID), "the upstream gets the request as without tracemeta")
						if traced && !tracing {
							for k, v := range clientTrace {
								assert.Equal(t, v, with.upstream[k], "the client's %s reaches the upstream as sent", k)
							}
						}
						assert.Equal(t, "gzip, br", with.upstream.Get("Accept-Encoding"))
						assert.Equal(t, without.status, with.status)
						assert.Equal(t, without.header, with.header, "the client gets the response headers as without tracemeta")
						assert.Equal(t, without.body, with.body, "the client gets the body as without tracemeta")
					})
				}
			}
			// The same proxy does rewrite a navigation: the comparison
			// above is not between two chains without tracemeta.
			t.Run("navigation", func(t *testing.T) {
				header := http.Header{"Sec-Fetch-Dest": {"document"}, "Accept": {"text/html"}}
				with := send("/with", http.MethodGet, header)
				without := send("/without", http.MethodGet, header)
				assert.NotEmpty(t, with.upstream.Get("Sentry-Trace"), "a navigation's upstream request names the page's span")
				assert.Empty(t, without.upstream.Get("Sentry-Trace"))
				assert.Contains(t, decode(t, with.header.Get("Content-Encoding"), with.body), `<meta name="sentry-trace"`)
			})
		})
	}
}

// TestHeadUntouched checks that a HEAD for a page a GET would rewrite
// reaches the upstream untouched, and still gets the GET's headers: no
// Content-Length of the page without the tags.
func TestHeadUntouched(t *testing.T) {
	const sentryTrace = "771a43a4192642f0b136d5159a501700-b7ad6b7169203331-1"
	for _, tracing := range []bool{false, true} {
		t.Run(fmt.Sprintf("tracing=%v", tracing), func(t *testing.T) {
			up := newUpstream(t, false)
			base := startCaddy(t, withTracing(tracing, "\ttracemeta\n\treverse_proxy "+up.Listener.Addr().String()+"\n"))
			req, err := http.NewRequest(http.MethodHead, base+"/page", nil)
			require.NoError(t, err)
			req.Header.Set("Accept", "text/html")
			req.Header.Set("Sec-Fetch-Dest", "document")
			req.Header.Set("Sentry-Trace", sentryTrace)
			res, _ := do(t, req)
			assert.Equal(t, http.StatusOK, res.StatusCode)
			assert.Empty(t, res.Header.Get("Content-Length"), "the GET's length is not the upstream's")
			assert.Equal(t, sentryTrace, up.last(t).header.Get("Sentry-Trace"), "the HEAD reaches the upstream as sent")
		})
	}
}
