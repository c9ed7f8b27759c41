// Command templ renders its page with templ: the templates.MetaTags
// component in <head> writes the trace meta tags of the request's server
// span, started by tracecontext's middleware.
//
//	go run ./templ
//	curl -s localhost:8080/ | head -5
//
// page_templ.go is generated from page.templ; after editing it, run from
// the repository's root:
//
//	go tool -modfile=tools/go.mod templ generate -include-version=false
package main

import (
	"flag"
	"log"
	"net/http"
	"time"

	"github.com/a-h/templ"

	"github.com/tracemeta/tracemeta/tracecontext"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	flag.Parse()
	log.Printf("listening on http://%s/", *addr)
	srv := &http.Server{Addr: *addr, Handler: newHandler(), ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.ListenAndServe())
}

// newHandler serves the page; templ.Handler renders it with the request's
// context, where MetaTags finds the span.
func newHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", templ.Handler(page("tracemeta: templ")))
	return tracecontext.Middleware(
		tracecontext.WithPublicKey("your-dsn-public-key"), // the key part of your Sentry DSN
		tracecontext.WithRelease("templ@1.0.0"),
		tracecontext.WithEnvironment("example"),
		tracecontext.WithSampleRate(1),
	)(mux)
}
