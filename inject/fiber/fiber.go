package injectfiber

import (
	"github.com/gofiber/fiber/v2"

	"github.com/tracemeta/tracemeta/inject"
	injectfasthttp "github.com/tracemeta/tracemeta/inject/fasthttp"
)

// Middleware returns the Fiber handler that inserts the trace meta tags into
// the HTML pages of the handlers after it, with opts given to
// [inject.Middleware]. It is [NewHandler] with [WithInject](opts...):
//
//	app.Use(injectfiber.Middleware())
//
// Behind a tracing SDK, give its Source with [inject.WithSource]: the tags
// name the SDK's span, and the handler continues no trace of its own, so
// that c.UserContext() holds the SDK's trace alone:
//
//	app.Use(injectfiber.Middleware(inject.WithSource(tmsentrygo.Source())))
func Middleware(opts ...inject.Option) fiber.Handler {
	return NewHandler(WithInject(opts...))
}

// New is [Middleware].
//
// Deprecated: use [Middleware], the name every tracemeta adapter has.
func New(opts ...inject.Option) fiber.Handler { return Middleware(opts...) }

// NewHandler returns the Fiber handler that inserts the trace meta tags into
// the HTML pages of the handlers after it, configured by opts. For each
// request it:
//
//  1. continues the incoming trace (sentry-trace and baggage, or
//     traceparent), as [tracecontext.Middleware] does, unless sentry-go's
//     Fiber integration (sentryfiber) started a transaction for the request
//     or the Source ([WithSource]) already finds a span in
//     [fiber.Ctx.UserContext], where an SDK in front put it; and stores it there
//     with [tracecontext.NewRequestContext], with a render.Once, so that a
//     template that renders the tags itself (templates.FuncMap's traceMeta
//     with c.UserContext()) and this handler put exactly one set into the
//     page;
//  2. calls the next handler; an error it returns goes to the app's
//     ErrorHandler at once, as Fiber's logger does, so that the error page
//     is rewritten too, and the handlers in front see nil;
//  3. replays the response (status, headers, and the body or the body
//     stream) through [inject.Middleware] into the fasthttp response, with
//     a net/http request built from the fasthttp one, so that every rule of
//     the middleware applies: only HTML documents for a browser navigation
//     that no shared cache may store are rewritten, and everything else is
//     left as it was.
//
// A body stream (c.SendStream, c.SendFile, SetBodyStreamWriter) stays a
// stream: once the middleware has decided the status and the headers from
// the start of it, the rest is rewritten in a goroutine as fasthttp sends it,
// in constant memory. A body that is set whole is rewritten into a pooled
// buffer.
//
// Compression must run in front of the handler (app.Use it before this one),
// so that the handler sees the HTML before it is compressed; a compressed
// response passes through untouched.
func NewHandler(opts ...Option) fiber.Handler {
	a := &adapter{injectfasthttp.NewAdapter(opts...)}
	return a.handle
}

// adapter is what one handler of NewHandler shares between requests.
type adapter struct{ *injectfasthttp.Adapter }

// sentryTransactionKey is the c.Locals key under which sentry-go's Fiber
// integration (sentryfiber) keeps the transaction it started, as
// sentryfiber.GetSpanFromContext reads it.
const sentryTransactionKey = "sentry_transaction"

func (a *adapter) handle(c *fiber.Ctx) error {
	fctx := c.Context()
	r := injectfasthttp.NewRequest(fctx)
	ctx := c.UserContext()
	// sentryfiber started the trace, and put the transaction into ctx too:
	// a trace of the handler's own would only be a second one.
	sdk := c.Locals(sentryTransactionKey) != nil
	ctx = a.RequestContext(ctx, r, sdk)
	c.SetUserContext(ctx)
	if err := c.Next(); err != nil {
		if herr := c.App().ErrorHandler(c, err); herr != nil {
			// As Fiber itself answers an error of its ErrorHandler.
			_ = c.SendStatus(fiber.StatusInternalServerError)
		}
	}
	if fctx.Hijacked() {
		return nil
	}
	return a.Rewrite(fctx, r.WithContext(c.UserContext()))
}
