// Package injectfiber inserts tracemeta's trace meta tags into the HTML pages
// of a Fiber v2 app, so that the browser's pageload continues the trace of
// the request that rendered the page.
//
//	app := fiber.New()
//	app.Use(compress.New())           // compression, if any, in front
//	app.Use(injectfiber.Middleware()) // then the tags
//	app.Get("/", handler)
//
// Fiber runs on fasthttp, whose responses never pass through a
// net/http ResponseWriter, so the net/http middleware of package inject
// cannot wrap it (adaptor.HTTPMiddleware yields no tags). The handler of
// [Middleware] lets the next handlers write their response, then replays it
// (status, headers, and the body or the body stream) through
// [inject.Middleware] into the fasthttp response: the rules that decide
// which responses are rewritten, the rewriter, the exactly-once claim and the
// options are the middleware's own.
//
// Fiber has no net/http request either, so tracecontext.Middleware cannot
// run in front of it: the handler continues the incoming trace itself
// (sentry-trace and baggage, or traceparent) when no SDK did, and stores it
// in c.UserContext(), where templates.FuncMap's traceMeta and the app's
// handlers find it. Behind sentry-go's Fiber integration (sentryfiber), which
// puts its transaction into c.UserContext(), the sentrygo module's Source makes
// the tags name that transaction, and the handler leaves the trace to it:
//
//	app.Use(sentryfiber.New(sentryfiber.Options{}))
//	app.Use(injectfiber.Middleware(inject.WithSource(tmsentrygo.Source())))
//
// Behind another SDK, give its Source with [inject.WithSource] the same way:
// the handler then leaves the trace to it too.
package injectfiber
