package benchmarks_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/tracemeta/tracemeta/inject"
	"github.com/tracemeta/tracemeta/tracecontext"

	"github.com/tracemeta/tracemeta/benchmarks/internal/app"
	"github.com/tracemeta/tracemeta/benchmarks/internal/corpus"
	"github.com/tracemeta/tracemeta/benchmarks/internal/rewrite"
)

// realHandler is a handler of the per-request benchmarks, written the way
// real handlers write pages.
type realHandler struct {
	name string
	h    http.Handler
}

// realHandlers are an html/template listing executed into the
// ResponseWriter (thousands of small writes), the same listing as a templ
// component, the small corpus page in one Write with its Content-Length,
// and a published page served from its file by http.ServeFile (through the
// ResponseWriter's ReadFrom).
func realHandlers() []realHandler {
	small, ok := corpus.ByName("small-2K")
	if !ok {
		panic("no page small-2K in the corpus")
	}
	return []realHandler{
		{name: "template-60K", h: app.TemplateHandler()},
		{name: "templ-60K", h: app.TemplHandler()},
		{name: "onewrite-2K", h: app.OneWriteHandler(small.HTML)},
		{name: "file-117K", h: app.FileHandler(filepath.Join("testdata", "pages", "rustdoc-partialeq.html"))},
	}
}

// chain is what a handler is wrapped in: nothing, inject.Middleware alone
// (the span already in the request's context, as an SDK's tracing
// middleware leaves it), or the full chain, tracecontext.Middleware
// continuing the incoming trace around inject.Middleware.
type chain struct {
	name string
	wrap func(http.Handler) http.Handler
}

func chains() []chain {
	return []chain{
		{name: "bare", wrap: func(h http.Handler) http.Handler { return h }},
		{name: "inject", wrap: inject.Middleware()},
		{name: "chain", wrap: func(h http.Handler) http.Handler {
			return tracecontext.Middleware()(inject.Middleware()(h))
		}},
	}
}

// spanContext returns ctx carrying the benchmark span, as a tracing
// middleware outside the measured chain leaves it.
func spanContext(ctx context.Context) context.Context {
	return tracecontext.NewContext(ctx, rewrite.Span())
}

// incoming sets the headers a browser navigation carries, with the
// sentry-trace and the 300-byte baggage of an upstream Sentry SDK.
func incoming(h http.Header) { rewrite.Incoming(h) }

// recorder returns an httptest.ResponseRecorder that writes into body,
// which the caller resets and reuses, so that the recorder's own cost is
// the same small one for every request.
func recorder(body *bytes.Buffer) *httptest.ResponseRecorder {
	body.Reset()
	return &httptest.ResponseRecorder{HeaderMap: make(http.Header), Body: body, Code: http.StatusOK}
}

// BenchmarkHandler serves one request per op through httptest: a request
// made once with httptest.NewRequest, carrying sentry-trace and baggage and
// the benchmark span in its context, and a ResponseRecorder whose body
// buffer is reused. The bare handler and its wrapped versions run next to
// each other, so their ratios come from the same minute of the machine.
// Beside ns/op it reports the CPU time of the benchmark's thread per op
// (cpu-ns/op).
func BenchmarkHandler(b *testing.B) {
	for _, rh := range realHandlers() {
		for _, c := range chains() {
			b.Run("page="+rh.name+"/impl="+c.name, func(b *testing.B) {
				h := c.wrap(rh.h)
				req := httptest.NewRequest(http.MethodGet, "/products", nil)
				incoming(req.Header)
				req = req.WithContext(spanContext(req.Context()))
				var body bytes.Buffer
				rec := recorder(&body)
				h.ServeHTTP(rec, req)
				size := body.Len()
				b.SetBytes(int64(size))
				b.ReportAllocs()
				cpu := startCPU()
				ops := 0
				for b.Loop() {
					rec = recorder(&body)
					h.ServeHTTP(rec, req)
					ops++
				}
				cpu.report(b, ops)
				if rec.Code != http.StatusOK || body.Len() != size {
					b.Fatalf("status %d, %d bytes, want 200 and %d", rec.Code, body.Len(), size)
				}
			})
		}
	}
}
