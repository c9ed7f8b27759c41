package injectgin_test

import (
	"io"
	"os"
	"testing"

	gingzip "github.com/gin-contrib/gzip"
	"github.com/gin-gonic/gin"

	"github.com/tracemeta/tracemeta/inject"
	injectgin "github.com/tracemeta/tracemeta/inject/gin"
	"github.com/tracemeta/tracemeta/inject/internal/conformance"
	"github.com/tracemeta/tracemeta/tracecontext"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode)
	os.Exit(m.Run())
}

// page is the page the handlers write.
const page = conformance.Page

// traced stands in for sentrygin or otelgin: it puts the server span into
// c.Request's context, where they put theirs.
func traced(c *gin.Context) {
	c.Request = c.Request.WithContext(tracecontext.NewContext(c.Request.Context(), conformance.Span))
	c.Next()
}

// recordState files what gin's writer reports once the rest of the chain
// returned, a panic too.
func recordState(app *conformance.App, where string) gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			w := c.Writer
			app.RecordState(c.GetHeader(conformance.RequestIDHeader), where, conformance.State{Written: w.Written(), Size: w.Size(), Status: w.Status()})
		}()
		c.Next()
	}
}

// ginApp serves the suite's app with gin: front, then the adapter built
// with opts when adapter is true, then inside; a Fail step aborts with its
// status.
func ginApp(t *testing.T, app *conformance.App, front []gin.HandlerFunc, adapter bool, opts []inject.Option, inside ...gin.HandlerFunc) string {
	r := gin.New()
	r.Use(front...)
	if adapter {
		r.Use(injectgin.Middleware(opts...))
	}
	r.Use(inside...)
	r.Any("/*path", func(c *gin.Context) {
		if code := app.ServeHTTP(c.Writer, c.Request); code != 0 {
			c.AbortWithStatus(code)
		}
	})
	return conformance.ServeHandler(t, r)
}

// TestConformance runs the adapters' suite against Middleware, behind
// gin's Recovery, between two middlewares that read gin's writer.
func TestConformance(t *testing.T) {
	gz := gingzip.Gzip(gingzip.DefaultCompression)
	conformance.Run(t, conformance.Target{
		Has:           conformance.NeedNetHTTP | conformance.NeedWriterState | conformance.NeedRecovery,
		NewMiddleware: conformance.ErrOf(injectgin.NewMiddleware),
		Serve: func(t *testing.T, app *conformance.App, adapter bool, opts []inject.Option) string {
			front := []gin.HandlerFunc{gin.RecoveryWithWriter(io.Discard), recordState(app, "front")}
			return ginApp(t, app, front, adapter, opts, recordState(app, "behind"))
		},
		ServeCompressed: func(t *testing.T, app *conformance.App, adapter, inside bool, opts []inject.Option) string {
			if inside {
				return ginApp(t, app, nil, adapter, opts, gz)
			}
			return ginApp(t, app, []gin.HandlerFunc{gz}, adapter, opts)
		},
	})
}
