package inject_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/inject"
	"github.com/tracemeta/tracemeta/render"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// TestMiddlewareInjects checks the responses the middleware rewrites: the
// tags at the insertion point, and the headers adjusted.
func TestMiddlewareInjects(t *testing.T) {
	sc := testSpan(1)
	with := func(kv ...string) map[string]string {
		h := map[string]string{"Content-Type": "text/html; charset=utf-8"}
		for i := 0; i < len(kv); i += 2 {
			h[kv[i]] = kv[i+1]
		}
		return h
	}
	tests := []struct {
		name       string
		method     string
		reqHdr     map[string]string
		resp       responseCase
		wantStatus int
		wantHeader map[string]string // "" means absent
	}{
		{name: "200", resp: responseCase{header: with(), body: page}, wantStatus: 200},
		{name: "implicit 200", resp: responseCase{header: with(), body: page}, wantStatus: 200},
		{name: "POST", method: http.MethodPost, resp: responseCase{header: with(), body: page}, wantStatus: 200},
		{name: "404 page", resp: responseCase{status: 404, header: with(), body: page}, wantStatus: 404},
		{name: "500 page", resp: responseCase{status: 500, header: with(), body: page}, wantStatus: 500},
		{name: "201", resp: responseCase{status: 201, header: with(), body: page}, wantStatus: 201},
		{name: "sniffed", resp: responseCase{body: page}, wantStatus: 200, wantHeader: map[string]string{"Content-Type": "text/html; charset=utf-8"}},
		{name: "upper-case type", resp: responseCase{header: map[string]string{"Content-Type": "TEXT/HTML"}, body: page}, wantStatus: 200},
		{name: "identity encoding", resp: responseCase{header: with("Content-Encoding", "identity"), body: page}, wantStatus: 200},
		{name: "inline disposition", resp: responseCase{header: with("Content-Disposition", "inline"), body: page}, wantStatus: 200},
		{name: "navigation", reqHdr: map[string]string{"Sec-Fetch-Dest": "document"}, resp: responseCase{header: with(), body: page}, wantStatus: 200},
		{name: "iframe", reqHdr: map[string]string{"Sec-Fetch-Dest": "iframe"}, resp: responseCase{header: with(), body: page}, wantStatus: 200},
		{name: "prefetch", reqHdr: map[string]string{"Sec-Fetch-Dest": "empty", "Sec-Purpose": "prefetch"}, resp: responseCase{header: with(), body: page}, wantStatus: 200},
		{name: "htmx false", reqHdr: map[string]string{"HX-Request": "false"}, resp: responseCase{header: with(), body: page}, wantStatus: 200},
		{name: "private max-age", resp: responseCase{header: with("Cache-Control", "private, max-age=600"), body: page}, wantStatus: 200},
		{name: "no-store public", resp: responseCase{header: with("Cache-Control", "public, no-store"), body: page}, wantStatus: 200},
		{name: "max-age zero", resp: responseCase{header: with("Cache-Control", "max-age=0, must-revalidate"), body: page}, wantStatus: 200},
		{name: "no-cache", resp: responseCase{header: with("Cache-Control", "no-cache"), body: page}, wantStatus: 200},
		{name: "Expires in the past", resp: responseCase{header: with("Expires", "Thu, 01 Jan 1970 00:00:00 GMT"), body: page}, wantStatus: 200},
		{name: "Expires invalid", resp: responseCase{header: with("Expires", "0"), body: page}, wantStatus: 200},
		{name: "max-age zero overrides Expires", resp: responseCase{header: with("Cache-Control", "max-age=0", "Expires", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)), body: page}, wantStatus: 200},
		{
			name:       "Content-Length raised",
			resp:       responseCase{header: with("Content-Length", strconv.Itoa(len(page))), body: page},
			wantStatus: 200,
			wantHeader: map[string]string{"Content-Length": strconv.Itoa(len(injected(sc)))},
		},
		{
			name:       "validators, ranges and digests dropped",
			resp:       responseCase{header: with("Etag", `"v1"`, "Accept-Ranges", "bytes", "Content-Digest", "sha-256=:x:", "Last-Modified", "Mon, 02 Jan 2006 15:04:05 GMT", "X-Other", "kept"), body: page},
			wantStatus: 200,
			wantHeader: map[string]string{"Etag": "", "Accept-Ranges": "", "Content-Digest": "", "Last-Modified": "", "X-Other": "kept"},
		},
		{
			name:       "weak ETag dropped",
			resp:       responseCase{header: with("Etag", `W/"v1"`), body: page},
			wantStatus: 200,
			wantHeader: map[string]string{"Etag": ""},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := tt.method
			if method == "" {
				method = http.MethodGet
			}
			req := httptest.NewRequest(method, "/", nil)
			for k, v := range tt.reqHdr {
				req.Header.Set(k, v)
			}
			var s skips
			got := serve(t, tt.resp.handler(), req, inject.WithSkipHook(s.hook))
			assert.Equal(t, tt.wantStatus, got.Code)
			assert.Equal(t, injected(sc), got.Body.String())
			assert.Empty(t, s.get(), "skip reasons")
			for k, v := range tt.wantHeader {
				assert.Equal(t, v, got.Header().Get(k), k)
			}
		})
	}
}

// TestMiddlewareChunking writes the page in every split and one byte at a
// time: the output is the same.
func TestMiddlewareChunking(t *testing.T) {
	want := injected(testSpan(1))
	for size := 1; size <= len(page); size++ {
		h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Length", strconv.Itoa(len(page)))
			for p := page; p != ""; {
				n := min(size, len(p))
				_, err := io.WriteString(w, p[:n])
				require.NoError(t, err)
				p = p[n:]
			}
		})
		got := serve(t, h, httptest.NewRequest("GET", "/", nil))
		require.Equal(t, want, got.Body.String(), "writes of %d bytes", size)
		require.Equal(t, strconv.Itoa(len(want)), got.Header().Get("Content-Length"), "writes of %d bytes", size)
	}
}

