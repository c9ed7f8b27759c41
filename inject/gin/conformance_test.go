package injectgin_test

import (
	"io"
	"os"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/tracemeta/tracemeta/inject"
	injectgin "github.com/tracemeta/tracemeta/inject/gin"
	"github.com/tracemeta/tracemeta/inject/internal/conformance"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// TestConformance runs the adapters' suite against Middleware, with a
// middleware in front of it and one behind that read gin's writer.
func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.Target{
		Has: conformance.NeedNetHTTP | conformance.NeedWriterState | conformance.NeedRecovery,
		NewMiddleware: func(opts ...inject.Option) error {
			_, err := injectgin.NewMiddleware(opts...)
			return err
		},
		Serve: func(t *testing.T, app *conformance.App, adapter bool, opts []inject.Option) string {
			r := gin.New()
			r.Use(gin.RecoveryWithWriter(io.Discard), recordState(app, "front"))
			if adapter {
				r.Use(injectgin.Middleware(opts...))
			}
			r.Use(recordState(app, "behind"))
			r.Any("/*path", func(c *gin.Context) {
				if code := app.ServeHTTP(c.Writer, c.Request); code != 0 {
					c.AbortWithStatus(code)
				}
			})
			return conformance.ServeHandler(t, r)
		},
	})
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
