package injectfiber_test

import (
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"

	"github.com/tracemeta/tracemeta/inject"
	injectfiber "github.com/tracemeta/tracemeta/inject/fiber"
	"github.com/tracemeta/tracemeta/inject/internal/conformance"
	"github.com/tracemeta/tracemeta/inject/internal/conformance/fastapp"
)

// TestConformance runs the adapters' suite against Middleware, behind
// Fiber's recover.
func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.Target{
		Has: conformance.NeedRecovery,
		NewMiddleware: func(opts ...inject.Option) error {
			_, err := injectfiber.NewMiddleware(opts...)
			return err
		},
		Serve: func(t *testing.T, app *conformance.App, adapter bool, opts []inject.Option) string {
			f := fiber.New(fiber.Config{DisableStartupMessage: true})
			f.Use(recover.New())
			if adapter {
				f.Use(injectfiber.Middleware(opts...))
			}
			f.All("/*", func(c *fiber.Ctx) error {
				if code := fastapp.Serve(app, c.Context(), c.UserContext()); code != 0 {
					return fiber.NewError(code)
				}
				return nil
			})
			return serve(t, f)
		},
	})
}

// serve runs app on a loopback listener until the test ends, and returns
// its base URL.
func serve(t testing.TB, app *fiber.App) string {
	return conformance.ServeOn(t, app.Listener, func() error { return app.ShutdownWithTimeout(5 * time.Second) })
}

// TestContinuation runs the suite's checks of the trace Middleware
// continues, behind a stand-in for sentryfiber, which keeps its transaction
// in c.Locals and its context in c.UserContext().
func TestContinuation(t *testing.T) {
	conformance.RunContinuation(t, conformance.ContinuationTarget{
		Serve: func(t *testing.T, app *conformance.App, sdk bool, opts []inject.Option) string {
			f := fiber.New(fiber.Config{DisableStartupMessage: true})
			if sdk {
				f.Use(func(c *fiber.Ctx) error {
					c.Locals("sentry_transaction", struct{}{})
					c.SetUserContext(conformance.WithSDKSpan(c.UserContext()))
					return c.Next()
				})
			}
			f.Use(injectfiber.Middleware(opts...))
			f.All("/*", func(c *fiber.Ctx) error {
				fastapp.Serve(app, c.Context(), c.UserContext())
				return nil
			})
			return serve(t, f)
		},
	})
}
