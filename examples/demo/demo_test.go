package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/examples/internal/browsertest"
	"github.com/tracemeta/tracemeta/examples/internal/collector"
)

func TestMain(m *testing.M) { os.Exit(browsertest.Main(m)) }

// syncBuffer is the demo's stdout, written by the collector's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestDemoOneTrace loads the frontend in Chromium and checks that the
// pageload, the frontend request, the orders API call and both payment calls
// form one tree in the collector, and that the demo printed it.
func TestDemoOneTrace(t *testing.T) {
	chromium := browsertest.Require(t)
	bundles := browsertest.Bundles(t)
	var out syncBuffer
	d, err := start(config{host: "127.0.0.1", bundleDir: bundles.Dir, out: &out, printDelay: 300 * time.Millisecond})
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		assert.NoError(t, d.close(ctx))
	})

	browser := browsertest.NewBrowser(t, chromium)
	require.NoError(t, chromedp.Do(browser, chromedp.Navigate(d.FrontendURL+"/")))
	wait, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pageload, err := d.Collector.WaitSpan(wait, func(s collector.Span) bool { return s.Op == "pageload" })
	require.NoError(t, err)
	t.Logf("pageload %s in trace %s, parent %s", pageload.SpanID, pageload.TraceID, pageload.ParentSpanID)

	// The services' transactions may still be in flight: wait for the last.
	frontend, err := d.Collector.WaitSpan(wait, func(s collector.Span) bool {
		return s.TraceID == pageload.TraceID && s.SpanID == pageload.ParentSpanID
	})
	require.NoError(t, err, "the pageload's parent is a span the frontend reported")
	assert.Equal(t, "frontend", frontend.Service)
	assert.Equal(t, "http.server", frontend.Op)
	for _, svc := range []string{"orders", "payment"} {
		_, err := d.Collector.WaitSpan(wait, func(s collector.Span) bool {
			return s.TraceID == pageload.TraceID && s.Service == svc && s.Op == "http.server"
		})
		require.NoError(t, err, svc)
	}
	tr, ok := d.Collector.Trace(pageload.TraceID)
	require.True(t, ok)

	assert.Len(t, d.Collector.Traces(), 1, "one pageload, one trace: the SDK bundle is served untraced")

	roots := tr.Tree()
	require.Len(t, roots, 1, "one tree, rooted at the frontend request")
	root := roots[0]
	assert.Equal(t, frontend.SpanID, root.SpanID)
	assert.False(t, root.Orphan)

	// frontend http.server -> http.client -> orders http.server -> 2 x (http.client -> payment http.server)
	var toOrders, orders *collector.Node
	for _, c := range root.Children {
		if c.Op == "http.client" {
			toOrders = c
		}
	}
	require.NotNil(t, toOrders, "the frontend's call to the orders API")
	require.Len(t, toOrders.Children, 1)
	orders = toOrders.Children[0]
	assert.Equal(t, "orders", orders.Service)
	var payments int
	for _, c := range orders.Children {
		if c.Op == "http.client" && len(c.Children) == 1 && c.Children[0].Service == "payment" {
			payments++
		}
	}
	assert.Equal(t, 2, payments, "both payment calls under the orders request")

	// The browser continued the frontend's DSC.
	assert.Equal(t, pageload.TraceID, pageload.DSC["trace_id"])
	assert.Equal(t, collectorKey, pageload.DSC["public_key"])
	assert.Equal(t, release, pageload.DSC["release"])
	assert.Equal(t, environment, pageload.DSC["environment"])

	// The page shows its trace and links to the collector's waterfall of
	// it, where the pageload is marked as continued from the page's tags.
	shown, err := chromedp.Run(browser, chromedp.Evaluate[string](`document.getElementById('trace-id').textContent`))
	require.NoError(t, err)
	assert.Equal(t, pageload.TraceID, shown)
	link, err := chromedp.Run(browser, chromedp.Evaluate[string](`document.getElementById('trace-link').href`))
	require.NoError(t, err)
	assert.Equal(t, d.CollectorURL+"/?trace="+pageload.TraceID, link)
	resp, err := http.Get(link)
	require.NoError(t, err)
	view, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.True(t, strings.Contains(string(view), `<section id="`+pageload.TraceID+`">`), "the view shows the trace")
	assert.True(t, strings.Contains(string(view), "this pageload continued the trace of <b>http.server  GET /</b> [frontend]"), "the pageload is marked as continued from the page")

	require.Eventually(t, func() bool { return strings.Contains(out.String(), "trace "+pageload.TraceID) },
		5*time.Second, 50*time.Millisecond, "the demo prints the trace")
	t.Logf("the demo printed:\n%s", out.String())
}

// TestDemoSentryDSN runs the demo with a DSN, as SENTRY_DSN sets it: no
// embedded collector, and every service sends to the DSN's host (here a
// collector standing in for Sentry), in one trace.
func TestDemoSentryDSN(t *testing.T) {
	sentryStandIn := collector.New()
	srv := httptest.NewServer(sentryStandIn)
	defer srv.Close()
	dsn, err := collector.DSN(srv.URL, "realkey", "77")
	require.NoError(t, err)
	d, err := start(config{host: "127.0.0.1", dsn: dsn, bundleDir: t.TempDir(), out: io.Discard})
	require.NoError(t, err)
	assert.Nil(t, d.Collector)
	assert.Empty(t, d.CollectorURL)

	resp, err := http.Get(d.FrontendURL + "/")
	require.NoError(t, err)
	page, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(page), strconv.Quote(dsn), "the browser SDK gets the same DSN")

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, d.close(ctx), "close flushes the clients")
	traces := sentryStandIn.Traces()
	require.Len(t, traces, 1)
	services := map[string]bool{}
	for _, s := range traces[0].Spans {
		services[s.Service] = true
		assert.Equal(t, "77", s.Project)
		assert.Equal(t, "realkey", s.DSC["public_key"])
	}
	assert.Equal(t, map[string]bool{"frontend": true, "orders": true, "payment": true}, services)
	roots := traces[0].Tree()
	require.Len(t, roots, 1)
	assert.Equal(t, "GET /", roots[0].Name)
}
