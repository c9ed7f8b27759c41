package injectfiberv3_test

import (
	"bufio"
	"errors"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/gofiber/fiber/v3"
	"github.com/gofiber/template/html/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/inject"
	"github.com/tracemeta/tracemeta/inject/fiberv3"
	"github.com/tracemeta/tracemeta/templates"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// page is the document the handlers write, in every way Fiber has.
const page = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>page</title>
</head>
<body><h1>page</h1></body>
</html>
`

func mustRead(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	require.NoError(t, err)
	return string(b)
}

// engine is Fiber's html/template engine over testdata, with tracemeta's
// template funcs.
func engine() *html.Engine {
	e := html.New("./testdata", ".html")
	e.AddFuncMap(templates.FuncMap())
	return e
}

// errorPage is an ErrorHandler that renders an HTML page with the status.
func errorPage(c fiber.Ctx, err error) error {
	code := fiber.StatusInternalServerError
	var fe *fiber.Error
	if errors.As(err, &fe) {
		code = fe.Code
	}
	return c.Status(code).Render("error", fiber.Map{"Code": code, "Message": err.Error()})
}

// newApp returns an app with the handler of opts in front of a route for
// every way Fiber writes a body.
func newApp(t testing.TB, handler fiber.Handler, cfg fiber.Config) *fiber.App {
	t.Helper()
	if cfg.Views == nil {
		cfg.Views = engine()
	}
	app := fiber.New(cfg)
	app.Use(handler)
	routes(app)
	return app
}

func routes(app *fiber.App) {
	app.Get("/string", func(c fiber.Ctx) error {
		c.Type("html")
		return c.SendString(page)
	})
	app.Get("/bytes", func(c fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
		return c.Send([]byte(page))
	})
	app.Get("/render", func(c fiber.Ctx) error {
		return c.Render("page", fiber.Map{"Title": "render"})
	})
	app.Get("/own", func(c fiber.Ctx) error {
		return c.Render("own", fiber.Map{"Title": "own", "Ctx": c.Context()})
	})
	app.Get("/file", func(c fiber.Ctx) error {
		return c.SendFile("./testdata/static.html")
	})
	app.Get("/stream", func(c fiber.Ctx) error {
		c.Type("html")
		return c.SendStream(&chunkedReader{data: []byte(page), n: 7})
	})
	app.Get("/stream-sized", func(c fiber.Ctx) error {
		c.Type("html")
		return c.SendStream(strings.NewReader(page), len(page))
	})
	app.Get("/writer", func(c fiber.Ctx) error {
		c.Type("html")
		return c.SendStreamWriter(func(w *bufio.Writer) {
			for _, part := range strings.SplitAfter(page, "\n") {
				_, _ = w.WriteString(part)
				_ = w.Flush()
			}
		})
	})
	app.Get("/text", func(c fiber.Ctx) error {
		return c.SendString(page) // fasthttp's default: text/plain
	})
	app.Get("/json", func(c fiber.Ctx) error {
		return c.JSON(fiber.Map{"html": page})
	})
	app.Get("/cached", func(c fiber.Ctx) error {
		c.Set(fiber.HeaderCacheControl, "public, max-age=60")
		c.Type("html")
		return c.SendString(page)
	})
	app.Get("/validators", func(c fiber.Ctx) error {
		c.Set(fiber.HeaderETag, `"v1"`)
		c.Set(fiber.HeaderLastModified, "Wed, 21 Oct 2015 07:28:00 GMT")
		c.Cookie(&fiber.Cookie{Name: "a", Value: "1"})
		c.Cookie(&fiber.Cookie{Name: "b", Value: "2"})
		c.Set("X-Custom", "kept")
		c.Response().Header.Add("X-Multi", "1")
		c.Response().Header.Add("X-Multi", "2")
		c.Type("html")
		return c.SendString(page)
	})
	app.Get("/fragment", func(c fiber.Ctx) error {
		c.Type("html")
		return c.SendString(`<div id="cart">3 items</div>`)
	})
	app.Get("/created", func(c fiber.Ctx) error {
		c.Type("html")
		return c.Status(fiber.StatusCreated).SendString(page)
	})
	app.Get("/no-content", func(c fiber.Ctx) error {
		return c.SendStatus(fiber.StatusNoContent)
	})
	app.Get("/fail", func(c fiber.Ctx) error {
		return errors.New("the database is down")
	})
	app.Get("/teapot", func(c fiber.Ctx) error {
		return fiber.NewError(fiber.StatusTeapot, "I'm a teapot")
	})
}

// TestWritePaths loads a page written in every way Fiber has, through the
// handler, from a real app over loopback.
func TestWritePaths(t *testing.T) {
	t.Parallel()
	base := serve(t, newApp(t, injectfiberv3.Middleware(), fiber.Config{ErrorHandler: errorPage}))
	tests := []struct {
		name    string
		path    string
		want    string // the page without the tags
		status  int
		chunked bool // no Content-Length: the body is streamed
	}{
		{name: "SendString", path: "/string", want: page, status: 200},
		{name: "Send", path: "/bytes", want: page, status: 200},
		{name: "Render with the html engine", path: "/render", want: strings.ReplaceAll(mustRead(t, "testdata/page.html"), "{{.Title}}", "render"), status: 200},
		{name: "SendFile", path: "/file", want: mustRead(t, "testdata/static.html"), status: 200},
		{name: "SendStream", path: "/stream", want: page, status: 200, chunked: true},
		{name: "SendStream with a size", path: "/stream-sized", want: page, status: 200},
		{name: "SendStreamWriter", path: "/writer", want: page, status: 200, chunked: true},
		{name: "201 Created", path: "/created", want: page, status: 201},
		{name: "a handler's error through the ErrorHandler", path: "/fail", status: 500,
			want: strings.NewReplacer("{{.Code}}", "500", "{{.Message}}", "the database is down").Replace(mustRead(t, "testdata/error.html"))},
		{name: "a fiber.Error through the ErrorHandler", path: "/teapot", status: 418,
			want: strings.NewReplacer("{{.Code}}", "418", "{{.Message}}", "I&#39;m a teapot").Replace(mustRead(t, "testdata/error.html"))},
		{name: "Fiber's 404 through the ErrorHandler", path: "/missing", status: 404,
			want: strings.NewReplacer("{{.Code}}", "404", "{{.Message}}", "Not Found").Replace(mustRead(t, "testdata/error.html"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := do(t, http.MethodGet, base+tt.path, nil)
			assert.Equal(t, tt.status, got.status)
			tags := metaTags(t, got.body)
			require.Len(t, tags["sentry-trace"], 1, "one sentry-trace tag in %s", got.body)
			require.Len(t, tags["baggage"], 1, "one baggage tag")
			sc, err := tracecontext.ParseSentryTrace(tags["sentry-trace"][0])
			require.NoError(t, err)
			assert.Contains(t, tags["baggage"][0], "sentry-trace_id="+sc.TraceID.String())
			rest, ok := withoutTags(got.body)
			require.True(t, ok)
			assert.Equal(t, tt.want, rest, "the page is untouched but for the tags")
			if tt.chunked {
				assert.EqualValues(t, -1, got.contentLength)
			} else {
				assert.EqualValues(t, len(got.body), got.contentLength, "Content-Length counts the tags")
			}
		})
	}
}

// TestPassthrough loads responses the middleware must not rewrite: they
// arrive exactly as without the handler.
func TestPassthrough(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	reasons := map[string]inject.Reason{}
	hook := inject.WithSkipHook(func(r *http.Request, reason inject.Reason) {
		mu.Lock()
		defer mu.Unlock()
		reasons[r.Method+" "+r.URL.Path] = reason
	})
	with := serve(t, newApp(t, injectfiberv3.Middleware(hook), fiber.Config{}))
	bare := serve(t, newApp(t, func(c fiber.Ctx) error { return c.Next() }, fiber.Config{}))
	tests := []struct {
		name   string
		method string
		path   string
		header http.Header
		reason inject.Reason
	}{
		{name: "text/plain", method: "GET", path: "/text", reason: inject.ReasonContentType},
		{name: "JSON", method: "GET", path: "/json", reason: inject.ReasonContentType},
		{name: "HEAD", method: "HEAD", path: "/string", reason: inject.ReasonMethod},
		{name: "HEAD of a file", method: "HEAD", path: "/file", reason: inject.ReasonMethod},
		{name: "htmx", method: "GET", path: "/string", header: http.Header{"Hx-Request": {"true"}}, reason: inject.ReasonPartialRequest},
		{name: "fetch", method: "GET", path: "/stream", header: http.Header{"Sec-Fetch-Dest": {"empty"}}, reason: inject.ReasonPartialRequest},
		{name: "shared-cacheable", method: "GET", path: "/cached", reason: inject.ReasonCacheable},
		{name: "an HTML fragment", method: "GET", path: "/fragment", reason: inject.ReasonFragment},
		{name: "204", method: "GET", path: "/no-content", reason: inject.ReasonStatus},
		{name: "Fiber's own 404, text/plain", method: "GET", path: "/missing", reason: inject.ReasonContentType},
		{name: "a handler's error, text/plain", method: "GET", path: "/fail", reason: inject.ReasonContentType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			want := do(t, tt.method, bare+tt.path, tt.header)
			got := do(t, tt.method, with+tt.path, tt.header)
			assert.Equal(t, want.status, got.status)
			assert.Equal(t, want.body, got.body)
			assert.Equal(t, want.contentLength, got.contentLength)
			for _, h := range []string{"Content-Type", "Content-Length", "Cache-Control", "Transfer-Encoding"} {
				assert.Equal(t, want.header.Values(h), got.header.Values(h), h)
			}
			mu.Lock()
			defer mu.Unlock()
			assert.Equal(t, tt.reason, reasons[tt.method+" "+tt.path], "skip reason")
		})
	}
}
