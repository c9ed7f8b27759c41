package e2e_test

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/a-h/templ"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/examples/e2e"
	"github.com/tracemeta/tracemeta/examples/internal/browsertest"
	"github.com/tracemeta/tracemeta/examples/internal/collector"
	"github.com/tracemeta/tracemeta/inject"
	"github.com/tracemeta/tracemeta/render"
	"github.com/tracemeta/tracemeta/templates"
	"github.com/tracemeta/tracemeta/tracecontext"
)

func TestMain(m *testing.M) { os.Exit(browsertest.Main(m)) }

// The server's Sentry settings, which its DSC carries. The browser SDK is
// configured with a different release and environment, so a DSC with these
// values can only have come from the page.
const (
	publicKey         = "e2epublickey"
	serverRelease     = "shop@2.3.4"
	serverEnvironment = "e2e"
	browserRelease    = "browser@0.0.1"
	browserEnv        = "browser-env"
)

// site is a web server whose pages are traced by tracecontext.Middleware,
// with a collector that the pages' browser SDK sends to.
type site struct {
	URL       string
	Collector *collector.Collector

	mu    sync.Mutex
	spans map[string]tracecontext.SpanContext // by request path: the server span each page was rendered in
}

// page is an HTML page of the site, written by an http.Handler.
type page struct {
	path    string
	handler http.Handler
	// untraced serves the page without tracecontext.Middleware, for a
	// handler that starts its server span itself.
	untraced bool
}

func newSite(t *testing.T, pages ...page) *site {
	t.Helper()
	bundles := browsertest.Bundles(t)
	s := &site{Collector: collector.New(), spans: make(map[string]tracecontext.SpanContext)}
	collectorSrv := httptest.NewServer(s.Collector)
	t.Cleanup(collectorSrv.Close)
	dsn, err := collector.DSN(collectorSrv.URL, publicKey, "1")
	require.NoError(t, err)

	traced := tracecontext.Middleware(
		tracecontext.WithPublicKey(publicKey),
		tracecontext.WithRelease(serverRelease),
		tracecontext.WithEnvironment(serverEnvironment),
		tracecontext.WithSampleRate(1),
		tracecontext.WithErrorHandler(func(err error) { t.Errorf("tracecontext: %v", err) }),
	)
	mux := http.NewServeMux()
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServer(http.Dir(bundles.Dir))))
	mux.HandleFunc("GET /init.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		fmt.Fprintf(w, `Sentry.init({
  dsn: %s,
  release: %s,
  environment: %s,
  tracesSampleRate: 1,
  integrations: [Sentry.browserTracingIntegration()],
});
`, strconv.Quote(dsn), strconv.Quote(browserRelease), strconv.Quote(browserEnv))
	})
	for _, p := range pages {
		if p.untraced {
			mux.Handle("GET "+p.path, p.handler)
			continue
		}
		mux.Handle("GET "+p.path, traced(s.record(p.handler)))
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// record keeps the server span each page was rendered in.
func (s *site) record(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if sc, ok := tracecontext.FromContext(r.Context()); ok {
			s.mu.Lock()
			s.spans[r.URL.Path] = sc
			s.mu.Unlock()
		}
		next.ServeHTTP(w, r)
	})
}

// serverSpan returns the server span the page at path was rendered in.
func (s *site) serverSpan(t *testing.T, path string) tracecontext.SpanContext {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	sc, ok := s.spans[path]
	require.True(t, ok, "no request for %s reached the server", path)
	require.True(t, sc.IsValid())
	return sc
}

// pageload waits for the pageload span of the page at path.
func (s *site) pageload(t *testing.T, path string) collector.Span {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	span, err := s.Collector.WaitSpan(ctx, func(sp collector.Span) bool {
		return sp.Op == "pageload" && sp.Attributes["url.path"] == path
	})
	require.NoError(t, err, "the browser sent no pageload for %s", path)
	return span
}

// load opens the page at path in a new headless Chromium, sending the extra
// request headers (an upstream trace, say) with every request of the page.
func (s *site) load(t *testing.T, path string, headers map[string]string) context.Context {
	t.Helper()
	browser := browsertest.NewBrowser(t, browsertest.Require(t))
	steps := []chromedp.Action[chromedp.Void]{}
	if len(headers) > 0 {
		h := network.Headers{}
		for k, v := range headers {
			h[k] = v
		}
		steps = append(steps, chromedp.Func(func(ctx context.Context, tgt *chromedp.Target) error {
			_, err := cdp.Call(ctx, tgt, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: h})
			return err
		}))
	}
	steps = append(steps, chromedp.Navigate(s.URL+path))
	require.NoError(t, chromedp.Do(browser, steps...))
	return browser
}

// metaCount returns how many <meta name=...> the loaded page has.
func metaCount(t *testing.T, browser context.Context, name string) int {
	t.Helper()
	n, err := chromedp.Run(browser, chromedp.Evaluate[int](
		fmt.Sprintf(`document.querySelectorAll('meta[name=%q]').length`, name)))
	require.NoError(t, err)
	return n
}

// metaContent returns the content of the first <meta name=...> of the
// loaded page, as the browser SDKs read it.
func metaContent(t *testing.T, browser context.Context, name string) string {
	t.Helper()
	v, err := chromedp.Run(browser, chromedp.Evaluate[string](
		fmt.Sprintf(`document.querySelector('meta[name=%q]')?.content ?? ''`, name)))
	require.NoError(t, err)
	return v
}

// assertContinues checks that the pageload continues the server span sc:
// same trace, the server span as parent, and the server's DSC in the
// envelope, value for value.
func assertContinues(t *testing.T, sc tracecontext.SpanContext, pageload collector.Span) {
	t.Helper()
	assert.Equal(t, sc.TraceID.String(), pageload.TraceID, "trace id")
	assert.Equal(t, sc.SpanID.String(), pageload.ParentSpanID, "parent span id")
	assert.Equal(t, "sentry.javascript.browser", pageload.Service)
	assertDSC(t, sc.DSC, pageload.DSC)
}

// assertDSC checks every entry of the server's DSC against the DSC the
// browser sent. The SDK re-formats the numbers it parses (sample_rand
// 0.250000 becomes 0.25), so they are compared as numbers.
func assertDSC(t *testing.T, want tracecontext.DSC, got map[string]string) {
	t.Helper()
	require.NotEmpty(t, want.SampleRand, "the server's DSC has a sample_rand")
	strs := map[string]string{
		"trace_id": want.TraceID, "public_key": want.PublicKey, "sampled": want.Sampled,
		"release": want.Release, "environment": want.Environment, "transaction": want.Transaction,
		"org_id": want.OrgID,
	}
	for k, v := range strs {
		if v != "" {
			assert.Equal(t, v, got[k], "DSC %s", k)
		}
	}
	for k, v := range map[string]string{"sample_rate": want.SampleRate, "sample_rand": want.SampleRand} {
		w, err := strconv.ParseFloat(v, 64)
		require.NoError(t, err, "server DSC %s=%q", k, v)
		g, err := strconv.ParseFloat(got[k], 64)
		require.NoError(t, err, "browser DSC %s=%q", k, got[k])
		assert.InDelta(t, w, g, 1e-9, "DSC %s", k)
	}
}

// sentryPageTemplate is a page written with html/template that loads the
// Sentry browser SDK. {{traceMeta .}} writes the tags when the page uses the
// FuncMap; otherwise the inject middleware does.
const sentryPageTemplate = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
{{if .FuncMap}}{{traceMeta .Ctx}}{{end}}
<title>{{.Title}}</title>
<link rel="icon" href="data:,">
<script src="/static/sentry.js"></script>
<script src="/init.js"></script>
</head>
<body><h1>{{.Title}}</h1></body>
</html>
`

