package injectechov5_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"

	"github.com/labstack/echo/v5"

	"github.com/tracemeta/tracemeta/inject"
	"github.com/tracemeta/tracemeta/inject/echov5"
	"github.com/tracemeta/tracemeta/tracecontext"
)

func ExampleMiddleware() {
	e := echo.New()
	// The tracing middleware first: here tracecontext's, around the
	// server. With sentryecho, e.Use it before the injector and
	// pass the SDK's Source: injectechov5.Middleware(inject.WithSource(tmsentrygo.Source())).
	e.Use(injectechov5.Middleware(
		inject.WithSkipHook(func(r *http.Request, reason inject.Reason) {
			fmt.Printf("%s not rewritten: %s\n", r.URL.Path, reason)
		}),
	))
	// Error pages go through the injector too.
	e.HTTPErrorHandler = func(c *echo.Context, err error) {
		if res, _ := echo.UnwrapResponse(c.Response()); res != nil && res.Committed {
			return
		}
		code := http.StatusInternalServerError
		var sc echo.HTTPStatusCoder
		if errors.As(err, &sc) {
			code = sc.StatusCode()
		}
		_ = c.HTML(code, "<!DOCTYPE html><html><head><title>"+http.StatusText(code)+"</title></head></html>")
	}
	e.GET("/", func(c *echo.Context) error {
		return c.HTML(http.StatusOK, "<!DOCTYPE html><html><head><title>Shop</title></head><body>...</body></html>")
	})
	e.GET("/api", func(c *echo.Context) error { return c.JSON(http.StatusOK, map[string]bool{"ok": true}) })
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
