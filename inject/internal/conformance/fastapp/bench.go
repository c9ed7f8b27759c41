package fastapp

import (
	"io"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/tracemeta/tracemeta/inject/internal/conformance"
)

// benchBody is the page of Bench: 100 KB.
var benchBody = strings.Replace(conformance.Document, "<h1>page</h1>", strings.Repeat("<p>lorem ipsum dolor sit amet</p>\n", 3000), 1)

// BenchServe serves the paths of Bench: /set, a page set whole; /stream, a
// page streamed; /json, which passes through.
func BenchServe(fctx *fasthttp.RequestCtx) {
	switch string(fctx.Path()) {
	case "/set":
		fctx.SetContentType("text/html")
		fctx.SetBodyString(benchBody)
	case "/stream":
		fctx.SetContentType("text/html")
		fctx.SetBodyStream(strings.NewReader(benchBody), len(benchBody))
	case "/json":
		fctx.SetContentType("application/json")
		fctx.SetBodyString(`{"ok":true}`)
	}
}

// Bench measures a request served by the handler build returns, without
// the adapter (bare) and with it, calling it directly, for each path of
// BenchServe, which the handler serves. The response is read out as
// fasthttp would send it.
func Bench(b *testing.B, build func(adapter bool) fasthttp.RequestHandler) {
	for _, path := range []string{"/set", "/stream", "/json"} {
		for _, adapter := range []bool{false, true} {
			name := "bare"
			if adapter {
				name = "adapter"
			}
			b.Run(strings.TrimPrefix(path, "/")+"/"+name, func(b *testing.B) {
				handler := build(adapter)
				var ctx fasthttp.RequestCtx
				ctx.Request.SetRequestURI(path)
				ctx.Request.Header.SetMethod(fasthttp.MethodGet)
				for k, v := range BrowserHeaders {
					ctx.Request.Header.Set(k, v)
				}
				b.ReportAllocs()
				if path != "/json" {
					b.SetBytes(int64(len(benchBody)))
				}
				for b.Loop() {
					ctx.Response.Reset()
					handler(&ctx)
					if err := ctx.Response.BodyWriteTo(io.Discard); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BrowserHeaders are the headers Chromium sends with a navigation.
var BrowserHeaders = map[string]string{
	"Host":                      "shop.example",
	"Accept":                    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
	"Accept-Encoding":           "gzip, deflate, br, zstd",
	"Accept-Language":           "en-US,en;q=0.9",
	"Cache-Control":             "max-age=0",
	"Sec-Ch-Ua":                 `"Chromium";v="131", "Not_A Brand";v="24"`,
	"Sec-Ch-Ua-Mobile":          "?0",
	"Sec-Ch-Ua-Platform":        `"Linux"`,
	"Sec-Fetch-Dest":            "document",
	"Sec-Fetch-Mode":            "navigate",
	"Sec-Fetch-Site":            "none",
	"Sec-Fetch-User":            "?1",
	"Upgrade-Insecure-Requests": "1",
	"User-Agent":                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
}
