package benchmarks_test

import (
	"bytes"
	"io"
	"net/http"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/inject"

	"github.com/tracemeta/tracemeta/benchmarks/internal/corpus"
	"github.com/tracemeta/tracemeta/benchmarks/internal/rewrite"
)

// streamHead opens the streamed page, up to <main>; streamBlock, 32 KiB of
// the large page's body cut at line ends, is repeated after it until the
// page reaches its size.
var streamHead, streamBlock = func() ([]byte, []byte) {
	small, _ := corpus.ByName("small-2K")
	large, _ := corpus.ByName("large-1M")
	head := small.HTML[:bytes.Index(small.HTML, []byte("<main"))]
	body := large.HTML[len(large.HTML)/4:]
	body = body[bytes.IndexByte(body, '\n')+1:]
	block := body[:32<<10]
	return head, block[:bytes.LastIndexByte(block, '\n')+1]
}()

// streamHandler writes an HTML page of size bytes in 32 KiB writes, as a
// handler streaming a huge report or export does.
func streamHandler(size int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if err := writeStream(w, size); err != nil {
			panic(http.ErrAbortHandler)
		}
	})
}

func writeStream(w io.Writer, size int64) error {
	n, err := w.Write(streamHead)
	written := int64(n)
	for err == nil && written < size {
		block := streamBlock[:min(int64(len(streamBlock)), size-written)]
		n, err = w.Write(block)
		written += int64(n)
	}
	return err
}

// heapSampler records the peak of the heap's object bytes while it runs. It
// allocates nothing while sampling, so that it adds nothing to B/op however
// long the benchmark runs.
type heapSampler struct {
	stop   chan struct{}
	done   sync.WaitGroup
	sample []metrics.Sample // reused by every read
	base   uint64
	peak   uint64
}

func (h *heapSampler) read() uint64 {
	metrics.Read(h.sample)
	return h.sample[0].Value.Uint64()
}

func startHeapSampler() *heapSampler {
	h := &heapSampler{
		stop:   make(chan struct{}),
		sample: []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}},
	}
	runtime.GC()
	h.base = h.read()
	h.peak = h.base
	t := time.NewTicker(time.Millisecond)
	h.done.Go(func() {
		defer t.Stop()
		for {
			select {
			case <-h.stop:
				return
			case <-t.C:
				h.peak = max(h.peak, h.read())
			}
		}
	})
	return h
}

// Stop ends sampling and returns how far the heap grew above where it was
// when sampling started.
func (h *heapSampler) Stop() uint64 {
	close(h.stop)
	h.done.Wait()
	h.peak = max(h.peak, h.read())
	return h.peak - h.base
}

// streamCases are the ways a huge page is streamed: the bare handler, the
// handler through tracemeta's middleware, and inject.Writer alone.
func streamCases(size int64) []struct {
	name  string
	serve func(w http.ResponseWriter, r *http.Request)
} {
	bare := streamHandler(size)
	wrapped := inject.Middleware()(bare)
	tags := rewrite.Tags()
	return []struct {
		name  string
		serve func(w http.ResponseWriter, r *http.Request)
	}{
		{"bare", bare.ServeHTTP},
		{"tracemeta-middleware", wrapped.ServeHTTP},
		{"tracemeta-writer", func(w http.ResponseWriter, r *http.Request) {
			iw := inject.NewWriter(w, tags)
			if err := writeStream(iw, size); err != nil {
				panic(err)
			}
			if err := iw.Close(); err != nil {
				panic(err)
			}
		}},
	}
}

// BenchmarkStream streams a 16 MiB and a 1 GiB page per op and reports the
// peak growth of the heap during the op (peak-heap-B) next to B/op: both
// stay flat from 16 MiB to 1 GiB when memory does not grow with the page.
// The 1 GiB size is skipped with -short.
func BenchmarkStream(b *testing.B) {
	for _, size := range []struct {
		name string
		n    int64
	}{{"16MiB", 16 << 20}, {"1GiB", 1 << 30}} {
		for _, c := range streamCases(size.n) {
			b.Run("size="+size.name+"/impl="+c.name, func(b *testing.B) {
				if size.n > 64<<20 && testing.Short() {
					b.Skip("streams 1 GiB per op; runs without -short")
				}
				w := rewrite.NewResponseSink()
				req := pageRequest()
				b.SetBytes(size.n)
				b.ReportAllocs()
				heap := startHeapSampler()
				for b.Loop() {
					w.Reset()
					c.serve(w, req)
				}
				b.ReportMetric(float64(heap.Stop()), "peak-heap-B")
				if w.Len() < size.n {
					b.Fatalf("wrote %d of %d bytes", w.Len(), size.n)
				}
			})
		}
	}
}

// TestStreamMemoryIndependentOfSize streams pages of 4 and 64 MiB through the
// middleware and the Writer, and checks that the bytes allocated do not grow
// with the page: the 1 GiB benchmark's claim, at a size that runs in the
// normal tests.
func TestStreamMemoryIndependentOfSize(t *testing.T) {
	allocated := func(serve func(w http.ResponseWriter, r *http.Request)) uint64 {
		w := rewrite.NewResponseSink()
		req := pageRequest()
		serve(w, req) // warm the pools
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		w.Reset()
		serve(w, req)
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	small, large := streamCases(4<<20), streamCases(64<<20)
	for i := range small {
		t.Run(small[i].name, func(t *testing.T) {
			a4, a64 := allocated(small[i].serve), allocated(large[i].serve)
			t.Logf("allocated %d B for 4 MiB, %d B for 64 MiB", a4, a64)
			require.Less(t, a64, uint64(256<<10), "a 64 MiB page allocates less than 256 KiB")
			require.Less(t, a64, a4+64<<10, "16x the page allocates at most 64 KiB more")
		})
	}
}
