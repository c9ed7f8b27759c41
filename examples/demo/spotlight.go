package main

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/getsentry/sentry-go"

	"github.com/tracemeta/tracemeta/examples/internal/collector"
)

// Spotlight (https://spotlightjs.com) is Sentry's UI for local development:
// its sidecar, a Node.js server from the npm package @spotlightjs/spotlight
// (pinned in examples/browser/package-lock.json), takes envelopes on
// POST /stream and POST /api/{project}/envelope/ and shows them at its root
// URL. spotlight.mjs starts it as the package's CLI does, minus the CLI's
// reports to Spotlight's own Sentry project. The browser SDK forwards every envelope it sends to the sidecar's
// /stream with spotlightBrowserIntegration. sentry-go (v0.50.0) has no
// Spotlight option, so each service sends through teeTransport: to its DSN
// and to a DSN whose host is the sidecar.

//go:embed spotlight.mjs
var spotlightLauncher string

// defaultSpotlightPort is the sidecar's own default, which the SDKs assume.
const defaultSpotlightPort = 8969

// sidecar is a running Spotlight sidecar.
type sidecar struct {
	URL string // http://127.0.0.1:port, the UI; envelopes go to URL+"/stream"

	cmd  *exec.Cmd
	out  *lockedBuffer
	done chan struct{} // closed when the process has exited
	err  error         // of cmd.Wait, valid after done
}

// startSidecar runs the sidecar installed in the npm project at projectDir
// on port (0 picks a free one) and waits until it answers.
func startSidecar(ctx context.Context, projectDir string, port int) (*sidecar, error) {
	ui := filepath.Join(projectDir, "node_modules", "@spotlightjs", "spotlight", "dist", "ui")
	if _, err := os.Stat(filepath.Join(ui, "index.html")); err != nil {
		return nil, fmt.Errorf("demo: spotlight sidecar not installed (npm ci in %s): %w", projectDir, err)
	}
	if port == 0 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("demo: spotlight port: %w", err)
		}
		port = ln.Addr().(*net.TCPAddr).Port
		ln.Close()
	}
	s := &sidecar{
		URL:  "http://127.0.0.1:" + strconv.Itoa(port),
		out:  &lockedBuffer{max: 64 << 10},
		done: make(chan struct{}),
	}
	s.cmd = exec.Command("node", "--input-type=module", "-e", spotlightLauncher, strconv.Itoa(port), ui)
	s.cmd.Dir = projectDir // where node resolves @spotlightjs/spotlight
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("demo: starting the spotlight sidecar: %w", err)
	}
	go func() {
		s.err = s.cmd.Wait()
		close(s.done)
	}()

	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		if s.healthy(ctx) {
			return s, nil
		}
		select {
		case <-s.done:
			return nil, fmt.Errorf("demo: the spotlight sidecar exited (%v) before it answered on port %d (in use? choose another with -spotlight-port):\n%s", s.err, port, s.out)
		case <-ctx.Done():
			_ = s.close()
			return nil, fmt.Errorf("demo: the spotlight sidecar did not answer on %s: %w\n%s", s.URL, ctx.Err(), s.out)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// healthy reports whether the sidecar answers its health check.
func (s *sidecar) healthy(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/health", nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64))
	return resp.StatusCode == http.StatusOK && bytes.Equal(b, []byte("OK"))
}

// StreamURL is where the browser SDK's spotlightBrowserIntegration sends.
func (s *sidecar) StreamURL() string { return s.URL + "/stream" }

// DSN is the DSN whose envelopes go to the sidecar.
func (s *sidecar) DSN() (string, error) { return collector.DSN(s.URL, "spotlight", "0") }

// close stops the sidecar: an interrupt, then a kill after 5 s.
func (s *sidecar) close() error {
	_ = s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
	var exit *exec.ExitError
	if s.err != nil && !errors.As(s.err, &exit) {
		return fmt.Errorf("demo: spotlight sidecar: %w", s.err)
	}
	return nil // stopped by the signal
}

// lockedBuffer keeps the first max bytes of a process's output.
type lockedBuffer struct {
	mu  sync.Mutex
	b   bytes.Buffer
	max int
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if room := l.max - l.b.Len(); room > 0 {
		l.b.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// teeTransport sends every event through one sentry-go HTTP transport per
// DSN: the client's own, and the sidecar's.
type teeTransport struct {
	dsns       []string // "" is the client's DSN
	transports []sentry.Transport
}

var _ sentry.Transport = (*teeTransport)(nil)

// newTeeTransport returns a transport that sends to the client's DSN and to
// each of also.
func newTeeTransport(also ...string) *teeTransport {
	t := &teeTransport{dsns: append([]string{""}, also...)}
	for range t.dsns {
		t.transports = append(t.transports, sentry.NewHTTPTransport())
	}
	return t
}

// Configure configures each transport with the client's options and its DSN.
func (t *teeTransport) Configure(options sentry.ClientOptions) {
	for i, tr := range t.transports {
		o := options
		if t.dsns[i] != "" {
			o.Dsn = t.dsns[i]
		}
		tr.Configure(o)
	}
}

// SendEvent queues event on every transport.
func (t *teeTransport) SendEvent(event *sentry.Event) {
	for _, tr := range t.transports {
		tr.SendEvent(event)
	}
}

// Flush waits up to timeout for every transport to send what it holds.
func (t *teeTransport) Flush(timeout time.Duration) bool {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return t.FlushWithContext(ctx)
}

// FlushWithContext waits until every transport has sent what it holds or ctx
// ends.
func (t *teeTransport) FlushWithContext(ctx context.Context) bool {
	ok := true
	for _, tr := range t.transports {
		ok = tr.FlushWithContext(ctx) && ok
	}
	return ok
}

// Close stops every transport.
func (t *teeTransport) Close() {
	for _, tr := range t.transports {
		tr.Close()
	}
}
