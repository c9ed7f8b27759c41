package injectfasthttp_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/valyala/fasthttp"

	"github.com/tracemeta/tracemeta/inject"
	injectfasthttp "github.com/tracemeta/tracemeta/inject/fasthttp"
	"github.com/tracemeta/tracemeta/inject/internal/conformance"
	"github.com/tracemeta/tracemeta/templates"
	"github.com/tracemeta/tracemeta/tracecontext"
)

const (
	upstreamTrace = "771a43a4192642f0b136d5159a501700"
	upstreamSpan  = "a1b2c3d4e5f60718"
)

// seen records the span each request's handler found with
// injectfasthttp.Context.
type seen struct {
	mu    sync.Mutex
	spans map[string]tracecontext.SpanContext
}

func (s *seen) record(fctx *fasthttp.RequestCtx) {
	sc, ok := tracecontext.FromContext(injectfasthttp.Context(fctx))
	if ok {
		s.mu.Lock()
		s.spans[string(fctx.Path())] = sc
		s.mu.Unlock()
	}
}

func (s *seen) span(path string) (tracecontext.SpanContext, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sc, ok := s.spans[path]
	return sc, ok
}

// ownTags is a page that renders the tags itself with templates' traceMeta.
var ownTags = template.Must(template.New("own").Funcs(templates.FuncMap()).Parse(
	strings.Replace(page, "<title>", "{{traceMeta .}}<title>", 1)))

// pages serves page in the ways fasthttp writes a body, and records the
// span each handler sees.
func pages(s *seen) fasthttp.RequestHandler {
	return func(fctx *fasthttp.RequestCtx) {
		s.record(fctx)
		switch string(fctx.Path()) {
		case "/set":
			fctx.SetContentType("text/html; charset=utf-8")
			fctx.SetBodyString(page)
		case "/stream":
			fctx.SetContentType("text/html")
			fctx.SetBodyStream(strings.NewReader(page), len(page))
		case "/writer":
			fctx.SetContentType("text/html")
			fctx.SetBodyStreamWriter(func(w *bufio.Writer) { _, _ = w.WriteString(page) })
		case "/own":
			// A page that renders the tags itself, with the request's
			// context.
			fctx.SetContentType("text/html")
			if err := ownTags.Execute(fctx, injectfasthttp.Context(fctx)); err != nil {
				fctx.Error(err.Error(), fasthttp.StatusInternalServerError)
			}
		case "/json":
			fctx.SetContentType("application/json")
			fctx.SetBodyString(`{"head":"<head>"}`)
		case "/validators":
			fctx.SetContentType("text/html")
			fctx.Response.Header.Set("ETag", `"v1"`)
			fctx.Response.Header.Set("Last-Modified", "Mon, 02 Jan 2006 15:04:05 GMT")
			fctx.Response.Header.Set("X-Custom", "kept")
			fctx.Response.Header.Add("X-Multi", "1")
			fctx.Response.Header.Add("X-Multi", "2")
			c := fasthttp.AcquireCookie()
			defer fasthttp.ReleaseCookie(c)
			for _, k := range []string{"a", "b"} {
				c.SetKey(k)
				c.SetValue("1")
				fctx.Response.Header.SetCookie(c)
			}
			fctx.SetBodyString(page)
		default:
			fctx.Error("not found", fasthttp.StatusNotFound)
		}
	}
}

