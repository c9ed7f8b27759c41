// Command htmltemplate renders its own <head> with html/template: the
// traceMeta func of templates.FuncMap writes the trace meta tags of the
// request's server span, started by tracecontext's middleware.
//
//	go run ./htmltemplate
//	curl -s localhost:8080/ | head -5
package main

import (
	"flag"
	"html/template"
	"log"
	"net/http"
	"time"

	"github.com/tracemeta/tracemeta/templates"
	"github.com/tracemeta/tracemeta/tracecontext"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	flag.Parse()
	log.Printf("listening on http://%s/", *addr)
	srv := &http.Server{Addr: *addr, Handler: newHandler(), ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.ListenAndServe())
}

// page gets the request's context as .Ctx: traceMeta reads the span from it.
// Funcs must be added before Parse.
var page = template.Must(template.New("page").Funcs(templates.FuncMap()).Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
{{traceMeta .Ctx}}
<title>{{.Title}}</title>
</head>
<body>
<h1>{{.Title}}</h1>
<p data-trace="{{sentryTrace .Ctx}}">The meta tags above, and this paragraph's data-trace, name this request's server span.</p>
</body>
</html>
`))

func newHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		err := page.Execute(w, map[string]any{"Ctx": r.Context(), "Title": "tracemeta: html/template"})
		if err != nil {
			log.Printf("rendering the page: %v", err)
		}
	})
	return tracecontext.Middleware(
		tracecontext.WithPublicKey("your-dsn-public-key"), // the key part of your Sentry DSN
		tracecontext.WithRelease("htmltemplate@1.0.0"),
		tracecontext.WithEnvironment("example"),
		tracecontext.WithSampleRate(1),
	)(mux)
}
