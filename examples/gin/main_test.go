package main

import (
	"context"
	"fmt"
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
	"github.com/getsentry/sentry-go"
	sentrygin "github.com/getsentry/sentry-go/gin"
	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/contrib/instrumentation/github.com/gin-gonic/gin/otelgin"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/tracemeta/tracemeta/examples/internal/browsertest"
	"github.com/tracemeta/tracemeta/examples/internal/collector"
	"github.com/tracemeta/tracemeta/examples/internal/pagecheck"
	"github.com/tracemeta/tracemeta/inject"
	injectgin "github.com/tracemeta/tracemeta/inject/gin"
	"github.com/tracemeta/tracemeta/render"
	tmotel "github.com/tracemeta/tracemeta/tracecontext/otel"
	tmsentrygo "github.com/tracemeta/tracemeta/tracecontext/sentrygo"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode)
	os.Exit(browsertest.Main(m))
}

// The server's Sentry settings, which the DSC in the pages carries.
const (
	publicKey   = "ginexamplekey"
	release     = "shop@1.2.3"
	environment = "gin-test"
)

// An upstream service that started the trace and sampled it.
const (
	upstreamTraceID = "5b8efff798038103d269b633813fc60c"
	upstreamSpanID  = "eee19b7ec3c1b174"
	upstreamBaggage = "sentry-trace_id=" + upstreamTraceID + ",sentry-public_key=" + publicKey +
		",sentry-sample_rate=1,sentry-sample_rand=0.5,sentry-sampled=true,sentry-release=edge%409"
)

// site is the example application traced by the real sentrygin, with a real
// sentry-go client sending to a local collector, on a loopback server.
type site struct {
	url       string
	collector *collector.Collector
	client    *sentry.Client
	dsn       string
}

// newSite serves newRouter as main builds it. With scripts, the pages load
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
	src := tmsentrygo.Source()
	r := newRouter(s.sentrygin(), injectgin.Middleware(inject.WithSource(src)), src, urls...)
	if scripts {
		r.Static("/static", browsertest.Bundles(t).Dir)
		r.GET("/init.js", func(c *gin.Context) { c.Data(http.StatusOK, "text/javascript", initJS(s.dsn)) })
	}
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	s.url = srv.URL
	return s
}

