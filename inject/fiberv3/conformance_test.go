package injectfiberv3_test

import (
	"net"
	"testing"
	"time"

	"github.com/gofiber/fiber/v3"
	"github.com/gofiber/fiber/v3/middleware/recover"

	"github.com/tracemeta/tracemeta/inject"
	injectfiberv3 "github.com/tracemeta/tracemeta/inject/fiberv3"
	"github.com/tracemeta/tracemeta/inject/internal/conformance"
	"github.com/tracemeta/tracemeta/inject/internal/conformance/fastapp"
)

// TestConformance runs the adapters' suite against Middleware, behind
// Fiber's recover.
func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.Target{
		Has: conformance.NeedRecovery,
		NewMiddleware: func(opts ...inject.Option) error {
			_, err := injectfiberv3.NewMiddleware(opts...)
			return err
		},
		Serve: func(t *testing.T, app *conformance.App, adapter bool, opts []inject.Option) string {
			f := fiber.New()
			f.Use(recover.New())
			if adapter {
				f.Use(injectfiberv3.Middleware(opts...))
			}
			f.All("/*", func(c fiber.Ctx) error {
				if code := fastapp.Serve(app, c.RequestCtx(), c.Context()); code != 0 {
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
	listen := func(ln net.Listener) error {
		return app.Listener(ln, fiber.ListenConfig{DisableStartupMessage: true})
	}
	return conformance.ServeOn(t, listen, func() error { return app.ShutdownWithTimeout(5 * time.Second) })
}

// TestContinuation runs the suite's checks of the trace Middleware
// continues, behind a stand-in SDK that puts its span into c.Context().
func TestContinuation(t *testing.T) {
	conformance.RunContinuation(t, conformance.ContinuationTarget{
		Serve: func(t *testing.T, app *conformance.App, sdk bool, opts []inject.Option) string {
			f := fiber.New()
			if sdk {
				f.Use(func(c fiber.Ctx) error {
					c.SetContext(conformance.WithSDKSpan(c.Context()))
					return c.Next()
				})
			}
			f.Use(injectfiberv3.Middleware(opts...))
			f.All("/*", func(c fiber.Ctx) error {
				fastapp.Serve(app, c.RequestCtx(), c.Context())
				return nil
			})
			return serve(t, f)
		},
	})
}
