package injectcaddy_test

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// traceMetaTag matches one of the meta tags tracemeta renders.
var traceMetaTag = regexp.MustCompile(`<meta name="(?:sentry-trace|baggage|traceparent)" content="[^"]*">`)

// stripTags returns page without the trace meta tags.
func stripTags(page string) string { return traceMetaTag.ReplaceAllString(page, "") }

// recordingUpstream is an upstream whose response depends only on the
// request, and which records the headers of every request it gets.
type recordingUpstream struct{ headerLog }

// serve sends a page, a script or JSON (by path), gzip-compressed when the
// request accepts gzip, cacheable with ?cache=1, streamed without
// Content-Length with ?stream=1, with an ETag it answers If-None-Match to.
func (u *recordingUpstream) serve(w http.ResponseWriter, r *http.Request) {
	u.record(r)
	q := r.URL.Query()
	h := w.Header()
	var body string
	switch r.URL.Path {
	case "/app.js":
		h.Set("Content-Type", "text/javascript")
		body = strings.Repeat("console.log('<head>');\n", 50)
	case "/api":
		h.Set("Content-Type", "application/json")
		body = `{"items":[` + strings.Repeat(`{"name":"<head>"},`, 50) + `{}]}`
	default:
		h.Set("Content-Type", "text/html; charset=utf-8")
		body = fmt.Sprintf(upstreamPage, "", strings.Repeat("<p>Lorem ipsum dolor sit amet.</p>\n", 60))
	}
	if q.Get("cache") == "1" {
		h.Set("Cache-Control", "public, max-age=60")
	}
	h.Set("Vary", "Accept-Encoding")
	h.Set("Etag", `"v1"`)
	if r.Header.Get("If-None-Match") == `"v1"` {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	raw := []byte(body)
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		raw = gzipped(raw, gzip.BestCompression)
		h.Set("Content-Encoding", "gzip")
	}
	if q.Get("stream") == "1" {
		for len(raw) > 0 {
			n := min(100, len(raw))
			_, _ = w.Write(raw[:n])
			raw = raw[n:]
			_ = http.NewResponseController(w).Flush()
		}
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(raw)))
	_, _ = w.Write(raw)
}

// roundTrip sends req as is and returns what it made, with the request's
// trace headers, which are the request side's to judge, and the forwarded
// host, which names the port of each run's Caddy, left out of what the
// upstream got.
func roundTrip(t testing.TB, req *http.Request, up *recordingUpstream) exchanged {
	t.Helper()
	got := exchange(t, req, &up.headerLog)
	for _, k := range []string{"Sentry-Trace", "Baggage", "Traceparent", "Tracestate", "X-Forwarded-Host"} {
		got.upstream.Del(k)
	}
	return got
}

// notRewritten are requests tracemeta does not rewrite: each must reach the
// upstream, and its response the client, as without tracemeta.
var notRewritten = []struct {
	name, method, path string
	header             http.Header
}{
	{"fetch", http.MethodGet, "/page", http.Header{"Accept": {"text/html"}, "Sec-Fetch-Dest": {"empty"}, "Accept-Encoding": {"gzip, deflate, br, zstd"}}},
	{"fetch streamed", http.MethodGet, "/page?stream=1", http.Header{"Accept": {"*/*"}, "Sec-Fetch-Dest": {"empty"}, "Accept-Encoding": {"gzip, br"}}},
	{"fetch POST", http.MethodPost, "/api", http.Header{"Accept": {"application/json"}, "Sec-Fetch-Dest": {"empty"}, "Accept-Encoding": {"gzip"}}},
	{"htmx", http.MethodGet, "/page", http.Header{"Accept": {"text/html"}, "Hx-Request": {"true"}, "Accept-Encoding": {"gzip;q=0.5, identity"}}},
	{"turbo frame", http.MethodGet, "/page", http.Header{"Accept": {"text/html"}, "Turbo-Frame": {"cart"}, "Accept-Encoding": {"gzip"}}},
	{"xhr", http.MethodGet, "/page", http.Header{"Accept": {"text/html"}, "X-Requested-With": {"XMLHttpRequest"}, "Accept-Encoding": {"br, gzip"}}},
	{"script", http.MethodGet, "/app.js", http.Header{"Accept": {"*/*"}, "Sec-Fetch-Dest": {"script"}, "Accept-Encoding": {"gzip, deflate, br, zstd"}}},
	{"script without fetch metadata", http.MethodGet, "/app.js", http.Header{"Accept": {"*/*"}, "Accept-Encoding": {"gzip"}}},
	{"api without fetch metadata", http.MethodGet, "/api", http.Header{"Accept": {"application/json"}}},
	{"api without accept-encoding", http.MethodGet, "/api", http.Header{"Accept": {"application/json"}, "Accept-Encoding": {"identity"}}},
	{"conditional fetch", http.MethodGet, "/page", http.Header{"Accept": {"text/html"}, "Sec-Fetch-Dest": {"empty"}, "If-None-Match": {`"v1"`}, "Accept-Encoding": {"gzip"}}},
}

