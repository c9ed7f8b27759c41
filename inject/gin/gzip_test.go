package injectgin_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"testing"

	gingzip "github.com/gin-contrib/gzip"
	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/inject"
	injectgin "github.com/tracemeta/tracemeta/inject/gin"
	"github.com/tracemeta/tracemeta/inject/internal/conformance"
)

// TestCompression runs the real gin-contrib/gzip, which sets
// "Content-Encoding: gzip" in gin's one header map before the handlers run:
// before the middleware, the page is compressed with the tags in it; after
// it, the middleware sees compressed bytes and passes them through, saying
// why.
func TestCompression(t *testing.T) {
	gz := gingzip.Gzip(gingzip.DefaultCompression)
	htmlPage := func(status int) gin.HandlerFunc {
		return func(c *gin.Context) { c.Data(status, "text/html; charset=utf-8", []byte(page)) }
	}
	tests := []struct {
		name    string
		chain   func(mw gin.HandlerFunc) []gin.HandlerFunc
		path    string
		header  http.Header
		handler gin.HandlerFunc
		status  int
		gzipped bool
		tags    bool
		reason  []inject.Reason
	}{
		{
			name:    "gzip before the middleware",
			chain:   func(mw gin.HandlerFunc) []gin.HandlerFunc { return []gin.HandlerFunc{gz, traced, mw} },
			handler: htmlPage(http.StatusOK),
			status:  http.StatusOK,
			gzipped: true,
			tags:    true,
		},
		{
			name:    "gzip before the middleware, c.Writer.WriteString",
			chain:   func(mw gin.HandlerFunc) []gin.HandlerFunc { return []gin.HandlerFunc{gz, traced, mw} },
			handler: func(c *gin.Context) { c.Header("Content-Type", "text/html"); _, _ = c.Writer.WriteString(page) },
			status:  http.StatusOK,
			gzipped: true,
			tags:    true,
		},
		{
			// gin-contrib/gzip sends error pages uncompressed.
			name:    "gzip before the middleware, an HTML 404 page",
			chain:   func(mw gin.HandlerFunc) []gin.HandlerFunc { return []gin.HandlerFunc{gz, traced, mw} },
			path:    "/nowhere",
			status:  http.StatusNotFound,
			tags:    true,
			handler: htmlPage(http.StatusOK),
		},
		{
			name:    "gzip before the middleware, an htmx request",
			chain:   func(mw gin.HandlerFunc) []gin.HandlerFunc { return []gin.HandlerFunc{gz, traced, mw} },
			header:  http.Header{"Hx-Request": {"true"}},
			handler: htmlPage(http.StatusOK),
			status:  http.StatusOK,
			gzipped: true,
			reason:  []inject.Reason{inject.ReasonPartialRequest},
		},
		{
			name:    "gzip after the middleware",
			chain:   func(mw gin.HandlerFunc) []gin.HandlerFunc { return []gin.HandlerFunc{traced, mw, gz} },
			handler: htmlPage(http.StatusOK),
			status:  http.StatusOK,
			gzipped: true,
			reason:  []inject.Reason{inject.ReasonContentEncoding},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var reasons conformance.Reasons
			r := gin.New()
			r.Use(tt.chain(injectgin.Middleware(reasons.Option()))...)
			r.NoRoute(htmlPage(http.StatusNotFound))
			r.GET("/", tt.handler)
			req, err := http.NewRequest(http.MethodGet, conformance.ServeHandler(t, r)+cmp(tt.path, "/"), nil)
			require.NoError(t, err)
			req.Header.Set("Accept-Encoding", "gzip")
			for k, v := range tt.header {
				req.Header[k] = v
			}
			res, err := conformance.Client().Do(req)
			require.NoError(t, err)
			defer res.Body.Close()
			require.Equal(t, tt.status, res.StatusCode)
			var body io.Reader = res.Body
			if tt.gzipped {
				require.Equal(t, "gzip", res.Header.Get("Content-Encoding"))
				zr, err := gzip.NewReader(res.Body)
				require.NoError(t, err)
				body = zr
			} else {
				require.Empty(t, res.Header.Get("Content-Encoding"))
			}
			b, err := io.ReadAll(body)
			require.NoError(t, err)
			if tt.tags {
				conformance.RequireTags(t, string(b))
				assert.Equal(t, page, conformance.StripTags(t, string(b)))
			} else {
				assert.Equal(t, page, string(b))
			}
			assert.Equal(t, tt.reason, reasons.Get())
		})
	}
}

// TestHandlerEncoding checks a body the handler encoded itself, behind an
// outer layer that set its own Content-Encoding: the handler's header
// stands, and the middleware passes the bytes through.
func TestHandlerEncoding(t *testing.T) {
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	_, _ = zw.Write([]byte(page))
	require.NoError(t, zw.Close())
	var reasons conformance.Reasons
	r := gin.New()
	r.Use(func(c *gin.Context) { c.Header("Content-Encoding", "identity") }, traced, injectgin.Middleware(reasons.Option()))
	r.GET("/", func(c *gin.Context) {
		c.Header("Content-Encoding", "gzip")
		c.Data(http.StatusOK, "text/html", zipped.Bytes())
	})
	req, err := http.NewRequest(http.MethodGet, conformance.ServeHandler(t, r)+"/", nil)
	require.NoError(t, err)
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := conformance.Client().Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	assert.Equal(t, "gzip", res.Header.Get("Content-Encoding"))
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	assert.Equal(t, zipped.Bytes(), b)
	assert.Equal(t, []inject.Reason{inject.ReasonContentEncoding}, reasons.Get())
}
