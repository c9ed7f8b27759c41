package injectfasthttp_test

import (
	"testing"

	"github.com/valyala/fasthttp"

	injectfasthttp "github.com/tracemeta/tracemeta/inject/fasthttp"
	"github.com/tracemeta/tracemeta/inject/internal/conformance/fastapp"
)

// BenchmarkMiddleware measures a request served without Middleware (bare)
// and with it.
func BenchmarkMiddleware(b *testing.B) {
	fastapp.Bench(b, func(adapter bool) fasthttp.RequestHandler {
		if adapter {
			return injectfasthttp.Middleware(fastapp.BenchServe)
		}
		return fastapp.BenchServe
	})
}
