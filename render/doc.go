// Package render turns a [tracecontext.SpanContext] into the markup and
// header values a browser SDK reads to continue a trace: escaped <meta> tags
// for the document's <head>, and a Server-Timing header value.
//
// Every entry point of tracemeta (the inject middleware, the html/template
// funcs and the templ component) renders through this package, so the tags
// are the same whichever one a page uses.
package render
