package injectfiber_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/gofiber/fiber/v2"

	injectfiber "github.com/tracemeta/tracemeta/inject/fiber"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// An app whose pages get the trace meta tags: injectfiber.Middleware goes in front
// of the handlers that write them.
func ExampleMiddleware() {
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Use(injectfiber.Middleware())
	app.Get("/", func(c *fiber.Ctx) error {
		c.Type("html", "utf-8")
		return c.SendString("<!DOCTYPE html><html><head><title>shop</title></head><body>Hello</body></html>")
	})

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	go func() { _ = app.Listener(ln) }()
	defer func() { _ = app.Shutdown() }()

	req, _ := http.NewRequest(http.MethodGet, "http://"+ln.Addr().String()+"/", nil)
	req.Header.Set("sentry-trace", "5b8efff798038103d269b633813fc60c-eee19b7ec3c1b174-1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	page := string(body)
	fmt.Println(strings.Contains(page, `<head><meta name="sentry-trace" content="5b8efff798038103d269b633813fc60c-`))
	fmt.Println(strings.Contains(page, `<meta name="baggage" content="sentry-trace_id=5b8efff798038103d269b633813fc60c`))
	// Output:
	// true
	// true
}

// The trace the handler starts, when no SDK did, with the settings that
// tracecontext.Middleware takes.
func ExampleNewHandler() {
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Use(injectfiber.NewHandler(injectfiber.WithTraceContext(
		tracecontext.WithSampleRate(0.25),
		tracecontext.WithPublicKey("49d0f7386ad645858ae85020e393bef3"),
		tracecontext.WithRelease("shop@1.4.0"),
	)))
	app.Get("/", func(c *fiber.Ctx) error {
		sc, _ := tracecontext.FromContext(c.UserContext()) // the span the tags name
		fmt.Println(sc.DSC.Release)
		return c.SendString("ok")
	})
	resp, err := app.Test(httptest.NewRequest(http.MethodGet, "/", nil))
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	// Output:
	// shop@1.4.0
}
