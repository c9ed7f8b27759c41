package benchmarks_test

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/gofiber/fiber/v2"

	"github.com/tracemeta/tracemeta/tracecontext"

	injectfiber "github.com/tracemeta/tracemeta/inject/fiber"
	injectgin "github.com/tracemeta/tracemeta/inject/gin"
)

// frameworkPage is the handler the framework routes serve: the 2 KB page in
// one write with its Content-Length, as onewrite-2K on net/http.
const frameworkPage = "onewrite-2K"

// frameworkRoute is the 2 KB page served by gin or Fiber on the loopback
// server, bare or behind tracemeta's adapter with the trace continued from
// the incoming headers, the framework's full chain.
type frameworkRoute struct {
	impl  string // "gin-bare", "gin-chain", "fiber-bare", "fiber-chain"
	fiber bool   // served by the Fiber app's listener
}

var frameworkRoutes = []frameworkRoute{
	{impl: "gin-bare"}, {impl: "gin-chain"},
	{impl: "fiber-bare", fiber: true}, {impl: "fiber-chain", fiber: true},
}

// path returns the route's path on its server.
func (r frameworkRoute) path() string { return "/" + r.impl + "/" + frameworkPage }

// ginHandler returns a gin engine serving page at the route of impl: bare,
// or with injectgin's middleware inside tracecontext.Middleware, which
// continues the incoming trace for the whole engine as a gin application
// served by net/http would wrap it.
func ginHandler(impl string, page []byte) http.Handler {
	gin.SetMode(gin.ReleaseMode) // no route log on the server's stdout, which carries its protocol
	e := gin.New()
	chain := impl == "gin-chain"
	if chain {
		e.Use(injectgin.Middleware())
	}
	length := strconv.Itoa(len(page))
	e.GET(frameworkRoute{impl: impl}.path(), func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Length", length)
		if _, err := c.Writer.Write(page); err != nil {
			panic(http.ErrAbortHandler)
		}
	})
	if chain {
		return tracecontext.Middleware()(e)
	}
	return e
}

// fiberApp returns a Fiber app serving page bare and behind injectfiber's
// handler, which continues the incoming trace itself.
func fiberApp(page []byte) *fiber.App {
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	serve := func(c *fiber.Ctx) error {
		c.Set("Content-Type", "text/html; charset=utf-8")
		return c.Send(page)
	}
	app.Get(frameworkRoute{impl: "fiber-bare"}.path(), serve)
	app.Get(frameworkRoute{impl: "fiber-chain"}.path(), injectfiber.Middleware(), serve)
	return app
}
