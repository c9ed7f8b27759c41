package templates_test

import (
	"context"
	"html/template"
	"os"

	"github.com/tracemeta/tracemeta/render"
	"github.com/tracemeta/tracemeta/templates"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// exampleContext is the context of a request whose server span the
// tracecontext middleware (or a Source adapter) made active.
func exampleContext() context.Context {
	sc := tracecontext.SpanContext{
		TraceID: tracecontext.TraceID{0x77, 0x1a, 0x43, 0xa4, 0x19, 0x26, 0x42, 0xf0, 0xb1, 0x36, 0xd5, 0x15, 0x9a, 0x50, 0x17, 0x00},
		SpanID:  tracecontext.SpanID{0xb7, 0xad, 0x6b, 0x71, 0x69, 0x20, 0x33, 0x31},
		Sampled: tracecontext.DecisionSampled,
	}
	sc.DSC = tracecontext.DSC{TraceID: sc.TraceID.String(), PublicKey: "49d0f7386ad645858ae85020e393bef3", SampleRate: "1"}
	return tracecontext.NewContext(context.Background(), sc)
}

func ExampleFuncMap() {
	page := template.Must(template.New("page").Funcs(templates.FuncMap()).Parse(
		"<head>\n{{traceMeta .Ctx}}\n</head>\n<body data-trace=\"{{sentryTrace .Ctx}}\"></body>\n"))

	// In a handler: Ctx is r.Context().
	data := struct{ Ctx context.Context }{Ctx: exampleContext()}
	if err := page.Execute(os.Stdout, data); err != nil {
		panic(err)
	}
	// Output:
	// <head>
	// <meta name="sentry-trace" content="771a43a4192642f0b136d5159a501700-b7ad6b7169203331-1"><meta name="baggage" content="sentry-trace_id=771a43a4192642f0b136d5159a501700,sentry-public_key=49d0f7386ad645858ae85020e393bef3,sentry-sample_rate=1">
	// </head>
	// <body data-trace="771a43a4192642f0b136d5159a501700-b7ad6b7169203331-1"></body>
}

func ExampleFuncMap_noSpan() {
	page := template.Must(template.New("page").Funcs(templates.FuncMap()).Parse(
		"<head>{{traceMeta .}}</head>|{{baggage .}}|\n"))
	if err := page.Execute(os.Stdout, context.Background()); err != nil {
		panic(err)
	}
	// Output:
	// <head></head>||
}

func ExampleMetaTags() {
	// In a .templ file:
	//
	//	<head>
	//		@templates.MetaTags()
	//	</head>
	ctx := exampleContext()
	if err := templates.MetaTags().Render(ctx, os.Stdout); err != nil {
		panic(err)
	}
	// Output:
	// <meta name="sentry-trace" content="771a43a4192642f0b136d5159a501700-b7ad6b7169203331-1"><meta name="baggage" content="sentry-trace_id=771a43a4192642f0b136d5159a501700,sentry-public_key=49d0f7386ad645858ae85020e393bef3,sentry-sample_rate=1">
}

func ExampleMetaTags_once() {
	// The inject middleware puts a render.Once into every request's
	// context; apps without it can do the same.
	ctx := render.ContextWithOnce(exampleContext(), new(render.Once))
	tags := templates.MetaTags(templates.WithRender(render.WithFormats(render.SentryTrace)))
	for range 2 {
		if err := tags.Render(ctx, os.Stdout); err != nil {
			panic(err)
		}
	}
	// Output:
	// <meta name="sentry-trace" content="771a43a4192642f0b136d5159a501700-b7ad6b7169203331-1">
}

func ExampleWithRender() {
	// The traceparent tag too, for OpenTelemetry's document-load
	// instrumentation, in an XHTML page.
	tags := templates.MetaTags(templates.WithRender(
		render.WithFormats(render.SentryTrace|render.Traceparent), render.WithXHTML(true)))
	if err := tags.Render(exampleContext(), os.Stdout); err != nil {
		panic(err)
	}
	// Output:
	// <meta name="sentry-trace" content="771a43a4192642f0b136d5159a501700-b7ad6b7169203331-1"/><meta name="traceparent" content="00-771a43a4192642f0b136d5159a501700-b7ad6b7169203331-01"/>
}

func ExampleWithSource() {
	// A Source adapts whatever holds the active span: here, a fixed one.
	sc, ok := tracecontext.FromContext(exampleContext())
	if !ok {
		panic("no span")
	}
	src := tracecontext.SourceFunc(func(context.Context) (tracecontext.SpanContext, bool) { return sc, true })
	funcs := templates.FuncMap(templates.WithSource(src))
	page := template.Must(template.New("p").Funcs(funcs).Parse("{{traceparent .}}\n"))
	if err := page.Execute(os.Stdout, context.Background()); err != nil {
		panic(err)
	}
	// Output:
	// 00-771a43a4192642f0b136d5159a501700-b7ad6b7169203331-01
}
