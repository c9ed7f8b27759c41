// Package templates renders the trace meta tags from the templates of apps
// that write their own <head>: [FuncMap] for html/template and [MetaTags], a
// templ component.
//
// Both read the span active in the request's context with a
// [tracecontext.Source] (by default [tracecontext.ContextSource]) at the
// moment the template renders, and render the tags with the escaping
// renderer of package render, so the markup is the one the inject middleware
// would write. They render nothing when there is no valid span, or when ctx
// is nil.
//
// # Exactly once
//
// Before rendering, both claim the response with [render.Claim]. The inject
// middleware puts a [render.Once] into every request's context, so a page
// that renders the tags itself does not get a second set from the
// middleware, and a second traceMeta or MetaTags in the same response (a
// layout and a page that both ask, say) renders nothing. Without the
// middleware, put a Once into the request's context with
// [render.ContextWithOnce] to get the same guarantee; without a Once every
// call renders.
//
// The raw-value funcs (sentryTrace, baggage, traceparent) do not claim the
// response: a page that writes its own tags with them and is served through
// the inject middleware should call render.Claim(r.Context()) in its handler.
package templates
