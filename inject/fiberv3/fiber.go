package injectfiberv3

import (
	"github.com/gofiber/fiber/v3"

	"github.com/tracemeta/tracemeta/inject"
	"github.com/tracemeta/tracemeta/inject/internal/fasthttpkit"
)

// framework is how the kit runs a request of Fiber v3, whose SDKs put their
// span into c.Context(), where the Source finds it.
var framework = fasthttpkit.Framework[fiber.Ctx]{
	RequestCtx:   fiber.Ctx.RequestCtx,
	Context:      fiber.Ctx.Context,
	SetContext:   fiber.Ctx.SetContext,
	Next:         fiber.Ctx.Next,
	ErrorHandler: func(c fiber.Ctx, err error) error { return c.App().ErrorHandler(c, err) },
}

// Middleware returns the Fiber v3 handler that inserts the trace meta tags
// into the HTML pages of the handlers after it, with [inject.Middleware]'s
// options and rules (eligibility, Source, rendering, skip hook, logger):
//
//	app.Use(injectfiberv3.Middleware())
//
// Without a tracing SDK in front, it continues the incoming trace
// (sentry-trace and baggage, or traceparent; [inject.WithTraceContext] sets
// the sample rate and the rest) into c.Context(), with the page's
// render.Once, where the handlers and a template's traceMeta find it. Behind
// an SDK, which puts its span into c.Context(), give the SDK's Source with
// [inject.WithSource]: it finds that span, the tags name it, and no second
// trace is continued:
//
//	app.Use(injectfiberv3.Middleware(inject.WithSource(tmsentrygo.Source())))
//
// An error of the handlers goes to the app's ErrorHandler at once, so that
// an error page is rewritten too, and the handlers in front see nil. The
// response is then replayed through inject's middleware: the body set
// whole into a pooled buffer (or left where it is when it is not
// rewritten); a body stream (c.SendStream, c.SendStreamWriter, c.SendFile)
// as fasthttp sends it, in constant memory, a stream writer's Flush sending
// what the page has so far. Compression (compress.New) belongs in front of
// it. Nil options are skipped.
//
// The *http.Request that inject's options are given (a skip function of
// [inject.WithSkip], the skip hook, a sampler of tracecontext.WithSampler)
// is reused for a later request once the response is written, as fasthttp
// reuses its RequestCtx: keep nothing of it past the call but copies.
func Middleware(opts ...inject.Option) fiber.Handler {
	h, _ := NewMiddleware(opts...) // usable either way
	return h
}

// NewMiddleware is [Middleware] reporting what [inject.NewMiddleware]
// reports of opts, and an invalid option of [inject.WithTraceContext]: an
// error wrapping [inject.ErrInvalidOption], the option left at its default.
// The handler works either way.
func NewMiddleware(opts ...inject.Option) (fiber.Handler, error) {
	return fasthttpkit.Middleware(&framework, opts, true)
}
