package inject_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/inject"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// e2eServer is a real http.Server speaking one protocol, with its client.
type e2eServer struct {
	proto  string // "HTTP/1.1" or "HTTP/2.0"
	url    string
	client *http.Client
}

// startServers serves h over HTTP/1.1 (plain) and HTTP/2 (TLS), each
// behind spanFromHeader, and returns both.
func startServers(t *testing.T, h http.Handler) []e2eServer {
	t.Helper()
	h = spanFromHeader(h)
	h1 := httptest.NewServer(h)
	t.Cleanup(h1.Close)
	h2 := httptest.NewUnstartedServer(h)
	h2.EnableHTTP2 = true
	h2.StartTLS()
	t.Cleanup(h2.Close)
	return []e2eServer{
		{proto: "HTTP/1.1", url: h1.URL, client: h1.Client()},
		{proto: "HTTP/2.0", url: h2.URL, client: h2.Client()},
	}
}

// spanFromHeader continues the trace of the request, as a tracing
// middleware would: X-Test-Span picks testSpan(n); otherwise the
// sentry-trace and baggage headers are parsed; otherwise testSpan(1).
func spanFromHeader(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sc := testSpan(1)
		if v := r.Header.Get("X-Test-Span"); v != "" {
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			sc = testSpan(n)
		}
		if v := r.Header.Get("Sentry-Trace"); v != "" {
			if parsed, err := tracecontext.ParseSentryTrace(v); err == nil {
				sc.TraceID, sc.SpanID = parsed.TraceID, parsed.SpanID
			}
		}
		if v := r.Header.Get("Baggage"); v != "" {
			if b, err := tracecontext.ParseBaggage(v); err == nil {
				sc.DSC = tracecontext.DSCFromBaggage(b)
			}
		}
		h.ServeHTTP(w, r.WithContext(tracecontext.NewContext(r.Context(), sc)))
	})
}

// get sends a request and returns the response with its body read.
func get(t *testing.T, srv e2eServer, method, path string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.url+path, nil)
	require.NoError(t, err)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := srv.client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, srv.proto, resp.Proto)
	return resp, string(body)
}

// pageHandler writes page in writes of size bytes, with Content-Length
// when withLength is set.
func pageHandler(withLength bool, size int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if withLength {
			w.Header().Set("Content-Length", strconv.Itoa(len(page)))
		}
		for p := page; p != ""; {
			n := min(size, len(p))
			if _, err := io.WriteString(w, p[:n]); err != nil {
				return
			}
			p = p[n:]
		}
	})
}

func TestE2EContentLength(t *testing.T) {
	want := injected(testSpan(1))
	long := strings.Replace(page, "<p>hello</p>", strings.Repeat("<p>hello</p>", 2000), 1)
	wantLong := strings.Replace(long, "<title>", tagsFor(testSpan(1))+"<title>", 1)
	mux := http.NewServeMux()
	mux.Handle("/length", pageHandler(true, 7))
	mux.Handle("/nolength", pageHandler(false, 7))
	mux.HandleFunc("/long", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(long)))
		_, _ = io.WriteString(w, long) // sniffed
	})
	for _, srv := range startServers(t, inject.Middleware()(mux)) {
		t.Run(srv.proto, func(t *testing.T) {
			resp, body := get(t, srv, "GET", "/length", nil)
			assert.Equal(t, want, body)
			assert.Equal(t, int64(len(want)), resp.ContentLength)

			resp, body = get(t, srv, "GET", "/nolength", nil)
			assert.Equal(t, want, body)
			assert.Equal(t, int64(len(want)), resp.ContentLength, "net/http measures a short body itself")

			resp, body = get(t, srv, "GET", "/long", nil)
			assert.Equal(t, wantLong, body)
			assert.Equal(t, int64(len(wantLong)), resp.ContentLength)
			assert.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
		})
	}
}

