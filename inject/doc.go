// Package inject puts the trace meta tags into the <head> of HTML responses
// as they stream out, so that the browser's pageload continues the trace of
// the server request that rendered the page, without touching a template.
//
// [Middleware] is the net/http middleware; [NewWriter] is the streaming
// rewriter it wraps around each response, usable on its own.
//
//	// The tracing middleware goes outside, so the span is in the context;
//	// compression goes outside too, so the middleware sees plain HTML.
//	handler := tracecontext.Middleware()(inject.Middleware()(mux))
//	http.ListenAndServe(":8080", gzhttp.GzipHandler(handler))
//
// By default the middleware reads the span with [tracecontext.ContextSource]
// and renders sentry-trace and baggage ([render.DefaultFormats]), the tags
// the Sentry browser SDK reads; [WithSource] and [WithRender] change that
// (the sentrygo and otel modules of tracecontext provide Sources for those
// SDKs). It rewrites only the responses a browser loads as a document and no
// shared cache may store; see [Middleware] for the rules, and [WithSkipHook]
// or [WithLogger] to learn why a response was passed through.
//
// The tags are inserted at most once per response: a template that renders
// them itself through the templates package (or anything calling
// [render.Claim] with the request's context) first makes the middleware
// insert nothing, and the other way round. A reverse proxy, whose upstreams
// may render their own tags into the page, adds [WithExistingTags]: the
// Writer then reads the whole head, however it is streamed and flushed, and
// leaves a page that has tags of its own as it is.
package inject
