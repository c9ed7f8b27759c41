package injectecho_test

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/stretchr/testify/assert"

	"github.com/tracemeta/tracemeta/inject"
	injectecho "github.com/tracemeta/tracemeta/inject/echo"
	"github.com/tracemeta/tracemeta/inject/internal/conformance"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// TestConformance runs the adapters' suite against Middleware, behind
// echo's Recover, with a middleware in front of it and one behind that read
// echo's Response, and an HTML error page.
func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.Target{
		Has:           conformance.NeedNetHTTP | conformance.NeedWriterState | conformance.NeedRecovery,
		NewMiddleware: conformance.ErrOf(injectecho.NewMiddleware),
		Serve: func(t *testing.T, app *conformance.App, adapter bool, opts []inject.Option) string {
			return serveEcho(t, app, adapter, opts, nil, middleware.Recover(), recordState(app, "front"))
		},
		ServeCompressed: func(t *testing.T, app *conformance.App, adapter, inside bool, opts []inject.Option) string {
			if inside {
				return serveEcho(t, app, adapter, opts, gzipAll())
			}
			return serveEcho(t, app, adapter, opts, nil, gzipAll())
		},
	})
}

func gzipAll() echo.MiddlewareFunc {
	return middleware.GzipWithConfig(middleware.GzipConfig{MinLength: 1})
}

// serveEcho serves app with echo: front in front of the adapter, then
// inside (nil: the middleware that records the state behind).
func serveEcho(t *testing.T, app *conformance.App, adapter bool, opts []inject.Option, inside echo.MiddlewareFunc, front ...echo.MiddlewareFunc) string {
	e := echo.New()
	e.Logger.SetOutput(io.Discard)
	e.HTTPErrorHandler = func(err error, c echo.Context) {
		if he, ok := err.(*echo.HTTPError); ok && !c.Response().Committed {
			_ = c.HTML(he.Code, conformance.Page)
		}
	}
	e.Use(front...)
	if adapter {
		e.Use(injectecho.Middleware(opts...))
	}
	if inside == nil {
		inside = recordState(app, "behind")
	}
	e.Use(inside)
	e.Any("/*", func(c echo.Context) error {
		if code := app.ServeHTTP(c.Response(), c.Request()); code != 0 {
			return echo.NewHTTPError(code)
		}
		return nil
	})
	return conformance.ServeHandler(t, e)
}

// recordState files what echo's Response reports once the rest of the
// chain returned and its error was handled, as echo's logger middleware
// sees it, a panic too.
func recordState(app *conformance.App, where string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			defer func() {
				res := c.Response()
				app.RecordState(c.Request().Header.Get(conformance.RequestIDHeader), where,
					conformance.State{Written: res.Committed, Size: int(res.Size), Status: res.Status})
			}()
			if err := next(c); err != nil {
				c.Error(err)
			}
			return nil
		}
	}
}

// fakeTransaction has the method of *sentry.Span the middleware reads.
type fakeTransaction struct{ ctx context.Context }

func (f fakeTransaction) Context() context.Context { return f.ctx }

// TestSentryEchoTransaction checks that a transaction kept on the echo
// context under sentryecho's key is found through the request's context,
// and that the request's own values come first. The examples module tests
// the same with the real sentryecho and sentry-go.
func TestSentryEchoTransaction(t *testing.T) {
	type key struct{}
	var seenKey any
	e := echo.New()
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			txCtx := tracecontext.NewContext(context.WithValue(context.Background(), key{}, "transaction's"), conformance.Span)
			c.Set("sentry_transaction", fakeTransaction{txCtx})
			c.SetRequest(c.Request().WithContext(context.WithValue(c.Request().Context(), key{}, "request's")))
			return next(c)
		}
	}, injectecho.Middleware())
	e.GET("/", func(c echo.Context) error {
		seenKey = c.Request().Context().Value(key{})
		return c.HTML(http.StatusOK, conformance.Page)
	})
	res := conformance.Do(t, http.MethodGet, conformance.ServeHandler(t, e)+"/", conformance.Navigation())
	conformance.RequireTags(t, res.Body)
	assert.Equal(t, "request's", seenKey)
}