func TestE2EBodiless(t *testing.T) {
	modtime := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	mux := http.NewServeMux()
	mux.Handle("/page", pageHandler(true, len(page)))
	mux.HandleFunc("/content", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Etag", `"v1"`)
		http.ServeContent(w, r, "index.html", modtime, strings.NewReader(page))
	})
	mux.HandleFunc("/nocontent", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusNoContent)
	})
	for _, srv := range startServers(t, inject.Middleware()(mux)) {
		t.Run(srv.proto, func(t *testing.T) {
			resp, body := get(t, srv, "HEAD", "/page", nil)
			assert.Empty(t, body)
			assert.Equal(t, int64(-1), resp.ContentLength, "no length: the GET's gets the tags")

			resp, body = get(t, srv, "GET", "/nocontent", nil)
			assert.Equal(t, http.StatusNoContent, resp.StatusCode)
			assert.Empty(t, body)

			resp, body = get(t, srv, "GET", "/content", map[string]string{"If-None-Match": `"v1"`})
			assert.Equal(t, http.StatusNotModified, resp.StatusCode)
			assert.Empty(t, body)

			resp, body = get(t, srv, "GET", "/content", nil)
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Equal(t, injected(testSpan(1)), body)
			assert.Empty(t, resp.Header.Get("Etag"), "no validator: a 304 would reuse an earlier trace")
			assert.Empty(t, resp.Header.Get("Last-Modified"))
		})
	}
}

// gzipMiddleware compresses every response, as gzhttp or chi's Compress do
// (enough of them for the test: always gzip, Flush supported).
func gzipMiddleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Accept-Encoding")
		gz := gzip.NewWriter(w)
		defer gz.Close()
		next.ServeHTTP(&gzipWriter{ResponseWriter: w, gz: gz}, r)
	})
}

// gzipWriter sets Content-Encoding when the status goes out, as gzhttp
// does, so a handler inside it never sees the header.
type gzipWriter struct {
	http.ResponseWriter
	gz          *gzip.Writer
	wroteHeader bool
}

func (g *gzipWriter) WriteHeader(code int) {
	if g.wroteHeader {
		return
	}
	g.wroteHeader = true
	g.Header().Del("Content-Length")
	g.Header().Set("Content-Encoding", "gzip")
	g.ResponseWriter.WriteHeader(code)
}

func (g *gzipWriter) Write(p []byte) (int, error) {
	g.WriteHeader(http.StatusOK)
	return g.gz.Write(p)
}

func (g *gzipWriter) Flush() {
	_ = g.gz.Flush()
	http.NewResponseController(g.ResponseWriter).Flush() //nolint:errcheck // a test double
}

// TestE2EGzip shows where the middleware must sit: inside compression it
// sees the page and rewrites it; outside, it sees gzip and passes it
// through untouched.
func TestE2EGzip(t *testing.T) {
	var s skips
	mw := inject.Middleware(inject.WithSkipHook(s.hook))
	mux := http.NewServeMux()
	mux.Handle("/inside", gzipMiddleware(mw(pageHandler(true, 10))))
	mux.Handle("/outside", mw(gzipMiddleware(pageHandler(true, 10))))
	for _, srv := range startServers(t, mux) {
		t.Run(srv.proto, func(t *testing.T) {
			resp, body := get(t, srv, "GET", "/inside", nil)
			assert.True(t, resp.Uncompressed, "the client decompressed it")
			assert.Equal(t, injected(testSpan(1)), body)

			resp, body = get(t, srv, "GET", "/outside", nil)
			assert.True(t, resp.Uncompressed)
			assert.Equal(t, page, body)
		})
	}
	assert.Equal(t, []inject.Reason{inject.ReasonContentEncoding, inject.ReasonContentEncoding}, s.get())
}