// TestMiddleware checks the pages a plain fasthttp server serves behind
// Middleware: the tags go into every HTML page, whichever way it is
// written, and name the span its handler found with Context, continued
// from the incoming trace; everything else passes through.
func TestMiddleware(t *testing.T) {
	t.Parallel()
	s := &seen{spans: map[string]tracecontext.SpanContext{}}
	base := serveFast(t, injectfasthttp.Middleware(pages(s), inject.WithTraceContext(
		tracecontext.WithSampleRate(1),
		tracecontext.WithPublicKey("pk"),
	)))
	tests := []struct {
		name   string
		path   string
		header http.Header
		trace  string // the trace id the tags must name; "" for a new one
	}{
		{name: "set whole", path: "/set"},
		{name: "stream", path: "/stream", trace: upstreamTrace,
			header: http.Header{"Sentry-Trace": {upstreamTrace + "-" + upstreamSpan + "-1"}, "Baggage": {"sentry-trace_id=" + upstreamTrace}}},
		{name: "stream writer", path: "/writer", trace: upstreamTrace,
			header: http.Header{"Traceparent": {"00-" + upstreamTrace + "-" + upstreamSpan + "-01"}}},
		{name: "own tags", path: "/own"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := conformance.Do(t, http.MethodGet, base+tt.path, tt.header)
			require.Equal(t, http.StatusOK, got.Status)
			sc := conformance.TagSpan(t, got.Body)
			handler, ok := s.span(tt.path)
			require.True(t, ok, "the handler found the trace with Context")
			assert.Equal(t, handler.SentryTrace(), sc.SentryTrace(), "the tags name the handler's span")
			if tt.trace != "" {
				assert.Equal(t, tt.trace, sc.TraceID.String())
				assert.Equal(t, upstreamSpan, handler.ParentSpanID.String())
			}
			if tt.header == nil { // a new trace's baggage, not the upstream's
				assert.Contains(t, conformance.MetaTags(t, got.Body)["baggage"][0], "sentry-public_key=pk")
			}
			if tt.path != "/own" {
				rest, ok := conformance.WithoutTags(got.Body)
				require.True(t, ok)
				assert.Equal(t, page, rest, "every other byte as written")
			}
		})
	}
	t.Run("passed through", func(t *testing.T) {
		// Not in parallel with the cases above: it requests their paths
		// too, and the handler's span of a path is the last request's.
		for _, tt := range []struct {
			method, path string
			header       http.Header
			status       int
			body         string
		}{
			{http.MethodGet, "/json", nil, http.StatusOK, `{"head":"<head>"}`},
			{http.MethodGet, "/set", http.Header{"Hx-Request": {"true"}}, http.StatusOK, page},
			{http.MethodGet, "/stream", http.Header{"Sec-Fetch-Dest": {"empty"}}, http.StatusOK, page},
			{http.MethodGet, "/missing", nil, http.StatusNotFound, "not found"},
			{http.MethodHead, "/set", nil, http.StatusOK, ""},
		} {
			got := conformance.Do(t, tt.method, base+tt.path, tt.header)
			assert.Equal(t, tt.status, got.Status, "%s %s", tt.method, tt.path)
			assert.Equal(t, tt.body, got.Body, "%s %s", tt.method, tt.path)
		}
	})
}

// TestHeaders checks what the middleware changes in the headers of a
// rewritten page, and that the rest stays: the validators go (the tags
// belong to this request), the cookies and the other headers stay.
func TestHeaders(t *testing.T) {
	t.Parallel()
	base := serveFast(t, injectfasthttp.Middleware(pages(&seen{spans: map[string]tracecontext.SpanContext{}})))
	got := conformance.Do(t, http.MethodGet, base+"/validators", nil)
	conformance.TagSpan(t, got.Body)
	assert.Empty(t, got.Header.Values("ETag"))
	assert.Empty(t, got.Header.Values("Last-Modified"))
	assert.Len(t, got.Header.Values("Set-Cookie"), 2)
	assert.Equal(t, "kept", got.Header.Get("X-Custom"))
	assert.Equal(t, []string{"1", "2"}, got.Header.Values("X-Multi"))
	assert.Equal(t, "text/html", got.Header.Get("Content-Type"))
}