// TestNotRewrittenUntouched is the differential test of the requests
// tracemeta does not rewrite: the upstream gets the same request (its trace
// headers aside) and the client the same response, byte for byte, with and
// without tracemeta, with and without encode.
func TestNotRewrittenUntouched(t *testing.T) {
	up := &recordingUpstream{}
	addr := httpUpstream(t, up.serve)
	for _, encode := range []bool{false, true} {
		prefix := ""
		if encode {
			prefix = "\tencode gzip zstd\n"
		}
		run := func(site string) []exchanged {
			base := startCaddy(t, prefix+site+"\treverse_proxy "+addr+"\n")
			var out []exchanged
			for _, tc := range notRewritten {
				req, err := http.NewRequest(tc.method, base+tc.path, nil)
				require.NoError(t, err)
				for k, v := range tc.header {
					req.Header[k] = v
				}
				out = append(out, roundTrip(t, req, up))
			}
			require.NoError(t, caddy.Stop())
			return out
		}
		without := run("")
		with := run("\ttracemeta\n")
		for i, tc := range notRewritten {
			t.Run(fmt.Sprintf("encode=%v/%s", encode, tc.name), func(t *testing.T) {
				assert.Equal(t, without[i].upstream, with[i].upstream, "the upstream's request")
				if ae := tc.header.Get("Accept-Encoding"); ae != "" {
					assert.Equal(t, ae, with[i].upstream.Get("Accept-Encoding"), "Accept-Encoding as the client sent it")
				}
				assert.Equal(t, without[i].status, with[i].status)
				assert.Equal(t, without[i].header, with[i].header, "the response's headers")
				assert.Equal(t, without[i].body, with[i].body, "the response's bytes")
			})
		}
	}
}

// TestCompressionWithoutEncode checks a site without encode in front of an
// upstream that compresses: a navigation's page that tracemeta does not
// rewrite goes out exactly as the upstream sent it; one it rewrites goes out
// in the upstream's coding, bigger by no more than the tags.
func TestCompressionWithoutEncode(t *testing.T) {
	up := &recordingUpstream{}
	addr := httpUpstream(t, up.serve)
	base := startCaddy(t, "\ttracemeta\n\treverse_proxy "+addr+"\n")
	// direct is the upstream's own response to what it was sent last.
	direct := func(t *testing.T, path string) []byte {
		req, err := http.NewRequest(http.MethodGet, "http://"+addr+path, nil)
		require.NoError(t, err)
		req.Header = up.last(t).Clone()
		got := roundTrip(t, req, up)
		require.Equal(t, "gzip", got.header.Get("Content-Encoding"))
		return got.body
	}
	for _, tc := range []struct {
		name, path string
		rewritten  bool
	}{
		{"cacheable", "/page?cache=1", false},
		{"cacheable streamed", "/page?cache=1&stream=1", false},
		{"rewritten", "/page", true},
		{"rewritten streamed", "/page?stream=1", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, base+tc.path, nil)
			require.NoError(t, err)
			req.Header.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
			req.Header.Set("Sec-Fetch-Dest", "document")
			req.Header.Set("Accept-Encoding", "gzip, deflate, br, zstd")
			got := roundTrip(t, req, up)
			require.Equal(t, http.StatusOK, got.status)
			assert.Equal(t, "gzip, zstd", got.upstream.Get("Accept-Encoding"), "offered the codings tracemeta can rewrite")
			assert.Equal(t, "gzip", got.header.Get("Content-Encoding"), "compressed as the upstream compressed it")
			sent := direct(t, tc.path)
			if !tc.rewritten {
				assert.Equal(t, sent, got.body, "the upstream's bytes")
				assert.Equal(t, `"v1"`, got.header.Get("Etag"))
				return
			}
			page := decode(t, "gzip", got.body)
			original := decode(t, "gzip", sent)
			require.Equal(t, original, stripTags(page))
			tags := len(page) - len(original)
			require.Positive(t, tags)
			t.Logf("upstream %d B, rewritten %d B, tags %d B (%d B decoded)", len(sent), len(got.body), tags, len(page))
			assert.LessOrEqual(t, len(got.body), len(sent)+tags, "bigger than the upstream's by no more than the tags")
			assert.NotEqual(t, `"v1"`, got.header.Get("Etag"), "no strong validator of other bytes")
		})
	}
}

