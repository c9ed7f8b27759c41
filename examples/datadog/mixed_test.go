package main

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	httptrace "github.com/DataDog/dd-trace-go/contrib/net/http/v2"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/examples/internal/browsertest"
	"github.com/tracemeta/tracemeta/examples/internal/collector"
	"github.com/tracemeta/tracemeta/inject"
	"github.com/tracemeta/tracemeta/render"
	tmdatadog "github.com/tracemeta/tracemeta/tracecontext/datadog"
	"github.com/tracemeta/tracemeta/tracecontext/datadog/datadogtest"
)

// otelSpan is a span as the page's exporter keeps it (browser/src/otel.js).
type otelSpan struct {
	Name         string `json:"name"`
	TraceID      string `json:"traceId"`
	SpanID       string `json:"spanId"`
	ParentSpanID string `json:"parentSpanId"`
}

// mixedPage loads the three browser SDKs: @sentry/browser with its pageload
// tracing, OpenTelemetry's document-load instrumentation and
// @datadog/browser-rum.
func mixedPage(dsn, rumProxy string) string {
	return fmt.Sprintf(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>three SDKs</title>
<link rel="icon" href="data:,">
<script src="/static/sentry.js"></script>
<script>Sentry.init({dsn: %q, tracesSampleRate: 1, integrations: [Sentry.browserTracingIntegration()]});</script>
<script src="/static/otel.js"></script>
<script>TracemetaOtel.start();</script>
<script src="/static/datadog.js"></script>
<script>DD_RUM.init({applicationId: "app", clientToken: "pubtoken", proxy: %q, sessionSampleRate: 100, trackResources: true});</script>
</head>
<body><h1>three SDKs</h1></body>
</html>
`, dsn, rumProxy)
}

// TestThreeBrowserSDKsContinueOneSpan serves one page, traced by dd-trace-go's
// net/http integration, with sentry-trace, traceparent and the Datadog tags
// from the inject middleware, and loads it in Chromium with the Sentry,
// OpenTelemetry and Datadog browser SDKs at once: the Sentry pageload and the
// OpenTelemetry documentLoad are children of the server span the agent
// received, and the RUM event of the initial document names its trace.
func TestThreeBrowserSDKsContinueOneSpan(t *testing.T) {
	chromium := browsertest.Require(t)
	bundles := browsertest.Bundles(t)

	col := collector.New()
	colSrv := httptest.NewServer(col)
	t.Cleanup(colSrv.Close)
	dsn, err := collector.DSN(colSrv.URL, "mixedkey", "1")
	require.NoError(t, err)

	in := &intake{}
	outer := http.NewServeMux()
	srv := httptest.NewServer(outer)
	t.Cleanup(srv.Close)
	page := mixedPage(dsn, srv.URL+"/rum-intake")
	tags := inject.Middleware(
		inject.WithSource(tmdatadog.Source()),
		inject.WithRender(render.WithFormats(render.SentryTrace|render.Baggage|render.Traceparent|render.Datadog)),
	)
	traced := httptrace.NewServeMux(httptrace.WithService("shop"))
	traced.Handle("GET /{$}", tags(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, page) // an error means the browser went away
	})))
	outer.Handle("/rum-intake", in)
	outer.Handle("/static/", http.StripPrefix("/static", http.FileServer(http.Dir(bundles.Dir))))
	outer.Handle("/", traced)

	url := srv.URL + "/"
	browser := browsertest.NewBrowser(t, chromium)
	require.NoError(t, chromedp.Do(browser, chromedp.Navigate(url), chromedp.WaitReady("body")))

	// The server span, as the agent received it.
	carried, err := chromedp.Run(browser, chromedp.Evaluate[string](`document.querySelector('meta[name=dd-trace-id]').content`))
	require.NoError(t, err)
	span := agent.WaitSpan(t, func(s datadogtest.Span) bool { return strconv.FormatUint(s.TraceID, 10) == carried })
	var spanID [8]byte
	binary.BigEndian.PutUint64(spanID[:], span.SpanID)
	var lower [8]byte
	binary.BigEndian.PutUint64(lower[:], span.TraceID)
	traceHex := span.Meta["_dd.p.tid"] + hex.EncodeToString(lower[:])
	spanHex := hex.EncodeToString(spanID[:])
	t.Logf("agent span: name=%s trace_id=%d _dd.p.tid=%s (trace %s) span_id=%d (%s)",
		span.Name, span.TraceID, span.Meta["_dd.p.tid"], traceHex, span.SpanID, spanHex)
	require.Len(t, traceHex, 32, "a 128-bit trace id")

	// OpenTelemetry's documentLoad.
	ctx, cancel := context.WithTimeout(browser, 30*time.Second)
	defer cancel()
	load, err := chromedp.Run(ctx, chromedp.Poll[otelSpan](
		`TracemetaOtel.spans.find((s) => s.name === 'documentLoad')`, chromedp.WithPollingInterval(50*time.Millisecond)))
	require.NoError(t, err, "no documentLoad span")
	t.Logf("OpenTelemetry documentLoad: trace %s parent %s", load.TraceID, load.ParentSpanID)
	assert.Equal(t, traceHex, load.TraceID)
	assert.Equal(t, spanHex, load.ParentSpanID)

	// Sentry's pageload.
	wctx, wcancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer wcancel()
	pageload, err := col.WaitSpan(wctx, func(s collector.Span) bool { return s.Op == "pageload" })
	require.NoError(t, err, "the Sentry SDK sent no pageload")
	t.Logf("Sentry pageload: trace %s parent %s", pageload.TraceID, pageload.ParentSpanID)
	assert.Equal(t, traceHex, pageload.TraceID)
	assert.Equal(t, spanHex, pageload.ParentSpanID)

	// Datadog RUM's initial document.
	ev := waitDocumentEvent(t, browser, in, url)
	t.Logf("RUM resource event: resource.url=%s _dd.trace_id=%s", ev.Resource.URL, ev.DD.TraceID)
	assert.Equal(t, strconv.FormatUint(span.TraceID, 10), ev.DD.TraceID)
}