var sentryPage = template.Must(template.New("page").Funcs(templates.FuncMap()).Parse(sentryPageTemplate))

// htmlPage writes sentryPage with the given headers.
func htmlPage(title string, funcMap bool, header http.Header) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range header {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		err := sentryPage.Execute(w, map[string]any{"Title": title, "FuncMap": funcMap, "Ctx": r.Context()})
		if err != nil {
			panic(http.ErrAbortHandler)
		}
	})
}

// injected wraps h in inject.Middleware.
func injected(h http.Handler, opts ...inject.Option) http.Handler {
	return inject.Middleware(opts...)(h)
}

// serverTiming adds the Server-Timing header that names the request's span,
// the channel the Sentry browser SDK reads when a page has no meta tags.
func serverTiming(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if sc, ok := tracecontext.FromContext(r.Context()); ok {
			w.Header().Add("Server-Timing", string(render.AppendServerTiming(nil, sc)))
		}
		next.ServeHTTP(w, r)
	})
}

// templPage serves e2e.SentryPage.
func templPage(title string) http.Handler { return templ.Handler(e2e.SentryPage(title)) }

// allFormats renders traceparent too, for OpenTelemetry.
var allFormats = inject.WithRender(render.WithFormats(render.DefaultFormats | render.Traceparent))

// otelPage is a page that starts OpenTelemetry's document-load
// instrumentation (browser/src/otel.js).
func otelPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>otel</title>
<link rel="icon" href="data:,">
<script src="/static/otel.js"></script>
<script>TracemetaOtel.start();</script>
</head>
<body><h1>otel</h1></body>
</html>
`)
	})
}

// otelSpan is a span as the page's exporter keeps it (browser/src/otel.js).
type otelSpan struct {
	Name         string `json:"name"`
	TraceID      string `json:"traceId"`
	SpanID       string `json:"spanId"`
	ParentSpanID string `json:"parentSpanId"`
}

// documentLoad waits for the documentLoad and documentFetch spans of the
// loaded page.
func documentLoad(t *testing.T, browser context.Context) (load, fetch otelSpan) {
	t.Helper()
	ctx, cancel := context.WithTimeout(browser, 30*time.Second)
	defer cancel()
	load, err := chromedp.Run(ctx, chromedp.Poll[otelSpan](
		`TracemetaOtel.spans.find((s) => s.name === 'documentLoad')`, chromedp.WithPollingInterval(50*time.Millisecond)))
	require.NoError(t, err, "no documentLoad span")
	fetch, err = chromedp.Run(ctx, chromedp.Evaluate[otelSpan](`TracemetaOtel.spans.find((s) => s.name === 'documentFetch')`))
	require.NoError(t, err, "no documentFetch span")
	return load, fetch
}
