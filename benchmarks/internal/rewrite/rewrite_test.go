package rewrite_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/tracecontext"

	"github.com/tracemeta/tracemeta/benchmarks/internal/corpus"
	"github.com/tracemeta/tracemeta/benchmarks/internal/rewrite"
)

func TestSink(t *testing.T) {
	var s rewrite.Sink
	big := bytes.Repeat([]byte("0123456789abcdef"), 5000) // 80000 bytes: wraps the 32 KiB buffer twice
	n, err := s.Write(big)
	require.NoError(t, err)
	assert.Equal(t, len(big), n)
	n, err = s.Write([]byte("x"))
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Equal(t, int64(len(big)+1), s.Len())
	s.Reset()
	assert.Zero(t, s.Len())
	assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = s.Write(big) }), "writing allocates nothing")
}

func TestResponseSink(t *testing.T) {
	w := rewrite.NewResponseSink()
	w.Header().Set("Content-Type", "text/html")
	_, err := w.Write([]byte("<p>"))
	require.NoError(t, err)
	w.WriteHeader(http.StatusNotFound)
	w.Flush()
	assert.Equal(t, http.StatusOK, w.Code(), "the implicit 200 of the first Write stays")
	assert.Equal(t, 1, w.Flushes())
	assert.Equal(t, int64(3), w.Len())
	w.Reset()
	assert.Empty(t, w.Header())
	assert.Zero(t, w.Code())
	assert.Zero(t, w.Flushes())
	assert.Zero(t, w.Len())
}

func TestImpls(t *testing.T) {
	names := map[string]bool{}
	for _, impl := range rewrite.Impls() {
		assert.False(t, names[impl.Name], "duplicate %s", impl.Name)
		names[impl.Name] = true
		assert.NotEmpty(t, impl.Desc, impl.Name)
	}
	assert.Equal(t, rewrite.Copy.Name, rewrite.Impls()[0].Name)
	assert.Len(t, rewrite.Peers(), len(rewrite.Impls())-2, "peers are all but the copy and tracemeta")
}

func TestRunInsertsOnceAfterHead(t *testing.T) {
	page := []byte("<!DOCTYPE html><html><head><title>t</title></head><body><p>é</p></body></html>")
	tags := []byte(`<meta name="x">`)
	want := bytes.Replace(page, []byte("<head>"), []byte("<head>"+string(tags)), 1)
	for _, impl := range []rewrite.Impl{rewrite.ChunkReplace, rewrite.BufferReplace, rewrite.TokenizerStream, rewrite.LexerStream} {
		for _, pat := range corpus.Patterns() {
			t.Run(impl.Name+"/"+pat.Name, func(t *testing.T) {
				var out bytes.Buffer
				require.NoError(t, rewrite.Run(impl, &out, tags, page, pat))
				assert.Equal(t, string(want), out.String())
			})
		}
	}
	var out bytes.Buffer
	require.NoError(t, rewrite.Run(rewrite.Copy, &out, tags, page, corpus.Patterns()[1]))
	assert.Equal(t, page, out.Bytes(), "the floor copies")
}

func TestMiddleware(t *testing.T) {
	page := []byte("<!DOCTYPE html><html><head><title>t</title></head><body></body></html>")
	tests := []struct {
		name        string
		contentType string
		span        bool
		injected    bool
	}{
		{name: "html", contentType: "text/html; charset=utf-8", span: true, injected: true},
		{name: "not html", contentType: "application/json", span: true},
		{name: "no span", contentType: "text/html", span: false},
	}
	for _, impl := range []rewrite.Impl{rewrite.ChunkReplace, rewrite.BufferReplace} {
		for _, tt := range tests {
			t.Run(impl.Name+"/"+tt.name, func(t *testing.T) {
				h := rewrite.Middleware(impl)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", tt.contentType)
					w.Header().Set("Content-Length", strconv.Itoa(len(page)))
					_, _ = w.Write(page[:10])
					w.(http.Flusher).Flush()
					_, _ = w.Write(page[10:])
				}))
				r := httptest.NewRequest(http.MethodGet, "/", nil)
				if tt.span {
					r = r.WithContext(tracecontext.NewContext(r.Context(), rewrite.Span()))
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, r)
				if tt.injected {
					assert.Equal(t, string(bytes.Replace(page, []byte("<head>"), append([]byte("<head>"), rewrite.Tags()...), 1)), rec.Body.String())
					assert.Empty(t, rec.Header().Get("Content-Length"), "Content-Length removed")
				} else {
					assert.Equal(t, string(page), rec.Body.String())
				}
				assert.True(t, rec.Flushed)
			})
		}
	}
}

func TestTags(t *testing.T) {
	tags := string(rewrite.Tags())
	assert.Contains(t, tags, `<meta name="sentry-trace" content="771a43a4192642f0b136d5159a501700-b8d9a47e5d1b4d2a-1">`)
	assert.Contains(t, tags, `<meta name="baggage" content="sentry-trace_id=771a43a4192642f0b136d5159a501700,`)
}

func TestIncoming(t *testing.T) {
	h := make(http.Header)
	rewrite.Incoming(h)
	assert.Equal(t, "771a43a4192642f0b136d5159a501700-b8d9a47e5d1b4d2a-1", h.Get("Sentry-Trace"))
	baggage := h.Get("Baggage")
	assert.InDelta(t, 300, len(baggage), 10, "a realistic baggage of about 300 bytes: %s", baggage)
	assert.Contains(t, baggage, "sentry-trace_id=771a43a4192642f0b136d5159a501700,")
	assert.Equal(t, "document", h.Get("Sec-Fetch-Dest"))
}
