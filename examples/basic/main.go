// Command basic is the smallest server with tracemeta: tracecontext's
// middleware continues the trace of each request (or starts one), and
// inject's middleware writes it into the <head> of every HTML page, where
// the Sentry browser SDK's pageload picks it up.
//
//	go run ./basic
//	curl -s localhost:8080/ | head -5
package main

import (
	"flag"
	"io"
	"log"
	"net/http"
	"time"

	"github.com/tracemeta/tracemeta/inject"
	"github.com/tracemeta/tracemeta/tracecontext"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	flag.Parse()
	log.Printf("listening on http://%s/", *addr)
	srv := &http.Server{Addr: *addr, Handler: newHandler(), ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.ListenAndServe())
}

// newHandler is the application: a page, wrapped in the two middlewares.
// The order matters: inject reads the span that tracecontext stored in the
// request's context, so tracecontext goes outside.
func newHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, page) // an error means the client went away
	})
	traced := tracecontext.Middleware(
		tracecontext.WithPublicKey("your-dsn-public-key"), // the key part of your Sentry DSN
		tracecontext.WithRelease("basic@1.0.0"),
		tracecontext.WithEnvironment("example"),
		tracecontext.WithSampleRate(1), // decide here; the browser inherits the decision
	)
	return traced(inject.Middleware()(mux))
}

// page knows nothing of tracing: the tags are inserted right after <meta
// charset>, before any script, as the page streams out.
const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>tracemeta: basic</title>
</head>
<body>
<h1>Hello</h1>
<p>View the source: sentry-trace and baggage meta tags name this request's server span.</p>
</body>
</html>
`
