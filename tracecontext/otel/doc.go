// Package tmotel is the [tracecontext.Source] for services traced with
// OpenTelemetry (go.opentelemetry.io/otel): it lets tracemeta render the span
// context and W3C baggage that OpenTelemetry holds for a request, so that the
// browser's pageload (OpenTelemetry's document-load instrumentation reading
// <meta name="traceparent">, or the Sentry browser SDK reading sentry-trace
// and baggage) continues the request's trace.
//
// The module path ends in otel; the package is named tmotel, so that it
// never collides with go.opentelemetry.io/otel in the same file:
//
//	import tmotel "github.com/tracemeta/tracemeta/tracecontext/otel"
//
//	mw := inject.Middleware(
//		inject.WithSource(tmotel.Source()),
//		inject.WithRender(render.WithFormats(render.Traceparent|render.SentryTrace|render.Baggage)),
//	)
//	http.ListenAndServe(addr, otelhttp.NewHandler(mw(app), "server"))
//
// otelhttp must wrap the tracemeta middleware, so that the server span is in
// the request's context when the page is rendered.
//
// The tags name the span active when they are rendered: the server span, or
// a child span the handler started around its rendering. The sentry- members
// of the baggage are the Dynamic Sampling Context, frozen since they came
// from upstream; other vendors' members are kept for propagation and never
// rendered into a page. A service that starts the trace as far as Sentry is
// concerned can give the DSC to render with [WithHeadDSC]. See [Source].
package tmotel
