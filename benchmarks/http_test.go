package benchmarks_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tracemeta/tracemeta/inject"
	"github.com/tracemeta/tracemeta/tracecontext"

	"github.com/tracemeta/tracemeta/benchmarks/internal/corpus"
	"github.com/tracemeta/tracemeta/benchmarks/internal/rewrite"
)

// middleware is one way of wrapping a handler: none (the bare handler),
// tracemeta's, or a peer's.
type middleware struct {
	name string
	wrap func(http.Handler) http.Handler
}

func middlewares() []middleware {
	return []middleware{
		{name: "bare", wrap: func(h http.Handler) http.Handler { return h }},
		{name: "tracemeta", wrap: inject.Middleware()},
		{name: rewrite.ChunkReplace.Name, wrap: rewrite.Middleware(rewrite.ChunkReplace)},
		{name: rewrite.BufferReplace.Name, wrap: rewrite.Middleware(rewrite.BufferReplace)},
	}
}

// pageHandler writes page the way write says, as an HTML handler does.
func pageHandler(page []byte, write corpus.Pattern) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if err := write.Replay(page, w); err != nil {
			panic(http.ErrAbortHandler)
		}
	})
}

// pageRequest returns a browser navigation carrying the benchmark span in
// its context, as the server-span middleware leaves it.
func pageRequest() *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/products/42", nil)
	r.Header.Set("Accept", "text/html,application/xhtml+xml")
	r.Header.Set("Sec-Fetch-Dest", "document")
	r.Header.Set("Sec-Fetch-Mode", "navigate")
	return r.WithContext(tracecontext.NewContext(r.Context(), rewrite.Span()))
}

// middlewarePages are the pages of the per-request benchmarks: the
// smallest, the 100 KB target, the page without a head, and a fragment.
var middlewarePages = []string{"small-2K", "typical-100K", "no-head-100K", "fragment-30K"}

func mustPage(tb testing.TB, name string) corpus.Page {
	tb.Helper()
	p, ok := corpus.ByName(name)
	if !ok {
		tb.Fatalf("no page %q in the corpus", name)
	}
	return p
}

// BenchmarkMiddleware serves one request per op through the handler, bare
// or wrapped, into a [rewrite.ResponseSink], as httptest does but without
// the recorder's copy, so that the middleware's cost and allocations stand
// out against the bare handler's.
func BenchmarkMiddleware(b *testing.B) {
	for _, name := range middlewarePages {
		page := mustPage(b, name)
		for _, pat := range corpus.Patterns() {
			for _, mw := range middlewares() {
				b.Run("page="+page.Name+"/write="+pat.Name+"/impl="+mw.name, func(b *testing.B) {
					h := mw.wrap(pageHandler(page.HTML, pat))
					req := pageRequest()
					w := rewrite.NewResponseSink()
					b.SetBytes(int64(len(page.HTML)))
					b.ReportAllocs()
					for b.Loop() {
						w.Reset()
						h.ServeHTTP(w, req)
					}
					if w.Len() < int64(len(page.HTML)) {
						b.Fatalf("wrote %d bytes of a %d-byte page", w.Len(), len(page.HTML))
					}
				})
			}
		}
	}
}

// serverPages are the pages of the loopback benchmark.
var serverPages = []string{"small-2K", "typical-100K"}

// BenchmarkServer serves real HTTP/1.1 requests on 127.0.0.1 with a load
// generator of four keep-alive clients in the same process: b.N requests in
// all, bounded by a one-minute deadline. It reports the throughput (req/s)
// of the handler with and without tracemeta's middleware. Client and server
// share the machine, so the figures are for comparing the two, not for
// capacity planning.
func BenchmarkServer(b *testing.B) {
	const clients = 4
	for _, name := range serverPages {
		page := mustPage(b, name)
		pat := corpus.Patterns()[1] // 4 KB writes, as html/template through bufio
		for _, mw := range middlewares()[:2] {
			b.Run("page="+page.Name+"/write="+pat.Name+"/impl="+mw.name, func(b *testing.B) {
				span := rewrite.Span()
				h := mw.wrap(pageHandler(page.HTML, pat))
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					h.ServeHTTP(w, r.WithContext(tracecontext.NewContext(r.Context(), span)))
				}))
				defer srv.Close()
				transport := &http.Transport{MaxIdleConnsPerHost: clients, DisableCompression: true}
				defer transport.CloseIdleConnections()
				client := &http.Client{Transport: transport}
				ctx, cancel := context.WithTimeout(b.Context(), time.Minute)
				defer cancel()

				var next atomic.Int64
				var failed atomic.Pointer[error]
				b.SetBytes(int64(len(page.HTML)))
				b.ReportAllocs()
				b.ResetTimer()
				start := time.Now()
				var wg sync.WaitGroup
				for range clients {
					wg.Go(func() {
						buf := make([]byte, 32<<10)
						for next.Add(1) <= int64(b.N) && ctx.Err() == nil {
							if err := get(ctx, client, srv.URL, buf, len(page.HTML)); err != nil {
								failed.CompareAndSwap(nil, &err)
								return
							}
						}
					})
				}
				wg.Wait()
				elapsed := time.Since(start)
				b.StopTimer()
				if err := failed.Load(); err != nil {
					b.Fatal(*err)
				}
				if err := ctx.Err(); err != nil {
					b.Fatalf("load generator stopped after %v: %v", elapsed, err)
				}
				b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
			})
		}
	}
}

// get fetches url as a browser navigation and reads the body into buf,
// checking that at least want bytes arrive.
func get(ctx context.Context, client *http.Client, url string, buf []byte, want int) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "text/html")
	req.Header.Set("Sec-Fetch-Dest", "document")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	n, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{resp.Body}, buf)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || n < int64(want) {
		return fmt.Errorf("GET %s: status %d, %d bytes, want 200 and at least %d", url, resp.StatusCode, n, want)
	}
	return nil
}
