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
// itself (sentry-trace and baggage, or traceparent) when no SDK did, and
// keeps it in a context the handler reads with [Context], to give
// templates' traceMeta or [tracecontext.FromContext].
//
// The parts of [Middleware] are exported for a framework on fasthttp:
// [NewRequest] builds the net/http request the rules read, [Adapter]
// continues the trace and rewrites the response, and [Rewriter] only
// rewrites it. The Fiber adapters (inject/fiber, inject/fiberv3) are built
// on them, and take the same options ([Option]).
//
// fasthttp gives no way to take a body stream out of a response without
// closing it; the rewriter takes it out of the response's unexported field,
// located by reflection once and checked to be an io.Reader. With a
// fasthttp where that field is missing, body streams pass through
// untouched.
package injectfasthttp