// TestMiddlewareContentLength checks that the handler can never send more
// than it declared, before and after the tags.
func TestMiddlewareContentLength(t *testing.T) {
	tests := []struct {
		name     string
		declared int
		writes   []string
		wantErr  []bool
		wantBody string
	}{
		{name: "exact", declared: len(page), writes: []string{page}, wantErr: []bool{false}, wantBody: injected(testSpan(1))},
		{name: "over in one write", declared: len(page) - 8, writes: []string{page}, wantErr: []bool{true}, wantBody: injected(testSpan(1))[:len(injected(testSpan(1)))-8]},
		{name: "over after the tags", declared: len(page), writes: []string{page, "more"}, wantErr: []bool{false, true}, wantBody: injected(testSpan(1))},
		{name: "over while scanning", declared: 10, writes: []string{page}, wantErr: []bool{true}, wantBody: page[:10]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				w.Header().Set("Content-Length", strconv.Itoa(tt.declared))
				for i, s := range tt.writes {
					_, err := io.WriteString(w, s)
					if tt.wantErr[i] {
						assert.ErrorIs(t, err, http.ErrContentLength)
					} else {
						assert.NoError(t, err)
					}
				}
			})
			got := serve(t, h, httptest.NewRequest("GET", "/", nil))
			assert.Equal(t, tt.wantBody, got.Body.String())
		})
	}
}

// TestMiddlewareWriteHeader covers the status calls net/http allows:
// twice, never, 1xx first, invalid.
func TestMiddlewareWriteHeader(t *testing.T) {
	sc := testSpan(1)
	t.Run("twice", func(t *testing.T) {
		w := &panicOnSecondWriteHeaderWriter{fakeWriter: *newFakeWriter()}
		h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusTeapot)
			w.WriteHeader(http.StatusOK)
			_, _ = io.WriteString(w, page)
			w.WriteHeader(http.StatusInternalServerError)
		})
		withSpan(sc, inject.Middleware()(h)).ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
		assert.Equal(t, []int{http.StatusTeapot}, w.codes)
		assert.Equal(t, injected(sc), w.body.String())
	})
	t.Run("1xx forwarded at once", func(t *testing.T) {
		w := &panicOnSecondWriteHeaderWriter{fakeWriter: *newFakeWriter()}
		var codesBeforeBody []int
		h := http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
			rw.Header().Set("Link", "</s.css>; rel=preload")
			rw.WriteHeader(http.StatusEarlyHints)
			codesBeforeBody = append(codesBeforeBody, w.codes...)
			rw.Header().Set("Content-Type", "text/html")
			_, _ = io.WriteString(rw, page)
		})
		withSpan(sc, inject.Middleware()(h)).ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
		assert.Equal(t, []int{http.StatusEarlyHints}, codesBeforeBody)
		assert.Equal(t, []int{http.StatusEarlyHints, http.StatusOK}, w.codes)
		assert.Equal(t, injected(sc), w.body.String())
	})
	t.Run("never, with a body", func(t *testing.T) {
		w := newFakeWriter()
		h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, page) })
		withSpan(sc, inject.Middleware()(h)).ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
		assert.Equal(t, []int{http.StatusOK}, w.codes)
		assert.Equal(t, injected(sc), w.body.String())
	})
	t.Run("never, no body", func(t *testing.T) {
		w := newFakeWriter()
		h := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
		withSpan(sc, inject.Middleware()(h)).ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
		assert.Empty(t, w.codes, "net/http sends the implicit 200 itself")
		assert.Empty(t, w.body.String())
	})
	t.Run("status only", func(t *testing.T) {
		w := newFakeWriter()
		h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusNotFound)
		})
		withSpan(sc, inject.Middleware()(h)).ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
		assert.Equal(t, []int{http.StatusNotFound}, w.codes)
		assert.Empty(t, w.body.String())
	})
	t.Run("invalid code panics like net/http", func(t *testing.T) {
		h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(42) })
		assert.Panics(t, func() {
			inject.Middleware()(h).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
		})
	})
}

