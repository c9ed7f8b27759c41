package injectfiberv3_test

import (
	"testing"

	"github.com/gofiber/fiber/v3"
	"github.com/valyala/fasthttp"

	injectfiberv3 "github.com/tracemeta/tracemeta/inject/fiberv3"
	"github.com/tracemeta/tracemeta/inject/internal/conformance/fastapp"
)

// BenchmarkHandler measures a request served by an app without the
// middleware (bare) and with it, calling the app's fasthttp handler.
func BenchmarkHandler(b *testing.B) {
	fastapp.Bench(b, func(adapter bool) fasthttp.RequestHandler {
		app := fiber.New()
		if adapter {
			app.Use(injectfiberv3.Middleware())
		}
		app.Get("/*", func(c fiber.Ctx) error {
			fastapp.BenchServe(c.RequestCtx())
			return nil
		})
		return app.Handler()
	})
}
