package injectecho_test

import (
	"net/http"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/tracemeta/tracemeta/inject"
	injectecho "github.com/tracemeta/tracemeta/inject/echo"
	"github.com/tracemeta/tracemeta/inject/internal/conformance"
)

// BenchmarkMiddleware compares an echo route serving a page bare, behind
// injectecho, and behind the core middleware through echo.WrapMiddleware.
func BenchmarkMiddleware(b *testing.B) {
	newE := func(mw ...echo.MiddlewareFunc) *echo.Echo {
		e := echo.New()
		e.Use(mw...)
		e.GET("/", func(c echo.Context) error { return c.HTML(http.StatusOK, conformance.BenchPage) })
		return e
	}
	conformance.BenchHandlers(b, []conformance.NamedHandler{
		{Name: "bare", Handler: newE()},
		{Name: "injectecho", Handler: newE(injectecho.Middleware())},
		{Name: "WrapMiddleware", Handler: newE(echo.WrapMiddleware(inject.Middleware()))},
	})
}
