// Command gin is a gin application traced with sentry-go's gin integration,
// whose pages carry the trace meta tags, so the browser's pageload continues
// the transaction sentrygin reports:
//
//   - injectgin puts the tags into every HTML page, error pages included,
//     without touching a template;
//   - a template that renders them itself with templates.FuncMap (the page at
//     /own) keeps its own set: the tags are rendered once per response.
//
// Run it with your project's DSN, then load a page:
//
//	SENTRY_DSN=https://key@o0.ingest.sentry.io/0 go run ./gin
//	curl -s localhost:8080/ | head -5
package main

import (
	"flag"
	"html/template"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/getsentry/sentry-go"
	sentrygin "github.com/getsentry/sentry-go/gin"
	"github.com/gin-gonic/gin"

	"github.com/tracemeta/tracemeta/inject"
	injectgin "github.com/tracemeta/tracemeta/inject/gin"
	"github.com/tracemeta/tracemeta/templates"
	"github.com/tracemeta/tracemeta/tracecontext"
	tmsentrygo "github.com/tracemeta/tracemeta/tracecontext/sentrygo"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	flag.Parse()
	err := sentry.Init(sentry.ClientOptions{
		Dsn:              os.Getenv("SENTRY_DSN"), // empty: nothing is sent, the pages still get the tags
		EnableTracing:    true,
		TracesSampleRate: 1,
		Release:          "gin-example@1.0.0",
		Environment:      "example",
	})
	if err != nil {
		log.Fatalf("sentry: %v", err)
	}
	defer sentry.Flush(2 * time.Second)

	src := tmsentrygo.Source() // reads the span sentrygin puts into c.Request's context
	r := newRouter(
		sentrygin.New(sentrygin.Options{Repanic: true}),
		injectgin.Middleware(inject.WithSource(src)),
		src,
	)
	log.Printf("listening on http://%s/", *addr)
	srv := &http.Server{Addr: *addr, Handler: r, ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.ListenAndServe())
}

// pages are the application's templates. index and notFound render no tags:
// the injector puts them in. own renders them with traceMeta, and the
// injector adds none. Scripts lists the browser SDK's script URLs.
const pages = `
{{define "head"}}<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{.Title}}</title>
<link rel="icon" href="data:,">
{{range .Scripts}}<script src="{{.}}"></script>
{{end}}{{end}}

{{define "index"}}{{template "head" .}}</head>
<body>
<h1>{{.Title}}</h1>
<p data-trace="{{sentryTrace .Ctx}}">This page's meta tags were put in by injectgin; this paragraph's data-trace comes from templates.FuncMap.</p>
</body>
</html>
{{end}}

{{define "own"}}<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
{{traceMeta .Ctx}}
<title>{{.Title}}</title>
<link rel="icon" href="data:,">
{{range .Scripts}}<script src="{{.}}"></script>
{{end}}</head>
<body>
<h1>{{.Title}}</h1>
<p>This page renders its own meta tags with traceMeta; the injector adds no second set.</p>
</body>
</html>
{{end}}

{{define "notFound"}}{{template "head" .}}</head>
<body>
<h1>{{.Title}}</h1>
<p>Error pages continue the trace too.</p>
</body>
</html>
{{end}}
`

// app holds what the handlers render with.
type app struct {
	scripts []string // the browser SDK's script URLs, for every page
}

// newRouter returns the application: tracing first, then the injector,
// then the routes. The template functions read the span with src, the
// Source the injector uses.
func newRouter(tracing, injector gin.HandlerFunc, src tracecontext.Source, scripts ...string) *gin.Engine {
	a := &app{scripts: scripts}
	r := gin.New()
	r.Use(gin.Recovery())
	r.Use(tracing)  // sentrygin: the request's transaction in c.Request's context
	r.Use(injector) // injectgin: the tags in every HTML page after it
	r.SetHTMLTemplate(template.Must(template.New("").
		Funcs(templates.FuncMap(templates.WithSource(src))).Parse(pages)))
	r.GET("/", a.page("index", "tracemeta: gin"))
	r.GET("/own", a.page("own", "tracemeta: gin, tags from the template"))
	r.NoRoute(func(c *gin.Context) {
		c.HTML(http.StatusNotFound, "notFound", a.data(c, "Not found"))
	})
	return r
}

func (a *app) page(name, title string) gin.HandlerFunc {
	return func(c *gin.Context) { c.HTML(http.StatusOK, name, a.data(c, title)) }
}

// data is what a page renders: the request's context, from which the
// template functions read the span, as .Ctx.
func (a *app) data(c *gin.Context, title string) gin.H {
	return gin.H{"Ctx": c.Request.Context(), "Title": title, "Scripts": a.scripts}
}
