package e2e_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/tracemeta/tracemeta/inject"
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
