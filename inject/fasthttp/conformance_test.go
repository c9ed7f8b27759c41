package injectfasthttp_test

import (
	"context"
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
		NewMiddleware: func(opts ...inject.Option) error {
			_, err := injectfasthttp.NewMiddleware(func(*fasthttp.RequestCtx) {}, opts...)
			return err
		},
		Serve: func(t *testing.T, app *conformance.App, adapter bool, opts []inject.Option) string {
			h := func(fctx *fasthttp.RequestCtx) {
				if code := fastapp.Serve(app, fctx, injectfasthttp.Context(fctx)); code != 0 {
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

// TestContinuation runs the suite's checks of the trace Middleware
// continues, behind a stand-in for sentryfasthttp, which keeps its
// transaction in the request's user values.
func TestContinuation(t *testing.T) {
	conformance.RunContinuation(t, conformance.ContinuationTarget{
		Serve: func(t *testing.T, app *conformance.App, sdk bool, opts []inject.Option) string {
			h := injectfasthttp.Middleware(func(fctx *fasthttp.RequestCtx) {
				fastapp.Serve(app, fctx, injectfasthttp.Context(fctx))
			}, opts...)
			if !sdk {
				return serveFast(t, h)
			}
			return serveFast(t, func(fctx *fasthttp.RequestCtx) {
				fctx.SetUserValue("sentry_transaction", &transaction{ctx: conformance.WithSDKSpan(context.Background())})
				h(fctx)
			})
		},
	})
}
