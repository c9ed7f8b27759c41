//go:build linux

package proxy_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/benchmarks/internal/rewrite"
)

// clients is the number of keep-alive connections that load a stack, as
// the loopback benchmark of the parent package uses.
const clients = 4

// acceptEncoding is what a browser's navigation accepts.
const acceptEncoding = "gzip, deflate, br, zstd"

// newClient returns a client that keeps clients connections open and hands
// bodies over as they came (no transparent gzip).
func newClient() *http.Client {
	return &http.Client{Transport: &http.Transport{
		MaxIdleConnsPerHost: clients,
		DisableCompression:  true,
	}}
}

// get fetches url as a browser navigation with sentry-trace and baggage and
// reads the body into buf. It returns the bytes received and the response's
// Content-Encoding.
func get(ctx context.Context, client *http.Client, url string, buf []byte) (int64, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, "", err
	}
	rewrite.Incoming(req.Header)
	req.Header.Set("Accept-Encoding", acceptEncoding)
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	n, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{resp.Body}, buf)
	if err != nil {
		return n, "", fmt.Errorf("GET %s: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return n, "", fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
	}
	if n == 0 {
		return 0, "", fmt.Errorf("GET %s: empty body", url)
	}
	return n, resp.Header.Get("Content-Encoding"), nil
}

// load makes n requests of url over clients keep-alive connections, and
// returns the bytes received.
func load(ctx context.Context, client *http.Client, url string, n int) (int64, error) {
	var next, received atomic.Int64
	var failed atomic.Pointer[error]
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			buf := make([]byte, 32<<10)
			for next.Add(1) <= int64(n) && ctx.Err() == nil {
				got, _, err := get(ctx, client, url, buf)
				if err != nil {
					failed.CompareAndSwap(nil, &err)
					return
				}
				received.Add(got)
			}
		})
	}
	wg.Wait()
	if err := failed.Load(); err != nil {
		return 0, *err
	}
	return received.Load(), ctx.Err()
}

// cases are the rows of BenchmarkProxy, each stack of a row next to the
// others: every page, from each upstream, with and without Caddy's encode;
// workerd only without encode.
type benchCase struct {
	page, upstream, encode, impl string
}

func cases() []benchCase {
	var cs []benchCase
	for _, p := range pages() {
		for _, coding := range []string{codingIdentity, codingGzip} {
			for _, enc := range encodes {
				impls := []string{implCaddy, implCaddyTracemeta}
				if enc == "none" {
					impls = append(impls, implWorkerdPlain, implWorkerd)
				}
				for _, impl := range impls {
					cs = append(cs, benchCase{page: p.name, upstream: coding, encode: enc, impl: impl})
				}
			}
		}
	}
	return cs
}

// BenchmarkProxy loads each stack in front of the same upstream with b.N
// requests per run, over four keep-alive connections from this process:
// Caddy, Caddy with tracemeta, workerd passing the upstream's response
// through, and workerd prepending the tags with HTMLRewriter. It reports
// the proxy process's CPU time per request (all threads; around the b.N
// requests, so startup is not in it), its read and write system calls per
// request (/proc/PID/io), the requests per second, and the bytes per
// response as the client received them. The stacks of a row run
// next to each other; run.sh interleaves them again in rounds.
func BenchmarkProxy(b *testing.B) {
	e := setup(b)
	client := newClient()
	defer client.CloseIdleConnections()
	if out := os.Getenv(profileEnv); out != "" {
		impl := os.Getenv(profileImplEnv)
		if impl == "" {
			impl = implCaddyTracemeta
		}
		if impl != implCaddy && impl != implCaddyTracemeta {
			b.Fatalf("%s=%q: want %s or %s", profileImplEnv, impl, implCaddy, implCaddyTracemeta)
		}
		stop, err := profileCaddy(e.stacks[impl], out)
		if err != nil {
			b.Fatal(err)
		}
		defer func() {
			if err := stop(); err != nil {
				b.Error(err)
			}
		}()
	}
	for _, c := range cases() {
		s := e.stacks[c.impl]
		url := s.sites[c.encode] + "/" + c.upstream + "/" + c.page
		b.Run(fmt.Sprintf("page=%s/upstream=%s/encode=%s/impl=%s", c.page, c.upstream, c.encode, c.impl), func(b *testing.B) {
			ctx, cancel := context.WithTimeout(b.Context(), 2*time.Minute)
			defer cancel()
			// Open the connections, and warm the stack's path.
			if _, err := load(ctx, client, url, 4*clients); err != nil {
				b.Fatal(err)
			}
			before, err := s.cpu()
			if err != nil {
				b.Fatal(err)
			}
			readsBefore, writesBefore, err := s.syscalls()
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			start := time.Now()
			received, err := load(ctx, client, url, b.N)
			elapsed := time.Since(start)
			b.StopTimer()
			if err != nil {
				b.Fatal(err)
			}
			after, err := s.cpu()
			if err != nil {
				b.Fatal(err)
			}
			readsAfter, writesAfter, err := s.syscalls()
			if err != nil {
				b.Fatal(err)
			}
			n := float64(b.N)
			b.ReportMetric(float64(after-before)/n, "proxy-ns/req")
			b.ReportMetric(float64(readsAfter-readsBefore)/n, "proxy-reads/req")
			b.ReportMetric(float64(writesAfter-writesBefore)/n, "proxy-writes/req")
			b.ReportMetric(n/elapsed.Seconds(), "req/s")
			b.ReportMetric(float64(received)/n, "resp-B")
		})
	}
}