// TestMiddlewareFlush checks that Flush before the insertion point sends
// what the rewriter can give, and that the headers then lose
// Content-Length but keep the response true.
func TestMiddlewareFlush(t *testing.T) {
	sc := testSpan(1)
	t.Run("after head", func(t *testing.T) {
		fw := &flushWriter{fakeWriter: newFakeWriter()}
		var atFlush string
		h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("Content-Length", strconv.Itoa(len(page)))
			_, _ = io.WriteString(w, page[:60])
			w.(http.Flusher).Flush()
			atFlush = fw.body.String()
			_, _ = io.WriteString(w, page[60:])
		})
		withSpan(sc, inject.Middleware()(h)).ServeHTTP(fw, httptest.NewRequest("GET", "/", nil))
		// The flush sends every complete token; the tags still go where
		// they would without it, so the length is no longer known.
		assert.Equal(t, page[:strings.Index(page, "<title>")], atFlush)
		assert.Equal(t, injected(sc), fw.body.String())
		assert.Equal(t, 1, fw.flushes)
		assert.Empty(t, fw.header.Get("Content-Length"))
	})
	t.Run("before head", func(t *testing.T) {
		fw := &flushWriter{fakeWriter: newFakeWriter()}
		var atFlush string
		h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("Content-Length", strconv.Itoa(len(page)))
			w.Header().Set("Etag", `"v"`)
			_, _ = io.WriteString(w, page[:16])
			require.NoError(t, http.NewResponseController(w).Flush())
			atFlush = fw.body.String()
			_, _ = io.WriteString(w, page[16:])
		})
		withSpan(sc, inject.Middleware()(h)).ServeHTTP(fw, httptest.NewRequest("GET", "/", nil))
		assert.Equal(t, []int{200}, fw.codes)
		assert.True(t, strings.HasPrefix(page, atFlush), "flushed %q", atFlush)
		assert.Equal(t, injected(sc), fw.body.String())
		assert.Empty(t, fw.header.Get("Content-Length"), "sent before the length was known")
		assert.Empty(t, fw.header.Get("Etag"), "the body may change")
	})
	t.Run("before any write", func(t *testing.T) {
		fw := &flushWriter{fakeWriter: newFakeWriter()}
		h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.(http.Flusher).Flush()
			_, _ = io.WriteString(w, page)
		})
		withSpan(sc, inject.Middleware()(h)).ServeHTTP(fw, httptest.NewRequest("GET", "/", nil))
		assert.Equal(t, []int{200}, fw.codes)
		assert.Equal(t, injected(sc), fw.body.String())
	})
	t.Run("sniffing", func(t *testing.T) {
		fw := &flushWriter{fakeWriter: newFakeWriter()}
		h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			_, _ = io.WriteString(w, page[:30])
			w.(http.Flusher).Flush()
			_, _ = io.WriteString(w, page[30:])
		})
		withSpan(sc, inject.Middleware()(h)).ServeHTTP(fw, httptest.NewRequest("GET", "/", nil))
		assert.Equal(t, "text/html; charset=utf-8", fw.header.Get("Content-Type"))
		assert.Equal(t, injected(sc), fw.body.String())
	})
	t.Run("through a wrapper with only Unwrap", func(t *testing.T) {
		fw := &flushWriter{fakeWriter: newFakeWriter()}
		h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = io.WriteString(w, page[:60])
			_, isFlusher := w.(http.Flusher)
			assert.False(t, isFlusher, "the wrapper has no Flush method")
			assert.NoError(t, http.NewResponseController(w).Flush())
			_, _ = io.WriteString(w, page[60:])
		})
		withSpan(sc, inject.Middleware()(h)).ServeHTTP(unwrapOnly{fw}, httptest.NewRequest("GET", "/", nil))
		assert.Equal(t, 1, fw.flushes)
		assert.Equal(t, injected(sc), fw.body.String())
	})
	t.Run("not supported", func(t *testing.T) {
		w := newFakeWriter()
		h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = io.WriteString(w, page[:16])
			err := http.NewResponseController(w).Flush()
			assert.ErrorIs(t, err, http.ErrNotSupported)
			_, _ = io.WriteString(w, page[16:])
		})
		withSpan(sc, inject.Middleware()(h)).ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
		assert.Equal(t, injected(sc), w.body.String())
	})
}

// unwrapOnly is a ResponseWriter wrapper that reaches the optional
// interfaces of the writer it wraps only through Unwrap, as
// http.ResponseController expects.
type unwrapOnly struct{ rw http.ResponseWriter }

func (u unwrapOnly) Header() http.Header         { return u.rw.Header() }
func (u unwrapOnly) Write(p []byte) (int, error) { return u.rw.Write(p) }
func (u unwrapOnly) WriteHeader(code int)        { u.rw.WriteHeader(code) }
func (u unwrapOnly) Unwrap() http.ResponseWriter { return u.rw }

// TestMiddlewareInterfaces checks that the handler's ResponseWriter has
// Flusher and Hijacker exactly when the wrapped one does.
func TestMiddlewareInterfaces(t *testing.T) {
	tests := []struct {
		name        string
		w           http.ResponseWriter
		flush, hijk bool
	}{
		{name: "neither", w: newFakeWriter()},
		{name: "flusher", w: &flushWriter{fakeWriter: newFakeWriter()}, flush: true},
		{name: "hijacker", w: &hijackWriter{fakeWriter: newFakeWriter()}, hijk: true},
		{name: "both", w: &flushHijackWriter{&flushWriter{fakeWriter: newFakeWriter()}, &hijackWriter{fakeWriter: newFakeWriter()}}, flush: true, hijk: true},
		{name: "recorder", w: httptest.NewRecorder(), flush: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inject.Middleware()(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				_, f := w.(http.Flusher)
				_, h := w.(http.Hijacker)
				assert.Equal(t, tt.flush, f, "http.Flusher")
				assert.Equal(t, tt.hijk, h, "http.Hijacker")
				assert.Implements(t, (*io.ReaderFrom)(nil), w)
				assert.Implements(t, (*io.StringWriter)(nil), w)
				u, ok := w.(interface{ Unwrap() http.ResponseWriter })
				require.True(t, ok, "Unwrap")
				assert.Same(t, any(tt.w), any(u.Unwrap()))
			})).ServeHTTP(tt.w, httptest.NewRequest("GET", "/", nil))
		})
	}
}

// TestMiddlewareHijack checks that a hijacked response is left alone, and
// that what was written before goes out first, as in net/http.
func TestMiddlewareHijack(t *testing.T) {
	server, client := net.Pipe()
	defer client.Close()
	hw := &hijackWriter{fakeWriter: newFakeWriter(), conn: server}
	var s skips
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		require.NoError(t, err)
		_ = conn.Close()
		_, err = w.Write([]byte("x"))
		assert.ErrorIs(t, err, http.ErrHijacked)
	})
	inject.Middleware(inject.WithSkipHook(s.hook))(h).ServeHTTP(hw, httptest.NewRequest("GET", "/", nil))
	assert.Empty(t, hw.codes)
	assert.Equal(t, []inject.Reason{inject.ReasonHijacked}, s.get())

	t.Run("101", func(t *testing.T) {
		w := newFakeWriter()
		var s skips
		h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Upgrade", "x")
			w.WriteHeader(http.StatusSwitchingProtocols)
		})
		inject.Middleware(inject.WithSkipHook(s.hook))(h).ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
		assert.Equal(t, []int{http.StatusSwitchingProtocols}, w.codes)
		assert.Equal(t, []inject.Reason{inject.ReasonHijacked}, s.get())
	})
}

