package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/getsentry/sentry-go"
	sentryecho "github.com/getsentry/sentry-go/echo"
	"github.com/labstack/echo/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/examples/internal/browsertest"
	"github.com/tracemeta/tracemeta/examples/internal/collector"
	"github.com/tracemeta/tracemeta/examples/internal/pagecheck"
	"github.com/tracemeta/tracemeta/inject"
	"github.com/tracemeta/tracemeta/inject/echov5"
	tmsentrygo "github.com/tracemeta/tracemeta/tracecontext/sentrygo"
)

func TestMain(m *testing.M) { os.Exit(browsertest.Main(m)) }

// The server's Sentry settings, which the DSC in the pages carries.
const (
	publicKey   = "echoexamplekey"
	release     = "shop@1.2.3"
	environment = "echo-test"
)

// An upstream service that started the trace and sampled it.
const (
	upstreamTraceID = "5b8efff798038103d269b633813fc60c"
	upstreamSpanID  = "eee19b7ec3c1b174"
	upstreamBaggage = "sentry-trace_id=" + upstreamTraceID + ",sentry-public_key=" + publicKey +
		",sentry-sample_rate=1,sentry-sample_rand=0.5,sentry-sampled=true,sentry-release=edge%409"
)

// site is the example application traced by the real sentryecho, with a real
// sentry-go client sending to a local collector, on a loopback server.
type site struct {
	url       string
	collector *collector.Collector
	client    *sentry.Client
	dsn       string
}

// newSite serves newEcho as main builds it. With scripts, the pages load
// the real @sentry/browser, which sends to the same collector.
func newSite(t *testing.T, scripts bool) *site {
	t.Helper()
	s := &site{collector: collector.New()}
	colSrv := httptest.NewServer(s.collector)
	t.Cleanup(colSrv.Close)
	var err error
	s.dsn, err = collector.DSN(colSrv.URL, publicKey, "1")
	require.NoError(t, err)
	s.client, err = sentry.NewClient(sentry.ClientOptions{
		Dsn: s.dsn, EnableTracing: true, TracesSampleRate: 1, Release: release, Environment: environment,
		// sentry-go drops the transactions of 404 responses by default;
		// the test checks the one of the 404 page.
		TraceIgnoreStatusCodes: [][]int{},
	})
	require.NoError(t, err)
	t.Cleanup(func() { s.client.Close() })

	var urls []string
	if scripts {
		urls = []string{"/static/sentry.js", "/init.js"}
	}
	e := newEcho(s.sentryecho(), injectechov5.Middleware(inject.WithSource(tmsentrygo.Source())), urls...)
	e.Logger = slog.New(slog.DiscardHandler)
	if scripts {
		e.Static("/static", browsertest.Bundles(t).Dir)
		e.GET("/init.js", func(c *echo.Context) error { return c.Blob(http.StatusOK, "text/javascript", initJS(s.dsn)) })
	}
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	s.url = srv.URL
	return s
}

// sentryecho returns the real sentryecho, given a hub of the test's client
// for each request, as sentry.Init gives it the process's hub.
func (s *site) sentryecho() echo.MiddlewareFunc {
	se := sentryecho.New(sentryecho.Options{Repanic: true})
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		h := se(next)
		return func(c *echo.Context) error {
			sentryecho.SetHubOnContext(c, sentry.NewHub(s.client, sentry.NewScope()))
			return h(c)
		}
	}
}

// initJS starts @sentry/browser with its pageload tracing, sending to dsn.
func initJS(dsn string) []byte {
	return fmt.Appendf(nil, `Sentry.init({
  dsn: %s,
  release: "browser@0.0.1",
  environment: "browser",
  tracesSampleRate: 1,
  integrations: [Sentry.browserTracingIntegration()],
});
`, strconv.Quote(dsn))
}

// get loads path and returns the status, the body and its meta tags.
func get(t *testing.T, url string, header http.Header) (int, string, map[string][]string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	tags, err := pagecheck.MetaTags(strings.NewReader(string(body)))
	require.NoError(t, err)
	return res.StatusCode, string(body), tags
}

// spanStatus is the span status sentry-go reports for an HTTP status.
var spanStatus = map[int]string{
	http.StatusOK:                  "ok",
	http.StatusNotFound:            "not_found",
	http.StatusInternalServerError: "internal_error",
}

// transaction waits for the server transaction of the trace traceID.
func (s *site) transaction(t *testing.T, traceID string) collector.Span {
	t.Helper()
	require.True(t, s.client.Flush(5*time.Second), "sentry-go flush")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	span, err := s.collector.WaitSpan(ctx, func(sp collector.Span) bool {
		return sp.Op == "http.server" && sp.TraceID == traceID && sp.Kind == collector.KindTransaction
	})
	require.NoError(t, err, "sentry-go reported no transaction in trace %s", traceID)
	return span
}

