package injectfiberv3_test

import (
	"net"
	"slices"
	"testing"
	"time"

	"github.com/gofiber/fiber/v3"
	"github.com/gofiber/fiber/v3/middleware/compress"
	"github.com/gofiber/fiber/v3/middleware/recover"

	"github.com/tracemeta/tracemeta/inject"
	injectfiberv3 "github.com/tracemeta/tracemeta/inject/fiberv3"
	"github.com/tracemeta/tracemeta/inject/internal/conformance"
	"github.com/tracemeta/tracemeta/inject/internal/conformance/fastapp"
)

// serve runs app on a loopback listener until the test ends, and returns
// its base URL.
func serve(t testing.TB, app *fiber.App) string {
	listen := func(ln net.Listener) error {
		return app.Listener(ln, fiber.ListenConfig{DisableStartupMessage: true})
	}
	return conformance.ServeOn(t, listen, func() error { return app.ShutdownWithTimeout(5 * time.Second) })
}

// newApp returns a Fiber v3 app with the middlewares chain (handlers, or
// the adapter's middleware where it is nil), in that order, then the
// suite's app.
func newApp(app *conformance.App, opts []inject.Option, chain ...fiber.Handler) *fiber.App {
	f := fiber.New()
	for _, h := range chain {
		if h == nil {
			h = injectfiberv3.Middleware(opts...)
		}
		f.Use(h)
	}
	f.All("/*", func(c fiber.Ctx) error {
		if code := fastapp.Serve(app, c.RequestCtx(), c.Context()); code != 0 {
			return fiber.NewError(code)
		}
		return nil
	})
	return f
}

// TestConformance runs the adapters' suite against Middleware behind
// recover.New, and the checks of the trace it continues, behind a stand-in
// SDK that puts its span into c.Context().
func TestConformance(t *testing.T) {
	var adapter fiber.Handler // nil: where newApp puts the adapter
	without := func(with bool, chain ...fiber.Handler) []fiber.Handler {
		if with {
			return chain
		}
		return slices.DeleteFunc(chain, func(h fiber.Handler) bool { return h == nil })
	}
	conformance.Run(t, conformance.Target{
		Has:           conformance.NeedRecovery,
		NewMiddleware: conformance.ErrOf(injectfiberv3.NewMiddleware),
		Serve: func(t *testing.T, app *conformance.App, with bool, opts []inject.Option) string {
			return serve(t, newApp(app, opts, without(with, recover.New(), adapter)...))
		},
		ServeCompressed: func(t *testing.T, app *conformance.App, with, inside bool, opts []inject.Option) string {
			if inside {
				return serve(t, newApp(app, opts, without(with, adapter, compress.New())...))
			}
			return serve(t, newApp(app, opts, without(with, compress.New(), adapter)...))
		},
	})
	sdk := func(c fiber.Ctx) error {
		c.SetContext(conformance.WithSDKSpan(c.Context()))
		return c.Next()
	}
	conformance.RunContinuation(t, conformance.ContinuationTarget{
		Serve: func(t *testing.T, app *conformance.App, withSDK bool, opts []inject.Option) string {
			if withSDK {
				return serve(t, newApp(app, opts, sdk, adapter))
			}
			return serve(t, newApp(app, opts, adapter))
		},
	})
}
