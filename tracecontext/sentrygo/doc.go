// Package tmsentrygo is the [tracecontext.Source] for services traced with the
// Sentry Go SDK (github.com/getsentry/sentry-go): it lets tracemeta render the
// span that sentry-go holds for a request, so that the browser's pageload
// continues the trace that sentry-go reports.
//
// The module path ends in sentrygo; the package is named tmsentrygo, as every
// SDK adapter under tracecontext is named tm and its folder (tmotel,
// tmdatadog), so that its name never collides with the SDK's own packages:
//
//	import tmsentrygo "github.com/tracemeta/tracemeta/tracecontext/sentrygo"
//
// Usage, with sentryhttp and the tracemeta middleware:
//
//	sentry.Init(sentry.ClientOptions{Dsn: dsn, EnableTracing: true, TracesSampleRate: 0.2})
//	mw := inject.Middleware(inject.WithSource(tmsentrygo.Source()))
//	http.ListenAndServe(addr, sentryhttp.New(sentryhttp.Options{}).Handle(mw(app)))
//
// sentryhttp must wrap the tracemeta middleware, so that the transaction is in
// the request's context when the page is rendered. The same Source serves the
// template entry points: templates.FuncMap(templates.WithSource(tmsentrygo.Source())).
//
// What is rendered, and why:
//   - The trace header names the span active in the context when the tags are
//     rendered ([sentry.SpanFromContext]): the transaction of the request, or
//     a child span the handler started around its rendering. The hub's scope
//     span is never used: it is the last span started on the hub, which need
//     not be the one that rendered the page.
//   - The DSC is the transaction's, frozen, never a child span's: sentry-go
//     rebuilds a child span's DSC from local settings and overwrites a DSC
//     that arrived from upstream (and with it the upstream sample_rand).
//   - With tracing disabled (tracing without performance), the hub's
//     propagation context: the trace id and span id sentry-go reports errors
//     with, and the upstream decision from the frozen DSC, because the span
//     sentry-go starts anyway always says not sampled.
//
// See [Source] for the details.
package tmsentrygo
