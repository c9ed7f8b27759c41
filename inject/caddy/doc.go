// Package injectcaddy is the Caddy module of tracemeta: the HTTP handler
// http.handlers.tracemeta and its Caddyfile directive tracemeta, which put the
// trace meta tags into the <head> of the pages Caddy proxies or serves, so that
// the browser's pageload continues the trace of the request that served it,
// whatever the stack behind Caddy.
//
//	example.com {
//		encode gzip zstd
//		tracemeta {
//			release        shop@1.4.0
//			environment    production
//			public_key     49d0f7386ad645858ae85020e393bef3
//			sample_rate    0.25
//			org_id         4505
//			strict_trace_continuation
//			formats        sentry-trace baggage traceparent
//		}
//		reverse_proxy localhost:3000
//	}
//
// Every subdirective is optional: a bare tracemeta renders sentry-trace and
// baggage and leaves the sampling decision of every trace it starts to the
// browser SDK (deferred: no sampled flag, no sentry-sampled); sample_rate
// makes Caddy decide at the head. The directive is ordered after
// encode, so compression wraps the rewritten page, and before templates,
// reverse_proxy and file_server, whose output it rewrites; no order line is
// needed.
//
// # The span the tags name
//
// Only a navigation is touched: a request inject.Middleware would rewrite
// whose Accept names text/html. Any other request (fetch, XMLHttpRequest,
// htmx, Turbo, a subresource, HEAD, an API client) reaches the upstream with
// the client's trace headers exactly as sent, so an API call continues the
// browser's own span.
//
//   - With Caddy's tracing directive, the OpenTelemetry span of the request
//     (read through tracemeta's otel adapter), so the pageload becomes a
//     child of the span Caddy exports; but when that span continues a client
//     trace that org_id and strict_trace_continuation refuse, a new trace of
//     tracemeta's own instead.
//   - Without it, a server span of its own that continues the incoming
//     sentry-trace and baggage (or traceparent), or starts a trace, as
//     tracecontext.Middleware does, with the options above.
//   - When the upstream's response names a span of the same trace (a
//     Server-Timing entry sentry-trace or traceparent, or a W3C traceresponse
//     header), that span, unless its Server-Timing baggage names another
//     organization: the pageload then becomes a child of the application's
//     own server span.
//
// The navigation's request to the upstream carries sentry-trace and baggage
// (and traceparent with the traceparent format) naming the navigation's
// span, so the application's own SDK continues the same trace. The page's
// sampled flag and its baggage's sentry-sampled always agree. See Handler
// for the rules in full.
//
// # What is rewritten
//
// Exactly what inject.Middleware rewrites: an HTML document for a browser
// navigation that no shared cache may store. For such a navigation (a request
// that inject.Middleware does not skip and whose Accept names text/html) the
// upstream is asked for an uncompressed body (Accept-Encoding: identity, which
// also keeps Go's transport from asking for gzip itself and dropping
// Content-Length), so that encode compresses the rewritten page. A gzip or
// zstd page the upstream sends all the same is decoded when it declares a
// Content-Length of at most 1 MiB and decodes to at most 8 MiB; any other
// compressed page passes through untouched. A page whose <head> already holds
// a <meta name="sentry-trace"> or <meta name="traceparent"> (an application
// whose Sentry SDK renders them) keeps its own set: the handler reads the head
// (up to 32 KiB) before inject.Middleware sees it, and claims the response's
// render.Once.
package injectcaddy
