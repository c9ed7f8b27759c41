package injectfiber_test

import (
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/cache"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	injectfiber "github.com/tracemeta/tracemeta/inject/fiber"
)

// TestHeaders checks what the middleware changes in the headers of a
// rewritten page, and that the rest stays: the validators go (the tags
// belong to this request), the cookies and the other headers stay.
func TestHeaders(t *testing.T) {
	t.Parallel()
	base := serve(t, newApp(t, injectfiber.Middleware(), fiber.Config{}))
	got := do(t, http.MethodGet, base+"/validators", nil)
	tagSpan(t, got.body)
	assert.Empty(t, got.header.Values("ETag"))
	assert.Empty(t, got.header.Values("Last-Modified"))
	assert.Len(t, got.header.Values("Set-Cookie"), 2)
	assert.Equal(t, "kept", got.header.Get("X-Custom"))
	assert.Equal(t, []string{"1", "2"}, got.header.Values("X-Multi"))
	assert.Equal(t, "text/html", got.header.Get("Content-Type"))
}

// TestCompression checks the order of the middlewares: compression in
// front of the handler sees the rewritten page; behind it, the handler
// sees it compressed and leaves it alone.
func TestCompression(t *testing.T) {
	t.Parallel()
	gz := http.Header{"Accept-Encoding": {"gzip"}}
	for _, tt := range []struct {
		name     string
		handlers []fiber.Handler
		tags     bool
	}{
		{name: "compression in front", handlers: []fiber.Handler{compress.New(), injectfiber.Middleware()}, tags: true},
		{name: "compression behind", handlers: []fiber.Handler{injectfiber.Middleware(), compress.New()}, tags: false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			app := fiber.New(fiber.Config{DisableStartupMessage: true, Views: engine()})
			for _, h := range tt.handlers {
				app.Use(h)
			}
			// A page above the size fasthttp starts compressing at.
			big := strings.Replace(page, "<h1>page</h1>", strings.Repeat("<p>compressible</p>", 100), 1)
			app.Get("/set", func(c *fiber.Ctx) error {
				c.Type("html")
				return c.SendString(big)
			})
			app.Get("/stream", func(c *fiber.Ctx) error {
				c.Type("html")
				return c.SendStream(strings.NewReader(big))
			})
			base := serve(t, app)
			for _, path := range []string{"/set", "/stream"} {
				got := do(t, http.MethodGet, base+path, gz)
				require.Equal(t, "gzip", got.header.Get("Content-Encoding"), path)
				zr, err := gzip.NewReader(strings.NewReader(got.body))
				require.NoError(t, err)
				body, err := io.ReadAll(zr)
				require.NoError(t, err)
				rest, ok := withoutTags(string(body))
				assert.Equal(t, tt.tags, ok, "tags in %s", body)
				assert.Equal(t, big, rest)
			}
		})
	}
}

// TestCacheBehind checks the order the README gives for Fiber's cache
// middleware: behind the handler, a page served from the cache gets fresh
// tags, of its own request.
func TestCacheBehind(t *testing.T) {
	t.Parallel()
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Use(injectfiber.Middleware(), cache.New(cache.Config{Expiration: time.Minute}))
	app.Get("/", func(c *fiber.Ctx) error {
		c.Type("html")
		return c.SendString(page)
	})
	base := serve(t, app)
	first := do(t, http.MethodGet, base+"/", nil)
	second := do(t, http.MethodGet, base+"/", nil)
	assert.Equal(t, "miss", first.header.Get("X-Cache"))
	assert.Equal(t, "hit", second.header.Get("X-Cache"))
	assert.NotEqual(t, tagSpan(t, first.body).SpanID, tagSpan(t, second.body).SpanID, "each request its own tags")
	rest, _ := withoutTags(second.body)
	assert.Equal(t, page, rest)
}
