package injectecho_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/tracemeta/tracemeta/inject"
	injectecho "github.com/tracemeta/tracemeta/inject/echo"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// benchPage is a small page; the cost measured is the per-request one.
var benchPage = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Shop</title></head><body>" +
	strings.Repeat("<p>product</p>", 64) + "</body></html>"

// BenchmarkMiddleware compares an echo route serving a page bare, behind
// injectecho, and behind the core middleware through echo.WrapMiddleware.
func BenchmarkMiddleware(b *testing.B) {
	handler := func(c echo.Context) error { return c.HTML(http.StatusOK, benchPage) }
	newE := func(mw ...echo.MiddlewareFunc) *echo.Echo {
		e := echo.New()
		e.Use(mw...)
		e.GET("/", handler)
		return e
	}
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req = req.WithContext(tracecontext.NewContext(req.Context(), testSpan()))
	for _, bc := range []struct {
		name string
		h    http.Handler
	}{
		{"bare", newE()},
		{"injectecho", newE(injectecho.Middleware())},
		{"WrapMiddleware", newE(echo.WrapMiddleware(inject.Middleware()))},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				bc.h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatal(rec.Code)
				}
			}
		})
	}
}
