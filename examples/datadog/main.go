// Command datadog serves a page traced with Datadog's dd-trace-go v2 whose
// initial document Datadog's browser RUM SDK links to the server's trace.
// dd-trace-go's net/http integration starts the server span; the tracemeta
// middleware, reading it through the tracecontext/datadog Source, writes
// <meta name="dd-trace-id"> and <meta name="dd-trace-time"> (and the
// sentry-trace and traceparent tags, naming the same span) into the page's
// <head>, and the unmodified @datadog/browser-rum puts that trace id into the
// RUM event of the page's initial document.
//
//	go run ./datadog -client-token pub... -application-id ...
//
// It needs a Datadog agent for the server's traces (DD_TRACE_AGENT_URL, by
// default localhost:8126) and Node.js with npm to bundle the browser SDK.
// /comment serves the same page with the comment form
// (<!-- DATADOG;trace-id=...;trace-time=... -->) written before the doctype
// by the handler itself.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"log"
	"net/http"
	"os"
	"time"

	httptrace "github.com/DataDog/dd-trace-go/contrib/net/http/v2"
	"github.com/DataDog/dd-trace-go/v2/ddtrace/tracer"

	"github.com/tracemeta/tracemeta/examples/internal/browserbundle"
	"github.com/tracemeta/tracemeta/inject"
	"github.com/tracemeta/tracemeta/render"
	tmdatadog "github.com/tracemeta/tracemeta/tracecontext/datadog"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	var rum rumConfig
	flag.StringVar(&rum.ApplicationID, "application-id", "your-rum-application-id", "the RUM application id")
	flag.StringVar(&rum.ClientToken, "client-token", "your-client-token", "the RUM client token")
	flag.StringVar(&rum.Site, "site", "datadoghq.com", "the Datadog site")
	flag.Parse()

	if err := tracer.Start(tracer.WithService("shop")); err != nil {
		log.Fatalf("starting the tracer: %v", err)
	}
	defer tracer.Stop()

	dir, err := os.MkdirTemp("", "tracemeta-datadog-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir) //nolint:errcheck // a temp dir left behind harms nothing
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	bundles, err := browserbundle.Build(ctx, dir)
	cancel()
	if err != nil {
		log.Fatalf("bundling @datadog/browser-rum: %v", err)
	}

	h := newHandler(options{rum: rum, static: http.FileServer(http.Dir(bundles.Dir))})
	log.Printf("listening on http://%s/ (and /comment)", *addr)
	srv := &http.Server{Addr: *addr, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.ListenAndServe())
}

// rumConfig is what the page gives DD_RUM.init.
type rumConfig struct {
	ApplicationID string `json:"applicationId"`
	ClientToken   string `json:"clientToken"`
	Site          string `json:"site,omitempty"`
	// Proxy, when set, receives the SDK's events instead of Datadog's
	// intake: how a test collects them.
	Proxy string `json:"proxy,omitempty"`
}

// options configure the application.
type options struct {
	rum    rumConfig
	static http.Handler     // serves datadog.js under /static/
	clock  func() time.Time // the render time of the tags; nil is time.Now
}

// newHandler is the application: the page behind the tracemeta middleware,
// the same page with the comment form, and the browser bundle, all behind
// dd-trace-go's net/http integration, which starts the server span of each
// request before the tracemeta middleware reads it.
func newHandler(o options) http.Handler {
	mux := httptrace.NewServeMux(httptrace.WithService("shop"))
	formats := render.WithFormats(render.Datadog | render.SentryTrace | render.Traceparent)
	tags := inject.Middleware(
		inject.WithSource(tmdatadog.Source()),
		inject.WithRender(formats, render.WithClock(o.clock)),
	)
	page := rumPage(o.rum)
	mux.Handle("GET /{$}", tags(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, page) // an error means the client went away
	})))
	comment := render.New(render.WithClock(o.clock))
	src := tmdatadog.Source()
	mux.HandleFunc("GET /comment", func(w http.ResponseWriter, r *http.Request) {
		// The comment names this request's trace and render time: the page
		// must never be stored by a shared cache.
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		var buf []byte
		if sc, ok := src.SpanContext(r.Context()); ok {
			buf = comment.AppendDatadogComment(buf, sc)
		}
		_, _ = w.Write(append(buf, page...)) // an error means the client went away
	})
	if o.static != nil {
		mux.Handle("GET /static/", http.StripPrefix("/static", o.static))
	}
	return mux
}

// rumPage is the page: it loads the unmodified @datadog/browser-rum and
// starts it. It knows nothing of the trace.
func rumPage(rum rumConfig) string {
	cfg := struct {
		rumConfig
		Service                 string `json:"service"`
		SessionSampleRate       int    `json:"sessionSampleRate"`
		SessionReplaySampleRate int    `json:"sessionReplaySampleRate"`
		TrackResources          bool   `json:"trackResources"`
	}{rumConfig: rum, Service: "shop-browser", SessionSampleRate: 100, TrackResources: true}
	js, err := json.Marshal(cfg) // escapes <, > and &: safe inside <script>
	if err != nil {
		panic(err) // a struct of strings, ints and bools always marshals
	}
	return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>tracemeta: datadog</title>
<script src="/static/datadog.js"></script>
<script>DD_RUM.init(` + string(js) + `);</script>
</head>
<body>
<h1>Hello</h1>
<p>View the source: dd-trace-id names this request's trace, as dd-trace-go reports it.</p>
</body>
</html>
`
}
