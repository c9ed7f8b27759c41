package injectfiber_test

import (
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/gofiber/fiber/v2/middleware/recover"

	"github.com/tracemeta/tracemeta/inject"
	injectfiber "github.com/tracemeta/tracemeta/inject/fiber"
	"github.com/tracemeta/tracemeta/inject/internal/conformance"
	"github.com/tracemeta/tracemeta/inject/internal/conformance/fastapp"
)

// serveApp serves the suite's app with Fiber v2: the handlers in front,
// then the adapter built with opts, if adapter, then those inside.
func serveApp(t *testing.T, app *conformance.App, front []fiber.Handler, adapter bool, opts []inject.Option, inside ...fiber.Handler) string {
	f := fiber.New(fiber.Config{DisableStartupMessage: true})
	for _, h := range front {
		f.Use(h)
	}
	if adapter {
		f.Use(injectfiber.Middleware(opts...))
	}
	for _, h := range inside {
		f.Use(h)
	}
	f.All("/*", func(c *fiber.Ctx) error {
		if code := fastapp.Serve(app, c.Context(), c.UserContext()); code != 0 {
			return fiber.NewError(code)
		}
		return nil
	})
	return conformance.ServeOn(t, f.Listener, func() error { return f.ShutdownWithTimeout(5 * time.Second) })
}

// TestConformance runs the adapters' suite against Middleware, behind
// Fiber's recover, and checks the trace it continues, behind a stand-in
// for sentryfiber, which keeps its transaction in c.Locals and its context
// in c.UserContext().
func TestConformance(t *testing.T) {
	sdk := func(c *fiber.Ctx) error {
		c.Locals("sentry_transaction", struct{}{})
		c.SetUserContext(conformance.WithSDKSpan(c.UserContext()))
		return c.Next()
	}
	conformance.Run(t, conformance.Target{
		Has:           conformance.NeedRecovery,
		NewMiddleware: conformance.ErrOf(injectfiber.NewMiddleware),
		Serve: func(t *testing.T, app *conformance.App, adapter bool, opts []inject.Option) string {
			return serveApp(t, app, []fiber.Handler{recover.New()}, adapter, opts)
		},
		ServeCompressed: func(t *testing.T, app *conformance.App, adapter, inside bool, opts []inject.Option) string {
			if inside {
				return serveApp(t, app, nil, adapter, opts, compress.New())
			}
			return serveApp(t, app, []fiber.Handler{compress.New()}, adapter, opts)
		},
	})
	conformance.RunContinuation(t, conformance.ContinuationTarget{
		Serve: func(t *testing.T, app *conformance.App, withSDK bool, opts []inject.Option) string {
			if withSDK {
				return serveApp(t, app, []fiber.Handler{sdk}, true, opts)
			}
			return serveApp(t, app, nil, true, opts)
		},
	})
	t.Run("deprecated NewHandler", func(t *testing.T) {
		conformance.RunContinuation(t, conformance.ContinuationTarget{
			Serve: func(t *testing.T, app *conformance.App, withSDK bool, opts []inject.Option) string {
				front := []fiber.Handler{injectfiber.NewHandler(injectfiber.WithInject(opts...))}
				if withSDK {
					front = append([]fiber.Handler{sdk}, front...)
				}
				return serveApp(t, app, front, false, nil)
			},
		})
	})
}
