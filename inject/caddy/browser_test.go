package injectcaddy_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/tracecontext"
)

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
			ctx := newBrowser(t, path)
			named := loadPage(t, ctx, base+tc.path, "h1")
			encoding, err := chromedp.Run(ctx, chromedp.Evaluate[string](
				`(n => n.encodedBodySize < n.decodedBodySize ? 'compressed' : 'identity')(performance.getEntriesByType('navigation')[0])`))
			require.NoError(t, err)
			assert.Equal(t, "compressed", encoding, "the browser got the page compressed by encode")
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

// TestBrowserFetch loads a page through Caddy in chromium that fetch()es an
// API behind the same Caddy while its pageload is open. The API request
// reaches its upstream with the sentry-trace of the browser's own
// http.client span, a child of the pageload, as the browser sent it: Caddy
// names no span of its own. An API traced by the Sentry SDK makes its
// transaction a child of that span. The APIs: a Go one that records the
// headers it gets, behind the example Node app's pages, with and without
// Caddy's tracing; and a Flask one that answers with the sentry-trace it
// got, fetched by the script of a PHP page, with tracemeta on the whole site
// or on the pages' route alone (what the API gets must not depend on it).
func TestBrowserFetch(t *testing.T) {
	path := chromium(t)
	col := newCollector(t)
	dsn := col.DSN("49d0f7386ad645858ae85020e393bef3")

	app := nodeApp(t, dsn)
	var goAPI headerLog
	goAPIAddr := httpUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		goAPI.record(r)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"items":[]}`))
	})
	// fetchGoAPI has the page fetch() the Go API and returns the
	// sentry-trace the API got. It runs while the pageload is still open,
	// so that the fetch gets an http.client span of its own under it.
	fetchGoAPI := func(t *testing.T, ctx context.Context) string {
		status, err := chromedp.Run(ctx, chromedp.Evaluate[int](`fetch('/api/items').then(r => r.status)`, chromedp.EvalAwaitPromise))
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, status)
		got := goAPI.last(t)
		assert.Equal(t, "empty", got.Get("Sec-Fetch-Dest"))
		return got.Get("Sentry-Trace")
	}
	nodeSite := "\tencode gzip zstd\n\ttracemeta {\n\t\tpublic_key 49d0f7386ad645858ae85020e393bef3\n\t}\n" +
		"\thandle /api/* {\n\t\treverse_proxy " + goAPIAddr + "\n\t}\n\treverse_proxy " + app + "\n"

	// The example Node app serves the @sentry/browser bundle as /sentry.js;
	// without a DSN its own SDK sends nothing, so the one http.server
	// transaction of the PHP page's trace is the Flask API's.
	bundle := nodeApp(t, "")
	flask := flaskApp(t, dsn)
	pages := phpApp(t, "SENTRY_BROWSER_DSN="+dsn)
	// readFlaskAnswer returns the sentry-trace the Flask API says it got,
	// which the script of the PHP page writes into #api.
	readFlaskAnswer := func(t *testing.T, ctx context.Context) string {
		answer, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('api').textContent`))
		require.NoError(t, err)
		t.Logf("the API answered %s", answer)
		var got struct {
			SentryTrace string `json:"sentry_trace"`
		}
		require.NoError(t, json.Unmarshal([]byte(answer), &got), "the API's answer")
		return got.SentryTrace
	}
	// phpSite is the PHP pages' site with the tracemeta block tracemeta on
	// the whole site (onSite) or on the pages' route (onPages).
	phpSite := func(onSite, onPages string) string {
		return "\tencode gzip\n" + onSite +
			"\thandle /sentry.js {\n\t\treverse_proxy " + bundle + "\n\t}\n" +
			"\thandle /api/* {\n\t\treverse_proxy " + flask + "\n\t}\n" +
			"\thandle {\n" + onPages + "\t\treverse_proxy " + pages + "\n\t}\n"
	}
	const tracemeta = "\ttracemeta {\n\t\tpublic_key 49d0f7386ad645858ae85020e393bef3\n\t}\n"

	for _, tc := range []struct {
		name        string
		site        string
		page, ready string                                         // the page, and an element there once it can be read
		fetch       func(t *testing.T, ctx context.Context) string // the sentry-trace the API got
		apiTraced   bool                                           // the API sends a transaction of its own
	}{
		{"go api/tracing=false", withTracing(false, nodeSite), "/plain", "h1", fetchGoAPI, false},
		{"go api/tracing=true", withTracing(true, nodeSite), "/plain", "h1", fetchGoAPI, false},
		{"flask api/tracemeta on the site", phpSite(tracemeta, ""), "/fetch", "#api", readFlaskAnswer, true},
		{"flask api/tracemeta on the pages", phpSite("", tracemeta), "/fetch", "#api", readFlaskAnswer, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := startCaddy(t, tc.site)
			ctx := newBrowser(t, path)
			page := loadPage(t, ctx, base+tc.page, tc.ready)
			received, err := tracecontext.ParseSentryTrace(tc.fetch(t, ctx))
			require.NoError(t, err, "the API got the browser SDK's sentry-trace")
			assert.Equal(t, page.TraceID, received.TraceID, "the API call is in the page's trace")

			pageload := col.waitSpan(t, "pageload span of the browser", func(s sentrySpan) bool {
				return s.TraceID == page.TraceID.String() && s.Op == "pageload"
			})
			client := col.waitSpan(t, "http.client span of the browser's fetch", func(s sentrySpan) bool {
				return s.TraceID == page.TraceID.String() && s.Op == "http.client"
			})
			assert.Equal(t, client.SpanID, received.SpanID.String(), "the API request names the browser's http.client span")
			assert.Equal(t, pageload.SpanID, client.ParentSpanID, "the http.client span is the pageload's child")
			if tc.apiTraced {
				server := col.waitSpan(t, "transaction of the API", func(s sentrySpan) bool {
					return s.TraceID == page.TraceID.String() && s.Op == "http.server"
				})
				assert.Equal(t, client.SpanID, server.ParentSpanID, "the API's transaction is a child of the browser's fetch span")
			}
		})
	}
}
