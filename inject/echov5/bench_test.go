package injectechov5_test

import (
	"net/http"
	"testing"

	"github.com/labstack/echo/v5"

	"github.com/tracemeta/tracemeta/inject"
	"github.com/tracemeta/tracemeta/inject/echov5"
	"github.com/tracemeta/tracemeta/inject/internal/conformance"
)

// BenchmarkMiddleware compares an echo route serving a page bare, behind
// injectechov5, and behind the core middleware through echo.WrapMiddleware.
func BenchmarkMiddleware(b *testing.B) {
	handlers := map[string][]echo.MiddlewareFunc{
		"bare":           nil,
		"injectechov5":   {injectechov5.Middleware()},
		"WrapMiddleware": {echo.WrapMiddleware(inject.Middleware())},
	}
	var named []conformance.NamedHandler
	for _, name := range []string{"bare", "injectechov5", "WrapMiddleware"} {
		e := echo.New()
		e.Use(handlers[name]...)
		e.GET("/", func(c *echo.Context) error { return c.HTML(http.StatusOK, conformance.BenchPage) })
		named = append(named, conformance.NamedHandler{Name: name, Handler: e})
	}
	conformance.BenchHandlers(b, named)
}