// TestMiddlewareReadFrom checks that ReadFrom goes through the rewriter, and
// that io.Copy onto the ResponseWriter does not recurse.
func TestMiddlewareReadFrom(t *testing.T) {
	sc := testSpan(1)
	for _, tt := range []struct {
		name string
		src  func() io.Reader
	}{
		{name: "reader", src: func() io.Reader { return strings.NewReader(page) }},
		{name: "one byte reads", src: func() io.Reader { return &oneByteReader{s: page} }},
		{name: "limited", src: func() io.Reader { return io.LimitReader(strings.NewReader(page+"tail"), int64(len(page))) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				w.Header().Set("Content-Length", strconv.Itoa(len(page)))
				n, err := io.Copy(w, tt.src())
				assert.NoError(t, err)
				assert.Equal(t, int64(len(page)), n)
			})
			got := serve(t, h, httptest.NewRequest("GET", "/", nil))
			assert.Equal(t, injected(sc), got.Body.String())
			assert.Equal(t, strconv.Itoa(len(injected(sc))), got.Header().Get("Content-Length"))
		})
	}
}

// readFromWriter is a ResponseWriter with a ReadFrom, as net/http's is
// (sendfile), which counts the body bytes written before its first
// ReadFrom (see readerFromDst).
type readFromWriter struct {
	readerFromDst
	header http.Header
}

func (w *readFromWriter) Header() http.Header { return w.header }
func (w *readFromWriter) WriteHeader(int)     {}

// TestMiddlewareReadFromFirstRead checks that a page copied into the
// ResponseWriter by io.Copy (http.ServeFile) goes through the rewriter only
// until it decides, in a small first read: the rest goes to the wrapped
// writer's ReadFrom (sendfile on a connection), as without the middleware.
func TestMiddlewareReadFromFirstRead(t *testing.T) {
	sc := testSpan(1)
	long := page + strings.Repeat("<p>paragraph</p>\n", 5000)
	h := withSpan(sc, inject.Middleware()(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Length", strconv.Itoa(len(long)))
		_, err := io.CopyN(w, struct{ io.Reader }{strings.NewReader(long)}, int64(len(long)))
		assert.NoError(t, err)
	})))
	w := &readFromWriter{header: http.Header{}}
	h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	assert.Equal(t, strings.Replace(long, page, injected(sc), 1), w.String())
	assert.Equal(t, 1, w.readFroms, "the rest goes to the wrapped writer's ReadFrom")
	assert.LessOrEqual(t, w.written, 4<<10+len(injected(sc))-len(page), "bytes copied through the rewriter")
}

type oneByteReader struct{ s string }

func (r *oneByteReader) Read(p []byte) (int, error) {
	if r.s == "" {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	p[0] = r.s[0]
	r.s = r.s[1:]
	return 1, nil
}

// TestMiddlewareHandlerPanic checks that a panic of the handler reaches
// net/http unchanged and leaves the pool sound for the next request.
func TestMiddlewareHandlerPanic(t *testing.T) {
	mw := inject.Middleware()
	boom := mw(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, page[:20])
		panic(http.ErrAbortHandler)
	}))
	func() {
		defer func() { assert.Equal(t, http.ErrAbortHandler, recover()) }()
		boom.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	}()
	ok := withSpan(testSpan(2), mw(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, page)
	})))
	rec := httptest.NewRecorder()
	ok.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	assert.Equal(t, injected(testSpan(2)), rec.Body.String())
}

// TestMiddlewareAfterReturn checks that a ResponseWriter kept past its
// handler is the wrapped writer from then on: what is written goes out
// untouched, as without the middleware, and never into another response.
func TestMiddlewareAfterReturn(t *testing.T) {
	var kept http.ResponseWriter
	mw := inject.Middleware()
	h := withSpan(testSpan(1), mw(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		kept = w
		_, _ = io.WriteString(w, page)
	})))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	_, err := kept.Write([]byte("<late1>"))
	assert.NoError(t, err)
	_, err = io.WriteString(kept, "<late2>")
	assert.NoError(t, err)
	_, err = kept.(io.ReaderFrom).ReadFrom(strings.NewReader("<late3>"))
	assert.NoError(t, err)
	assert.NoError(t, http.NewResponseController(kept).Flush())
	assert.ErrorIs(t, kept.(http.Pusher).Push("/x", nil), http.ErrNotSupported)
	assert.Same(t, rec, kept.(interface{ Unwrap() http.ResponseWriter }).Unwrap())
	kept.Header().Set("X-After", "1")
	assert.Equal(t, "1", rec.Header().Get("X-After"), "the wrapped header map")
	assert.Equal(t, injected(testSpan(1))+"<late1><late2><late3>", rec.Body.String())

	// The views with Hijack reach the wrapped Hijack.
	for _, w := range []http.ResponseWriter{
		&hijackWriter{fakeWriter: newFakeWriter()},
		&flushHijackWriter{&flushWriter{fakeWriter: newFakeWriter()}, &hijackWriter{fakeWriter: newFakeWriter()}},
	} {
		mw(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { kept = w })).ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
		_, _, err = kept.(http.Hijacker).Hijack()
		assert.NoError(t, err, "the wrapped Hijack")
		if f, ok := kept.(http.Flusher); ok {
			f.Flush()
		}
	}
}

// TestMiddlewareErrorPageAfterReturn checks the way echo's WrapMiddleware
// uses a middleware: the handler returns an error without writing, and the
// framework writes the error page after the middleware returned. The page
// goes out with its status and body, as without the middleware.
func TestMiddlewareErrorPageAfterReturn(t *testing.T) {
	for _, plain := range []bool{true, false} {
		var w http.ResponseWriter
		app := http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) { w = rw })
		framework := http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			w = rw
			if !plain {
				withSpan(testSpan(1), inject.Middleware()(app)).ServeHTTP(rw, r)
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, page)
		})
		srv := httptest.NewServer(framework)
		resp, err := srv.Client().Get(srv.URL)
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		resp.Body.Close()
		srv.Close()
		assert.Equal(t, http.StatusNotFound, resp.StatusCode, "plain %t", plain)
		assert.Equal(t, page, string(body), "plain %t", plain)
	}
}

