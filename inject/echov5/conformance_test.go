package injectechov5_test

import (
	"log/slog"
	"net/http"
	"testing"

	"github.com/labstack/echo/v5"
	"github.com/labstack/echo/v5/middleware"

	"github.com/tracemeta/tracemeta/inject"
	injectechov5 "github.com/tracemeta/tracemeta/inject/echov5"
	"github.com/tracemeta/tracemeta/inject/internal/conformance"
)

// TestConformance runs the adapters' suite against Middleware, behind
// echo's Recover, with a middleware in front of it and one behind that read
// echo's Response.
func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.Target{
		Has: conformance.NeedNetHTTP | conformance.NeedWriterState | conformance.NeedRecovery,
		NewMiddleware: func(opts ...inject.Option) error {
			_, err := injectechov5.NewMiddleware(opts...)
			return err
		},
		Serve: func(t *testing.T, app *conformance.App, adapter bool, opts []inject.Option) string {
			e := echo.New()
			e.Logger = slog.New(slog.DiscardHandler)
			e.Use(middleware.Recover(), recordState(app, "front"))
			if adapter {
				e.Use(injectechov5.Middleware(opts...))
			}
			e.Use(recordState(app, "behind"))
			e.Any("/*", func(c *echo.Context) error {
				if code := app.ServeHTTP(c.Response(), c.Request()); code != 0 {
					return echo.NewHTTPError(code, http.StatusText(code))
				}
				return nil
			})
			return conformance.ServeHandler(t, e)
		},
	})
}

// recordState files what echo's Response reports once the rest of the
// chain returned and its error was handled, as echo's logger middleware
// sees it, a panic too.
func recordState(app *conformance.App, where string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error {
			defer func() {
				res, err := echo.UnwrapResponse(c.Response())
				if err != nil {
					panic(err)
				}
				app.RecordState(c.Request().Header.Get(conformance.RequestIDHeader), where,
					conformance.State{Written: res.Committed, Size: int(res.Size), Status: res.Status})
			}()
			if err := next(c); err != nil {
				c.Echo().HTTPErrorHandler(c, err)
			}
			return nil
		}
	}
}
