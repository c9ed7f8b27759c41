package injectcaddy_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/tracecontext"
)

// TestBrowserFetchAPI loads, in chromium, a PHP page proxied by Caddy whose
// script fetches /api/items from a Flask API traced by the Sentry SDK,
// through the same Caddy. The browser SDK's http.client span of that fetch
// must be the parent of the API's transaction: Caddy passes the fetch's
// sentry-trace on as the browser sent it, and names no span of its own.
func TestBrowserFetchAPI(t *testing.T) {
	path := chromium(t)
	col := newCollector(t)
	dsn := col.DSN("49d0f7386ad645858ae85020e393bef3")
	// The example Node app serves the @sentry/browser bundle as /sentry.js;
	// without a DSN its own SDK sends nothing, so the one http.server
	// transaction of the trace is the API's.
	bundle := nodeApp(t, "")
	api := flaskApp(t, dsn)
	pages := phpApp(t, "SENTRY_BROWSER_DSN="+dsn)
	for _, tc := range []struct{ name, site string }{
		{"tracemeta on the site", `	encode gzip
	tracemeta {
		public_key 49d0f7386ad645858ae85020e393bef3
	}
	handle /sentry.js {
		reverse_proxy ` + bundle + `
	}
	handle /api/* {
		reverse_proxy ` + api + `
	}
	handle {
		reverse_proxy ` + pages + `
	}
`},
		// The same with tracemeta on the pages' route alone: what the API
		// must get whatever the route.
		{"tracemeta on the pages", `	encode gzip
	handle /sentry.js {
		reverse_proxy ` + bundle + `
	}
	handle /api/* {
		reverse_proxy ` + api + `
	}
	handle {
		tracemeta {
			public_key 49d0f7386ad645858ae85020e393bef3
		}
		reverse_proxy ` + pages + `
	}
`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := startCaddy(t, tc.site)
			fetchThroughCaddy(t, path, base, col)
		})
	}
}

// fetchThroughCaddy loads base/fetch in chromium and checks that the API's
// transaction is a child of the browser's span of the page's fetch.
func fetchThroughCaddy(t *testing.T, path, base string, col *collector) {
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

	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(base+"/fetch")))
	require.NoError(t, chromedp.Do(ctx, chromedp.WaitReady("#api")))
	pageTrace, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('meta[name="sentry-trace"]').content`))
	require.NoError(t, err)
	answer, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('api').textContent`))
	require.NoError(t, err)
	t.Logf("page: sentry-trace %s; API answered %s", pageTrace, answer)
	page, err := tracecontext.ParseSentryTrace(pageTrace)
	require.NoError(t, err)
	var got struct {
		SentryTrace string `json:"sentry_trace"`
	}
	require.NoError(t, json.Unmarshal([]byte(answer), &got), "the API's answer")
	received, err := tracecontext.ParseSentryTrace(got.SentryTrace)
	require.NoError(t, err, "the sentry-trace the API got")

	fetch := col.waitSpan(t, "http.client span of the browser's fetch", func(s sentrySpan) bool {
		return s.TraceID == page.TraceID.String() && s.Op == "http.client"
	})
	server := col.waitSpan(t, "transaction of the API", func(s sentrySpan) bool {
		return s.TraceID == page.TraceID.String() && s.Op == "http.server"
	})
	assert.Equal(t, fetch.SpanID, received.SpanID.String(), "the API gets the sentry-trace of the browser's fetch span")
	assert.Equal(t, fetch.SpanID, server.ParentSpanID, "the API's transaction is a child of the browser's fetch span")
}