// TestMiddlewareExactlyOnce checks the request's render.Once: a template
// that renders the tags first wins, and the middleware claims it when it
// inserts first.
func TestMiddlewareExactlyOnce(t *testing.T) {
	sc := testSpan(1)
	t.Run("template first", func(t *testing.T) {
		var s skips
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			require.True(t, render.Claim(r.Context()))
			_, _ = io.WriteString(w, injected(sc))
		})
		got := serve(t, h, httptest.NewRequest("GET", "/", nil), inject.WithSkipHook(s.hook))
		assert.Equal(t, injected(sc), got.Body.String())
		assert.Equal(t, []inject.Reason{inject.ReasonAlreadyRendered}, s.get())
	})
	t.Run("middleware first", func(t *testing.T) {
		var claimed bool
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = io.WriteString(w, page[:60])
			_, _ = io.WriteString(w, page[60:])
			claimed = render.Claim(r.Context())
		})
		got := serve(t, h, httptest.NewRequest("GET", "/", nil))
		assert.Equal(t, injected(sc), got.Body.String())
		assert.False(t, claimed)
	})
	t.Run("context carries the Once", func(t *testing.T) {
		h := http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
			o := render.OnceFromContext(r.Context())
			require.NotNil(t, o)
			assert.Same(t, o, render.OnceFromContext(r.Context()))
			_, ok := tracecontext.FromContext(r.Context())
			assert.True(t, ok, "parent values still found")
			assert.Nil(t, r.Context().Value("other"))
			assert.Contains(t, r.Context().(interface{ String() string }).String(), "render.Once")
		})
		serve(t, h, httptest.NewRequest("GET", "/", nil))
	})
}

// TestMiddlewareLazyTags checks that the tags name the span active when the
// page reaches <head>, not when the request arrived.
func TestMiddlewareLazyTags(t *testing.T) {
	type holder struct{ sc tracecontext.SpanContext }
	type key struct{}
	src := tracecontext.SourceFunc(func(ctx context.Context) (tracecontext.SpanContext, bool) {
		h, _ := ctx.Value(key{}).(*holder)
		return h.sc, h != nil && h.sc.IsValid()
	})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Context().Value(key{}).(*holder).sc = testSpan(7)
		_, _ = io.WriteString(w, page)
	})
	outer := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inject.Middleware(inject.WithSource(src))(h).ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), key{}, &holder{})))
	})
	rec := httptest.NewRecorder()
	outer.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	assert.Equal(t, injected(testSpan(7)), rec.Body.String())
}

// TestMiddlewareRecovers checks that a failure inside the injector (here a
// Source that panics at the insertion point) passes the response through
// byte for byte, and is logged.
func TestMiddlewareRecovers(t *testing.T) {
	src := tracecontext.SourceFunc(func(context.Context) (tracecontext.SpanContext, bool) { panic("source broke") })
	for _, tt := range []struct {
		name  string
		flush bool
	}{{name: "headers held"}, {name: "headers sent", flush: true}} {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			var s skips
			fw := &flushWriter{fakeWriter: newFakeWriter()}
			h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				w.Header().Set("Content-Length", strconv.Itoa(len(page)))
				_, err := io.WriteString(w, page[:10])
				require.NoError(t, err)
				if tt.flush {
					w.(http.Flusher).Flush()
				}
				_, err = io.WriteString(w, page[10:])
				require.NoError(t, err)
			})
			logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			inject.Middleware(inject.WithSource(src), inject.WithLogger(logger), inject.WithSkipHook(s.hook))(h).
				ServeHTTP(fw, httptest.NewRequest("GET", "/", nil))
			assert.Equal(t, page, fw.body.String())
			assert.Equal(t, []inject.Reason{inject.ReasonFailed}, s.get())
			assert.Contains(t, logs.String(), "source broke")
			assert.Contains(t, logs.String(), "level=WARN")
			if !tt.flush {
				assert.Equal(t, strconv.Itoa(len(page)), fw.header.Get("Content-Length"))
			}
		})
	}
}

// TestMiddlewareLogger checks the debug record of a skipped response.
func TestMiddlewareLogger(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h := responseCase{header: map[string]string{"Content-Type": "application/json"}, body: "{}"}.handler()
	serve(t, h, httptest.NewRequest("GET", "/api", nil), inject.WithLogger(logger))
	assert.Contains(t, logs.String(), "level=DEBUG")
	assert.Contains(t, logs.String(), "reason="+inject.ReasonContentType.String())
	assert.Contains(t, logs.String(), "path=/api")

	logs.Reset()
	quiet := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	serve(t, h, httptest.NewRequest("GET", "/api", nil), inject.WithLogger(quiet))
	assert.Empty(t, logs.String())
}

// TestMiddlewareServerTiming checks the optional Server-Timing header.
func TestMiddlewareServerTiming(t *testing.T) {
	sc := testSpan(1)
	h := responseCase{header: map[string]string{"Content-Type": "text/html"}, body: page}.handler()
	got := serve(t, h, httptest.NewRequest("GET", "/", nil), inject.WithServerTiming(true))
	assert.Equal(t, string(render.New().AppendServerTiming(nil, sc)), got.Header().Get("Server-Timing"))
	assert.Contains(t, got.Header().Get("Server-Timing"), sc.TraceID.String())
	assert.Equal(t, injected(sc), got.Body.String())

	got = serve(t, h, httptest.NewRequest("GET", "/", nil))
	assert.Empty(t, got.Header().Get("Server-Timing"), "off by default")

	cached := responseCase{header: map[string]string{"Content-Type": "text/html", "Cache-Control": "public"}, body: page}.handler()
	got = serve(t, cached, httptest.NewRequest("GET", "/", nil), inject.WithServerTiming(true))
	assert.Empty(t, got.Header().Get("Server-Timing"), "never on a cacheable response")
}

