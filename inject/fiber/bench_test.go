package injectfiber_test

import (
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	injectfiber "github.com/tracemeta/tracemeta/inject/fiber"
	"github.com/tracemeta/tracemeta/inject/internal/conformance/fastapp"
)

// BenchmarkHandler measures a request served by an app without the
// middleware (bare) and with it, calling the app's fasthttp handler.
func BenchmarkHandler(b *testing.B) {
	fastapp.Bench(b, func(adapter bool) fasthttp.RequestHandler {
		app := fiber.New(fiber.Config{DisableStartupMessage: true})
		if adapter {
			app.Use(injectfiber.Middleware())
		}
		app.Get("/*", func(c *fiber.Ctx) error {
			fastapp.BenchServe(c.Context())
			return nil
		})
		return app.Handler()
	})
}
