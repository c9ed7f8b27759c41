package conformance_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tracemeta/tracemeta/inject"
	"github.com/tracemeta/tracemeta/inject/internal/conformance"
)

// TestNetHTTP runs the suite against net/http's inject.Middleware.
func TestNetHTTP(t *testing.T) {
	conformance.Run(t, conformance.Target{
		Has:           conformance.NeedNetHTTP,
		NewMiddleware: func(opts ...inject.Option) error { _, err := inject.NewMiddleware(opts...); return err },
		Serve: func(t *testing.T, app *conformance.App, adapter bool, opts []inject.Option) string {
			var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if code := app.ServeHTTP(w, r); code != 0 {
					http.Error(w, http.StatusText(code), code)
				}
			})
			if adapter {
				h = inject.Middleware(opts...)(h)
			}
			srv := httptest.NewServer(h)
			t.Cleanup(srv.Close)
			return srv.URL
		},
	})
}
