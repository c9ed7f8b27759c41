package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/getsentry/sentry-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/examples/internal/browserbundle"
	"github.com/tracemeta/tracemeta/examples/internal/browsertest"
	"github.com/tracemeta/tracemeta/examples/internal/collector"
)

// spotlightEnvelope is what the sidecar streams of an envelope it received.
type spotlightEnvelope struct {
	traceID   string // of the envelope header's DSC
	sdk       string // the sending SDK's name
	userAgent string // of the request that posted it to the sidecar
	servers   []string
}

// subscribe streams what the sidecar at url receives (its SSE endpoint, the
// one Spotlight's UI reads) until ctx ends.
func subscribe(t *testing.T, ctx context.Context, url string) <-chan spotlightEnvelope {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/stream", nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	out := make(chan spotlightEnvelope, 64)
	go func() {
		defer close(out)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 16<<20)
		for sc.Scan() {
			data, ok := strings.CutPrefix(sc.Text(), "data: ")
			if !ok {
				continue
			}
			var env []json.RawMessage // [header, [[item header, payload], ...]]
			if json.Unmarshal([]byte(data), &env) != nil || len(env) != 2 {
				continue
			}
			var header struct {
				Trace struct {
					TraceID string `json:"trace_id"`
				} `json:"trace"`
				SDK struct {
					Name string `json:"name"`
				} `json:"sdk"`
				UserAgent string `json:"__spotlight_sender_user_agent"`
			}
			var items [][]json.RawMessage
			_ = json.Unmarshal(env[0], &header)
			_ = json.Unmarshal(env[1], &items)
			e := spotlightEnvelope{traceID: header.Trace.TraceID, sdk: header.SDK.Name, userAgent: header.UserAgent}
			for _, it := range items {
				var payload struct {
					ServerName string `json:"server_name"`
				}
				if len(it) == 2 && json.Unmarshal(it[1], &payload) == nil && payload.ServerName != "" {
					e.servers = append(e.servers, payload.ServerName)
				}
			}
			select {
			case out <- e:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

// TestDemoSpotlight runs the demo with -spotlight: the sidecar of the pinned
// @spotlightjs/spotlight starts, and a pageload in Chromium sends the
// browser's envelopes (through spotlightBrowserIntegration, straight from
// the browser) and the three services' transactions (through teeTransport)
// to it, all in the page's trace, while the collector still gets them.
func TestDemoSpotlight(t *testing.T) {
	chromium := browsertest.Require(t)
	bundles := browsertest.Bundles(t)
	project, err := browserbundle.ProjectDir()
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	side, err := startSidecar(ctx, project, 0)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, side.close()) })
	received := subscribe(t, ctx, side.URL)

	d, err := start(config{host: "127.0.0.1", bundleDir: bundles.Dir, spotlight: side, out: io.Discard, printDelay: time.Second})
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		assert.NoError(t, d.close(ctx))
	})

	browser := browsertest.NewBrowser(t, chromium)
	require.NoError(t, chromedp.Do(browser, chromedp.Navigate(d.FrontendURL+"/")))
	traceID, err := chromedp.Run(browser, chromedp.Evaluate[string](`document.getElementById('trace-id').textContent`))
	require.NoError(t, err)
	require.Len(t, traceID, 32)
	link, err := chromedp.Run(browser, chromedp.Evaluate[string](`document.getElementById('spotlight-link').href`))
	require.NoError(t, err)
	assert.Equal(t, side.URL+"/", link, "the page links to Spotlight's UI")
	resp, err := http.Get(link)
	require.NoError(t, err)
	ui, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.True(t, strings.HasPrefix(string(ui), "<!DOCTYPE html>"), "the sidecar serves Spotlight's UI")

	want := map[string]bool{"browser": true, "frontend": true, "orders": true, "payment": true}
	seen := map[string]bool{}
	for len(seen) < len(want) {
		select {
		case e, ok := <-received:
			require.True(t, ok, "the sidecar's stream ended; it got %v", seen)
			if e.traceID != traceID {
				continue
			}
			if strings.HasPrefix(e.sdk, "sentry.javascript.browser") {
				assert.Contains(t, e.userAgent, "Chrome", "the browser posts to the sidecar itself")
				seen["browser"] = true
			}
			if strings.HasPrefix(e.sdk, "sentry.go") { // sentry.go, or sentry.go.http from sentryhttp
				for _, s := range e.servers {
					seen[s] = true
				}
			}
		case <-ctx.Done():
			t.Fatalf("the sidecar received %v of trace %s, want %v; its output:\n%s", seen, traceID, want, side.out)
		}
	}
	assert.Equal(t, want, seen)

	// The collector got the same trace.
	_, err = d.Collector.WaitSpan(ctx, func(s collector.Span) bool { return s.TraceID == traceID && s.Op == "pageload" })
	require.NoError(t, err)
}

// TestTeeTransport: each event goes to the client's DSN and to the other.
func TestTeeTransport(t *testing.T) {
	first, second := collector.New(), collector.New()
	srv1, srv2 := httptest.NewServer(first), httptest.NewServer(second)
	defer srv1.Close()
	defer srv2.Close()
	dsn1, err := collector.DSN(srv1.URL, "one", "1")
	require.NoError(t, err)
	dsn2, err := collector.DSN(srv2.URL, "two", "2")
	require.NoError(t, err)
	client, err := sentry.NewClient(sentry.ClientOptions{
		Dsn: dsn1, EnableTracing: true, TracesSampleRate: 1, ServerName: "svc",
		Transport: newTeeTransport(dsn2),
	})
	require.NoError(t, err)
	hub := sentry.NewHub(client, sentry.NewScope())
	txn := sentry.StartTransaction(sentry.SetHubOnContext(context.Background(), hub), "GET /")
	txn.Finish()
	require.True(t, client.Flush(5*time.Second))
	for _, c := range []*collector.Collector{first, second} {
		traces := c.Traces()
		require.Len(t, traces, 1)
		assert.Equal(t, txn.TraceID.String(), traces[0].TraceID)
		assert.Equal(t, "svc", traces[0].Spans[0].Service)
	}
	assert.Equal(t, "1", first.Traces()[0].Spans[0].Project)
	assert.Equal(t, "2", second.Traces()[0].Spans[0].Project)
	client.Close()
}

// TestLockedBuffer keeps the first max bytes and reports every write whole.
func TestLockedBuffer(t *testing.T) {
	b := &lockedBuffer{max: 5}
	for _, s := range []string{"abc", "defg", "hij"} {
		n, err := b.Write([]byte(s))
		require.NoError(t, err)
		assert.Equal(t, len(s), n)
	}
	assert.Equal(t, "abcde", b.String())
}

// TestStartSidecarNotInstalled: without npm ci the demo says what is missing.
func TestStartSidecarNotInstalled(t *testing.T) {
	dir := t.TempDir()
	_, err := startSidecar(context.Background(), dir, 0)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "spotlight sidecar not installed (npm ci in "+dir+")")
}
