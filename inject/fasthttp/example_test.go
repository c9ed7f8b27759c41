package injectfasthttp_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"

	"github.com/valyala/fasthttp"

	"github.com/tracemeta/tracemeta/inject"
	injectfasthttp "github.com/tracemeta/tracemeta/inject/fasthttp"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// A fasthttp server whose pages get the trace meta tags: Middleware wraps
// the handler, and the handler finds the trace the tags name with Context.
func ExampleMiddleware() {
	handler := func(fctx *fasthttp.RequestCtx) {
		sc, _ := tracecontext.FromContext(injectfasthttp.Context(fctx)) // the span the tags name
		_ = sc
		fctx.SetContentType("text/html; charset=utf-8")
		fctx.SetBodyString("<!DOCTYPE html><html><head><title>shop</title></head><body>hi</body></html>")
	}
	srv := &fasthttp.Server{Handler: injectfasthttp.Middleware(handler,
		inject.WithTraceContext(tracecontext.WithSampleRate(1)),
	)}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	go func() { _ = srv.Serve(ln) }()
	defer func() { _ = srv.Shutdown() }()

	req, _ := http.NewRequest(http.MethodGet, "http://"+ln.Addr().String()+"/", nil)
	req.Header.Set("Sentry-Trace", "771a43a4192642f0b136d5159a501700-a1b2c3d4e5f60718-1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(strings.Contains(string(body), `<meta name="sentry-trace" content="771a43a4192642f0b136d5159a501700-`))
	// Output: true
}