func TestE2ECachingAndFragments(t *testing.T) {
	h := func(cc string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Cache-Control", cc)
			pageHandler(false, 100).ServeHTTP(w, r)
		})
	}
	mux := http.NewServeMux()
	mux.Handle("/public", h("public, max-age=300"))
	mux.Handle("/private", h("private, max-age=300"))
	for _, srv := range startServers(t, inject.Middleware()(mux)) {
		t.Run(srv.proto, func(t *testing.T) {
			_, body := get(t, srv, "GET", "/public", nil)
			assert.Equal(t, page, body)
			_, body = get(t, srv, "GET", "/private", nil)
			assert.Equal(t, injected(testSpan(1)), body)
			_, body = get(t, srv, "GET", "/private", map[string]string{"HX-Request": "true", "HX-Target": "main"})
			assert.Equal(t, page, body, "htmx")
			_, body = get(t, srv, "GET", "/private", map[string]string{"Turbo-Frame": "main"})
			assert.Equal(t, page, body, "Turbo frame")
			_, body = get(t, srv, "GET", "/private", map[string]string{"Sec-Fetch-Dest": "empty", "Sec-Fetch-Mode": "cors"})
			assert.Equal(t, page, body, "fetch()")
			_, body = get(t, srv, "GET", "/private", map[string]string{"Sec-Fetch-Dest": "document", "Sec-Fetch-Mode": "navigate"})
			assert.Equal(t, injected(testSpan(1)), body, "navigation")
		})
	}
}

// TestE2EHostileHeaders sends trace headers built to break out of the
// attribute: the page parsed back has exactly the tags, with no markup
// from the headers.
func TestE2EHostileHeaders(t *testing.T) {
	hostile := []map[string]string{
		{"Sentry-Trace": `"><script>alert(1)</script>`},
		{"Sentry-Trace": `0123456789abcdef0123456789abcdef-0123456789abcdef-1"><script>`},
		{"Baggage": `sentry-trace_id=0123456789abcdef0123456789abcdef,sentry-release=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E,sentry-environment=<script>'`},
		{"Baggage": `sentry-release="><script>alert(1)</script>`},
		{"Baggage": `other=%22%3E%3Cscript%3E,sentry-public_key=k&amp;'<>`},
	}
	for _, srv := range startServers(t, inject.Middleware()(pageHandler(true, 16))) {
		t.Run(srv.proto, func(t *testing.T) {
			for _, hdr := range hostile {
				_, body := get(t, srv, "GET", "/", hdr)
				metas, scripts := metaContents(t, body)
				assert.Zero(t, scripts, "%v", hdr)
				assert.Len(t, metas["sentry-trace"], 1, "%v", hdr)
				assert.LessOrEqual(t, len(metas["baggage"]), 1, "%v", hdr)
				for _, b := range metas["baggage"] {
					assert.NotContains(t, b, "other=", "only sentry- members")
				}
				at := strings.Index(page, "<title>")
				tags := strings.TrimSuffix(strings.TrimPrefix(body, page[:at]), page[at:])
				assert.Equal(t, 2, strings.Count(tags, "<"), "only the two meta tags were inserted: %q", tags)
			}
		})
	}
}

// TestE2EFlushReachesClient checks that a page's head, flushed while the
// handler still works on the rest, reaches the browser with the tags.
func TestE2EFlushReachesClient(t *testing.T) {
	release := make(chan struct{})
	head := page[:strings.Index(page, "<body>")]
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, head)
		w.(http.Flusher).Flush()
		<-release
		_, _ = io.WriteString(w, page[len(head):])
	})
	for _, srv := range startServers(t, inject.Middleware()(h)) {
		t.Run(srv.proto, func(t *testing.T) {
			resp, err := srv.client.Get(srv.url)
			require.NoError(t, err)
			defer resp.Body.Close()
			want := injected(testSpan(1))
			first := make([]byte, len(head)+len(tagsFor(testSpan(1))))
			_, err = io.ReadFull(resp.Body, first)
			require.NoError(t, err, "the head arrived while the handler was blocked")
			assert.Equal(t, want[:len(first)], string(first))
			release <- struct{}{}
			rest, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			assert.Equal(t, want, string(first)+string(rest))
		})
	}
}

