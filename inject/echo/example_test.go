package injectecho_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/tracemeta/tracemeta/inject"
	injectecho "github.com/tracemeta/tracemeta/inject/echo"
	"github.com/tracemeta/tracemeta/tracecontext"
)

func ExampleMiddleware() {
	e := echo.New()
	// The tracing middleware first: here tracecontext's, around the
	// server. With sentryecho or otelecho, e.Use it before the injector and
	// pass the SDK's Source: injectecho.Middleware(inject.WithSource(tmsentrygo.Source())).
	e.Use(injectecho.Middleware(
		inject.WithSkipHook(func(r *http.Request, reason inject.Reason) {
			fmt.Printf("%s not rewritten: %s\n", r.URL.Path, reason)
		}),
	))
	// Error pages go through the injector too.
	e.HTTPErrorHandler = func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		code := http.StatusInternalServerError
		var he *echo.HTTPError
		if errors.As(err, &he) {
			code = he.Code
		}
		_ = c.HTML(code, "<!DOCTYPE html><html><head><title>"+http.StatusText(code)+"</title></head></html>")
	}
	e.GET("/", func(c echo.Context) error {
		return c.HTML(http.StatusOK, "<!DOCTYPE html><html><head><title>Shop</title></head><body>...</body></html>")
	})
	e.GET("/api", func(c echo.Context) error { return c.JSON(http.StatusOK, map[string]bool{"ok": true}) })
	handler := tracecontext.Middleware(tracecontext.WithSampleRate(1))(e)

	for _, path := range []string{"/", "/api", "/nowhere"} {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("sentry-trace", "0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-1")
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		fmt.Printf("%s: %d, %s sentry-trace tag\n", path, rec.Code,
			strconv.Itoa(strings.Count(rec.Body.String(), `<meta name="sentry-trace"`)))
	}
	// Output:
	// /: 200, 1 sentry-trace tag
	// /api not rewritten: content-type
	// /api: 200, 0 sentry-trace tag
	// /nowhere: 404, 1 sentry-trace tag
}
