package injectfasthttp_test

import (
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/tracemeta/tracemeta/inject"
	injectfasthttp "github.com/tracemeta/tracemeta/inject/fasthttp"
	"github.com/tracemeta/tracemeta/inject/internal/conformance"
	"github.com/tracemeta/tracemeta/inject/internal/conformance/fastapp"
)

// TestConformance runs the adapters' suite against Middleware.
func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.Target{
		Serve: func(t *testing.T, app *conformance.App, adapter bool, opts []inject.Option) string {
			h := func(fctx *fasthttp.RequestCtx) {
				if code := fastapp.Serve(app, fctx); code != 0 {
					fctx.Error(fasthttp.StatusMessage(code), code)
				}
			}
			if adapter {
				h = injectfasthttp.Middleware(h, opts...)
			}
			return serveFast(t, h)
		},
	})
}

// serveFast runs h on a real loopback server.
func serveFast(t testing.TB, h fasthttp.RequestHandler) string {
	t.Helper()
	srv := &fasthttp.Server{Handler: h}
	return conformance.ServeOn(t, srv.Serve, srv.Shutdown)
}

// page is the document the handlers write.
const page = conformance.Document
