package injectcaddy_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/tracecontext"
)

// TestBrowserFetch loads a page through Caddy in chromium and has it
// fetch() an API behind the same Caddy: the API request reaches its upstream
// with the sentry-trace of the browser's own http.client span, a child of
// the pageload, not a span of Caddy's.
func TestBrowserFetch(t *testing.T) {
	path := chromium(t)
	col := newCollector(t)
	app := nodeApp(t, col.DSN("49d0f7386ad645858ae85020e393bef3"))
	var (
		mu  sync.Mutex
		api []http.Header
	)
	apiUp := httpUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		api = append(api, r.Header.Clone())
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"items":[]}`))
	})
	for _, tracing := range []bool{false, true} {
		t.Run(fmt.Sprintf("tracing=%v", tracing), func(t *testing.T) {
			site := "\tencode gzip zstd\n\ttracemeta {\n\t\tpublic_key 49d0f7386ad645858ae85020e393bef3\n\t}\n" +
				"\thandle /api/* {\n\t\treverse_proxy " + apiUp + "\n\t}\n\treverse_proxy " + app + "\n"
			if tracing {
				site = "\ttracing\n" + site
			}
			base := startCaddy(t, site)
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

			require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(base+"/plain")))
			require.NoError(t, chromedp.Do(ctx, chromedp.WaitReady("h1")))
			sentryTrace, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('meta[name="sentry-trace"]').content`))
			require.NoError(t, err)
			page, err := tracecontext.ParseSentryTrace(sentryTrace)
			require.NoError(t, err)
			// While the pageload is still open, so that the fetch gets
			// an http.client span of its own under it.
			status, err := chromedp.Run(ctx, chromedp.Evaluate[int](`fetch('/api/items').then(r => r.status)`, chromedp.EvalAwaitPromise))
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, status)

			mu.Lock()
			require.NotEmpty(t, api, "the API got no request")
			got := api[len(api)-1]
			mu.Unlock()
			assert.Equal(t, "empty", got.Get("Sec-Fetch-Dest"))
			apiTrace, err := tracecontext.ParseSentryTrace(got.Get("Sentry-Trace"))
			require.NoError(t, err, "the browser SDK sent sentry-trace")
			assert.Equal(t, page.TraceID, apiTrace.TraceID, "the API call is in the page's trace")

			pageload := col.waitSpan(t, "pageload span of the browser", func(s sentrySpan) bool {
				return s.TraceID == page.TraceID.String() && s.Op == "pageload"
			})
			client := col.waitSpan(t, "http.client span of the fetch", func(s sentrySpan) bool {
				return s.TraceID == page.TraceID.String() && s.Op == "http.client"
			})
			assert.Equal(t, client.SpanID, apiTrace.SpanID.String(), "the API request names the browser's http.client span")
			assert.Equal(t, pageload.SpanID, client.ParentSpanID, "the http.client span is the pageload's child")
		})
	}
}
