// Package injectfasthttp inserts tracemeta's trace meta tags into the HTML
// pages a fasthttp server serves, so that the browser's pageload continues
// the trace of the request that rendered the page.
//
//	srv := &fasthttp.Server{
//		Handler: fasthttp.CompressHandler(injectfasthttp.Middleware(handler)),
//	}
//
// fasthttp's responses never pass through a net/http ResponseWriter, so the
// net/http middleware of package inject cannot wrap a fasthttp handler.
// [Middleware] lets the handler write its response, then replays it
// (status, headers, and the body or the body stream) through
// [inject.Middleware] into the fasthttp response: the rules that decide
// which responses are rewritten, the rewriter, the exactly-once claim and
// the options are the middleware's own. A body stream stays a stream,
// rewritten in constant memory as fasthttp sends it.
//
// fasthttp has no net/http request either, so [tracecontext.Middleware]
// cannot run in front of it: [Middleware] continues the incoming trace
// itself (sentry-trace and baggage, or traceparent) when no SDK did, with
// the options of [inject.WithTraceContext], and keeps it in a context the
// handler reads with [Context], to give templates' traceMeta or
// [tracecontext.FromContext]. Behind an SDK, [inject.WithSource] gives its
// Source, which both renders the tags and tells that the SDK traced the
// request.
//
// Middleware takes inject's options, like every tracemeta adapter, and
// [NewMiddleware] reports the invalid ones. The Fiber adapters
// (inject/fiber, inject/fiberv3) share its replay. The names of v0.1.0
// that exposed the replay's parts ([Adapter], [Rewriter], [NewRequest],
// [Option]) are kept, deprecated.
//
// fasthttp gives no way to take a body stream out of a response without
// closing it; the rewriter takes it out of the response's unexported field,
// located by reflection once and checked to be an io.Reader. With a
// fasthttp where that field is missing, body streams pass through
// untouched: the skip hook hears it for each response, and the logger
// (inject.WithLogger) once.
package injectfasthttp
