package injectcaddy_test

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/tracecontext"
)

// chromium returns Debian's chromium ($CHROMIUM, else chromium on $PATH),
// never a downloaded browser.
func chromium(t testing.TB) string {
	t.Helper()
	path := os.Getenv("CHROMIUM")
	if path == "" {
		var err error
		if path, err = exec.LookPath("chromium"); err != nil {
			skipOrFail(t, "chromium is not installed (apt-get install chromium)")
		}
	}
	return path
}

// TestBrowser loads a page of the example Node app through Caddy in
// chromium, where the unmodified @sentry/browser SDK continues the trace the
// tags name: its pageload span is a child of the app's server span.
func TestBrowser(t *testing.T) {
	path := chromium(t)
	col := newCollector(t)
	app := nodeApp(t, col.DSN("49d0f7386ad645858ae85020e393bef3"))
	for _, tc := range []struct{ name, site, path string }{
		{"server-timing", "\tencode gzip zstd\n\ttracemeta {\n\t\tpublic_key 49d0f7386ad645858ae85020e393bef3\n\t}\n\treverse_proxy " + app + "\n", "/timing"},
		{"caddy span, tracing", "\ttracing\n\tencode zstd gzip\n\ttracemeta\n\treverse_proxy " + app + "\n", "/plain"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := startCaddy(t, tc.site)
			alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
				chromedp.ExecPath(path),
				chromedp.Flag("headless", true),
				chromedp.Flag("no-sandbox", true),
				chromedp.Flag("disable-gpu", true),
				chromedp.Flag("no-first-run", true),
				chromedp.Flag("disable-background-networking", true),
				chromedp.Flag("disable-component-update", true),
				chromedp.Flag("disable-dev-shm-usage", true),
				chromedp.UserDataDir(t.TempDir()),
			)
			defer cancelAlloc()
			ctx, cancel := chromedp.NewContext(alloc)
			defer cancel()
			ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
			defer cancelTimeout()

			require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(base+tc.path)))
			require.NoError(t, chromedp.Do(ctx, chromedp.WaitReady("h1")))
			sentryTrace, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('meta[name="sentry-trace"]').content`))
			require.NoError(t, err)
			encoding, err := chromedp.Run(ctx, chromedp.Evaluate[string](
				`(n => n.encodedBodySize < n.decodedBodySize ? 'compressed' : 'identity')(performance.getEntriesByType('navigation')[0])`))
			require.NoError(t, err)
			t.Logf("page: sentry-trace %s", sentryTrace)
			assert.Equal(t, "compressed", encoding, "the browser got the page compressed by encode")
			named, err := tracecontext.ParseSentryTrace(sentryTrace)
			require.NoError(t, err)
			traceID, spanID := named.TraceID.String(), named.SpanID.String()
			if tc.path == "/plain" {
				assert.Equal(t, tracecontext.DecisionDeferred, named.Sampled, "Caddy leaves the decision to the browser SDK, which samples by its own rate")
			}

			pageload := col.waitSpan(t, "pageload span of the browser", func(s sentrySpan) bool {
				return s.TraceID == traceID && s.Op == "pageload"
			})
			assert.Equal(t, spanID, pageload.ParentSpanID, "the pageload is a child of the span the page names")
			server := col.waitSpan(t, "server transaction of the app", func(s sentrySpan) bool {
				return s.TraceID == traceID && s.Op == "http.server"
			})
			if tc.path == "/timing" {
				assert.Equal(t, server.SpanID, pageload.ParentSpanID, "the pageload is a child of the app's server span")
			} else {
				assert.Equal(t, server.ParentSpanID, pageload.ParentSpanID, "the app and the pageload are siblings under Caddy's span")
			}
		})
	}
}
