// Package render turns a [tracecontext.SpanContext] into the markup and
// header values a browser SDK reads to continue a trace: escaped <meta> tags
// for the document's <head> ([Renderer.AppendMetaTags]), and a Server-Timing
// header value ([Renderer.AppendServerTiming]).
//
// Every entry point of tracemeta (the inject middleware, the html/template
// funcs and the templ component) renders through this package, so the tags
// are the same whichever one a page uses:
//
//	<meta name="sentry-trace" content="771a43a4192642f0b136d5159a501700-b7ad6b7169203331-1">
//	<meta name="baggage" content="sentry-trace_id=771a43a4192642f0b136d5159a501700,sentry-public_key=...">
//
// The Sentry browser SDK reads them at pageload (the first
// meta[name=sentry-trace] and meta[name=baggage] of the document), and
// OpenTelemetry's document-load instrumentation reads
// <meta name="traceparent"> when [Traceparent] is among the formats, and
// Datadog's browser RUM SDK reads <meta name="dd-trace-id"> and
// <meta name="dd-trace-time"> when [Datadog] is (or the comment of
// [Renderer.AppendDatadogComment]). All of them name the same span.
//
// # Safety
//
// Only the Dynamic Sampling Context is written as baggage, never the members
// of other vendors that arrived with the request, and every value is
// HTML-attribute-escaped (& ' < > " and CR as character references, NUL and
// invalid UTF-8 as U+FFFD), so no value that came in with a request header
// can add markup to the page. An invalid span context renders nothing.
//
// # Exactly once
//
// A response must carry one set of tags: the browser SDK reads only the
// first. [Once] is the per-response flag that the entry points share through
// the request's context: each calls [Claim] before it renders.
//
// # Allocation
//
// Build a [Renderer] once with [New] and append into a reused buffer: its
// methods do not allocate when the buffer has room.
package render
