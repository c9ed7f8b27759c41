package templates_test

import (
	"context"
	"errors"
	"html/template"
	"strings"
	"testing"

	"github.com/a-h/templ"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/render"
	"github.com/tracemeta/tracemeta/templates"
	"github.com/tracemeta/tracemeta/templates/internal/testpages"
	"github.com/tracemeta/tracemeta/tracecontext"
)

func renderComponent(t testing.TB, ctx context.Context, c templ.Component) string {
	t.Helper()
	var b strings.Builder
	require.NoError(t, c.Render(ctx, &b))
	return b.String()
}

func TestMetaTags(t *testing.T) {
	sc := spanContext(t, simpleDSC())
	fixed := tracecontext.SourceFunc(func(context.Context) (tracecontext.SpanContext, bool) { return sc, true })
	tests := []struct {
		name string
		ctx  context.Context
		opts []templates.Option
		want string
	}{
		{name: "span in context", ctx: tracecontext.NewContext(context.Background(), sc), want: sentryTraceTag + baggageTag},
		{
			name: "render options",
			ctx:  tracecontext.NewContext(context.Background(), sc),
			opts: []templates.Option{templates.WithRender(render.WithFormats(render.Traceparent))},
			want: `<meta name="traceparent" content="00-` + traceHex + `-` + spanHex + `-01">`,
		},
		{name: "custom source", ctx: context.Background(), opts: []templates.Option{templates.WithSource(fixed)}, want: sentryTraceTag + baggageTag},
		{name: "no span", ctx: context.Background(), want: ``},
		{name: "source finds nothing", ctx: tracecontext.NewContext(context.Background(), sc), opts: []templates.Option{templates.WithSource(noSpan)}, want: ``},
		{name: "source finds an invalid span", ctx: context.Background(), opts: []templates.Option{templates.WithSource(invalidSpan)}, want: ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, renderComponent(t, tt.ctx, templates.MetaTags(tt.opts...)))
		})
	}
}

func TestMetaTagsInPage(t *testing.T) {
	for _, h := range hostile {
		t.Run(h, func(t *testing.T) {
			dsc := simpleDSC()
			dsc.Release, dsc.Transaction, dsc.Environment = h, h, h
			dsc.Extra = []tracecontext.Member{{Key: "custom", Value: h}}
			sc := spanContext(t, dsc)
			els := parsePage(t, renderComponent(t, requestContext(sc), testpages.Page(h)))

			names, metas, inHead := traceMetas(els)
			assert.Equal(t, []string{"sentry-trace", "baggage"}, names)
			assert.Equal(t, wantMetas(sc), metas)
			assert.True(t, inHead, "the tags are in <head>")
			decoded, err := tracecontext.ParseBaggage(metas["baggage"][0])
			require.NoError(t, err)
			got := tracecontext.DSCFromBaggage(decoded)
			got.Frozen = false
			assert.Equal(t, dsc, got, "every DSC value reads back from the page")
			if strings.Contains(h, "\x00") {
				// templ writes NUL as it is into <title>, where parsers
				// differ on it; the value stays inside the element, which
				// parsePage checked.
				return
			}
			for _, e := range els {
				if e.Tag == "title" || e.Tag == "h1" {
					assert.Equal(t, strings.ReplaceAll(h, "\r", "\n"), e.Text)
				}
			}
		})
	}
}

func TestMetaTagsInPageWithOptions(t *testing.T) {
	sc := spanContext(t, simpleDSC())
	page := renderComponent(t, requestContext(sc), testpages.Page("t",
		templates.WithRender(render.WithFormats(render.DefaultFormats|render.Traceparent), render.WithXHTML(true))))
	assert.Contains(t, page, `-01"/>`)
	names, metas, inHead := traceMetas(parsePage(t, page))
	assert.Equal(t, []string{"sentry-trace", "baggage", "traceparent"}, names)
	assert.Equal(t, []string{sc.Traceparent()}, metas["traceparent"])
	assert.True(t, inHead)
}

func TestMetaTagsNoSpanPage(t *testing.T) {
	once := new(render.Once)
	ctx := render.ContextWithOnce(context.Background(), once)
	names, _, _ := traceMetas(parsePage(t, renderComponent(t, ctx, testpages.Page("t"))))
	assert.Empty(t, names)
	assert.True(t, once.Claim(), "no span does not claim")
}

