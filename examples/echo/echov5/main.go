// Command echov5 is an echo v5 application traced with sentry-go's echo
// integration, rendering its pages with an html/template renderer. injectecho
// puts the trace meta tags into every HTML page, the HTML error pages of its
// HTTPErrorHandler included, so the browser's pageload continues the
// transaction sentryecho reports.
//
// Run it with your project's DSN, then load a page:
//
//	cd echo/echov5 && SENTRY_DSN=https://key@o0.ingest.sentry.io/0 go run .
//	curl -s localhost:8080/ | head -5
//	curl -s localhost:8080/nowhere | head -5
package main

import (
	"errors"
	"flag"
	"html/template"
	"io"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/getsentry/sentry-go"
	sentryecho "github.com/getsentry/sentry-go/echo"
	"github.com/labstack/echo/v5"
	"github.com/labstack/echo/v5/middleware"

	"github.com/tracemeta/tracemeta/inject"
	"github.com/tracemeta/tracemeta/inject/echov5"
	tmsentrygo "github.com/tracemeta/tracemeta/tracecontext/sentrygo"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	flag.Parse()
	err := sentry.Init(sentry.ClientOptions{
		Dsn:              os.Getenv("SENTRY_DSN"), // empty: nothing is sent, the pages still get the tags
		EnableTracing:    true,
		TracesSampleRate: 1,
		Release:          "echo-example@1.0.0",
		Environment:      "example",
	})
	if err != nil {
		log.Fatalf("sentry: %v", err)
	}
	defer sentry.Flush(2 * time.Second)

	e := newEcho(
		sentryecho.New(sentryecho.Options{Repanic: true}),
		injectechov5.Middleware(inject.WithSource(tmsentrygo.Source())),
	)
	log.Printf("listening on http://%s/", *addr)
	srv := &http.Server{Addr: *addr, Handler: e, ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.ListenAndServe())
}

// pages are the application's templates. None renders the tags: the
// injector puts them in. Scripts lists the browser SDK's script URLs.
var pages = template.Must(template.New("").Parse(`
{{define "layout"}}<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{.Title}}</title>
<link rel="icon" href="data:,">
{{range .Scripts}}<script src="{{.}}"></script>
{{end}}</head>
<body>
<h1>{{.Title}}</h1>
<p>{{.Text}}</p>
</body>
</html>
{{end}}`))

// renderer is the echo.Renderer of the application: html/template.
type renderer struct {
	t       *template.Template
	scripts []string // the browser SDK's script URLs, for every page
}

// page is what the layout renders.
type page struct {
	Title, Text string
	Scripts     []string
}

// Render executes the layout with data, a page.
func (r *renderer) Render(_ *echo.Context, w io.Writer, name string, data any) error {
	p, ok := data.(page)
	if !ok {
		return errors.New("renderer: data is not a page")
	}
	p.Scripts = r.scripts
	return r.t.ExecuteTemplate(w, name, p)
}

// newEcho returns the application: tracing first, then the injector, then
// the routes; errors become HTML pages.
func newEcho(tracing, injector echo.MiddlewareFunc, scripts ...string) *echo.Echo {
	e := echo.New()
	e.Renderer = &renderer{t: pages, scripts: scripts}
	e.HTTPErrorHandler = errorPage
	e.Use(middleware.Recover())
	e.Use(tracing)  // sentryecho: the request's transaction in the request's context
	e.Use(injector) // injectechov5: the tags in every HTML page after it, error pages included
	e.GET("/", func(c *echo.Context) error {
		return c.Render(http.StatusOK, "layout", page{
			Title: "tracemeta: echo v5",
			Text:  "This page's meta tags were put in by injectechov5.",
		})
	})
	e.GET("/fail", func(*echo.Context) error {
		return errors.New("something broke")
	})
	return e
}

// errorPage is the HTTPErrorHandler: an HTML page with the error's status.
// It returns early for a response already sent, as echo's default does.
func errorPage(c *echo.Context, err error) {
	if res, _ := echo.UnwrapResponse(c.Response()); res != nil && res.Committed {
		return
	}
	code := http.StatusInternalServerError
	var sc echo.HTTPStatusCoder
	if errors.As(err, &sc) {
		code = sc.StatusCode()
	}
	if rerr := c.Render(code, "layout", page{
		Title: http.StatusText(code),
		Text:  "Error pages continue the trace too.",
	}); rerr != nil {
		c.Logger().Error("rendering the error page", "error", rerr)
	}
}
