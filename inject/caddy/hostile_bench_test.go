package injectcaddy_test

import (
	"bytes"
	"fmt"
	"net/http"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/stretchr/testify/require"
)

// hostileShapes are the compressed pages that cost a decoding proxy most,
// and two legitimate ones, by the path the upstream serves them at.
func hostileShapes(b *testing.B) map[string][]byte {
	zw, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1), zstd.WithWindowSize(8<<20))
	require.NoError(b, err)
	frame := zw.EncodeAll(make([]byte, 8<<20-1), nil)
	var members bytes.Buffer
	gw, _ := gzip.NewWriterLevel(&members, gzip.BestCompression)
	_, _ = gw.Write(make([]byte, 1<<20))
	_ = gw.Close()
	page := func(size int) []byte {
		var p bytes.Buffer
		p.WriteString("<!DOCTYPE html><html><head><title>Page</title></head><body>\n")
		for i := 0; p.Len() < size; i++ {
			fmt.Fprintf(&p, "<tr><td>%s</td><td>row %d</td></tr>\n", strings.Repeat(string(rune('a'+i%26)), 1+i%40), i)
		}
		var g bytes.Buffer
		gw := gzip.NewWriter(&g)
		_, _ = gw.Write(p.Bytes())
		_ = gw.Close()
		return g.Bytes()
	}
	return map[string][]byte{
		"/zstd-frames":  bytes.Repeat(frame, (1<<20)/len(frame)),              // 1 MiB of 8 MiB-1 zstd frames
		"/gzip-members": bytes.Repeat(members.Bytes(), (1<<20)/members.Len()), // 1 MiB of gzip members of 1 MiB
		"/gzip-8mib":    page(8 << 20),                                        // a legitimate 8 MiB page
		"/gzip-64kib":   page(64 << 10),                                       // a common page
	}
}

// BenchmarkHostileUpstream sends the worst compressed pages an upstream can
// send a navigation through Caddy, without and with tracemeta (no encode, so
// tracemeta decodes the page and encodes it again), and reports per
// response the bytes allocated and the CPU time of the whole process
// (client and upstream included, the same in both), and, one op being 64
// requests at once, the peak live heap. The table in README's Security
// section comes from:
//
//	go test -run '^$' -bench HostileUpstream -benchtime 4x ./inject/caddy
func BenchmarkHostileUpstream(b *testing.B) {
	shapes := hostileShapes(b)
	up := httpUpstream(b, func(w http.ResponseWriter, r *http.Request) {
		body := shapes[r.URL.Path]
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Encoding", strings.SplitN(r.URL.Path[1:], "-", 2)[0])
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		_, _ = w.Write(body)
	})
	sites := startCaddySites(b, "\treverse_proxy "+up, "\ttracemeta\n\treverse_proxy "+up)

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}}
	defer client.CloseIdleConnections()
	// get reads the page to its end (a bomb's is cut short).
	get := func(url string) { benchNavigate(b, client, url, "gzip, zstd") }
	for _, path := range []string{"/zstd-frames", "/gzip-members", "/gzip-8mib", "/gzip-64kib"} {
		for _, site := range []struct {
			name, url string
		}{{"plain", sites[0]}, {"tracemeta", sites[1]}} {
			url := site.url + path
			b.Run(path[1:]+"/"+site.name, func(b *testing.B) {
				get(url) // warm the pools and the connection
				b.ReportAllocs()
				cpu := cpuTime()
				b.ResetTimer()
				for range b.N {
					get(url)
				}
				b.StopTimer()
				b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/1000/float64(b.N), "cpu-ms/op")
			})
			b.Run(path[1:]+"/"+site.name+"/x64", func(b *testing.B) {
				var peak uint64
				for range b.N {
					peak = max(peak, peakHeap(func() {
						var wg sync.WaitGroup
						for range 64 {
							wg.Go(func() { get(url) })
						}
						wg.Wait()
					}))
				}
				b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
			})
		}
	}
}

// cpuTime returns the user and system CPU time of the process.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// peakHeap runs f and returns the most live heap it saw above what was live
// before, sampled every 100 µs.
func peakHeap(f func()) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	base := read()
	done := make(chan struct{})
	var peak uint64
	go func() {
		defer close(done)
		tick := time.NewTicker(100 * time.Microsecond)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				peak = max(peak, read())
			case <-done:
				return
			}
		}
	}()
	f()
	done <- struct{}{}
	<-done
	return max(peak, base) - base
}
