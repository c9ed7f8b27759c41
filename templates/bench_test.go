package templates_test

import (
	"bytes"
	"context"
	"html/template"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/render"
	"github.com/tracemeta/tracemeta/templates"
	"github.com/tracemeta/tracemeta/templates/internal/testpages"
	"github.com/tracemeta/tracemeta/tracecontext"
)

func benchContext(b testing.TB) context.Context {
	return tracecontext.NewContext(context.Background(), spanContext(b, simpleDSC()))
}

// TestAllocs pins the allocations of each entry point: traceMeta makes only
// its result string; the raw values one string each.
func TestAllocs(t *testing.T) {
	ctx := benchContext(t)
	funcs := templates.FuncMap()
	traceMeta := funcs["traceMeta"].(func(context.Context) template.HTML)
	var out template.HTML
	assert.Equal(t, 1.0, testing.AllocsPerRun(100, func() { out = traceMeta(ctx) }), "traceMeta")
	assert.NotEmpty(t, out)
	for _, name := range []string{"sentryTrace", "baggage", "traceparent"} {
		f := funcs[name].(func(context.Context) string)
		var s string
		assert.Equal(t, 1.0, testing.AllocsPerRun(100, func() { s = f(ctx) }), name)
		assert.NotEmpty(t, s)
	}
	empty := context.Background()
	assert.Zero(t, testing.AllocsPerRun(100, func() { out = traceMeta(empty) }), "traceMeta without a span")

	// The component's own work (templ's generated wrapper aside) writes
	// pooled bytes: nothing allocated when the writer has room, but the
	// buffers the race detector makes the pool drop (a new buffer is two
	// allocations, the slice and its pointer).
	buf := bytes.NewBuffer(make([]byte, 0, 4096))
	allocs := testing.AllocsPerRun(1000, func() {
		buf.Reset()
		if err := templates.DefaultComponent.Render(ctx, buf); err != nil {
			t.Fatal(err)
		}
	})
	if raceEnabled {
		assert.Less(t, allocs, 1.0, "MetaTags component under the race detector")
	} else {
		assert.Zero(t, allocs, "MetaTags component")
	}
	assert.Equal(t, sentryTraceTag+baggageTag, buf.String())
}

func BenchmarkTraceMeta(b *testing.B) {
	ctx := benchContext(b)
	traceMeta := templates.FuncMap()["traceMeta"].(func(context.Context) template.HTML)
	b.ReportAllocs()
	for b.Loop() {
		_ = traceMeta(ctx)
	}
}

// BenchmarkTraceMetaOnce is traceMeta as in a response served through the
// inject middleware: a fresh Once per request (allocated here, in the
// middleware's own request state there).
func BenchmarkTraceMetaOnce(b *testing.B) {
	ctx := benchContext(b)
	traceMeta := templates.FuncMap()["traceMeta"].(func(context.Context) template.HTML)
	once := new(render.Once)
	rctx := render.ContextWithOnce(ctx, once)
	b.ReportAllocs()
	for b.Loop() {
		*once = render.Once{}
		_ = traceMeta(rctx)
	}
}

func BenchmarkRawValues(b *testing.B) {
	ctx := benchContext(b)
	funcs := templates.FuncMap()
	for _, name := range []string{"sentryTrace", "baggage", "traceparent"} {
		f := funcs[name].(func(context.Context) string)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = f(ctx)
			}
		})
	}
}

// BenchmarkTemplateHead executes an html/template <head> with traceMeta, and
// the same template without it: the difference is what traceMeta costs in a
// template.
func BenchmarkTemplateHead(b *testing.B) {
	ctx := benchContext(b)
	for _, tc := range []struct{ name, text string }{
		{name: "traceMeta", text: `<head><meta charset="utf-8"><title>t</title>{{traceMeta .}}</head>`},
		{name: "baseline", text: `<head><meta charset="utf-8"><title>t</title>{{if .}}{{end}}</head>`},
	} {
		b.Run(tc.name, func(b *testing.B) {
			tmpl, err := template.New("head").Funcs(templates.FuncMap()).Parse(tc.text)
			require.NoError(b, err)
			var buf bytes.Buffer
			b.ReportAllocs()
			for b.Loop() {
				buf.Reset()
				if err := tmpl.Execute(&buf, ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkMetaTags(b *testing.B) {
	ctx := benchContext(b)
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := templates.MetaTags().Render(ctx, &buf); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMetaTagsPage renders a templ page with MetaTags in its <head>,
// and the same page without it.
func BenchmarkMetaTagsPage(b *testing.B) {
	ctx := benchContext(b)
	for _, tc := range []struct {
		name string
		page func() interface {
			Render(context.Context, io.Writer) error
		}
	}{
		{name: "MetaTags", page: func() interface {
			Render(context.Context, io.Writer) error
		} {
			return testpages.Page("t")
		}},
		{name: "baseline", page: func() interface {
			Render(context.Context, io.Writer) error
		} {
			return testpages.Bare()
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var buf bytes.Buffer
			b.ReportAllocs()
			for b.Loop() {
				buf.Reset()
				if err := tc.page().Render(ctx, &buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