// TestSourceInFront checks Middleware behind a tracing SDK, whose Source is
// given with inject.WithSource, or with the deprecated options: it leaves
// the trace to the SDK, and the tags name its span. Given inject's options
// without a Source, it continues the trace itself.
func TestSourceInFront(t *testing.T) {
	t.Parallel()
	sdk := tracecontext.Continue(nil)
	src := tracecontext.SourceFunc(func(context.Context) (tracecontext.SpanContext, bool) { return sdk, true })
	tests := []struct {
		name string
		opts []inject.Option
		old  []injectfasthttp.Option // the same with the deprecated options
		own  bool                    // the middleware continues a trace of its own
	}{
		{"inject.WithSource", []inject.Option{inject.WithSource(src)},
			[]injectfasthttp.Option{injectfasthttp.WithSource(src)}, false},
		{"inject.WithSource among others", []inject.Option{inject.WithServerTiming(true), inject.WithSource(src), inject.WithLookahead(4096)},
			[]injectfasthttp.Option{injectfasthttp.WithInject(inject.WithServerTiming(true), inject.WithSource(src), inject.WithLookahead(4096))}, false},
		{"inject options, no Source", []inject.Option{inject.WithServerTiming(true), inject.WithSource(nil)},
			[]injectfasthttp.Option{injectfasthttp.WithInject(inject.WithServerTiming(true), inject.WithSource(nil))}, true},
	}
	for _, tt := range tests {
		for _, deprecated := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/deprecated=%v", tt.name, deprecated), func(t *testing.T) {
				s := &seen{spans: map[string]tracecontext.SpanContext{}}
				h := injectfasthttp.Middleware(pages(s), tt.opts...)
				if deprecated {
					h = deprecatedMiddleware(pages(s), tt.old...)
				}
				base := serveFast(t, h)
				got := conformance.Do(t, http.MethodGet, base+"/set", nil)
				if deprecated {
					// Context is Middleware's: the deprecated Adapter's
					// trace is seen in the tags alone.
					assert.Equal(t, !tt.own, sdk.SentryTrace() == conformance.TagSpan(t, got.Body).SentryTrace())
					return
				}
				own, ok := s.span("/set")
				require.Equal(t, tt.own, ok, "a trace of the middleware's own: %s", own.SentryTrace())
				if tt.own {
					assert.Equal(t, own.SentryTrace(), conformance.TagSpan(t, got.Body).SentryTrace())
					return
				}
				assert.Equal(t, sdk.SentryTrace(), conformance.TagSpan(t, got.Body).SentryTrace())
			})
		}
	}
}

// deprecatedMiddleware is Middleware as a framework built it with the
// deprecated Adapter.
func deprecatedMiddleware(next fasthttp.RequestHandler, opts ...injectfasthttp.Option) fasthttp.RequestHandler {
	a := injectfasthttp.NewAdapter(opts...)
	return func(fctx *fasthttp.RequestCtx) {
		r := injectfasthttp.NewRequest(fctx)
		ctx := a.RequestContext(context.Background(), r, false)
		next(fctx)
		_ = a.Rewrite(fctx, r.WithContext(ctx))
	}
}

// transaction stands for the span sentryfasthttp keeps in the request's
// user values: what Middleware reads of it is its Context.
type transaction struct{ ctx context.Context }

func (t *transaction) Context() context.Context { return t.ctx }

// spanKey is where the fake SDK of TestSentryFasthttpDetected keeps its span.
type spanKey struct{}

// TestSentryFasthttpDetected checks Middleware behind sentry-go's fasthttp
// integration: it finds the transaction sentryfasthttp keeps in the user
// values, continues no trace of its own, and the tags name the SDK's span,
// read from the transaction's context by the Source given.
func TestSentryFasthttpDetected(t *testing.T) {
	t.Parallel()
	sdk := tracecontext.Continue(nil)
	src := tracecontext.SourceFunc(func(ctx context.Context) (tracecontext.SpanContext, bool) {
		if sc, ok := ctx.Value(spanKey{}).(tracecontext.SpanContext); ok {
			return sc, ok
		}
		return tracecontext.ContextSource().SpanContext(ctx) // the SDK's own fallback
	})
	s := &seen{spans: map[string]tracecontext.SpanContext{}}
	h := injectfasthttp.Middleware(pages(s), inject.WithSource(src))
	for _, tt := range []struct {
		name  string
		value any
		sdk   bool
	}{
		{name: "transaction", value: &transaction{ctx: context.WithValue(context.Background(), spanKey{}, sdk)}, sdk: true},
		{name: "nil transaction", value: (*transaction)(nil)},
		{name: "something else", value: "x"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			base := serveFast(t, func(fctx *fasthttp.RequestCtx) {
				fctx.SetUserValue("sentry_transaction", tt.value) // where sentryfasthttp keeps it
				h(fctx)
			})
			for _, path := range []string{"/set", "/stream", "/own"} {
				got := conformance.Do(t, http.MethodGet, base+path, nil)
				sc := conformance.TagSpan(t, got.Body)
				if tt.sdk {
					assert.Equal(t, sdk.SentryTrace(), sc.SentryTrace(), path)
				} else {
					assert.NotEqual(t, sdk.TraceID, sc.TraceID, path)
				}
			}
		})
	}
	_, ok := s.span("/set")
	assert.True(t, ok, "a trace of its own without the transaction")
}

