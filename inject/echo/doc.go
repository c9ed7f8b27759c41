// Package injectecho puts tracemeta's trace meta tags into the <head> of the
// HTML pages an echo v4 application serves, error pages included, so that
// the browser's pageload continues the trace of the request that rendered
// the page. For echo v5, see github.com/tracemeta/tracemeta/inject/echov5.
//
// It is a thin adapter over [inject.Middleware]: the rules of what is
// rewritten, the rewriter, the exactly-once flag and the options are the
// core's. What it adds is echo's side: the handlers after it write through
// the rewriter, echo's error handler runs while the rewriter is in place,
// and c.Request() carries the request's exactly-once flag for the template
// entry points.
//
//	e := echo.New()
//	e.Use(sentryecho.New(sentryecho.Options{}))                         // tracing first
//	e.Use(injectecho.Middleware(inject.WithSource(tmsentrygo.Source()))) // then the tags
//
// The tags name the span that the Source ([inject.WithSource]) finds in the
// request's context when the page reaches its <head>: tmsentrygo.Source() from
// github.com/tracemeta/tracemeta/tracecontext/sentrygo for sentryecho, or
// tmotel.Source() from github.com/tracemeta/tracemeta/tracecontext/otel, with
// [inject.WithRender] adding the traceparent tag, for otelecho. The default,
// tracecontext.ContextSource, reads the span of tracecontext.Middleware.
//
// The adapter does not guess the SDK: that would make it depend on every
// SDK it knows. The Source option names it, in the one line that a net/http
// application with sentryhttp or otelhttp writes as well.
//
// otelecho puts its span into the request's context. sentryecho for echo v4
// (up to v0.44.0) keeps its transaction on the echo context only, under the
// key its GetSpanFromContext reads; the middleware then gives the request a
// context that also answers with the transaction context's values (the
// request's own come first), so the same one WithSource line works for
// sentryecho as for sentrygin and sentryhttp, and sentry.SpanFromContext
// finds the transaction in the handlers too.
package injectecho
