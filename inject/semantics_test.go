package inject_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/inject"
)

// semanticsCase is a handler behaviour whose response the client must see
// the same through the middleware as from plain net/http, plus the tags and
// the documented changes.
type semanticsCase struct {
	name    string
	handler http.HandlerFunc
	tags    bool // the page gets the tags
}

var (
	pageHead = page[:strings.Index(page, "<title>")]
	pageRest = page[strings.Index(page, "<title>"):]
)

func semanticsCases() []semanticsCase {
	html := func(w http.ResponseWriter) { w.Header().Set("Content-Type", "text/html; charset=utf-8") }
	return []semanticsCase{
		{name: "plain page", tags: true, handler: func(w http.ResponseWriter, _ *http.Request) {
			html(w)
			_, _ = io.WriteString(w, page)
		}},
		{name: "header set after WriteHeader", tags: true, handler: func(w http.ResponseWriter, _ *http.Request) {
			html(w)
			w.WriteHeader(http.StatusOK)
			w.Header().Set("X-Late", "1")
			_, _ = io.WriteString(w, page)
		}},
		{name: "header set and deleted after the first Write", tags: true, handler: func(w http.ResponseWriter, _ *http.Request) {
			html(w)
			w.Header().Set("X-Early", "1")
			_, _ = io.WriteString(w, pageHead)
			w.Header().Set("X-Late", "1")
			w.Header().Del("X-Early")
			w.Header().Set("Set-Cookie", "late=1")
			_, _ = io.WriteString(w, pageRest)
		}},
		{name: "Content-Length set after WriteHeader", tags: true, handler: func(w http.ResponseWriter, _ *http.Request) {
			html(w)
			w.WriteHeader(http.StatusOK)
			w.Header().Set("Content-Length", strconv.Itoa(len(page)))
			_, _ = io.WriteString(w, page)
		}},
		{name: "Content-Length set before WriteHeader", tags: true, handler: func(w http.ResponseWriter, _ *http.Request) {
			html(w)
			w.Header().Set("Content-Length", strconv.Itoa(len(page)))
			w.WriteHeader(http.StatusCreated)
			_, _ = io.WriteString(w, page)
		}},
		{name: "Cache-Control public set after the first Write", tags: true, handler: func(w http.ResponseWriter, _ *http.Request) {
			html(w)
			_, _ = io.WriteString(w, pageHead)
			w.Header().Set("Cache-Control", "public, max-age=600")
			_, _ = io.WriteString(w, pageRest)
		}},
		{name: "http.Error after part of the page", tags: true, handler: func(w http.ResponseWriter, _ *http.Request) {
			html(w)
			_, _ = io.WriteString(w, pageHead)
			http.Error(w, "template failed", http.StatusInternalServerError)
		}},
		{name: "http.Error after the head", tags: true, handler: func(w http.ResponseWriter, _ *http.Request) {
			html(w)
			_, _ = io.WriteString(w, page[:len(page)-30])
			http.Error(w, "template failed", http.StatusInternalServerError)
		}},
		{name: "Content-Type changed after WriteHeader", tags: true, handler: func(w http.ResponseWriter, _ *http.Request) {
			html(w)
			w.WriteHeader(http.StatusOK)
			w.Header().Set("Content-Type", "text/plain")
			_, _ = io.WriteString(w, page)
		}},
		{name: "header set after Flush", tags: true, handler: func(w http.ResponseWriter, _ *http.Request) {
			html(w)
			_, _ = io.WriteString(w, pageHead)
			w.(http.Flusher).Flush()
			w.Header().Set("X-Late", "1")
			_, _ = io.WriteString(w, pageRest)
		}},
		{name: "declared trailer set after the body", tags: true, handler: func(w http.ResponseWriter, _ *http.Request) {
			html(w)
			w.Header().Set("Trailer", "X-Checksum")
			_, _ = io.WriteString(w, page)
			w.Header().Set("X-Checksum", "abc")
		}},
		{name: "declared trailer set before the body", tags: true, handler: func(w http.ResponseWriter, _ *http.Request) {
			html(w)
			w.Header().Set("Trailer", "X-Checksum")
			w.WriteHeader(http.StatusOK)
			w.Header().Set("X-Checksum", "early")
			_, _ = io.WriteString(w, page)
		}},
		{name: "undeclared trailer with TrailerPrefix", tags: true, handler: func(w http.ResponseWriter, _ *http.Request) {
			html(w)
			_, _ = io.WriteString(w, page)
			w.Header().Set(http.TrailerPrefix+"X-Done", "yes")
		}},
		{name: "103 Early Hints first", tags: true, handler: func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Link", "</app.css>; rel=preload; as=style")
			w.WriteHeader(http.StatusEarlyHints)
			html(w)
			_, _ = io.WriteString(w, page)
		}},
		{name: "ServeContent", tags: true, handler: func(w http.ResponseWriter, r *http.Request) {
			html(w)
			w.Header().Set("Etag", `"v1"`)
			http.ServeContent(w, r, "page.html", time.Unix(1700000000, 0), strings.NewReader(page))
		}},
		{name: "404 page", tags: true, handler: func(w http.ResponseWriter, _ *http.Request) {
			html(w)
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, page)
			w.Header().Set("X-Late", "1")
		}},
		{name: "not HTML, late headers", handler: func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"a":1}`)
			w.Header().Set("X-Late", "1")
		}},
		{name: "nothing written", handler: func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("X-Set", "1")
		}},
		{name: "sniffed page, late header", tags: true, handler: func(w http.ResponseWriter, _ *http.Request) {
			_, _ = io.WriteString(w, page)
			w.Header().Set("X-Late", "1")
		}},
	}
}

// semanticsResponse is what a client sees of a response.
type semanticsResponse struct {
	status  int
	header  http.Header
	trailer http.Header
	body    string
}

func fetch(t *testing.T, srv e2eServer) semanticsResponse {
	t.Helper()
	resp, err := srv.client.Get(srv.url)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, srv.proto, resp.Proto)
	h := resp.Header.Clone()
	h.Del("Date")
	return semanticsResponse{status: resp.StatusCode, header: h, trailer: resp.Trailer, body: string(body)}
}

// TestMiddlewareNetHTTPSemantics runs each handler behaviour through plain
// net/http and through the middleware, on real HTTP/1.1 and HTTP/2 servers,
// and compares what the client sees: the same status, headers, trailers and
// body, but for the tags in the body and the documented changes
// (Content-Length adjusted or removed, validators dropped on a page with
// tags).
func TestMiddlewareNetHTTPSemantics(t *testing.T) {
	tags := tagsFor(testSpan(1))
	for _, tc := range semanticsCases() {
		t.Run(tc.name, func(t *testing.T) {
			plain := startServers(t, tc.handler)
			wrapped := startServers(t, inject.Middleware()(tc.handler))
			for i := range plain {
				t.Run(plain[i].proto, func(t *testing.T) {
					want := fetch(t, plain[i])
					got := fetch(t, wrapped[i])
					assert.Equal(t, want.status, got.status)
					if cl := got.header.Get("Content-Length"); cl != "" {
						assert.Equal(t, strconv.Itoa(len(got.body)), cl, "Content-Length stays true")
					}
					if tc.tags {
						require.Equal(t, 1, strings.Count(got.body, tags), "one set of tags: %q", got.body)
						got.body = strings.Replace(got.body, tags, "", 1)
						for _, k := range []string{"Etag", "Last-Modified", "Accept-Ranges"} {
							assert.Empty(t, got.header.Values(k), "%s dropped on a page with tags", k)
							want.header.Del(k)
						}
					} else {
						assert.NotContains(t, got.body, tags)
					}
					assert.Equal(t, want.body, got.body)
					want.header.Del("Content-Length")
					got.header.Del("Content-Length")
					assert.Equal(t, sortedHeader(want.header), sortedHeader(got.header))
					assert.Equal(t, want.trailer, got.trailer)
				})
			}
		})
	}
}

func sortedHeader(h http.Header) http.Header {
	out := h.Clone()
	for k := range out {
		slices.Sort(out[k])
	}
	return out
}

// TestMiddlewareNetHTTPSemanticsRecorder runs the same cases through an
// httptest.ResponseRecorder, which snapshots the headers at WriteHeader as
// net/http does.
func TestMiddlewareNetHTTPSemanticsRecorder(t *testing.T) {
	tags := tagsFor(testSpan(1))
	for _, tc := range semanticsCases() {
		t.Run(tc.name, func(t *testing.T) {
			want := httptest.NewRecorder()
			tc.handler(want, httptest.NewRequest("GET", "/", nil))
			got := httptest.NewRecorder()
			withSpan(testSpan(1), inject.Middleware()(tc.handler)).ServeHTTP(got, httptest.NewRequest("GET", "/", nil))
			assert.Equal(t, want.Result().StatusCode, got.Result().StatusCode)
			assert.Equal(t, want.Body.String(), strings.Replace(got.Body.String(), tags, "", 1))
			wh, gh := want.Result().Header, got.Result().Header
			for _, k := range []string{"Etag", "Last-Modified", "Accept-Ranges", "Content-Length"} {
				wh.Del(k)
				gh.Del(k)
			}
			assert.Equal(t, sortedHeader(wh), sortedHeader(gh))
		})
	}
}
