// Package tmdatadog is the [tracecontext.Source] for services traced with
// Datadog's dd-trace-go v2 (github.com/DataDog/dd-trace-go/v2): it lets
// tracemeta render the span dd-trace-go holds for a request, so that the
// browser's initial document (Datadog's browser RUM SDK reading
// <meta name="dd-trace-id">) links to the request's trace, and so that the
// Sentry and OpenTelemetry browser SDKs continue the same trace when a page
// carries their tags too.
//
// The module path ends in datadog; the package is named tmdatadog, as every
// SDK adapter is named tm and its folder (tmotel, tmsentrygo), so that it
// never collides with a Datadog package of that name in the same file:
//
//	import tmdatadog "github.com/tracemeta/tracemeta/tracecontext/datadog"
//
//	tracer.Start()
//	defer tracer.Stop()
//	mw := inject.Middleware(
//		inject.WithSource(tmdatadog.Source()),
//		inject.WithRender(render.WithFormats(render.Datadog)),
//	)
//	mux := httptrace.NewServeMux() // dd-trace-go's contrib/net/http
//	mux.Handle("/", mw(app))
//	http.ListenAndServe(addr, mux)
//
// The contrib integration must run before the tracemeta middleware (wrap it,
// or be the framework middleware registered first), so that the server span
// is in the request's context when the page is rendered.
//
// The Datadog tags carry the decimal of the trace id's lower 64 bits and the
// render time (see render.Datadog); the browser SDK ignores them on a page
// older than two minutes, and the inject middleware never puts them into a
// response a shared cache may store. See [Source] for the span context it
// reports.
package tmdatadog
