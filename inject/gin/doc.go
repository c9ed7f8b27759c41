// Package injectgin puts tracemeta's trace meta tags into the <head> of the
// HTML pages a gin application serves, so that the browser's pageload
// continues the trace of the request that rendered the page.
//
// It is a thin adapter over [inject.Middleware]: the rules of what is
// rewritten, the rewriter, the exactly-once flag and the options are the
// core's. What it adds is gin's side: the handlers after it get a
// [gin.ResponseWriter] that writes through the rewriter and keeps gin's
// deferred status and bookkeeping, and c.Request carries the request's
// exactly-once flag for the template entry points.
//
//	r := gin.New()
//	r.Use(sentrygin.New(sentrygin.Options{}))                         // tracing first
//	r.Use(injectgin.Middleware(inject.WithSource(tmsentrygo.Source()))) // then the tags
//
// The tags name the span that the Source ([inject.WithSource]) finds in
// c.Request's context when the page reaches its <head>. sentrygin and otelgin
// put their span there; the Source says which SDK to read:
// tmsentrygo.Source() from github.com/tracemeta/tracemeta/tracecontext/sentrygo,
// or tmotel.Source() from github.com/tracemeta/tracemeta/tracecontext/otel with
// [inject.WithRender] adding the traceparent tag. The default,
// tracecontext.ContextSource, reads the span of tracecontext.Middleware.
//
// The adapter does not guess the SDK: that would make it depend on every
// SDK it knows. The Source option names it, in the one line that a net/http
// application with sentryhttp or otelhttp writes as well.
package injectgin
