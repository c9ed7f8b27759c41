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
// shared cache may store (the rules are below); [WithSkipHook]
// or [WithLogger] tell why a response was passed through.
//
// The tags are inserted at most once per response: a template that renders
// them itself through the templates package (or anything calling
// [render.Claim] with the request's context) first makes the middleware
// insert nothing, and the other way round. A reverse proxy, whose upstreams
// may render their own tags into the page, adds [WithExistingTags]: the
// Writer then reads the whole head, however it is streamed and flushed, and
// leaves a page that has tags of its own as it is.
//
// # Which responses are rewritten
//
// A response is rewritten only when it is an HTML document for a browser
// navigation that no shared cache may store; every other response passes
// through byte for byte. The rules, each reported with a [Reason] to
// [WithSkipHook] and [WithLogger]:
//   - the request: GET or POST only ([ReasonMethod]); not a request
//     for a fragment: htmx (HX-Request), Turbo frames (Turbo-Frame), fetch() and
//     subresources (Sec-Fetch-Dest other than document, iframe, frame), or
//     XMLHttpRequest ([ReasonPartialRequest]); not when the [WithSkip]
//     predicate says so ([ReasonSkipped]);
//   - the status: 2xx, 4xx and 5xx, but not 204, 205 or 304
//     ([ReasonStatus]) or 206 ([ReasonRange]); 1xx go out at once;
//   - the headers: Content-Type text/html (sniffed from the first 512 bytes
//     like net/http when unset, and then set) in an ASCII-compatible charset
//     ([ReasonContentType], [ReasonEventStream], [ReasonEncoding]); no
//     Content-Encoding but identity, Content-Range or Content-Disposition:
//     attachment; no Cache-Control: no-transform ([ReasonNoTransform]), the
//     handler's way to opt a response out; not shared-cacheable
//     ([SharedCacheable], [WithCachePolicy]);
//   - the body: a document, with its insertion point within the lookahead,
//     decided by the [Writer];
//   - the request's context: no span ([ReasonNoSpan]), or the tags already
//     rendered by a template func or component ([ReasonAlreadyRendered]);
//   - with [WithExistingTags], for a proxy: no trace meta tags in the
//     page's own head ([ReasonExistingTags]).
//
// The status and the headers are held until the Writer has decided, so
// Content-Length is raised by the exact length of the tags; when the handler
// flushes first, or the Writer reads more than 32 KiB (or the lookahead, if
// smaller) before it decides, they go out without Content-Length. An injected response loses its validators (ETag and
// Last-Modified): its tags belong to its request, and a 304 would make the
// browser or a cache load an earlier request's page and continue that
// request's trace. It also loses Accept-Ranges and digests of its bytes.
//
// A HEAD is reported with [ReasonMethod] and never gets the tags, but its
// headers are those of the GET: when the rules above would have the GET's
// body go through the rewriter (the Content-Type sniffed from a body the
// handler writes, if unset) and the Source has a span, the HEAD goes out
// without Content-Length, validators and Accept-Ranges, whose values for
// the GET depend on its body, and what the handler writes is dropped, as
// net/http drops it. With Server-Timing ([WithServerTiming]) it carries
// the GET's.
//
// The ResponseWriter the handler gets has Flush and Hijack when the wrapped
// one has them, ReadFrom and WriteString (both through the rewriter), Push
// (ErrNotSupported when the wrapped one cannot push), and Unwrap for
// [http.ResponseController], which finds deadlines and full duplex through
// it.
//
// The handler's header changes after WriteHeader, or after its first Write,
// are ignored as net/http ignores them, even though the middleware holds the
// real WriteHeader until it has decided: the headers sent are those of that
// moment (trailers excepted, which are sent at the end as net/http sends
// them), with the middleware's own changes. A ResponseWriter used after its
// handler returned is the wrapped one: what a framework writes then (echo's
// WrapMiddleware writes its error pages so) goes out untouched, without the
// tags; the framework adapters rewrite those pages too. A failure of the
// rewriter falls back to passing the handler's bytes through; a panic of the
// handler propagates unchanged.
//
// The request's context carries a [render.Once], so that the tags are
// inserted once per response whichever entry point gets there first. A
// request that already carries one (from a Middleware around this one, or
// put there by the app) keeps it: nested Middlewares insert one set.
package inject