// TestMiddlewareOptions checks WithRender and WithCachePolicy.
func TestMiddlewareOptions(t *testing.T) {
	sc := testSpan(1)
	h := responseCase{header: map[string]string{"Content-Type": "text/html", "Cache-Control": "public, max-age=60"}, body: page}.handler()
	got := serve(t, h, httptest.NewRequest("GET", "/", nil),
		inject.WithRender(render.WithFormats(render.Traceparent)),
		inject.WithCachePolicy(func(http.Header) bool { return false }))
	want := strings.Replace(page, "<title>", string(render.New(render.WithFormats(render.Traceparent)).AppendMetaTags(nil, sc))+"<title>", 1)
	assert.Equal(t, want, got.Body.String())

	got = serve(t, h, httptest.NewRequest("GET", "/", nil), inject.WithCachePolicy(nil))
	assert.Equal(t, page, got.Body.String(), "nil restores the default policy")
}

// TestMiddlewareHostileValues checks that baggage values that try to close
// the attribute never produce markup: parsed back, the page has its own
// elements and exactly the metas, holding the values verbatim.
func TestMiddlewareHostileValues(t *testing.T) {
	sc := testSpan(3)
	hostile := `"><script>alert(1)</script><meta name="sentry-trace" content="x`
	sc.DSC.Release = hostile
	sc.DSC.Environment = `'/><script>`
	h := responseCase{header: map[string]string{"Content-Type": "text/html"}, body: page}.handler()
	rec := httptest.NewRecorder()
	withSpan(sc, inject.Middleware()(h)).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	metas, scripts := metaContents(t, rec.Body.String())
	assert.Zero(t, scripts)
	require.Len(t, metas["sentry-trace"], 1)
	assert.Equal(t, sc.SentryTrace(), metas["sentry-trace"][0])
	require.Len(t, metas["baggage"], 1)
	assert.Contains(t, metas["baggage"][0], "sentry-trace_id="+sc.TraceID.String())
}

// TestMiddlewareAllocs checks the cost per request beyond the bare handler:
// the handle and the request copy; nothing more for a new Content-Length
// value of a page served again (the middleware keeps the values it
// formatted); two more for a sniffed Content-Type, which the middleware must write into
// the header map (a slice, and the map's first entry) where net/http would
// have kept it out of the map.
//
// Under -race, sync.Pool drops items at random, so the count is only logged;
// run it without -race (go test -run TestMiddlewareAllocs -v ./inject).
func TestMiddlewareAllocs(t *testing.T) {
	body := []byte(page)
	length := strconv.Itoa(len(page))
	tests := []struct {
		name   string
		header func(h http.Header)
		want   float64
	}{
		{name: "text/html", header: func(h http.Header) { h["Content-Type"] = contentTypeHTML }, want: 2},
		{name: "Content-Length", header: func(h http.Header) {
			h["Content-Type"] = contentTypeHTML
			h["Content-Length"] = []string{length}
		}, want: 2},
		{name: "sniffed", header: func(http.Header) {}, want: 4},
	}
	sc := testSpan(1)
	req := httptest.NewRequest("GET", "/", nil).WithContext(tracecontext.NewContext(context.Background(), sc))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bare := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				tt.header(w.Header())
				_, _ = w.Write(body)
			})
			w := &discardWriter{}
			measure := func(h http.Handler) float64 {
				return testing.AllocsPerRun(200, func() {
					w.n = 0
					w.header = http.Header{}
					h.ServeHTTP(w, req)
				})
			}
			base := measure(bare)
			got := measure(inject.Middleware()(bare))
			require.Equal(t, len(injected(sc)), w.n, "the measured request was rewritten")
			t.Logf("allocations per request: bare %.0f, with the middleware %.0f", base, got)
			if raceEnabled {
				t.Log("not checked under -race: sync.Pool drops items at random")
				return
			}
			assert.LessOrEqual(t, got-base, tt.want)
		})
	}
}

var contentTypeHTML = []string{"text/html; charset=utf-8"}

// discardWriter is a ResponseWriter that keeps nothing, for allocation
// counts.
type discardWriter struct {
	header http.Header
	n      int
}

func (d *discardWriter) Header() http.Header         { return d.header }
func (d *discardWriter) Write(p []byte) (int, error) { d.n += len(p); return len(p), nil }
func (d *discardWriter) WriteHeader(int)             {}
func (d *discardWriter) Flush()                      {}

// BenchmarkMiddleware measures one request through the middleware against
// the bare handler.
func BenchmarkMiddleware(b *testing.B) {
	body := []byte(page)
	bare := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header()["Content-Type"] = contentTypeHTML
		_, _ = w.Write(body)
	})
	req := httptest.NewRequest("GET", "/", nil).WithContext(tracecontext.NewContext(context.Background(), testSpan(1)))
	for _, bc := range []struct {
		name string
		h    http.Handler
	}{{"bare", bare}, {"middleware", inject.Middleware()(bare)}} {
		b.Run(bc.name, func(b *testing.B) {
			w := &discardWriter{header: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				bc.h.ServeHTTP(w, req)
			}
		})
	}
}