// TestHeadMatchesGet checks that the HEAD of a page carries no
// Content-Length and no validator that its GET does not carry, for pages
// tracemeta rewrites and pages it does not, with and without encode, from an
// upstream that compresses and one asked for identity.
func TestHeadMatchesGet(t *testing.T) {
	up := &recordingUpstream{}
	addr := httpUpstream(t, up.serve)
	for _, encode := range []bool{false, true} {
		site := "\ttracemeta\n\treverse_proxy " + addr + "\n"
		if encode {
			site = "\tencode gzip\n" + site
		}
		base := startCaddy(t, site)
		for _, ae := range []string{"gzip, deflate, br, zstd", "identity"} {
			for _, path := range []string{"/page", "/page?stream=1", "/page?cache=1"} {
				t.Run(fmt.Sprintf("encode=%v/%s/%s", encode, ae, path), func(t *testing.T) {
					send := func(method string) exchanged {
						req, err := http.NewRequest(method, base+path, nil)
						require.NoError(t, err)
						req.Header.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
						req.Header.Set("Sec-Fetch-Dest", "document")
						req.Header.Set("Accept-Encoding", ae)
						return roundTrip(t, req, up)
					}
					get, head := send(http.MethodGet), send(http.MethodHead)
					require.Equal(t, get.status, head.status)
					assert.Equal(t, get.upstream.Get("Accept-Encoding"), head.upstream.Get("Accept-Encoding"), "the upstream is asked alike")
					for _, k := range []string{"Content-Length", "Etag", "Last-Modified"} {
						if v := head.header.Get(k); v != "" {
							assert.Equal(t, get.header.Get(k), v, "%s of the HEAD is the GET's", k)
						}
					}
					if !encode {
						assert.Equal(t, get.header.Get("Content-Encoding"), head.header.Get("Content-Encoding"))
					}
					if path == "/page?cache=1" {
						assert.NotEmpty(t, get.header.Get("Etag"), "a page tracemeta does not rewrite keeps its validator")
						assert.Equal(t, get.header.Get("Etag"), head.header.Get("Etag"))
					}
				})
			}
		}
	}
}

// TestEncodeKeepsFlushes checks that, in a site with encode, the start of a
// navigation's response that is not a page without length goes out at its
// first flush: only a page's start is gathered for encode.
func TestEncodeKeepsFlushes(t *testing.T) {
	for _, ct := range []string{"text/event-stream", "text/plain; charset=utf-8"} {
		t.Run(ct, func(t *testing.T) {
			release := make(chan struct{})
			up := httpUpstream(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", ct)
				_, _ = io.WriteString(w, "data: first\n\n")
				_ = http.NewResponseController(w).Flush()
				select {
				case <-release:
				case <-r.Context().Done():
				}
				_, _ = io.WriteString(w, "data: last\n\n")
			})
			base := startCaddy(t, "\tencode gzip\n\ttracemeta\n\treverse_proxy "+up+"\n")
			defer close(release)
			req, err := http.NewRequest(http.MethodGet, base+"/", nil)
			require.NoError(t, err)
			req.Header.Set("Accept", "text/html")
			req.Header.Set("Sec-Fetch-Dest", "document")
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			res, err := http.DefaultTransport.RoundTrip(req.WithContext(ctx))
			require.NoError(t, err)
			defer res.Body.Close()
			buf := make([]byte, len("data: first\n\n"))
			_, err = io.ReadFull(res.Body, buf)
			require.NoError(t, err, "the first event arrives before the upstream goes on")
			assert.Equal(t, "data: first\n\n", string(buf))
		})
	}
}