func TestE2EServerSentEvents(t *testing.T) {
	release := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = io.WriteString(w, "data: <html><head>\n\n")
		w.(http.Flusher).Flush()
		<-release
		_, _ = io.WriteString(w, "data: bye\n\n")
	})
	for _, srv := range startServers(t, inject.Middleware()(h)) {
		t.Run(srv.proto, func(t *testing.T) {
			resp, err := srv.client.Get(srv.url)
			require.NoError(t, err)
			defer resp.Body.Close()
			r := bufio.NewReader(resp.Body)
			line, err := r.ReadString('\n')
			require.NoError(t, err)
			assert.Equal(t, "data: <html><head>\n", line)
			release <- struct{}{}
			rest, err := io.ReadAll(r)
			require.NoError(t, err)
			assert.Equal(t, "\ndata: bye\n\n", string(rest))
		})
	}
}

func TestE2EServeContentAndFile(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "index.html"), []byte(page), 0o600))
	mux := http.NewServeMux()
	mux.HandleFunc("/content", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Etag", `"v1"`)
		http.ServeContent(w, r, "index.html", time.Time{}, strings.NewReader(page))
	})
	mux.HandleFunc("/file", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, filepath.Join(dir, "index.html"))
	})
	want := injected(testSpan(1))
	for _, srv := range startServers(t, inject.Middleware()(mux)) {
		t.Run(srv.proto, func(t *testing.T) {
			for _, path := range []string{"/content", "/file"} {
				resp, body := get(t, srv, "GET", path, nil)
				assert.Equal(t, want, body, path)
				assert.Equal(t, int64(len(want)), resp.ContentLength, path)
				assert.Empty(t, resp.Header.Get("Accept-Ranges"), path)

				resp, body = get(t, srv, "GET", path, map[string]string{"Range": "bytes=5-14"})
				assert.Equal(t, http.StatusPartialContent, resp.StatusCode, path)
				assert.Equal(t, page[5:15], body, path)
				assert.Equal(t, int64(10), resp.ContentLength, path)
			}
		})
	}
}

// TestE2EHijack upgrades the connection the way WebSocket libraries do.
func TestE2EHijack(t *testing.T) {
	var s skips
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		conn, brw, err := w.(http.Hijacker).Hijack()
		if !assert.NoError(t, err) {
			return
		}
		defer conn.Close()
		_, _ = brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n")
		_ = brw.Flush()
		line, err := brw.ReadString('\n')
		if assert.NoError(t, err) {
			_, _ = brw.WriteString("<head>" + line)
			_ = brw.Flush()
		}
	})
	srv := httptest.NewServer(inject.Middleware(inject.WithSkipHook(s.hook))(spanFromHeader(h)))
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	require.NoError(t, err)
	defer conn.Close()
	_, err = io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nping\n")
	require.NoError(t, err)
	r := bufio.NewReader(conn)
	resp, err := http.ReadResponse(r, nil)
	require.NoError(t, err)
	assert.Equal(t, http.StatusSwitchingProtocols, resp.StatusCode)
	line, err := r.ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "<head>ping\n", line)
	assert.Equal(t, []inject.Reason{inject.ReasonHijacked}, s.get())
}

// TestE2EConcurrentTraces sends 1000 concurrent requests, each with its
// own trace and its own page size and write pattern: every response has
// exactly its own bytes and its own trace, so pooled buffers never leak one
// response into another.
func TestE2EConcurrentTraces(t *testing.T) {
	const n = 1000
	pageFor := func(i uint64) string {
		return strings.Replace(page, "<p>hello</p>", strings.Repeat(fmt.Sprintf("<p>%d</p>", i), int(i%50)*20), 1)
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i, _ := strconv.ParseUint(r.Header.Get("X-Test-Span"), 10, 64)
		p := pageFor(i)
		if i%3 == 0 {
			w.Header().Set("Content-Length", strconv.Itoa(len(p)))
		}
		w.Header().Set("Content-Type", "text/html")
		size := int(i%17)*61 + 1 // one byte to 977 bytes a write
		for k := 0; p != ""; k++ {
			m := min(size, len(p))
			if _, err := io.WriteString(w, p[:m]); err != nil {
				return
			}
			p = p[m:]
			if i%5 == 0 && k == 3 {
				w.(http.Flusher).Flush()
			}
		}
	})
	for _, srv := range startServers(t, inject.Middleware()(h)) {
		t.Run(srv.proto, func(t *testing.T) {
			tr := srv.client.Transport.(*http.Transport)
			tr.MaxConnsPerHost = 64
			tr.MaxIdleConnsPerHost = 64
			var wg sync.WaitGroup
			errs := make(chan error, n)
			for i := uint64(1); i <= n; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					req, _ := http.NewRequest("GET", srv.url, nil)
					req.Header.Set("X-Test-Span", strconv.FormatUint(i, 10))
					resp, err := srv.client.Do(req)
					if err != nil {
						errs <- err
						return
					}
					defer resp.Body.Close()
					body, err := io.ReadAll(resp.Body)
					if err != nil {
						errs <- err
						return
					}
					sc := testSpan(i)
					want := strings.Replace(pageFor(i), "<title>", tagsFor(sc)+"<title>", 1)
					if string(body) != want {
						errs <- fmt.Errorf("request %d: got %d bytes, want %d: %.200q", i, len(body), len(want), body)
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
		})
	}
}

