package inject_test

import (
	"context"
	"html/template"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/inject"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// headCase is a handler and a request whose HEAD must carry the headers of
// its GET, through the middleware, wherever plain net/http gives the two the
// same headers.
type headCase struct {
	name    string
	handler http.Handler
	reqHdr  map[string]string
	opts    []inject.Option
	tags    bool // the GET gets the tags
}

var pageTemplate = template.Must(template.New("page").Parse(
	`<!DOCTYPE html><html><head><title>{{.Title}}</title></head><body>{{range .Items}}<p>{{.}}</p>{{end}}</body></html>`))

// templated executes pageTemplate with n items, for GET and HEAD alike, as
// most handlers do.
func templated(n int, header map[string]string) http.HandlerFunc {
	items := make([]string, n)
	for i := range items {
		items[i] = "item " + strconv.Itoa(i)
	}
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		for k, v := range header {
			w.Header().Set(k, v)
		}
		_ = pageTemplate.Execute(w, map[string]any{"Title": "t", "Items": items})
	}
}

func headCases(t *testing.T) []headCase {
	modtime := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "page.html"), []byte(page), 0o600))
	require.NoError(t, os.Chtimes(filepath.Join(dir, "page.html"), modtime, modtime))
	serveContent := func(header map[string]string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			for k, v := range header {
				w.Header().Set(k, v)
			}
			http.ServeContent(w, r, "page.html", modtime, strings.NewReader(page))
		}
	}
	noSpan := inject.WithSource(tracecontext.SourceFunc(func(context.Context) (tracecontext.SpanContext, bool) {
		return tracecontext.SpanContext{}, false
	}))
	upstream := httptest.NewServer(serveContent(map[string]string{"Etag": `"u1"`}))
	t.Cleanup(upstream.Close)
	upstreamURL, err := url.Parse(upstream.URL)
	require.NoError(t, err)
	return []headCase{
		{name: "ServeContent, strong ETag", tags: true, handler: serveContent(map[string]string{"Etag": `"v1"`})},
		{name: "ServeContent behind httputil.ReverseProxy", tags: true, handler: httputil.NewSingleHostReverseProxy(upstreamURL)},
		{name: "ServeFile", tags: true, handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.ServeFile(w, r, filepath.Join(dir, "page.html"))
		})},
		{name: "templated page", tags: true, handler: templated(3, nil)},
		{name: "templated page with Content-Length and ETag", tags: true, handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var b strings.Builder
			_ = pageTemplate.Execute(&b, map[string]any{"Title": "t"})
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
			w.Header().Set("Etag", `"t1"`)
			if r.Method != http.MethodHead {
				_, _ = io.WriteString(w, b.String())
			}
		})},
		{name: "long templated page", tags: true, handler: templated(500, map[string]string{"Last-Modified": modtime.Format(http.TimeFormat)})},
		{name: "sniffed page", tags: true, handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Etag", `"s1"`)
			_, _ = io.WriteString(w, page)
		})},
		{name: "error page", tags: true, handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, page)
		})},
		{name: "Server-Timing", tags: true, opts: []inject.Option{inject.WithServerTiming(true)}, handler: serveContent(map[string]string{"Etag": `"v1"`})},
		{name: "not HTML", handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.ServeContent(w, r, "data.json", modtime, strings.NewReader(`{"a":1}`))
		})},
		{name: "cacheable page", handler: serveContent(map[string]string{"Cache-Control": "public, max-age=600", "Etag": `"c1"`})},
		{name: "fragment request", reqHdr: map[string]string{"Hx-Request": "true"}, handler: serveContent(map[string]string{"Etag": `"f1"`})},
		{name: "no span", opts: []inject.Option{noSpan}, handler: serveContent(map[string]string{"Etag": `"n1"`})},
		{name: "no-transform", handler: serveContent(map[string]string{"Cache-Control": "no-transform", "Etag": `"x1"`})},
		{name: "conditional, not modified", reqHdr: map[string]string{"If-None-Match": `"v1"`}, handler: serveContent(map[string]string{"Etag": `"v1"`})},
	}
}

// headExchange is a response as a client sees it.
type headExchange struct {
	resp *http.Response
	body string
}

func do(t *testing.T, srv e2eServer, method string, hdr map[string]string) headExchange {
	t.Helper()
	resp, body := get(t, srv, method, "/", hdr)
	resp.Header.Del("Date")
	return headExchange{resp: resp, body: body}
}

// TestHeadMatchesGet sends GET and HEAD for each case to real HTTP/1.1 and
// HTTP/2 servers, with and without the middleware. net/http gives a HEAD
// the headers of its GET but for those that depend on a body the handler
// did not write: those it gives the two differently without the middleware
// are left as net/http makes them. Every other header of a HEAD through the
// middleware is the GET's through the middleware, so that it carries no
// validator the GET does not, and its Content-Length is absent or the
// GET's.
func TestHeadMatchesGet(t *testing.T) {
	tags := tagsFor(testSpan(1))
	for _, tc := range headCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			plain := startServers(t, tc.handler)
			wrapped := startServers(t, inject.Middleware(tc.opts...)(tc.handler))
			for i := range plain {
				t.Run(plain[i].proto, func(t *testing.T) {
					plainGet, plainHead := do(t, plain[i], http.MethodGet, tc.reqHdr), do(t, plain[i], http.MethodHead, tc.reqHdr)
					get, head := do(t, wrapped[i], http.MethodGet, tc.reqHdr), do(t, wrapped[i], http.MethodHead, tc.reqHdr)

					assert.Equal(t, tc.tags, strings.Contains(get.body, tags), "the GET's tags")
					assert.Empty(t, head.body)
					assert.Equal(t, get.resp.StatusCode, head.resp.StatusCode)
					if cl := head.resp.Header.Get("Content-Length"); cl != "" {
						assert.Equal(t, strconv.Itoa(len(get.body)), cl, "a HEAD's Content-Length is the GET's")
					}
					if !tc.tags {
						assert.Equal(t, plainHead.resp.Header, head.resp.Header, "a HEAD whose GET is not rewritten is untouched")
					}
					keys := map[string]bool{}
					for _, h := range []http.Header{plainGet.resp.Header, plainHead.resp.Header, get.resp.Header, head.resp.Header} {
						for k := range h {
							keys[k] = true
						}
					}
					for k := range keys {
						if k == "Content-Length" {
							continue
						}
						want := get.resp.Header[k]
						if !slices.Equal(plainGet.resp.Header[k], plainHead.resp.Header[k]) {
							want = plainHead.resp.Header[k] // net/http's own difference
						}
						assert.Equal(t, want, head.resp.Header[k], "%s", k)
					}
				})
			}
		})
	}
}