// profileSeconds is the length of the CPU profile of profileEnv.
const profileSeconds = 10

// profileCaddy starts a CPU profile of s, a Caddy with its admin API, of
// profileSeconds; stop waits for it and writes it to out. Run the rows to
// profile for longer than that (profile.sh caddy does).
func profileCaddy(s *stack, out string) (stop func() error, err error) {
	if s.admin == "" {
		return nil, fmt.Errorf("%s is set but the Caddy has no admin API", profileEnv)
	}
	done := make(chan error, 1)
	go func() {
		done <- func() error {
			resp, err := http.Get(fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", s.admin, profileSeconds))
			if err != nil {
				return fmt.Errorf("profile: %w", err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				body, _ := io.ReadAll(resp.Body)
				return fmt.Errorf("profile: status %d: %s", resp.StatusCode, body)
			}
			f, err := os.Create(out)
			if err != nil {
				return err
			}
			if _, err := io.Copy(f, resp.Body); err != nil {
				f.Close()
				return fmt.Errorf("profile: %w", err)
			}
			return f.Close()
		}()
	}()
	return func() error { return <-done }, nil
}

// TestProxies checks what BenchmarkProxy measures: every stack serves every
// page from every upstream; the plain ones unchanged, the rewriting ones
// with the tags once, in the head, and the page's bytes otherwise intact;
// compressed where encode or the upstream compresses.
func TestProxies(t *testing.T) {
	e := setup(t)
	client := newClient()
	defer client.CloseIdleConnections()
	byName := map[string]page{}
	for _, p := range pages() {
		byName[p.name] = p
	}
	for _, c := range cases() {
		t.Run(fmt.Sprintf("%s/%s/encode=%s/%s", c.page, c.upstream, c.encode, c.impl), func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, e.stacks[c.impl].sites[c.encode]+"/"+c.upstream+"/"+c.page, nil)
			require.NoError(t, err)
			rewrite.Incoming(req.Header)
			req.Header.Set("Accept-Encoding", acceptEncoding)
			resp, err := client.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			require.Equal(t, http.StatusOK, resp.StatusCode)
			raw, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			body := raw
			coding := resp.Header.Get("Content-Encoding")
			if coding == "gzip" {
				zr, err := gzip.NewReader(bytes.NewReader(raw))
				require.NoError(t, err)
				body, err = io.ReadAll(zr)
				require.NoError(t, err)
			} else {
				assert.Empty(t, coding, "identity or gzip")
			}
			if c.encode != "none" || (c.upstream == codingGzip && c.impl != implCaddyTracemeta) {
				// Caddy with tracemeta asks the upstream for identity and,
				// without encode, sends the rewritten page as it is.
				assert.Equal(t, "gzip", coding, "compressed by encode or by the upstream")
			}
			want := byName[c.page].html
			switch c.impl {
			case implCaddy, implWorkerdPlain:
				assert.Equal(t, string(want), string(body), "the page unchanged")
			default:
				checkTags(t, want, body)
			}
		})
	}
}

// traceTag opens the sentry-trace tag of the incoming trace, whatever the
// span.
var traceTag = []byte(`<meta name="sentry-trace" content="771a43a4192642f0b136d5159a501700-`)

// checkTags asserts that body is page with one set of tags, sentry-trace
// and baggage of the incoming trace, inserted at one place in the head.
func checkTags(t *testing.T, page, body []byte) {
	t.Helper()
	require.Equal(t, 1, bytes.Count(body, traceTag), "one sentry-trace tag of the incoming trace:\n%.600s", body)
	at := bytes.Index(body, traceTag)
	assert.Less(t, at, bytes.Index(body, []byte("</head>")), "in the head")
	baggage := bytes.Index(body[at:], []byte(`<meta name="baggage" content="sentry-trace_id=771a43a4192642f0b136d5159a501700,`))
	require.GreaterOrEqual(t, baggage, 0, "the baggage tag of the incoming trace")
	end := at + baggage + bytes.IndexByte(body[at+baggage:], '>') + 1
	rest := append(bytes.Clone(body[:at]), body[end:]...)
	assert.Equal(t, string(page), string(rest), "the page plus the tags")
}