// generator is a reader of n bytes of HTML body text, without allocating.
type generator struct {
	n     int64
	chunk []byte
}

func (g *generator) Read(p []byte) (int, error) {
	if g.n <= 0 {
		return 0, io.EOF
	}
	k := 0
	for k < len(p) && g.n > 0 {
		c := copy(p[k:min(len(p), k+int(min(g.n, int64(len(g.chunk)))))], g.chunk)
		k += c
		g.n -= int64(c)
	}
	return k, nil
}

// TestE2EStreamedGiB streams a 1 GiB page through the middleware and a real
// server to a client that discards it: the bytes allocated stay a small
// constant, far below the page size.
func TestE2EStreamedGiB(t *testing.T) {
	const size = 1 << 30
	head := "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>big</title></head><body>"
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Length", strconv.Itoa(len(head)+size))
		_, _ = io.WriteString(w, head)
		_, _ = io.Copy(w, &generator{n: size, chunk: bytes.Repeat([]byte("<p>lorem ipsum dolor sit amet</p>\n"), 1000)})
	})
	srv := httptest.NewServer(spanFromHeader(inject.Middleware()(h)))
	defer srv.Close()

	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	resp, err := srv.Client().Get(srv.URL)
	require.NoError(t, err)
	first := make([]byte, len(head)+len(tagsFor(testSpan(1))))
	_, err = io.ReadFull(resp.Body, first)
	require.NoError(t, err)
	n, err := io.Copy(io.Discard, resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	runtime.ReadMemStats(&after)

	assert.Equal(t, strings.Replace(head, "<title>", tagsFor(testSpan(1))+"<title>", 1), string(first))
	assert.Equal(t, int64(size), n)
	assert.Equal(t, int64(len(head)+len(tagsFor(testSpan(1)))+size), resp.ContentLength)
	assert.Equal(t, resp.ContentLength, int64(len(first))+n)
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("1 GiB page: %d bytes allocated in total, heap in use %d -> %d", alloc, before.HeapInuse, after.HeapInuse)
	assert.Less(t, alloc, uint64(16<<20), "memory must not grow with the page")
}

// TestE2EResponseController checks that http.ResponseController reaches
// the server's writer through Unwrap: deadlines and full duplex work, and
// Flush goes through the rewriter.
func TestE2EResponseController(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		assert.NoError(t, rc.SetWriteDeadline(time.Now().Add(time.Minute)))
		assert.NoError(t, rc.SetReadDeadline(time.Now().Add(time.Minute)))
		if r.ProtoMajor == 1 {
			assert.NoError(t, rc.EnableFullDuplex())
		}
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, page[:50])
		assert.NoError(t, rc.Flush())
		_, _ = io.WriteString(w, page[50:])
	})
	for _, srv := range startServers(t, inject.Middleware()(h)) {
		t.Run(srv.proto, func(t *testing.T) {
			_, body := get(t, srv, "GET", "/", nil)
			assert.Equal(t, injected(testSpan(1)), body)
		})
	}
}
