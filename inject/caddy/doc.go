// Package injectcaddy is the Caddy module of tracemeta: the HTTP handler
// http.handlers.tracemeta and its Caddyfile directive tracemeta, which put the
// trace meta tags into the <head> of the pages Caddy proxies or serves, so that
// the browser's pageload continues the trace of the request that served it,
// whatever the stack behind Caddy.
//
//	example.com {
//		encode gzip zstd
//		tracemeta {
//			release shop@1.4.0
//			environment production
//			public_key 49d0f7386ad645858ae85020e393bef3
//			sample_rate 0.25
//			org_id 4505
//			strict_trace_continuation
//			formats sentry-trace baggage traceparent datadog
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
// navigation that no shared cache may store. A page whose <head> already
// holds a sentry-trace, traceparent or baggage meta (an application whose
// Sentry SDK renders them) keeps its own set: the head is read whole by
// inject's tokenizer (inject.WithExistingTags), however the upstream splits
// and flushes it. A HEAD gets the headers its GET would get. Every other
// request (fetch and XHR, htmx, Turbo frames, subresources, requests whose
// Accept does not name text/html) reaches the upstream with its
// Accept-Encoding as the client sent it, and its response reaches the
// client as the upstream sent it.
//
// # Compression
//
// For a navigation (a request inject.Middleware does not skip and whose
// Accept names text/html), tracemeta chooses what the upstream may compress
// with, so that it can rewrite the page, and the client still gets a page no
// bigger than the upstream would have sent:
//
//   - In a site with encode (as above, and recommended), the upstream is
//     asked for an uncompressed page (Accept-Encoding: identity, which also
//     keeps Go's transport from asking for gzip itself and dropping
//     Content-Length); encode compresses the rewritten page, and every
//     other, as it would without tracemeta. Since encode decides whether
//     to compress a page without Content-Length on its first write, the
//     first KiB of a navigation's page reaches it in one write, and a flush
//     within that KiB waits for it (or for the end of the page).
//   - In a site without encode, the upstream is offered the codings the
//     client accepts among gzip and zstd, the two tracemeta can decode (br
//     and deflate are left out, so an upstream that prefers br sends gzip or
//     zstd to a navigation). A page tracemeta does not rewrite (shared-
//     cacheable, no-transform, not HTML, a range) goes out exactly as the
//     upstream sent it. A page it rewrites is decoded as it streams and
//     encoded again with the upstream's coding at the default level, without
//     Content-Length or validators: bigger than the upstream's by
//     about the tags. A client that accepts neither coding gets identity, as
//     it would without tracemeta.
//
// A page that an upstream compresses although it was asked for identity is
// decoded all the same (and encode compresses it). Decoding is bounded: at
// most 32 MiB decoded per response, across every gzip member and zstd frame;
// zstd windows of at most 8 MiB (RFC 9659's limit for HTTP); and a process-
// wide budget of pages decoded at once, 16 gzip pages or 4 zstd pages (a zstd
// page weighs four): about 70 MiB of heap at most in the benchmark. Past it a
// page passes through untagged, with a debug log saying so. A stream that does
// not decode passes through as it came when that shows within its first
// 64 KiB; past that, the response is cut, as a broken upstream's would be.
package injectcaddy