// sentrygin returns the real sentrygin, given a hub of the test's client for
// each request, as sentry.Init gives it the process's hub.
func (s *site) sentrygin() gin.HandlerFunc {
	sg := sentrygin.New(sentrygin.Options{Repanic: true})
	return func(c *gin.Context) {
		hub := sentry.NewHub(s.client, sentry.NewScope())
		c.Request = c.Request.WithContext(sentry.SetHubOnContext(c.Request.Context(), hub))
		sg(c)
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

// TestSentryGin loads the example's pages with the real sentrygin in front:
// each page's tags name the transaction that sentrygin reports.
func TestSentryGin(t *testing.T) {
	tests := []struct {
		name     string
		path     string
		header   http.Header
		status   int
		txName   string
		upstream bool
	}{
		{name: "page with no tags of its own", path: "/", status: http.StatusOK, txName: "GET /"},
		{name: "page rendering its own tags with traceMeta", path: "/own", status: http.StatusOK, txName: "GET /own"},
		{name: "NoRoute HTML 404 page", path: "/nowhere", status: http.StatusNotFound, txName: "GET /nowhere"},
		{
			name:   "trace continued from upstream",
			path:   "/",
			header: http.Header{"Sentry-Trace": {upstreamTraceID + "-" + upstreamSpanID + "-1"}, "Baggage": {upstreamBaggage}},
			status: http.StatusOK, txName: "GET /", upstream: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSite(t, false)
			status, body, tags := get(t, s.url+tt.path, tt.header)
			require.Equal(t, tt.status, status)
			require.Len(t, tags["sentry-trace"], 1, "one set of tags in %s", body)
			require.Len(t, tags["baggage"], 1)
			traceID, _, _ := strings.Cut(tags["sentry-trace"][0], "-")

			tx := s.transaction(t, traceID)
			assert.Equal(t, tt.txName, tx.Name)
			assert.Equal(t, spanStatus[tt.status], tx.Status, "the status the tracing middleware saw")
			assert.Equal(t, tx.TraceID+"-"+tx.SpanID+"-1", tags["sentry-trace"][0], "the tags name sentrygin's transaction")
			assert.Contains(t, tags["baggage"][0], "sentry-trace_id="+tx.TraceID)
			if tt.upstream {
				assert.Equal(t, upstreamTraceID, tx.TraceID)
				assert.Equal(t, upstreamSpanID, tx.ParentSpanID)
				assert.Contains(t, tags["baggage"][0], "sentry-release=edge%409", "the upstream DSC, frozen")
			} else {
				assert.Contains(t, tags["baggage"][0], "sentry-public_key="+publicKey)
				assert.Contains(t, tags["baggage"][0], "sentry-release="+strings.ReplaceAll(release, "@", "%40"))
			}
			if tt.path == "/" {
				assert.Contains(t, body, `data-trace="`+tags["sentry-trace"][0]+`"`, "templates.FuncMap reads the same span")
			}
		})
	}
}

// TestEngineInsideInjectMiddleware shows why the adapter exists: sentrygin
// puts its transaction into c.Request inside the engine, so inject's
// net/http middleware around the engine finds no span and leaves the page
// alone. injectgin, after sentrygin, tags the same page (TestSentryGin).
func TestEngineInsideInjectMiddleware(t *testing.T) {
	s := newSite(t, false)
	var mu sync.Mutex
	var reasons []inject.Reason
	src := tmsentrygo.Source()
	r := newRouter(s.sentrygin(), func(c *gin.Context) { c.Next() }, src)
	h := inject.Middleware(inject.WithSource(src), inject.WithSkipHook(func(_ *http.Request, reason inject.Reason) {
		mu.Lock()
		defer mu.Unlock()
		reasons = append(reasons, reason)
	}))(r)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	status, _, tags := get(t, srv.URL+"/", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Empty(t, tags["sentry-trace"])
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []inject.Reason{inject.ReasonNoSpan}, reasons)
}

// TestOTelGin loads the example's page with the real otelgin in front and
// the OpenTelemetry SDK recording its spans: the traceparent tag names the
// span otelgin ended.
func TestOTelGin(t *testing.T) {
	recorder := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(recorder), sdktrace.WithSampler(sdktrace.AlwaysSample()))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	src := tmotel.Source()
	r := newRouter(
		otelgin.Middleware("shop", otelgin.WithTracerProvider(tp), otelgin.WithPropagators(propagation.TraceContext{})),
		injectgin.Middleware(inject.WithSource(src),
			inject.WithRender(render.WithFormats(render.Traceparent|render.SentryTrace))),
		src)
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)

	const parent = "00-" + upstreamTraceID + "-" + upstreamSpanID + "-01"
	status, _, tags := get(t, srv.URL+"/", http.Header{"Traceparent": {parent}})
	require.Equal(t, http.StatusOK, status)
	ended := recorder.Ended()
	require.Len(t, ended, 1, "otelgin ended its span")
	sc := ended[0].SpanContext()
	assert.Equal(t, upstreamTraceID, sc.TraceID().String(), "otelgin continued the incoming trace")
	assert.Equal(t, []string{"00-" + sc.TraceID().String() + "-" + sc.SpanID().String() + "-01"}, tags["traceparent"])
	assert.Equal(t, []string{sc.TraceID().String() + "-" + sc.SpanID().String() + "-1"}, tags["sentry-trace"])
}

// TestBrowserContinuesTrace loads the example's pages, the NoRoute 404 page
// included, in a real headless Chromium with the real @sentry/browser: each
// pageload continues the transaction sentrygin reported.
func TestBrowserContinuesTrace(t *testing.T) {
	for _, path := range []string{"/", "/nowhere"} {
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
			t.Logf("sentrygin transaction %s-%s, browser pageload %s", tx.TraceID, tx.SpanID, pageload.SpanID)
			assert.Equal(t, tx.SpanID, pageload.ParentSpanID, "the pageload is a child of the server transaction")
			assert.Equal(t, "sentry.javascript.browser", pageload.Service)
			assert.Equal(t, release, pageload.DSC["release"], "the server's DSC, not the browser's")
			assert.Equal(t, environment, pageload.DSC["environment"])
		})
	}
}
