package injectfiber_test

import (
	"io"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	injectfiber "github.com/tracemeta/tracemeta/inject/fiber"
)

// BenchmarkHandler measures a request served by an app without the handler
// (bare) and with it (adapter), calling the app's fasthttp handler directly,
// for a page set whole, a page streamed, and JSON, which passes through.
// The response is read out as fasthttp would send it.
func BenchmarkHandler(b *testing.B) {
	body := strings.Replace(page, "<h1>page</h1>", strings.Repeat("<p>lorem ipsum dolor sit amet</p>\n", 3000), 1) // 100 KB
	newApp := func(h fiber.Handler) fasthttp.RequestHandler {
		app := fiber.New(fiber.Config{DisableStartupMessage: true})
		if h != nil {
			app.Use(h)
		}
		app.Get("/set", func(c *fiber.Ctx) error {
			c.Type("html")
			return c.SendString(body)
		})
		app.Get("/stream", func(c *fiber.Ctx) error {
			c.Type("html")
			return c.SendStream(strings.NewReader(body), len(body))
		})
		app.Get("/json", func(c *fiber.Ctx) error {
			c.Type("json")
			return c.SendString(`{"ok":true}`)
		})
		return app.Handler()
	}
	for _, path := range []string{"/set", "/stream", "/json"} {
		for _, mode := range []struct {
			name string
			h    fiber.Handler
		}{{"bare", nil}, {"adapter", injectfiber.Middleware()}} {
			b.Run(strings.TrimPrefix(path, "/")+"/"+mode.name, func(b *testing.B) {
				handler := newApp(mode.h)
				var ctx fasthttp.RequestCtx
				ctx.Request.SetRequestURI(path)
				ctx.Request.Header.SetMethod(fasthttp.MethodGet)
				for k, v := range browserHeaders {
					ctx.Request.Header.Set(k, v)
				}
				b.ReportAllocs()
				if path != "/json" {
					b.SetBytes(int64(len(body)))
				}
				for b.Loop() {
					ctx.Response.Reset()
					handler(&ctx)
					if err := ctx.Response.BodyWriteTo(io.Discard); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// browserHeaders are the headers Chromium sends with a navigation.
var browserHeaders = map[string]string{
	"Host":                      "shop.example",
	"Accept":                    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
	"Accept-Encoding":           "gzip, deflate, br, zstd",
	"Accept-Language":           "en-US,en;q=0.9",
	"Cache-Control":             "max-age=0",
	"Sec-Ch-Ua":                 `"Chromium";v="131", "Not_A Brand";v="24"`,
	"Sec-Ch-Ua-Mobile":          "?0",
	"Sec-Ch-Ua-Platform":        `"Linux"`,
	"Sec-Fetch-Dest":            "document",
	"Sec-Fetch-Mode":            "navigate",
	"Sec-Fetch-Site":            "none",
	"Sec-Fetch-User":            "?1",
	"Upgrade-Insecure-Requests": "1",
	"User-Agent":                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
}
