package injectecho_test

import (
	"compress/gzip"
	"io"
	"net/http"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/inject"
	injectecho "github.com/tracemeta/tracemeta/inject/echo"
)

// TestCompressionOrder checks the order the README gives: echo's Gzip before
// the middleware compresses the page with the tags; after it, the middleware
// sees compressed bytes and passes them through, saying why.
func TestCompressionOrder(t *testing.T) {
	gz := middleware.GzipWithConfig(middleware.GzipConfig{MinLength: 1})
	tests := []struct {
		name   string
		chain  func(mw echo.MiddlewareFunc) []echo.MiddlewareFunc
		tags   bool
		reason []inject.Reason
	}{
		{
			name:  "Gzip before the middleware",
			chain: func(mw echo.MiddlewareFunc) []echo.MiddlewareFunc { return []echo.MiddlewareFunc{gz, traced, mw} },
			tags:  true,
		},
		{
			name:   "Gzip after the middleware",
			chain:  func(mw echo.MiddlewareFunc) []echo.MiddlewareFunc { return []echo.MiddlewareFunc{traced, mw, gz} },
			reason: []inject.Reason{inject.ReasonContentEncoding},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var reasons reasons
			e := newEcho()
			e.Use(tt.chain(injectecho.Middleware(reasons.option()))...)
			e.GET("/", func(c echo.Context) error { return c.HTML(http.StatusOK, page) })
			req, err := http.NewRequest(http.MethodGet, serve(t, e)+"/", nil)
			require.NoError(t, err)
			req.Header.Set("Accept-Encoding", "gzip")
			res, err := client.Do(req)
			require.NoError(t, err)
			defer res.Body.Close()
			require.Equal(t, "gzip", res.Header.Get("Content-Encoding"))
			zr, err := gzip.NewReader(res.Body)
			require.NoError(t, err)
			body, err := io.ReadAll(zr)
			require.NoError(t, err)
			if tt.tags {
				requireTags(t, string(body))
			} else {
				assert.Equal(t, page, string(body))
			}
			assert.Equal(t, tt.reason, reasons.get())
		})
	}
}
