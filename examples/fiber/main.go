// Command fiber serves HTML pages from a Fiber v2 app with Fiber's
// html/template engine; injectfiber puts the trace meta tags into them.
//
//	go run ./fiber
//	curl -s localhost:8080/ | head -5
//
// With SENTRY_DSN set, sentry-go's Fiber integration starts a transaction for
// every request, and the tags name it; without, injectfiber continues the
// incoming trace itself.
package main

import (
	"embed"
	"errors"
	"flag"
	"html/template"
	"io/fs"
	"log"
	"net/http"
	"os"

	"github.com/getsentry/sentry-go"
	sentryfiber "github.com/getsentry/sentry-go/fiber"
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/template/html/v2"

	"github.com/tracemeta/tracemeta/inject"
	injectfiber "github.com/tracemeta/tracemeta/inject/fiber"
	"github.com/tracemeta/tracemeta/templates"
	"github.com/tracemeta/tracemeta/tracecontext"
	tmsentrygo "github.com/tracemeta/tracemeta/tracecontext/sentrygo"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	flag.Parse()
	var cfg config
	if dsn := os.Getenv("SENTRY_DSN"); dsn != "" {
		client, err := sentry.NewClient(sentry.ClientOptions{Dsn: dsn, EnableTracing: true, TracesSampleRate: 1})
		if err != nil {
			log.Fatalf("sentry: %v", err)
		}
		cfg.sentry = client
	}
	log.Printf("listening on http://%s/", *addr)
	log.Fatal(newApp(cfg).Listen(*addr))
}

// config is what the app is built from.
type config struct {
	// sentry, when set, traces the requests with sentry-go's Fiber
	// integration; otherwise injectfiber continues the incoming trace.
	sentry *sentry.Client
	// head is added to the <head> of every page (the tests load the Sentry
	// browser SDK with it).
	head template.HTML
	// routes adds routes in front of the pages.
	routes func(app *fiber.App)
}

//go:embed views
var views embed.FS

// newApp returns the app: the tracing, then injectfiber, then the pages.
func newApp(cfg config) *fiber.App {
	sub, err := fs.Sub(views, "views")
	if err != nil {
		panic(err) // the embedded directory is there
	}
	var src tracecontext.Source = tracecontext.ContextSource()
	if cfg.sentry != nil {
		src = tmsentrygo.Source()
	}
	engine := html.NewFileSystem(http.FS(sub), ".html")
	engine.AddFuncMap(templates.FuncMap(templates.WithSource(src)))
	app := fiber.New(fiber.Config{
		DisableStartupMessage: true,
		Views:                 engine,
		ErrorHandler: func(c *fiber.Ctx, err error) error {
			code := fiber.StatusInternalServerError
			if fe := (*fiber.Error)(nil); errors.As(err, &fe) {
				code = fe.Code
			}
			return c.Status(code).Render("error", fiber.Map{"Code": code, "Message": err.Error(), "Head": cfg.head})
		},
	})

	if cfg.sentry != nil {
		app.Use(func(c *fiber.Ctx) error {
			// The hub of this app's client: sentryfiber uses it.
			sentryfiber.SetHubOnContext(c, sentry.NewHub(cfg.sentry, sentry.NewScope()))
			return c.Next()
		})
		app.Use(sentryfiber.New(sentryfiber.Options{}))
		app.Use(injectfiber.Middleware(inject.WithSource(tmsentrygo.Source())))
	} else {
		app.Use(injectfiber.NewHandler(injectfiber.WithTraceContext(
			tracecontext.WithPublicKey("your-dsn-public-key"), // the key part of your Sentry DSN
			tracecontext.WithRelease("fiber@1.0.0"),
			tracecontext.WithEnvironment("example"),
			tracecontext.WithSampleRate(1),
		)))
	}

	if cfg.routes != nil {
		cfg.routes(app)
	}
	app.Get("/", func(c *fiber.Ctx) error {
		return c.Render("index", fiber.Map{"Title": "tracemeta: Fiber", "Head": cfg.head})
	})
	app.Get("/own", func(c *fiber.Ctx) error {
		return c.Render("own", fiber.Map{"Title": "tracemeta: Fiber, own tags", "Head": cfg.head, "Ctx": c.UserContext()})
	})
	app.Get("/fail", func(c *fiber.Ctx) error {
		return errors.New("the page failed")
	})
	return app
}
