package benchmarks_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/tracemeta/tracemeta/benchmarks/internal/corpus"
)

// serverEnv, when set, makes the test binary serve the real handlers on
// 127.0.0.1 instead of running the tests: the server of BenchmarkLoopback,
// in a process of its own, so that its CPU time is the server's alone.
const serverEnv = "TRACEMETA_BENCH_SERVER"

// serverProfileEnv, when set to a file name, makes the server process write
// a CPU profile of its whole run there (profile.sh loopback): the server's
// time per request is not the same as in the httptest loop, where the code
// stays in the caches between requests.
const serverProfileEnv = "TRACEMETA_BENCH_SERVER_CPUPROFILE"

func TestMain(m *testing.M) {
	if os.Getenv(serverEnv) != "" {
		if err := serve(os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "loopback server:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	code := m.Run()
	stopLoopback()
	os.Exit(code)
}

// serve runs the loopback server: every real handler in every chain, at
// /IMPL/PAGE, and the framework routes, gin's on the same server and
// Fiber's on a listener of its own. It writes the two addresses to out,
// then answers each line of in:
// "gc" runs a garbage collection, "stats" writes the process's CPU time
// (user + system, ns) and the heap allocations so far (objects, bytes). It
// returns when in ends.
func serve(in io.Reader, out io.Writer) error {
	if name := os.Getenv(serverProfileEnv); name != "" {
		f, err := os.Create(name)
		if err != nil {
			return fmt.Errorf("server profile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("server profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	mux := http.NewServeMux()
	for _, rh := range realHandlers() {
		for _, c := range chains() {
			mux.Handle("GET /"+c.name+"/"+rh.name, c.wrap(rh.h))
		}
	}
	small, ok := corpus.ByName("small-2K")
	if !ok {
		return errors.New("no page small-2K in the corpus")
	}
	for _, r := range frameworkRoutes {
		if !r.fiber {
			mux.Handle("GET "+r.path(), ginHandler(r.impl, small.HTML))
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	fiberLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	app := fiberApp(small.HTML)
	go app.Listener(fiberLn)
	// fasthttp's Shutdown waits for every connection to close, and a
	// client's idle keep-alive connection may not have been closed yet:
	// bounded, so that the process always ends when its input does.
	defer app.ShutdownWithTimeout(5 * time.Second)
	srv := &http.Server{
		Handler: mux,
		// Every request carries the benchmark span, as an SDK's tracing
		// middleware outside the measured chain leaves it, at no cost per
		// request. The full chain replaces it with the trace it continues.
		BaseContext:       func(net.Listener) context.Context { return spanContext(context.Background()) },
		ReadHeaderTimeout: 10 * time.Second,
	}
	go srv.Serve(ln)
	defer srv.Close()
	if _, err := fmt.Fprintln(out, ln.Addr(), fiberLn.Addr()); err != nil {
		return err
	}
	sample := []metrics.Sample{{Name: "/gc/heap/allocs:objects"}, {Name: "/gc/heap/allocs:bytes"}}
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		switch sc.Text() {
		case "gc":
			runtime.GC()
			_, err = fmt.Fprintln(out, "ok")
		case "stats":
			var ru syscall.Rusage
			if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
				return fmt.Errorf("getrusage: %w", err)
			}
			metrics.Read(sample)
			cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
			_, err = fmt.Fprintln(out, int64(cpu), sample[0].Value.Uint64(), sample[1].Value.Uint64())
		default:
			err = fmt.Errorf("unknown command %q", sc.Text())
		}
		if err != nil {
			return err
		}
	}
	return sc.Err()
}

// loopback is the parent's handle on the server process.
type loopback struct {
	cmd    *exec.Cmd
	in     io.WriteCloser
	out    *bufio.Reader
	url    string // the net/http server's
	fiber  string // the Fiber app's
	client *http.Client
}

// serverStats are the server process's counters at one moment.
type serverStats struct {
	cpu            time.Duration
	allocs, allocB uint64
}

var (
	loopbackOnce sync.Once
	loopbackSrv  *loopback
	loopbackErr  error
)

// loopbackClients is the number of keep-alive connections that load the
// server.
const loopbackClients = 4

// startLoopback starts the server process once per test binary.
func startLoopback() (*loopback, error) {
	loopbackOnce.Do(func() {
		exe, err := os.Executable()
		if err != nil {
			loopbackErr = err
			return
		}
		cmd := exec.Command(exe)
		cmd.Env = append(os.Environ(), serverEnv+"=1")
		cmd.Stderr = os.Stderr
		in, err := cmd.StdinPipe()
		if err != nil {
			loopbackErr = err
			return
		}
		outPipe, err := cmd.StdoutPipe()
		if err != nil {
			loopbackErr = err
			return
		}
		if err := cmd.Start(); err != nil {
			loopbackErr = fmt.Errorf("start the server process: %w", err)
			return
		}
		l := &loopback{cmd: cmd, in: in, out: bufio.NewReader(outPipe)}
		addr, err := l.out.ReadString('\n')
		if err != nil {
			loopbackErr = fmt.Errorf("read the server's address: %w", err)
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			return
		}
		addrs := strings.Fields(addr)
		if len(addrs) != 2 {
			loopbackErr = fmt.Errorf("server addresses %q: want two", addr)
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			return
		}
		l.url, l.fiber = "http://"+addrs[0], "http://"+addrs[1]
		l.client = &http.Client{Transport: &http.Transport{
			MaxIdleConnsPerHost: loopbackClients,
			DisableCompression:  true,
		}}
		loopbackSrv = l
	})
	return loopbackSrv, loopbackErr
}

// stopLoopback ends the server process, if one was started.
func stopLoopback() {
	if l := loopbackSrv; l != nil {
		// The clients' idle connections first: the Fiber server waits
		// for its connections when it shuts down.
		l.client.CloseIdleConnections()
		_ = l.in.Close() // the server returns when its input ends
		// Bounded: a server that does not end must not hang the test
		// binary after its tests, where -test.timeout no longer runs.
		done := make(chan struct{})
		go func() { _ = l.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			fmt.Fprintln(os.Stderr, "loopback server: still running 30 s after its input ended; killed")
			_ = l.cmd.Process.Kill()
			<-done
		}
	}
}

func (l *loopback) command(cmd string) (string, error) {
	if _, err := io.WriteString(l.in, cmd+"\n"); err != nil {
		return "", fmt.Errorf("server command %q: %w", cmd, err)
	}
	line, err := l.out.ReadString('\n')
	if err != nil {
		return "", fmt.Errorf("server command %q: %w", cmd, err)
	}
	return strings.TrimSpace(line), nil
}

func (l *loopback) stats() (serverStats, error) {
	line, err := l.command("stats")
	if err != nil {
		return serverStats{}, err
	}
	f := strings.Fields(line)
	if len(f) != 3 {
		return serverStats{}, fmt.Errorf("server stats %q: want 3 fields", line)
	}
	var v [3]uint64
	for i := range f {
		if v[i], err = strconv.ParseUint(f[i], 10, 64); err != nil {
			return serverStats{}, fmt.Errorf("server stats %q: %w", line, err)
		}
	}
	return serverStats{cpu: time.Duration(v[0]), allocs: v[1], allocB: v[2]}, nil
}

// load makes n requests of url with loopbackClients keep-alive clients and
// checks every response: 200 and size bytes.
func (l *loopback) load(ctx context.Context, url string, n int, size int64) error {
	var next atomic.Int64
	var failed atomic.Pointer[error]
	var wg sync.WaitGroup
	for range loopbackClients {
		wg.Go(func() {
			buf := make([]byte, 32<<10)
			for next.Add(1) <= int64(n) && ctx.Err() == nil {
				if err := l.get(ctx, url, buf, size); err != nil {
					failed.CompareAndSwap(nil, &err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := failed.Load(); err != nil {
		return *err
	}
	return ctx.Err()
}

// get fetches url as a browser navigation with sentry-trace and baggage,
// and reads the body into buf. size < 0 only learns the size.
func (l *loopback) get(ctx context.Context, url string, buf []byte, size int64) error {
	n, err := l.fetch(ctx, url, buf)
	if err != nil {
		return err
	}
	if size >= 0 && n != size {
		return fmt.Errorf("GET %s: %d bytes, want %d", url, n, size)
	}
	return nil
}

func (l *loopback) fetch(ctx context.Context, url string, buf []byte) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	incoming(req.Header)
	resp, err := l.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	n, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{resp.Body}, buf)
	if err != nil {
		return n, fmt.Errorf("GET %s: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return n, fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
	}
	return n, nil
}

// BenchmarkLoopback serves the real handlers, bare and wrapped, from a real
// http.Server on 127.0.0.1 in a separate process, to four keep-alive
// clients in the benchmark's process: b.N requests per run, with sentry-trace
// and baggage. It reports the server process's CPU time per request
// (getrusage around the b.N requests: user + system, garbage collection
// included), its heap allocations per request, and the requests per second.
// A garbage collection before each run starts every method from the same
// heap. The bare and wrapped handlers of a page run next to each other, and
// run.sh interleaves them again in rounds. Then the 2 KB page the same way
// from gin and Fiber, bare and with tracemeta's adapters.
func BenchmarkLoopback(b *testing.B) {
	l, err := startLoopback()
	if err != nil {
		b.Fatal(err)
	}
	for _, rh := range realHandlers() {
		for _, c := range chains() {
			b.Run("page="+rh.name+"/impl="+c.name, func(b *testing.B) {
				l.bench(b, l.url+"/"+c.name+"/"+rh.name)
			})
		}
	}
	for _, r := range frameworkRoutes {
		b.Run("page="+frameworkPage+"/impl="+r.impl, func(b *testing.B) {
			l.bench(b, r.url(l))
		})
	}
}

// url returns the route's URL on l.
func (r frameworkRoute) url(l *loopback) string {
	if r.fiber {
		return l.fiber + r.path()
	}
	return l.url + r.path()
}

// bench is one run of BenchmarkLoopback: b.N requests of url.
func (l *loopback) bench(b *testing.B, url string) {
	ctx, cancel := context.WithTimeout(b.Context(), 5*time.Minute)
	defer cancel()
	// Learn the size, and open the clients' connections.
	size, err := l.fetch(ctx, url, make([]byte, 32<<10))
	if err != nil {
		b.Fatal(err)
	}
	if err := l.load(ctx, url, 2*loopbackClients, size); err != nil {
		b.Fatal(err)
	}
	if _, err := l.command("gc"); err != nil {
		b.Fatal(err)
	}
	before, err := l.stats()
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(size)
	b.ResetTimer()
	start := time.Now()
	err = l.load(ctx, url, b.N, size)
	elapsed := time.Since(start)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	after, err := l.stats()
	if err != nil {
		b.Fatal(err)
	}
	n := float64(b.N)
	b.ReportMetric(float64(after.cpu-before.cpu)/n, "server-ns/req")
	b.ReportMetric(float64(after.allocs-before.allocs)/n, "server-allocs/req")
	b.ReportMetric(float64(after.allocB-before.allocB)/n, "server-B/req")
	b.ReportMetric(n/elapsed.Seconds(), "req/s")
}
