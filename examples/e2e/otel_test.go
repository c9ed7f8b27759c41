package e2e_test

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/tracemeta/tracemeta/inject"
	"github.com/tracemeta/tracemeta/render"
	"github.com/tracemeta/tracemeta/templates"
	"github.com/tracemeta/tracemeta/tracecontext"
	tmotel "github.com/tracemeta/tracemeta/tracecontext/otel"
)

// TestOTelServerToBrowser serves a page from a server traced with the
// OpenTelemetry SDK, through inject.Middleware reading the span with the
// tracecontext/otel Source: the browser's document-load continues the span
// the server recorded, and the page carries the Sentry tags of the same span.
func TestOTelServerToBrowser(t *testing.T) {
	t.Parallel()
	recorder := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(recorder), sdktrace.WithSampler(sdktrace.AlwaysSample()))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	tracer := tp.Tracer("e2e")
	prop := propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})

	// The server span, as otelhttp would start it.
	traced := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := prop.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
			ctx, span := tracer.Start(ctx, r.Method+" "+r.URL.Path, trace.WithSpanKind(trace.SpanKindServer))
			defer span.End()
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
	src := tmotel.Source(tmotel.WithHeadDSC(tracecontext.DSC{
		PublicKey: publicKey, Release: serverRelease, Environment: serverEnvironment, SampleRate: "1",
	}))
	const path = "/otel-server"
	s := newSite(t, page{path: path, untraced: true, handler: traced(injected(otelPage(), allFormats, inject.WithSource(src)))})
	browser := s.load(t, path, nil)
	load, fetch := documentLoad(t, browser)

	ended := recorder.Ended()
	require.Len(t, ended, 1, "the server recorded its span")
	server := ended[0].SpanContext()
	t.Logf("OpenTelemetry server span %s-%s, documentLoad %s in trace %s", server.TraceID(), server.SpanID(), load.SpanID, load.TraceID)
	assert.Equal(t, server.TraceID().String(), load.TraceID)
	assert.Equal(t, server.SpanID().String(), load.ParentSpanID)
	assert.Equal(t, load.SpanID, fetch.ParentSpanID)

	sentryTrace := metaContent(t, browser, "sentry-trace")
	assert.Equal(t, server.TraceID().String()+"-"+server.SpanID().String()+"-1", sentryTrace, "the Sentry tags name the same span")
	assert.Contains(t, metaContent(t, browser, "baggage"), "sentry-public_key="+publicKey)
}

// ownTagsPage is a page whose template renders the tags itself, with
// traceparent, first thing after its charset meta, and flushes after
// <head>, as a streaming handler does.
var ownTagsPage = template.Must(template.New("own").Funcs(templates.FuncMap(
	templates.WithRender(render.WithFormats(render.DefaultFormats | render.Traceparent)))).Parse(`<meta charset="utf-8">
{{traceMeta .}}
<title>own tags</title>
<link rel="icon" href="data:,">
<script src="/static/otel.js"></script>
<script>TracemetaOtel.start();</script>
</head>
<body><h1>own tags</h1></body>
</html>
`))

// TestPageOwnTagsWinBehindInject streams a page that renders its own tags,
// with the traceparent OpenTelemetry reads, through inject.Middleware, which
// renders sentry-trace and baggage alone: the page keeps exactly its own
// set, and the browser's documentLoad continues the server span from it.
func TestPageOwnTagsWinBehindInject(t *testing.T) {
	t.Parallel()
	const path = "/own-tags"
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n")
		w.(http.Flusher).Flush()
		if err := ownTagsPage.Execute(w, r.Context()); err != nil {
			panic(http.ErrAbortHandler)
		}
	})
	s := newSite(t, page{path: path, handler: injected(h)})
	browser := s.load(t, path, nil)
	assert.Equal(t, 1, metaCount(t, browser, "traceparent"), "the page's own set, with its traceparent")
	assert.Equal(t, 1, metaCount(t, browser, "sentry-trace"))
	assert.Equal(t, 1, metaCount(t, browser, "baggage"))

	load, _ := documentLoad(t, browser)
	sc := s.serverSpan(t, path)
	t.Logf("server traceparent %s, documentLoad %s in trace %s", sc.Traceparent(), load.SpanID, load.TraceID)
	assert.Equal(t, sc.TraceID.String(), load.TraceID)
	assert.Equal(t, sc.SpanID.String(), load.ParentSpanID)
}
