package inject_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tracemeta/tracemeta/inject"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// page2K is a small page written in one write.
var page2K = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Shop</title>" +
	"<link rel=\"stylesheet\" href=\"/app.css\"></head><body>" + strings.Repeat("<p>Some product text here.</p>\n", 60) + "</body></html>\n"

// BenchmarkChain2K compares, on a 2 KB page in one write with incoming
// sentry-trace and baggage, the bare handler, inject.Middleware alone, and
// the full chain tracecontext.Middleware + inject.Middleware.
func BenchmarkChain2K(b *testing.B) {
	body := []byte(page2K)
	app := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(body)
	})
	req, _ := http.NewRequest("GET", "http://example.com/", nil)
	req.Header.Set("Sentry-Trace", "771a43a4192642f0b136d5159a501700-a1b2c3d4e5f60718-1")
	req.Header.Set("Baggage", "sentry-trace_id=771a43a4192642f0b136d5159a501700,sentry-public_key=49d0f7386ad645858ae85020e393bef3,sentry-sample_rate=0.25,sentry-sample_rand=0.132210,sentry-sampled=true,sentry-environment=production,sentry-release=shop%401.4.0")
	req.Header.Set("Sec-Fetch-Dest", "document")
	for _, bc := range []struct {
		name string
		h    http.Handler
	}{
		{"bare", app},
		{"inject", withSpan(testSpan(1), inject.Middleware()(app))},
		{"chain", tracecontext.Middleware(tracecontext.WithSampleRate(1))(inject.Middleware()(app))},
	} {
		b.Run(bc.name, func(b *testing.B) {
			w := &discardWriter{header: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.header)
				bc.h.ServeHTTP(w, req)
			}
		})
	}
}
