package main

import (
	"context"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/getsentry/sentry-go"
	sentryfiber "github.com/getsentry/sentry-go/fiber"
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/template/html/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/examples/internal/browsertest"
	"github.com/tracemeta/tracemeta/examples/internal/collector"
	"github.com/tracemeta/tracemeta/examples/internal/pagecheck"
	"github.com/tracemeta/tracemeta/inject"
	injectfiber "github.com/tracemeta/tracemeta/inject/fiber"
	"github.com/tracemeta/tracemeta/templates"
	"github.com/tracemeta/tracemeta/tracecontext"
	tmsentrygo "github.com/tracemeta/tracemeta/tracecontext/sentrygo"
)

func TestMain(m *testing.M) { os.Exit(browsertest.Main(m)) }

const (
	publicKey     = "fiberpublickey"
	serverRelease = "shop@3.1.4"
	upstreamTrace = "0af7651916cd43dd8448eb211c80319c"
	upstreamSpan  = "b7ad6b7169203331"
)

// serve runs app on a loopback listener until the test ends.
func serve(t *testing.T, app *fiber.App) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- app.Listener(ln) }()
	t.Cleanup(func() {
		http.DefaultClient.CloseIdleConnections()
		require.NoError(t, app.ShutdownWithTimeout(5*time.Second))
		require.NoError(t, <-done)
	})
	return "http://" + ln.Addr().String()
}

// get loads path with the given header and returns the status, the body and
// its meta tags by name.
func get(t *testing.T, url string, header http.Header) (int, string, map[string][]string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	req.Header = header
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	tags, err := pagecheck.MetaTags(strings.NewReader(string(body)))
	require.NoError(t, err)
	return resp.StatusCode, string(body), tags
}

// TestPages loads the example's pages from the app over loopback: each has
// one set of tags, which continues the incoming trace.
func TestPages(t *testing.T) {
	base := serve(t, newApp(config{}))
	incoming := http.Header{"Sentry-Trace": {upstreamTrace + "-" + upstreamSpan + "-1"}}
	for _, tt := range []struct {
		path   string
		status int
	}{
		{"/", http.StatusOK},
		{"/own", http.StatusOK},
		{"/fail", http.StatusInternalServerError},
		{"/missing", http.StatusNotFound},
	} {
		t.Run(tt.path, func(t *testing.T) {
			status, body, tags := get(t, base+tt.path, incoming)
			assert.Equal(t, tt.status, status)
			require.Len(t, tags["sentry-trace"], 1, body)
			require.Len(t, tags["baggage"], 1, body)
			assert.True(t, strings.HasPrefix(tags["sentry-trace"][0], upstreamTrace+"-"), tags["sentry-trace"][0])
			assert.Contains(t, tags["baggage"][0], "sentry-trace_id="+upstreamTrace)
			assert.Contains(t, tags["baggage"][0], "sentry-release=fiber%401.0.0")
			assert.Less(t, strings.Index(body, `name="sentry-trace"`), strings.Index(body, "<title>"), "the tags come first in <head>")
		})
	}
}

// newSentryClient returns a real sentry-go client that sends to coll.
func newSentryClient(t *testing.T, coll *collector.Collector) *sentry.Client {
	t.Helper()
	srv := httptest.NewServer(coll)
	t.Cleanup(srv.Close)
	dsn, err := collector.DSN(srv.URL, publicKey, "1")
	require.NoError(t, err)
	client, err := sentry.NewClient(sentry.ClientOptions{
		Dsn:              dsn,
		Release:          serverRelease,
		Environment:      "fiber-test",
		EnableTracing:    true,
		TracesSampleRate: 1,
	})
	require.NoError(t, err)
	t.Cleanup(func() { client.Close() })
	return client
}

// serverSpan waits for the transaction sentryfiber reported for path.
func serverSpan(t *testing.T, coll *collector.Collector, client *sentry.Client, path string) collector.Span {
	t.Helper()
	require.True(t, client.Flush(5*time.Second), "flush timed out")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	span, err := coll.WaitSpan(ctx, func(s collector.Span) bool {
		return s.Op == "http.server" && s.Name == "GET "+path
	})
	if err != nil {
		for _, tr := range coll.Traces() {
			for _, s := range tr.Spans {
				t.Logf("span %+v", s)
			}
		}
	}
	require.NoError(t, err, "no transaction for %s", path)
	return span
}

