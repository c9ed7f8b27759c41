// Command fiberv3 serves an HTML page from a Fiber v3 app with Fiber's
// html/template engine; injectfiberv3 puts the trace meta tags into it.
//
//	go run ./fiber/fiberv3
//	curl -s localhost:8080/ | head -5
//
// With SENTRY_DSN set, the app starts a sentry-go transaction for every
// request and puts it into c.Context(), and the tags name it; without,
// injectfiberv3 continues the incoming trace itself.
package main

import (
	"embed"
	"flag"
	"io/fs"
	"log"
	"net/http"
	"os"

	"github.com/getsentry/sentry-go"
	"github.com/gofiber/fiber/v3"
	"github.com/gofiber/template/html/v2"

	"github.com/tracemeta/tracemeta/inject"
	"github.com/tracemeta/tracemeta/inject/fiberv3"
	"github.com/tracemeta/tracemeta/templates"
	"github.com/tracemeta/tracemeta/tracecontext"
	tmsentrygo "github.com/tracemeta/tracemeta/tracecontext/sentrygo"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	flag.Parse()
	var client *sentry.Client
	if dsn := os.Getenv("SENTRY_DSN"); dsn != "" {
		var err error
		client, err = sentry.NewClient(sentry.ClientOptions{Dsn: dsn, EnableTracing: true, TracesSampleRate: 1})
		if err != nil {
			log.Fatalf("sentry: %v", err)
		}
	}
	log.Fatal(newApp(client).Listen(*addr))
}

//go:embed views
var views embed.FS

// newApp returns the app: the sentry-go transaction when client is set,
// then injectfiberv3, then the page.
func newApp(client *sentry.Client) *fiber.App {
	var src tracecontext.Source = tracecontext.ContextSource()
	if client != nil {
		src = tmsentrygo.Source()
	}
	sub, err := fs.Sub(views, "views")
	if err != nil {
		panic(err) // the embedded directory is there
	}
	engine := html.NewFileSystem(http.FS(sub), ".html")
	engine.AddFuncMap(templates.FuncMap(templates.WithSource(src)))
	app := fiber.New(fiber.Config{Views: engine})
	if client != nil {
		app.Use(transaction(client))
		app.Use(injectfiberv3.Middleware(inject.WithSource(tmsentrygo.Source())))
	} else {
		app.Use(injectfiberv3.Middleware())
	}
	app.Get("/", func(c fiber.Ctx) error {
		return c.Render("page", fiber.Map{"Own": c.Query("own") != "", "Ctx": c.Context()})
	})
	return app
}

// transaction starts a sentry-go transaction for each request, continuing
// the incoming trace, and puts it into c.Context(), where tmsentrygo.Source
// finds it.
func transaction(client *sentry.Client) fiber.Handler {
	return func(c fiber.Ctx) error {
		hub := sentry.NewHub(client, sentry.NewScope())
		ctx := sentry.SetHubOnContext(c.Context(), hub)
		tx := sentry.StartTransaction(ctx, c.Method()+" "+c.Path(),
			sentry.ContinueTrace(hub, c.Get(sentry.SentryTraceHeader), c.Get(sentry.SentryBaggageHeader)),
			sentry.WithOpName("http.server"),
			sentry.WithTransactionSource(sentry.SourceURL),
		)
		defer tx.Finish()
		c.SetContext(tx.Context())
		err := c.Next()
		tx.Status = sentry.HTTPtoSpanStatus(c.Response().StatusCode())
		return err
	}
}