// TestRewriter checks the parts of Middleware used alone, as a framework
// on fasthttp uses them: NewRequest, a context with the trace, and
// Rewriter.Rewrite once the handler wrote the response.
func TestRewriter(t *testing.T) {
	t.Parallel()
	rw := injectfasthttp.NewRewriter(inject.WithSource(fixed), inject.WithServerTiming(true))
	base := serveFast(t, func(fctx *fasthttp.RequestCtx) {
		r := injectfasthttp.NewRequest(fctx)
		fctx.SetContentType("text/html")
		fctx.SetBodyString(page)
		if err := rw.Rewrite(fctx, r); err != nil {
			fctx.Error(err.Error(), fasthttp.StatusInternalServerError)
		}
	})
	got := conformance.Do(t, http.MethodGet, base+"/", nil)
	sc, _ := fixed.SpanContext(context.Background())
	assert.Equal(t, sc.SentryTrace(), conformance.TagSpan(t, got.Body).SentryTrace())
	assert.Contains(t, got.Header.Get("Server-Timing"), sc.TraceID.String())
}

// TestHijacked checks that Middleware leaves a hijacked connection alone.
func TestHijacked(t *testing.T) {
	t.Parallel()
	base := serveFast(t, injectfasthttp.Middleware(func(fctx *fasthttp.RequestCtx) {
		fctx.SetContentType("text/html")
		fctx.SetBodyString(page)
		fctx.HijackSetNoResponse(true)
		fctx.Hijack(func(c net.Conn) {
			_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 4\r\nConnection: close\r\n\r\nmine")
		})
	}))
	got := conformance.Do(t, http.MethodGet, base+"/", nil)
	assert.Equal(t, "mine", got.Body)
}

// TestLargeStream streams a page far larger than any buffer through
// Middleware: the tags go in, every byte arrives, and the memory the server
// allocates does not grow with the page.
func TestLargeStream(t *testing.T) {
	const size = 64 << 20
	chunk := strings.Repeat("<p>lorem ipsum dolor sit amet</p>\n", 1000)
	base := serveFast(t, injectfasthttp.Middleware(func(fctx *fasthttp.RequestCtx) {
		fctx.SetContentType("text/html")
		fctx.SetBodyStreamWriter(func(w *bufio.Writer) {
			_, _ = w.WriteString(page[:strings.Index(page, "<body>")])
			for n := 0; n < size; n += len(chunk) {
				if _, err := w.WriteString(chunk); err != nil {
					return
				}
			}
			_, _ = w.WriteString("</body></html>\n")
		})
	}))
	conformance.Do(t, http.MethodGet, base+"/large", nil) // warm the pools

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	resp, err := conformance.Client().Get(base + "/large")
	require.NoError(t, err)
	defer resp.Body.Close()
	head := make([]byte, 512)
	_, err = io.ReadFull(resp.Body, head)
	require.NoError(t, err)
	n, err := io.Copy(io.Discard, resp.Body)
	require.NoError(t, err)
	runtime.ReadMemStats(&after)

	assert.Contains(t, string(head), `<meta name="sentry-trace"`)
	assert.Greater(t, n, int64(size))
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("%d MiB streamed, %d KiB allocated", (n+512)>>20, allocated>>10)
	limit := uint64(4 << 20)
	if conformance.RaceEnabled {
		limit = size / 2 // pools drop buffers on purpose; still less than the page
	}
	assert.Less(t, allocated, limit, "allocations grow with the page")
}

