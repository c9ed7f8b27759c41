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
// BenchServe, which the handler serves, and for /set with the sentry-trace
// and baggage of an upstream SDK (set-traced), whose trace the adapter
// continues. The response is read out as fasthttp would send it, and the
// request's user values are reset, as fasthttp's server resets them.
func Bench(b *testing.B, build func(adapter bool) fasthttp.RequestHandler) {
	for _, row := range []struct{ name, path string }{
		{"set", "/set"}, {"set-traced", "/set"}, {"stream", "/stream"}, {"json", "/json"},
	} {
		for _, adapter := range []bool{false, true} {
			name := "bare"
			if adapter {
				name = "adapter"
			}
			b.Run(row.name+"/"+name, func(b *testing.B) {
				handler := build(adapter)
				var ctx fasthttp.RequestCtx
				ctx.Request.SetRequestURI(row.path)
				ctx.Request.Header.SetMethod(fasthttp.MethodGet)
				for k, v := range BrowserHeaders {
					ctx.Request.Header.Set(k, v)
				}
				if row.name == "set-traced" {
					ctx.Request.Header.Set("Sentry-Trace", benchSentryTrace)
					ctx.Request.Header.Set("Baggage", benchBaggage)
				}
				b.ReportAllocs()
				if row.path != "/json" {
					b.SetBytes(int64(len(benchBody)))
				}
				for b.Loop() {
					ctx.ResetUserValues()
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

// The trace headers of Bench's set-traced: a sampled sentry-trace, and the
// 300-byte baggage of an upstream Sentry SDK.
const (
	benchSentryTrace = "771a43a4192642f0b136d5159a501700-b3e2a7d1c8f04e59-1"
	benchBaggage     = "sentry-trace_id=771a43a4192642f0b136d5159a501700,sentry-public_key=49d0f7386ad645858ae85020e393bef3," +
		"sentry-sample_rate=1,sentry-sample_rand=0.412345,sentry-sampled=true,sentry-release=shop%401.24.0," +
		"sentry-environment=production,sentry-transaction=GET%20%2Fproducts%2F%3Aid,sentry-org_id=4505"
)

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
