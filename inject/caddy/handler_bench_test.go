package injectcaddy_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"

	injectcaddy "github.com/tracemeta/tracemeta/inject/caddy"
)

// BenchmarkHandler is the cost of the handler alone around a handler that
// writes a 12 KB page, against the same page without it.
func BenchmarkHandler(b *testing.B) {
	var page strings.Builder
	page.WriteString("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Shop</title>\n</head>\n<body>\n")
	for i := range 200 {
		fmt.Fprintf(&page, "<p>Item %d: lorem ipsum dolor sit amet.</p>\n", i)
	}
	body := []byte(page.String() + "</body>\n</html>\n")
	next := caddyhttp.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		_, err := w.Write(body)
		return err
	})
	ctx, cancel := caddy.NewContext(caddy.Context{Context: context.Background()})
	defer cancel()
	var h injectcaddy.Handler
	if err := h.Provision(ctx); err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Accept", "text/html")
	req.Header.Set("User-Agent", "Mozilla/5.0")
	w := &discardWriter{h: http.Header{}}
	for _, tc := range []struct {
		name  string
		serve func() error
	}{
		{"bare", func() error { return next.ServeHTTP(w, req) }},
		{"tracemeta", func() error { return h.ServeHTTP(w, req, next) }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				if err := tc.serve(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) WriteHeader(int)             {}
func (w *discardWriter) Write(p []byte) (int, error) { return io.Discard.Write(p) }
