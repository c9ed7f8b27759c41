package injectfasthttp_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"

	"github.com/valyala/fasthttp"

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
		injectfasthttp.WithTraceContext(tracecontext.WithSampleRate(1)),
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

// A middleware for a framework on fasthttp: the Adapter continues the
// trace, the framework keeps the context where its handlers find it, and
// the response is rewritten once they have written it.
func ExampleAdapter() {
	a := injectfasthttp.NewAdapter()
	handler := func(fctx *fasthttp.RequestCtx) {
		r := injectfasthttp.NewRequest(fctx)
		ctx := a.RequestContext(r.Context(), r, false)
		// ... the framework's handlers run here, with ctx ...
		fctx.SetContentType("text/html")
		fctx.SetBodyString("<html><head><title>x</title></head></html>")
		if err := a.Rewrite(fctx, r.WithContext(ctx)); err != nil {
			fctx.Error("Internal Server Error", fasthttp.StatusInternalServerError)
		}
	}

	var fctx fasthttp.RequestCtx
	fctx.Request.SetRequestURI("/")
	handler(&fctx)
	fmt.Println(strings.Contains(string(fctx.Response.Body()), `<meta name="sentry-trace"`))
	// Output: true
}
