// Package injectechov5 puts tracemeta's trace meta tags into the <head> of
// the HTML pages an echo v5 application serves, error pages included, so
// that the browser's pageload continues the trace of the request that
// rendered the page. For echo v4, see github.com/tracemeta/tracemeta/inject/echo.
//
// It is a thin adapter over [inject.Middleware]: the rules of what is
// rewritten, the rewriter, the exactly-once flag and the options are the
// core's. What it adds is echo's side: the handlers after it write through
// the rewriter, echo's error handler runs while the rewriter is in place,
// and c.Request() carries the request's exactly-once flag for the template
// entry points.
//
//	e := echo.New()
//	e.Use(sentryecho.New(sentryecho.Options{}))                           // tracing first
//	e.Use(injectechov5.Middleware(inject.WithSource(tmsentrygo.Source()))) // then the tags
//
// The tags name the span that the Source ([inject.WithSource]) finds in the
// request's context when the page reaches its <head>: tmsentrygo.Source() from
// github.com/tracemeta/tracemeta/tracecontext/sentrygo for sentryecho (v0.45.0
// and later, the releases for echo v5, which put the transaction into the
// request's context), or tmotel.Source() from
// github.com/tracemeta/tracemeta/tracecontext/otel, with [inject.WithRender]
// adding the traceparent tag, for OpenTelemetry. The default,
// tracecontext.ContextSource, reads the span of tracecontext.Middleware.
//
// The adapter does not guess the SDK: that would make it depend on every
// SDK it knows. The Source option names it, in the one line that a net/http
// application with sentryhttp or otelhttp writes as well.
package injectechov5
