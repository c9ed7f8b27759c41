package injectfiber

import (
	"github.com/gofiber/fiber/v2"

	"github.com/tracemeta/tracemeta/inject"
	"github.com/tracemeta/tracemeta/inject/internal/adapterkit"
	"github.com/tracemeta/tracemeta/inject/internal/fasthttpkit"
)

// Middleware returns the Fiber handler that inserts the trace meta tags into
// the HTML pages of the handlers after it, with [inject.Middleware] and the
// same options: the eligibility rules, the Source, the render options, the
// skip hook and the logger are the core's.
//
//	app.Use(injectfiber.Middleware())
//
// For each request it:
//
//  1. continues the incoming trace (sentry-trace and baggage, or
//     traceparent), as [tracecontext.Middleware] does, with the options of
//     [inject.WithTraceContext], unless sentry-go's Fiber integration
//     (sentryfiber) started a transaction for the request, or the Source
//     the tags are rendered from ([inject.WithSource]; by default the one
//     of tracecontext's context) finds a span in [fiber.Ctx.UserContext],
//     where an SDK in front put it; and stores it there with a
//     render.Once, so that a template that renders the tags itself
//     (templates.FuncMap's traceMeta with c.UserContext()) and this handler
//     put exactly one set into the page;
//  2. calls the next handler; an error it returns goes to the app's
//     ErrorHandler at once, as Fiber's logger does, so that the error page
//     is rewritten too, and the handlers in front see nil;
//  3. replays the response (status, headers, and the body or the body
//     stream) through inject's middleware, so that every rule of it
//     applies: only HTML documents for a browser navigation that no shared
//     cache may store are rewritten, and everything else is left as it was.
//
// Behind a tracing SDK, give its Source with [inject.WithSource]: the tags
// name the SDK's span, and the handler continues no trace of its own, so
// that c.UserContext() holds the SDK's trace alone:
//
//	app.Use(injectfiber.Middleware(inject.WithSource(tmsentrygo.Source())))
//
// A body stream (c.SendStream, c.SendFile, SetBodyStreamWriter) stays a
// stream, rewritten as fasthttp sends it, in constant memory; a body set
// whole is rewritten into a pooled buffer, or left where it is. Compression
// must run in front of the handler (app.Use it before this one), so that the
// handler sees the HTML before it is compressed; a compressed response
// passes through untouched. Nil options are skipped.
//
// The *http.Request that inject's options are given (a skip function of
// [inject.WithSkip], the skip hook, a sampler of tracecontext.WithSampler)
// is reused for a later request once the response is written, as fasthttp
// reuses its RequestCtx: keep nothing of it past the call but copies.
func Middleware(opts ...inject.Option) fiber.Handler {
	h, _ := fasthttpkit.Middleware(&framework, opts, false)
	return h
}

// NewMiddleware is [Middleware] that reports invalid options, as
// [inject.NewMiddleware] does: an error wrapping [inject.ErrInvalidOption]
// for each option out of range (inject.WithTraceContext's included), which
// is left at its default. The handler it returns is usable either way.
func NewMiddleware(opts ...inject.Option) (fiber.Handler, error) {
	return fasthttpkit.Middleware(&framework, opts, true)
}

// framework is how the kit runs a request of Fiber v2.
var framework = fasthttpkit.Framework[*fiber.Ctx]{
	RequestCtx: (*fiber.Ctx).Context,
	Context:    (*fiber.Ctx).UserContext,
	SetContext: (*fiber.Ctx).SetUserContext,
	// sentryfiber started the trace, and put the transaction into the
	// user context too: a trace of the handler's own would be a second one.
	Traced:       func(c *fiber.Ctx) bool { return c.Locals(adapterkit.SentryTransactionKey) != nil },
	Next:         (*fiber.Ctx).Next,
	ErrorHandler: func(c *fiber.Ctx, err error) error { return c.App().ErrorHandler(c, err) },
}