// TestMiddlewareLongPrologue checks a page whose insertion point comes after
// more than the middleware holds: the headers go out without Content-Length,
// and the tags still arrive.
func TestMiddlewareLongPrologue(t *testing.T) {
	long := "<!--" + strings.Repeat("x", 40<<10) + "-->" + page
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Length", strconv.Itoa(len(long)))
		w.Header().Set("Etag", `"v"`)
		_, err := io.WriteString(w, long)
		assert.NoError(t, err)
	})
	got := serve(t, h, httptest.NewRequest("GET", "/", nil))
	assert.Equal(t, strings.Replace(long, "<title>", tagsFor(testSpan(1))+"<title>", 1), got.Body.String())
	assert.Empty(t, got.Header().Get("Content-Length"))
	assert.Empty(t, got.Header().Get("Etag"))
}

// stuckReader returns no data and no error, forever.
type stuckReader struct{}

func (stuckReader) Read([]byte) (int, error) { return 0, nil }

// errReader fails after its data.
type errReader struct{ data string }

var errRead = errors.New("read failed")

func (e *errReader) Read(p []byte) (int, error) {
	if e.data == "" {
		return 0, errRead
	}
	n := copy(p, e.data)
	e.data = e.data[n:]
	return n, nil
}

// TestMiddlewareReadFromHostile checks ReadFrom against readers that stall
// or fail, before and after the decision.
func TestMiddlewareReadFromHostile(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		rf := w.(io.ReaderFrom)
		_, err := rf.ReadFrom(stuckReader{})
		assert.ErrorIs(t, err, io.ErrNoProgress)
		n, err := rf.ReadFrom(&errReader{data: page[:50]})
		assert.ErrorIs(t, err, errRead)
		assert.Equal(t, int64(50), n)
		n, err = rf.ReadFrom(&errReader{data: page[50:]})
		assert.ErrorIs(t, err, errRead)
		assert.Equal(t, int64(len(page)-50), n)
	})
	got := serve(t, h, httptest.NewRequest("GET", "/", nil))
	assert.Equal(t, injected(testSpan(1)), got.Body.String())
}

// TestMiddlewareWriteString checks WriteString in every phase, with and
// without a declared length.
func TestMiddlewareWriteString(t *testing.T) {
	for _, declared := range []bool{false, true} {
		h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			if declared {
				w.Header().Set("Content-Length", strconv.Itoa(len(page)))
			}
			sw := w.(io.StringWriter)
			_, err := sw.WriteString(page[:20])
			require.NoError(t, err)
			_, err = sw.WriteString(page[20:])
			require.NoError(t, err)
			if declared {
				_, err = sw.WriteString("x")
				assert.ErrorIs(t, err, http.ErrContentLength)
			}
		})
		got := serve(t, h, httptest.NewRequest("GET", "/", nil))
		assert.Equal(t, injected(testSpan(1)), got.Body.String())
	}
}

// TestMiddlewareHijackAfterWrites checks that what the handler wrote before
// hijacking goes out first, as net/http does, in each phase.
func TestMiddlewareHijackAfterWrites(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
		body        string
		want        string
	}{
		{name: "sniffing", body: "<p>x", want: "<p>x"},
		{name: "scanning", contentType: "text/html", body: "<!DOCTYPE html>", want: "<!DOCTYPE html>"},
		{name: "passing through", contentType: "text/plain", body: "plain", want: "plain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			server, client := net.Pipe()
			defer client.Close()
			hw := &hijackWriter{fakeWriter: newFakeWriter(), conn: server}
			var bodyAtHijack string
			h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				if tt.contentType != "" {
					w.Header().Set("Content-Type", tt.contentType)
				}
				_, err := io.WriteString(w, tt.body)
				require.NoError(t, err)
				conn, _, err := w.(http.Hijacker).Hijack()
				require.NoError(t, err)
				bodyAtHijack = hw.body.String()
				_ = conn.Close()
				_, err = w.(io.ReaderFrom).ReadFrom(strings.NewReader("late"))
				assert.ErrorIs(t, err, http.ErrHijacked)
			})
			withSpan(testSpan(1), inject.Middleware()(h)).ServeHTTP(hw, httptest.NewRequest("GET", "/", nil))
			assert.Equal(t, []int{200}, hw.codes)
			assert.Equal(t, tt.want, bodyAtHijack)
			assert.Equal(t, tt.want, hw.body.String())
		})
	}
}

// failingWriter is a ResponseWriter whose connection broke after limit
// bytes.
type failingWriter struct {
	fakeWriter
	limit int
}

var errBroken = errors.New("connection broke")

func (f *failingWriter) Write(p []byte) (int, error) {
	if f.body.Len()+len(p) > f.limit {
		n := f.limit - f.body.Len()
		f.body.Write(p[:n])
		return n, errBroken
	}
	return f.body.Write(p)
}

// TestMiddlewareWriteErrors checks that errors of the wrapped writer reach
// the handler, and those after it returned reach the logger.
func TestMiddlewareWriteErrors(t *testing.T) {
	t.Run("while the handler writes", func(t *testing.T) {
		w := &failingWriter{fakeWriter: *newFakeWriter(), limit: 10}
		h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			_, err := io.WriteString(w, page)
			assert.ErrorIs(t, err, errBroken)
		})
		withSpan(testSpan(1), inject.Middleware()(h)).ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
		assert.Equal(t, page[:10], w.body.String())
	})
	t.Run("after the handler returned", func(t *testing.T) {
		var logs bytes.Buffer
		logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		w := &failingWriter{fakeWriter: *newFakeWriter(), limit: 10}
		h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			_, err := io.WriteString(w, "<!DOCTYPE html><html>") // held: no insertion point yet
			assert.NoError(t, err)
		})
		withSpan(testSpan(1), inject.Middleware(inject.WithLogger(logger))(h)).ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
		assert.Contains(t, logs.String(), errBroken.Error())
		assert.Equal(t, []int{200}, w.codes)
	})
}

