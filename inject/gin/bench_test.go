package injectgin_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/tracemeta/tracemeta/inject"
	injectgin "github.com/tracemeta/tracemeta/inject/gin"
	"github.com/tracemeta/tracemeta/inject/internal/conformance"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// benchPage is a small page; the cost measured is the per-request one.
var benchPage = []byte("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Shop</title></head><body>" +
	strings.Repeat("<p>product</p>", 64) + "</body></html>")

// BenchmarkMiddleware compares a gin route serving a page bare, behind
// injectgin, and behind the core middleware around the engine (which sees
// the span here only because it is in the request before gin).
func BenchmarkMiddleware(b *testing.B) {
	handler := func(c *gin.Context) { c.Data(http.StatusOK, "text/html; charset=utf-8", benchPage) }
	bare := gin.New()
	bare.GET("/", handler)
	adapted := gin.New()
	adapted.Use(injectgin.Middleware())
	adapted.GET("/", handler)
	core := inject.Middleware()(bare)

	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req = req.WithContext(tracecontext.NewContext(req.Context(), conformance.Span))
	for _, bc := range []struct {
		name string
		h    http.Handler
	}{{"bare", bare}, {"injectgin", adapted}, {"inject.Middleware", core}} {
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
