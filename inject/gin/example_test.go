package injectgin_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/tracemeta/tracemeta/inject"
	injectgin "github.com/tracemeta/tracemeta/inject/gin"
	"github.com/tracemeta/tracemeta/tracecontext"
)

func ExampleMiddleware() {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	// The tracing middleware first: here tracecontext's, around the
	// engine. With sentrygin or otelgin, r.Use it before the injector and
	// pass the SDK's Source: injectgin.Middleware(inject.WithSource(tmsentrygo.Source())).
	r.Use(injectgin.Middleware(
		inject.WithSkipHook(func(r *http.Request, reason inject.Reason) {
			fmt.Printf("%s not rewritten: %s\n", r.URL.Path, reason)
		}),
	))
	r.GET("/", func(c *gin.Context) {
		c.Data(http.StatusOK, "text/html; charset=utf-8",
			[]byte("<!DOCTYPE html><html><head><title>Shop</title></head><body>...</body></html>"))
	})
	r.GET("/api", func(c *gin.Context) { c.Data(http.StatusOK, "application/json", []byte(`{"ok":true}`)) })
	handler := tracecontext.Middleware(tracecontext.WithSampleRate(1))(r)

	for _, path := range []string{"/", "/api"} {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("sentry-trace", "0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-1")
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		tags, _ := metaTagsOf(rec.Body.String())
		fmt.Printf("%s: %d sentry-trace and %d baggage tag, Content-Length true: %t\n", path,
			len(tags["sentry-trace"]), len(tags["baggage"]),
			rec.Header().Get("Content-Length") == strconv.Itoa(rec.Body.Len()))
	}
	// Output:
	// /: 1 sentry-trace and 1 baggage tag, Content-Length true: true
	// /api not rewritten: content-type
	// /api: 0 sentry-trace and 0 baggage tag, Content-Length true: true
}