// TestMiddlewareNested checks that two layers of the middleware (one on the
// router, one on a route) insert one set of tags between them.
func TestMiddlewareNested(t *testing.T) {
	var outer, inner skips
	h := inject.Middleware(inject.WithSkipHook(outer.hook))(
		inject.Middleware(inject.WithSkipHook(inner.hook))(pageHandler(true, 9)))
	got := serve(t, h, httptest.NewRequest("GET", "/", nil))
	assert.Equal(t, injected(testSpan(1)), got.Body.String())
	assert.Equal(t, strconv.Itoa(len(injected(testSpan(1)))), got.Header().Get("Content-Length"))
	assert.Empty(t, inner.get())
	assert.Equal(t, []inject.Reason{inject.ReasonAlreadyRendered}, outer.get())
}

// pusher is a fakeWriter that can push.
type pusher struct {
	*fakeWriter
	targets []string
}

func (p *pusher) Push(target string, _ *http.PushOptions) error {
	p.targets = append(p.targets, target)
	return nil
}

// TestMiddlewarePush checks that Push reaches a wrapped writer that pushes,
// and says ErrNotSupported otherwise.
func TestMiddlewarePush(t *testing.T) {
	p := &pusher{fakeWriter: newFakeWriter()}
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		assert.NoError(t, w.(http.Pusher).Push("/app.css", nil))
	})
	inject.Middleware()(h).ServeHTTP(p, httptest.NewRequest("GET", "/", nil))
	assert.Equal(t, []string{"/app.css"}, p.targets)

	h = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		assert.ErrorIs(t, w.(http.Pusher).Push("/app.css", nil), http.ErrNotSupported)
	})
	inject.Middleware()(h).ServeHTTP(newFakeWriter(), httptest.NewRequest("GET", "/", nil))
}

// TestMiddlewareWarnsOnceOnInnerCompression checks the warning that names
// the fix when a compression layer sits inside the middleware.
func TestMiddlewareWarnsOnceOnInnerCompression(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	h := withSpan(testSpan(1), inject.Middleware(inject.WithLogger(logger))(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = io.WriteString(w, "\x1f\x8b compressed")
	})))
	for range 3 {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	}
	assert.Equal(t, 1, strings.Count(logs.String(), "level=WARN"), logs.String())
	assert.Contains(t, logs.String(), "outside")
	assert.Contains(t, logs.String(), "content_encoding=gzip")
}

// gzipOutside is a compression middleware of the kind that sets
// Content-Encoding before it calls its next handler, and compresses what
// comes out of it.
func gzipOutside(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Del("Content-Length")
		gz := gzip.NewWriter(w)
		defer gz.Close()
		next.ServeHTTP(&gzipWriter{ResponseWriter: w, gz: gz}, r)
	})
}

// TestMiddlewareOuterEncoding checks that a Content-Encoding an outer layer
// set before the middleware ran is that layer's: the page gets the tags,
// compressed by it. One the handler sets is the handler's own.
func TestMiddlewareOuterEncoding(t *testing.T) {
	srv := httptest.NewServer(gzipOutside(withSpan(testSpan(1), inject.Middleware()(pageHandler(true, 16)))))
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL, nil)
	req.Header.Set("Accept-Encoding", "gzip") // so the client does not decode it itself
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, "gzip", resp.Header.Get("Content-Encoding"))
	zr, err := gzip.NewReader(resp.Body)
	require.NoError(t, err)
	body, err := io.ReadAll(zr)
	require.NoError(t, err)
	assert.Equal(t, injected(testSpan(1)), string(body))

	// The handler's own encoding: passed through.
	var s skips
	h := withSpan(testSpan(1), inject.Middleware(inject.WithSkipHook(s.hook))(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "br")
		_, _ = io.WriteString(w, "\x8b\x03\x80compressed")
	})))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	assert.Equal(t, []inject.Reason{inject.ReasonContentEncoding}, s.get())
}

// TestMiddlewareStringsCostNoCopy checks that a page written with
// WriteString, or copied from a strings.Reader (whose WriteTo writes
// strings), is never copied whole into a []byte: the bytes allocated per
// request stay far below the page's size.
func TestMiddlewareStringsCostNoCopy(t *testing.T) {
	// Under -race, sync.Pool drops a quarter of what it is given, so a read
	// buffer (32 KiB) is allocated now and then: the bound is looser, but a
	// copy of the whole page still goes past it.
	bound := uint64(8 << 10)
	if raceEnabled {
		bound = 60 << 10
	}
	big := strings.Replace(page, "<p>hello</p>", strings.Repeat("<p>hello</p>", 10000), 1) // ~120 KB
	for name, write := range map[string]func(w http.ResponseWriter){
		"WriteString": func(w http.ResponseWriter) { _, _ = io.WriteString(w, big) },
		"ReadFrom":    func(w http.ResponseWriter) { _, _ = io.Copy(w, strings.NewReader(big)) },
	} {
		t.Run(name, func(t *testing.T) {
			h := withSpan(testSpan(1), inject.Middleware()(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header()["Content-Type"] = contentTypeHTML
				write(w)
			})))
			req := httptest.NewRequest("GET", "/", nil)
			w := &discardStringWriter{discardWriter{header: http.Header{}}}
			h.ServeHTTP(w, req) // warm the pools
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			const runs = 20
			for range runs {
				clear(w.header)
				w.n = 0
				h.ServeHTTP(w, req)
			}
			runtime.ReadMemStats(&after)
			perRequest := (after.TotalAlloc - before.TotalAlloc) / runs
			t.Logf("%d bytes allocated per request for a %d-byte page", perRequest, len(big))
			assert.Less(t, perRequest, bound)
			assert.Equal(t, len(injected(testSpan(1)))-len(page)+len(big), w.n)
		})
	}
}

// discardStringWriter is a discardWriter with WriteString, as net/http's
// ResponseWriter has.
type discardStringWriter struct{ discardWriter }

func (d *discardStringWriter) WriteString(s string) (int, error) { d.n += len(s); return len(s), nil }