func TestMetaTagsClaims(t *testing.T) {
	sc := spanContext(t, simpleDSC())

	t.Run("once per response", func(t *testing.T) {
		once := new(render.Once)
		ctx := render.ContextWithOnce(tracecontext.NewContext(context.Background(), sc), once)
		assert.Equal(t, sentryTraceTag+baggageTag, renderComponent(t, ctx, templates.MetaTags()))
		assert.False(t, once.Claim(), "claimed already")
		assert.Empty(t, renderComponent(t, ctx, templates.MetaTags()))
	})
	t.Run("already claimed", func(t *testing.T) {
		once := new(render.Once)
		require.True(t, once.Claim())
		ctx := render.ContextWithOnce(tracecontext.NewContext(context.Background(), sc), once)
		assert.Empty(t, renderComponent(t, ctx, templates.MetaTags()))
	})
	t.Run("three in one page", func(t *testing.T) {
		names, _, inHead := traceMetas(parsePage(t, renderComponent(t, requestContext(sc), testpages.Twice())))
		assert.Equal(t, []string{"sentry-trace", "baggage"}, names)
		assert.True(t, inHead, "the first, in <head>, wins")
	})
}

// TestExactlyOnceAcrossEntryPoints renders traceMeta and MetaTags for the
// same response, in both orders and in one page that mixes html/template and
// templ: one set of tags in all.
func TestExactlyOnceAcrossEntryPoints(t *testing.T) {
	sc := spanContext(t, simpleDSC())
	traceMeta := templates.FuncMap()["traceMeta"].(func(context.Context) template.HTML)

	t.Run("traceMeta then MetaTags", func(t *testing.T) {
		ctx := requestContext(sc)
		assert.NotEmpty(t, traceMeta(ctx))
		assert.Empty(t, renderComponent(t, ctx, templates.MetaTags()))
	})
	t.Run("MetaTags then traceMeta", func(t *testing.T) {
		ctx := requestContext(sc)
		assert.NotEmpty(t, renderComponent(t, ctx, templates.MetaTags()))
		assert.Empty(t, traceMeta(ctx))
	})
	t.Run("templ inside html/template", func(t *testing.T) {
		ctx := requestContext(sc)
		funcs := templates.FuncMap()
		funcs["component"] = func(ctx context.Context) (template.HTML, error) {
			return templ.ToGoHTML(ctx, templates.MetaTags())
		}
		tmpl, err := template.New("page").Funcs(funcs).Parse(
			`<!DOCTYPE html><html><head>{{component .}}<title>x</title>{{traceMeta .}}</head><body></body></html>`)
		require.NoError(t, err)
		var b strings.Builder
		require.NoError(t, tmpl.Execute(&b, ctx))
		names, metas, inHead := traceMetas(parsePage(t, b.String()))
		assert.Equal(t, []string{"sentry-trace", "baggage"}, names)
		assert.Equal(t, wantMetas(sc), metas)
		assert.True(t, inHead)
	})
}

type failingWriter struct{ err error }

func (w failingWriter) Write([]byte) (int, error) { return 0, w.err }

func TestMetaTagsWriteError(t *testing.T) {
	errBroken := errors.New("broken pipe")
	t.Run("small", func(t *testing.T) {
		// templ buffers the component's output: the error comes from its
		// flush.
		sc := spanContext(t, simpleDSC())
		err := templates.MetaTags().Render(tracecontext.NewContext(context.Background(), sc), failingWriter{errBroken})
		require.ErrorIs(t, err, errBroken)
	})
	t.Run("larger than templ's buffer", func(t *testing.T) {
		// Tags past templ's 4 KiB buffer go straight to the writer, and
		// the error comes from the component's own Write.
		dsc := simpleDSC()
		dsc.Extra = []tracecontext.Member{{Key: "big", Value: strings.Repeat("x", 6000)}}
		sc := spanContext(t, dsc)
		err := templates.MetaTags().Render(tracecontext.NewContext(context.Background(), sc), failingWriter{errBroken})
		require.ErrorIs(t, err, errBroken)
		assert.Contains(t, err.Error(), "templates: write meta tags")
	})

	// Nothing to write: the writer is not touched.
	require.NoError(t, templates.MetaTags().Render(context.Background(), failingWriter{errBroken}))
}

func TestMetaTagsCanceledContext(t *testing.T) {
	sc := spanContext(t, simpleDSC())
	once := new(render.Once)
	ctx, cancel := context.WithCancel(render.ContextWithOnce(tracecontext.NewContext(context.Background(), sc), once))
	cancel()
	var b strings.Builder
	err := templates.MetaTags().Render(ctx, &b)
	require.ErrorIs(t, err, context.Canceled, "templ stops rendering a canceled request")
	assert.Empty(t, b.String())
	assert.True(t, once.Claim(), "nothing rendered, nothing claimed")
}
