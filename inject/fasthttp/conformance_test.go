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

// page is the document the handlers write.
const page = conformance.Document

// serveFast runs h on a real loopback server.
func serveFast(t testing.TB, h fasthttp.RequestHandler) string {
	t.Helper()
	srv := &fasthttp.Server{Handler: h}
	return conformance.ServeOn(t, srv.Serve, srv.Shutdown)
}

// appHandler serves the suite's app, an error as fasthttp's own.
func appHandler(app *conformance.App) fasthttp.RequestHandler {
	return func(fctx *fasthttp.RequestCtx) {
		if code := fastapp.Serve(app, fctx, injectfasthttp.Context(fctx)); code != 0 {
			fctx.Error(fasthttp.StatusMessage(code), code)
		}
	}
}

// TestConformance runs the adapters' suite against Middleware, and checks
// the trace it continues, behind a stand-in for sentryfasthttp, which keeps
// its transaction in the request's user values.
func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.Target{
		NewMiddleware: func(opts ...inject.Option) error {
			_, err := injectfasthttp.NewMiddleware(appHandler(nil), opts...)
			return err
		},
		Serve: func(t *testing.T, app *conformance.App, adapter bool, opts []inject.Option) string {
			if adapter {
				return serveFast(t, injectfasthttp.Middleware(appHandler(app), opts...))
			}
			return serveFast(t, appHandler(app))
		},
		ServeCompressed: func(t *testing.T, app *conformance.App, adapter, inside bool, opts []inject.Option) string {
			switch {
			case !adapter:
				return serveFast(t, fasthttp.CompressHandler(appHandler(app)))
			case inside:
				return serveFast(t, injectfasthttp.Middleware(fasthttp.CompressHandler(appHandler(app)), opts...))
			}
			return serveFast(t, fasthttp.CompressHandler(injectfasthttp.Middleware(appHandler(app), opts...)))
		},
	})
	conformance.RunContinuation(t, conformance.ContinuationTarget{
		Serve: func(t *testing.T, app *conformance.App, sdk bool, opts []inject.Option) string {
			h := injectfasthttp.Middleware(appHandler(app), opts...)
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