// TestSentryFiber checks the tags behind sentry-go's Fiber integration,
// sending to a local collector: they name the transaction it reports, and
// carry its DSC.
func TestSentryFiber(t *testing.T) {
	coll := collector.New()
	client := newSentryClient(t, coll)
	base := serve(t, newApp(config{sentry: client}))
	for _, tt := range []struct {
		path     string
		incoming http.Header
	}{
		{path: "/", incoming: http.Header{}},
		{path: "/own", incoming: http.Header{
			"Sentry-Trace": {upstreamTrace + "-" + upstreamSpan + "-1"},
			"Baggage":      {"sentry-trace_id=" + upstreamTrace + ",sentry-public_key=" + publicKey + ",sentry-release=edge%409,sentry-sampled=true,sentry-sample_rate=1"},
		}},
		// sentry-go drops the transactions of 404 responses
		// (TraceIgnoreStatusCodes), so an error page is a 500.
		{path: "/fail", incoming: http.Header{}},
	} {
		t.Run(tt.path, func(t *testing.T) {
			_, body, tags := get(t, base+tt.path, tt.incoming)
			require.Len(t, tags["sentry-trace"], 1, body)
			require.Len(t, tags["baggage"], 1, body)
			sc, err := tracecontext.ParseSentryTrace(tags["sentry-trace"][0])
			require.NoError(t, err)

			tx := serverSpan(t, coll, client, tt.path)
			assert.Equal(t, tx.TraceID, sc.TraceID.String(), "the transaction's trace")
			assert.Equal(t, tx.SpanID, sc.SpanID.String(), "the transaction's span")
			release := serverRelease
			if tt.incoming.Get("Sentry-Trace") != "" {
				assert.Equal(t, upstreamTrace, tx.TraceID)
				assert.Equal(t, upstreamSpan, tx.ParentSpanID)
				release = "edge@9" // the upstream DSC, frozen
			}
			assert.Contains(t, tags["baggage"][0], "sentry-release="+strings.ReplaceAll(release, "@", "%40"))
			assert.Contains(t, tags["baggage"][0], "sentry-trace_id="+tx.TraceID)
			if tt.incoming.Get("Baggage") == "" {
				assert.Equal(t, release, tx.DSC["release"], "the DSC the server sent is the page's")
			}
		})
	}
}

// TestBrowserPageload loads the page in headless Chromium with the real
// @sentry/browser: its pageload continues the transaction sentryfiber
// reported for the request that rendered the page.
func TestBrowserPageload(t *testing.T) {
	chromium := browsertest.Require(t)
	bundles := browsertest.Bundles(t)
	coll := collector.New()
	client := newSentryClient(t, coll)
	collSrv := httptest.NewServer(coll)
	t.Cleanup(collSrv.Close)
	browserDSN, err := collector.DSN(collSrv.URL, publicKey, "2")
	require.NoError(t, err)

	app := newApp(config{
		sentry: client,
		head:   template.HTML(`<script src="/static/sentry.js"></script><script src="/init.js"></script>`),
		routes: func(app *fiber.App) {
			app.Static("/static", bundles.Dir)
			app.Get("/init.js", func(c *fiber.Ctx) error {
				c.Type("js")
				return c.SendString(fmt.Sprintf(`Sentry.init({
  dsn: %s,
  release: "browser@0.0.1",
  tracesSampleRate: 1,
  integrations: [Sentry.browserTracingIntegration()],
});
`, strconv.Quote(browserDSN)))
			})
		},
	})
	base := serve(t, app)

	browser := browsertest.NewBrowser(t, chromium)
	require.NoError(t, chromedp.Do(browser, chromedp.Navigate(base+"/")))
	n, err := chromedp.Run(browser, chromedp.Evaluate[int](`document.querySelectorAll('meta[name="sentry-trace"]').length`))
	require.NoError(t, err)
	assert.Equal(t, 1, n, "one sentry-trace tag")

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pageload, err := coll.WaitSpan(ctx, func(s collector.Span) bool {
		return s.Op == "pageload" && s.Attributes["url.path"] == "/"
	})
	require.NoError(t, err, "the browser sent no pageload")
	tx := serverSpan(t, coll, client, "/")
	t.Logf("server transaction %s-%s, browser pageload %s", tx.TraceID, tx.SpanID, pageload.SpanID)
	assert.Equal(t, tx.TraceID, pageload.TraceID, "the pageload continues the server's trace")
	assert.Equal(t, tx.SpanID, pageload.ParentSpanID, "the server transaction is the pageload's parent")
	assert.Equal(t, "sentry.javascript.browser", pageload.Service)
	assert.Equal(t, serverRelease, pageload.DSC["release"], "the server's DSC, not the browser's")
	assert.Equal(t, tx.TraceID, pageload.DSC["trace_id"])
}

// TestSentryFiberInjectOption checks the one line a gin or echo app adds,
// inject.WithSource, behind sentryfiber, with a template whose traceMeta
// reads the default Source: the handler sees sentryfiber's transaction and
// continues no trace of its own, so the page gets one set of tags, naming
// that transaction.
func TestSentryFiberInjectOption(t *testing.T) {
	coll := collector.New()
	client := newSentryClient(t, coll)
	sub, err := fs.Sub(views, "views")
	require.NoError(t, err)
	engine := html.NewFileSystem(http.FS(sub), ".html")
	engine.AddFuncMap(templates.FuncMap()) // the default Source
	app := fiber.New(fiber.Config{DisableStartupMessage: true, Views: engine})
	app.Use(func(c *fiber.Ctx) error {
		sentryfiber.SetHubOnContext(c, sentry.NewHub(client, sentry.NewScope()))
		return c.Next()
	})
	app.Use(sentryfiber.New(sentryfiber.Options{}))
	app.Use(injectfiber.Middleware(inject.WithSource(tmsentrygo.Source())))
	app.Get("/own", func(c *fiber.Ctx) error {
		return c.Render("own", fiber.Map{"Title": "own", "Ctx": c.UserContext()})
	})
	base := serve(t, app)

	_, body, tags := get(t, base+"/own", http.Header{})
	require.Len(t, tags["sentry-trace"], 1, body)
	sc, err := tracecontext.ParseSentryTrace(tags["sentry-trace"][0])
	require.NoError(t, err)
	tx := serverSpan(t, coll, client, "/own")
	assert.Equal(t, tx.TraceID, sc.TraceID.String())
	assert.Equal(t, tx.SpanID, sc.SpanID.String())
}