// TestSentryEcho loads the example's pages, error pages included, with the
// real sentryecho for echo v5 in front: each page's tags name the transaction
// that sentryecho reports.
func TestSentryEcho(t *testing.T) {
	tests := []struct {
		name     string
		path     string
		header   http.Header
		status   int
		txName   string
		title    string
		upstream bool
	}{
		{name: "page", path: "/", status: http.StatusOK, txName: "GET /", title: "tracemeta: echo v5"},
		{name: "handler error, HTML 500 page", path: "/fail", status: http.StatusInternalServerError, txName: "GET /fail", title: "Internal Server Error"},
		{name: "unknown route, HTML 404 page", path: "/nowhere", status: http.StatusNotFound, txName: "GET /nowhere", title: "Not Found"},
		{
			name:   "trace continued from upstream",
			path:   "/",
			header: http.Header{"Sentry-Trace": {upstreamTraceID + "-" + upstreamSpanID + "-1"}, "Baggage": {upstreamBaggage}},
			status: http.StatusOK, txName: "GET /", title: "tracemeta: echo v5", upstream: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSite(t, false)
			status, body, tags := get(t, s.url+tt.path, tt.header)
			require.Equal(t, tt.status, status)
			assert.Contains(t, body, "<h1>"+tt.title+"</h1>")
			assert.Equal(t, 1, strings.Count(body, "<!DOCTYPE html>"), "one page")
			require.Len(t, tags["sentry-trace"], 1, "one set of tags in %s", body)
			require.Len(t, tags["baggage"], 1)
			traceID, _, _ := strings.Cut(tags["sentry-trace"][0], "-")

			tx := s.transaction(t, traceID)
			assert.Equal(t, tt.txName, tx.Name)
			assert.Equal(t, spanStatus[tt.status], tx.Status, "the status the tracing middleware saw")
			assert.Equal(t, tx.TraceID+"-"+tx.SpanID+"-1", tags["sentry-trace"][0], "the tags name sentryecho's transaction")
			assert.Contains(t, tags["baggage"][0], "sentry-trace_id="+tx.TraceID)
			if tt.upstream {
				assert.Equal(t, upstreamTraceID, tx.TraceID)
				assert.Equal(t, upstreamSpanID, tx.ParentSpanID)
				assert.Contains(t, tags["baggage"][0], "sentry-release=edge%409", "the upstream DSC, frozen")
			} else {
				assert.Contains(t, tags["baggage"][0], "sentry-public_key="+publicKey)
				assert.Contains(t, tags["baggage"][0], "sentry-release="+strings.ReplaceAll(release, "@", "%40"))
			}
		})
	}
}

// TestWrapMiddleware shows why the adapter exists: with inject's net/http
// middleware wrapped by echo.WrapMiddleware, echo renders the error page
// after the middleware returned, so it never gets the tags. injectechov5
// tags the same page (TestSentryEcho).
func TestWrapMiddleware(t *testing.T) {
	s := newSite(t, false)
	e := newEcho(s.sentryecho(), echo.WrapMiddleware(inject.Middleware(inject.WithSource(tmsentrygo.Source()))))
	e.Logger = slog.New(slog.DiscardHandler)
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	_, body, tags := get(t, srv.URL+"/nowhere", nil)
	assert.Empty(t, tags["sentry-trace"], "no tags in the error page: %q", body)
}

// TestBrowserContinuesTrace loads the example's pages, an error page
// included, in a real headless Chromium with the real @sentry/browser: each
// pageload continues the transaction sentryecho reported.
func TestBrowserContinuesTrace(t *testing.T) {
	for _, path := range []string{"/", "/fail"} {
		t.Run(path, func(t *testing.T) {
			s := newSite(t, true)
			browser := browsertest.NewBrowser(t, browsertest.Require(t))
			require.NoError(t, chromedp.Do(browser, chromedp.Navigate(s.url+path)))
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			pageload, err := s.collector.WaitSpan(ctx, func(sp collector.Span) bool {
				return sp.Op == "pageload" && sp.Attributes["url.path"] == path
			})
			require.NoError(t, err, "the browser sent no pageload")
			tx := s.transaction(t, pageload.TraceID)
			t.Logf("sentryecho transaction %s-%s, browser pageload %s", tx.TraceID, tx.SpanID, pageload.SpanID)
			assert.Equal(t, tx.SpanID, pageload.ParentSpanID, "the pageload is a child of the server transaction")
			assert.Equal(t, "sentry.javascript.browser", pageload.Service)
			assert.Equal(t, release, pageload.DSC["release"], "the server's DSC, not the browser's")
			assert.Equal(t, environment, pageload.DSC["environment"])
		})
	}
}