// TestHeadReason checks that a HEAD is reported once, with ReasonMethod,
// whatever its GET would get, and that what its handler writes is dropped
// once its headers are made the GET's.
func TestHeadReason(t *testing.T) {
	html := map[string]string{"Content-Type": "text/html", "Content-Length": strconv.Itoa(len(page)), "Etag": `"p"`}
	tests := []struct {
		name     string
		reqHdr   map[string]string
		resp     responseCase
		opts     []inject.Option
		wantHead http.Header // the headers sent; nil: as without the middleware
	}{
		{name: "page", resp: responseCase{header: html, body: page}, wantHead: http.Header{"Content-Type": {"text/html"}}},
		{name: "page, no body", resp: responseCase{header: html}, wantHead: http.Header{"Content-Type": {"text/html"}}},
		{name: "page, WriteHeader", resp: responseCase{status: http.StatusOK, header: html, body: page}, wantHead: http.Header{"Content-Type": {"text/html"}}},
		{name: "sniffed page", resp: responseCase{header: map[string]string{"Etag": `"p"`}, body: page}, wantHead: http.Header{"Content-Type": {"text/html; charset=utf-8"}}},
		{name: "skipped", opts: []inject.Option{inject.WithSkip(func(*http.Request) bool { return true })}, resp: responseCase{header: html, body: page}},
		{name: "fragment request", reqHdr: map[string]string{"Sec-Fetch-Dest": "empty"}, resp: responseCase{header: html, body: page}},
		{name: "not HTML", resp: responseCase{header: map[string]string{"Content-Type": "text/plain", "Etag": `"p"`}, body: page}},
		{name: "no body to sniff", resp: responseCase{header: map[string]string{"Etag": `"p"`}}},
		{name: "status 304", resp: responseCase{status: http.StatusNotModified, header: html}},
		{name: "compressed", resp: responseCase{header: map[string]string{"Content-Type": "text/html", "Content-Encoding": "gzip", "Etag": `"p"`}, body: "x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			newReq := func() *http.Request {
				r, err := http.NewRequest(http.MethodHead, "/", nil)
				require.NoError(t, err)
				for k, v := range tt.reqHdr {
					r.Header.Set(k, v)
				}
				return r
			}
			bare := newRecorder()
			tt.resp.handler().ServeHTTP(bare, newReq())
			bare.WriteHeader(http.StatusOK) // as net/http ends a response

			var s skips
			got := newRecorder()
			opts := append([]inject.Option{inject.WithSkipHook(s.hook)}, tt.opts...)
			withSpan(testSpan(1), inject.Middleware(opts...)(tt.resp.handler())).ServeHTTP(got, newReq())
			got.WriteHeader(http.StatusOK)

			assert.Equal(t, []inject.Reason{inject.ReasonMethod}, s.get())
			assert.Equal(t, bare.code, got.code, "status")
			if tt.wantHead == nil {
				assert.Equal(t, bare.sent, got.sent, "headers")
				assert.Equal(t, bare.body.String(), got.body.String(), "body")
				return
			}
			assert.Equal(t, tt.wantHead, got.sent, "headers")
			assert.Empty(t, got.body.String(), "body dropped")
		})
	}
}

// headRecorder records the status and headers at the first WriteHeader, as
// net/http sends them.
type headRecorder struct {
	header http.Header
	sent   http.Header
	code   int
	body   strings.Builder
}

func newRecorder() *headRecorder { return &headRecorder{header: http.Header{}} }

func (r *headRecorder) Header() http.Header { return r.header }

func (r *headRecorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code, r.sent = code, r.header.Clone()
	}
}

func (r *headRecorder) Write(p []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(p)
}

// TestHeadStatusAfterHandler checks that a HEAD whose handler returned
// without a status leaves the status to whoever writes after it, as echo
// writes its error pages, and still carries no length or validator the
// GET would not.
func TestHeadStatusAfterHandler(t *testing.T) {
	handler := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Length", strconv.Itoa(len(page)))
		w.Header().Set("Etag", `"p"`)
	})
	for _, status := range []int{0, http.StatusNotFound} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			inner := inject.Middleware()(handler)
			framework := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				inner.ServeHTTP(w, r)
				if status != 0 {
					w.WriteHeader(status) // after the handler returned
				}
			})
			rec := newRecorder()
			req, err := http.NewRequest(http.MethodHead, "/", nil)
			require.NoError(t, err)
			withSpan(testSpan(1), framework).ServeHTTP(rec, req)
			rec.WriteHeader(http.StatusOK) // as net/http ends a response

			assert.Equal(t, max(status, http.StatusOK), rec.code)
			assert.Equal(t, http.Header{"Content-Type": {"text/html"}}, rec.sent)
		})
	}
}
