package injectechov5_test

import (
	"errors"
	"log/slog"
	"net/http"
	"testing"

	"github.com/labstack/echo/v5"
	"github.com/labstack/echo/v5/middleware"

	"github.com/tracemeta/tracemeta/inject"
	"github.com/tracemeta/tracemeta/inject/echov5"
	"github.com/tracemeta/tracemeta/inject/internal/conformance"
)

// TestConformance runs the adapters' suite against Middleware, behind
// echo's Recover, between two middlewares that read echo's Response, with
// an HTML error page.
func TestConformance(t *testing.T) {
	gzipAll := middleware.GzipWithConfig(middleware.GzipConfig{MinLength: 1})
	conformance.Run(t, conformance.Target{
		Has:           conformance.NeedNetHTTP | conformance.NeedWriterState | conformance.NeedRecovery,
		NewMiddleware: conformance.ErrOf(injectechov5.NewMiddleware),
		Serve: func(t *testing.T, app *conformance.App, adapter bool, opts []inject.Option) string {
			chain := []echo.MiddlewareFunc{middleware.Recover(), recordState(app, "front")}
			return serveEcho(t, app, adapter, opts, chain, recordState(app, "behind"))
		},
		ServeCompressed: func(t *testing.T, app *conformance.App, adapter, inside bool, opts []inject.Option) string {
			if inside {
				return serveEcho(t, app, adapter, opts, nil, gzipAll)
			}
			return serveEcho(t, app, adapter, opts, []echo.MiddlewareFunc{gzipAll}, nil)
		},
	})
}

// serveEcho serves app with echo: the middlewares before in front of the
// adapter, after between it and the handler.
func serveEcho(t *testing.T, app *conformance.App, adapter bool, opts []inject.Option, before []echo.MiddlewareFunc, after echo.MiddlewareFunc) string {
	e := echo.New()
	e.Logger = slog.New(slog.DiscardHandler)
	e.HTTPErrorHandler = htmlErrorPage
	e.Use(before...)
	if adapter {
		e.Use(injectechov5.Middleware(opts...))
	}
	if after != nil {
		e.Use(after)
	}
	e.Any("/*", func(c *echo.Context) error {
		if code := app.ServeHTTP(c.Response(), c.Request()); code != 0 {
			return echo.NewHTTPError(code, http.StatusText(code))
		}
		return nil
	})
	return conformance.ServeHandler(t, e)
}

// htmlErrorPage is an HTTPErrorHandler that answers with an HTML page,
// returning early for a committed response as echo's documentation asks.
func htmlErrorPage(c *echo.Context, err error) {
	if res, _ := echo.UnwrapResponse(c.Response()); res != nil && res.Committed {
		return
	}
	var sc echo.HTTPStatusCoder
	if errors.As(err, &sc) {
		_ = c.HTML(sc.StatusCode(), conformance.Page)
	}
}

// recordState files what echo's Response reports once the rest of the
// chain returned and its error was handled, as a logger middleware sees
// it, a panic too.
func recordState(app *conformance.App, where string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error {
			defer func() {
				res, err := echo.UnwrapResponse(c.Response())
				if err != nil {
					panic(err)
				}
				id := c.Request().Header.Get(conformance.RequestIDHeader)
				app.RecordState(id, where, conformance.State{Written: res.Committed, Size: int(res.Size), Status: res.Status})
			}()
			if err := next(c); err != nil {
				c.Echo().HTTPErrorHandler(c, err)
			}
			return nil
		}
	}
}
