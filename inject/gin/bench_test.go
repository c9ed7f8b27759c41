package injectgin_test

import (
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/tracemeta/tracemeta/inject"
	injectgin "github.com/tracemeta/tracemeta/inject/gin"
	"github.com/tracemeta/tracemeta/inject/internal/conformance"
)

// BenchmarkMiddleware compares a gin route serving a page bare, behind
// injectgin, and behind the core middleware around the engine (which sees
// the span here only because it is in the request before gin).
func BenchmarkMiddleware(b *testing.B) {
	handler := func(c *gin.Context) { c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(conformance.BenchPage)) }
	bare := gin.New()
	bare.GET("/", handler)
	adapted := gin.New()
	adapted.Use(injectgin.Middleware())
	adapted.GET("/", handler)
	conformance.BenchHandlers(b, []conformance.NamedHandler{
		{Name: "bare", Handler: bare},
		{Name: "injectgin", Handler: adapted},
		{Name: "inject.Middleware", Handler: inject.Middleware()(bare)},
	})
}
