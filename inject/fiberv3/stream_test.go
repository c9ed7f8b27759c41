package injectfiberv3_test

import (
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofiber/fiber/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/inject"
	injectfiberv3 "github.com/tracemeta/tracemeta/inject/fiberv3"
	"github.com/tracemeta/tracemeta/inject/internal/conformance"
)

// closeWithError is a body stream that fasthttp closes with CloseWithError
// (fasthttp.ReadCloserWithError), and not with Close.
type closeWithError struct {
	io.Reader
	closed atomic.Bool
}

func (r *closeWithError) CloseWithError(error) error {
	r.closed.Store(true)
	return nil
}

// TestStreamClosedAsFasthttpCloses checks that a body stream the rewriter
// takes out of the response is closed as fasthttp closes the streams it
// sends, by the path of the fasthttp in use, whether the page is rewritten
// or passed through.
func TestStreamClosedAsFasthttpCloses(t *testing.T) {
	for _, tt := range []struct {
		name   string
		header http.Header
		tags   bool
	}{
		{"rewritten", conformance.Navigation(), true},
		{"passed through", http.Header{"Hx-Request": {"true"}}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			stream := &closeWithError{Reader: strings.NewReader(conformance.Page)}
			f := fiber.New()
			f.Use(injectfiberv3.Middleware(inject.WithSource(conformance.Source)))
			f.Get("/", func(c fiber.Ctx) error {
				c.Set("Content-Type", "text/html; charset=utf-8")
				c.RequestCtx().SetBodyStream(stream, -1)
				return nil
			})
			got := conformance.Do(t, http.MethodGet, serve(t, f)+"/", tt.header)
			require.Equal(t, tt.tags, strings.Contains(got.Body, `name="sentry-trace"`), got.Body)
			assert.Eventually(t, stream.closed.Load, 5*time.Second, 10*time.Millisecond, "the stream was closed")
		})
	}
}
