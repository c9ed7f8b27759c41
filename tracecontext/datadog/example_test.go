package tmdatadog_test

import (
	"io"
	"net/http"

	httptrace "github.com/DataDog/dd-trace-go/contrib/net/http/v2"
	"github.com/DataDog/dd-trace-go/v2/ddtrace/tracer"

	"github.com/tracemeta/tracemeta/inject"
	"github.com/tracemeta/tracemeta/render"
	tmdatadog "github.com/tracemeta/tracemeta/tracecontext/datadog"
)

// The pages of a service traced with dd-trace-go carry the Datadog tags (for
// RUM) and the Sentry and OpenTelemetry ones, all naming the server span of
// dd-trace-go's net/http integration.
func ExampleSource() {
	if err := tracer.Start(tracer.WithService("shop")); err != nil {
		panic(err)
	}
	defer tracer.Stop()

	page := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, "<!DOCTYPE html><html><head><title>shop</title></head><body></body></html>")
	})
	mw := inject.Middleware(
		inject.WithSource(tmdatadog.Source()),
		inject.WithRender(render.WithFormats(render.Datadog|render.SentryTrace|render.Traceparent)),
	)
	mux := httptrace.NewServeMux(httptrace.WithService("shop")) // outside: its span is in the context
	mux.Handle("/", mw(page))
	_ = http.ListenAndServe("127.0.0.1:8080", mux)
}