// TestStreamErrors checks the error paths of a body stream: a stream that
// panics before the status is decided gets a 500; one that fails later
// ends the response early, as net/http aborts a handler, and is closed; a
// client that goes away ends the replay, and the stream is closed.
func TestStreamErrors(t *testing.T) {
	t.Parallel()
	broken := &conformance.ChunkedReader{Data: []byte(page[:len(page)/2]), N: 16, Err: errors.New("disk gone")}
	endless := &endlessReader{}
	panicking := &panickingReader{}
	base := serveFast(t, injectfasthttp.Middleware(func(fctx *fasthttp.RequestCtx) {
		fctx.SetContentType("text/html")
		switch string(fctx.Path()) {
		case "/broken":
			fctx.SetBodyStream(broken, -1)
		case "/endless":
			fctx.SetBodyStream(endless, -1)
		case "/panic":
			fctx.SetBodyStream(panicking, -1)
		}
	}))

	t.Run("a stream that panics", func(t *testing.T) {
		got := conformance.Do(t, http.MethodGet, base+"/panic", nil)
		assert.Equal(t, http.StatusInternalServerError, got.Status)
		assert.Equal(t, "Internal Server Error", got.Body, "no detail to the client")
		assert.True(t, panicking.closed.Load(), "the stream was closed")
	})
	t.Run("broken stream", func(t *testing.T) {
		resp, err := conformance.Client().Get(base + "/broken")
		require.NoError(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		require.ErrorIs(t, err, io.ErrUnexpectedEOF, "the response ends early")
		assert.Contains(t, string(body), `<meta name="sentry-trace"`)
		assert.True(t, broken.IsClosed(), "the stream was closed")
	})
	t.Run("client gone", func(t *testing.T) {
		resp, err := conformance.Client().Get(base + "/endless")
		require.NoError(t, err)
		head := make([]byte, 4096)
		_, err = io.ReadFull(resp.Body, head)
		require.NoError(t, err)
		assert.Contains(t, string(head), `<meta name="sentry-trace"`)
		require.NoError(t, resp.Body.Close())
		conformance.Client().CloseIdleConnections()
		assert.Eventually(t, endless.closed.Load, 10*time.Second, 10*time.Millisecond, "the stream was closed")
	})
}

// TestRewriteError checks the error Rewriter.Rewrite returns for a stream
// that panics before the status is decided.
func TestRewriteError(t *testing.T) {
	var fctx fasthttp.RequestCtx
	fctx.Request.SetRequestURI("/")
	fctx.Response.Header.SetContentType("text/html")
	fctx.SetBodyStream(&panickingReader{}, -1)
	err := injectfasthttp.NewRewriter().Rewrite(&fctx, injectfasthttp.NewRequest(&fctx))
	require.EqualError(t, err, "injectfasthttp: replaying the body stream: the disk caught fire")
}

// endlessReader is an HTML page that never ends.
type endlessReader struct {
	started bool
	closed  atomic.Bool
}

func (r *endlessReader) Read(p []byte) (int, error) {
	if r.closed.Load() {
		return 0, errors.New("read after close")
	}
	if !r.started {
		r.started = true
		return copy(p, "<!DOCTYPE html><html><head><title>endless</title></head><body>"), nil
	}
	return copy(p, strings.Repeat("<p>more</p>", len(p)/11+1)), nil
}

func (r *endlessReader) Close() error {
	r.closed.Store(true)
	return nil
}

// panickingReader panics on its first Read.
type panickingReader struct{ closed atomic.Bool }

func (r *panickingReader) Read([]byte) (int, error) { panic("the disk caught fire") }

func (r *panickingReader) Close() error {
	r.closed.Store(true)
	return nil
}

// TestContextOutside checks Context for a request Middleware did not see.
func TestContextOutside(t *testing.T) {
	var fctx fasthttp.RequestCtx
	_, ok := tracecontext.FromContext(injectfasthttp.Context(&fctx))
	assert.False(t, ok)
}
