package templates_test

import (
	"context"
	"html/template"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/render"
	"github.com/tracemeta/tracemeta/templates"
	"github.com/tracemeta/tracemeta/templates/internal/testpages"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// execute parses text with the FuncMap of opts and executes it with data.
func execute(t testing.TB, text string, data any, opts ...templates.Option) string {
	t.Helper()
	tmpl, err := template.New("page").Funcs(templates.FuncMap(opts...)).Parse(text)
	require.NoError(t, err)
	var b strings.Builder
	require.NoError(t, tmpl.Execute(&b, data))
	return b.String()
}

const (
	sentryTraceTag = `<meta name="sentry-trace" content="` + traceHex + `-` + spanHex + `-1">`
	baggageTag     = `<meta name="baggage" content="sentry-trace_id=` + traceHex +
		`,sentry-public_key=pk,sentry-sample_rate=1,sentry-release=1.0">`
)

// noSpan is a Source that finds nothing.
var noSpan = tracecontext.SourceFunc(func(context.Context) (tracecontext.SpanContext, bool) {
	return tracecontext.SpanContext{}, false
})

// invalidSpan is a broken Source that reports an invalid span as found.
var invalidSpan = tracecontext.SourceFunc(func(context.Context) (tracecontext.SpanContext, bool) {
	return tracecontext.SpanContext{Sampled: tracecontext.DecisionSampled}, true
})

func TestFuncMap(t *testing.T) {
	sc := spanContext(t, simpleDSC())
	fixed := tracecontext.SourceFunc(func(context.Context) (tracecontext.SpanContext, bool) { return sc, true })
	const text = `<head>{{traceMeta .}}</head>|{{sentryTrace .}}|{{baggage .}}|{{traceparent .}}`
	tests := []struct {
		name string
		ctx  context.Context
		opts []templates.Option
		want string
	}{
		{
			name: "span in context",
			ctx:  tracecontext.NewContext(context.Background(), sc),
			want: `<head>` + sentryTraceTag + baggageTag + `</head>|` + sc.SentryTrace() +
				`|sentry-trace_id=` + traceHex + `,sentry-public_key=pk,sentry-sample_rate=1,sentry-release=1.0` +
				`|00-` + traceHex + `-` + spanHex + `-01`,
		},
		{
			name: "render options",
			ctx:  tracecontext.NewContext(context.Background(), sc),
			opts: []templates.Option{templates.WithRender(render.WithFormats(render.SentryTrace|render.Traceparent), render.WithXHTML(true))},
			want: `<head>` + strings.TrimSuffix(sentryTraceTag, ">") + `/>` +
				`<meta name="traceparent" content="00-` + traceHex + `-` + spanHex + `-01"/></head>|` + sc.SentryTrace() +
				`|sentry-trace_id=` + traceHex + `,sentry-public_key=pk,sentry-sample_rate=1,sentry-release=1.0` +
				`|00-` + traceHex + `-` + spanHex + `-01`,
		},
		{
			name: "custom source",
			ctx:  context.Background(),
			opts: []templates.Option{templates.WithSource(fixed)},
			want: `<head>` + sentryTraceTag + baggageTag + `</head>|` + sc.SentryTrace() +
				`|sentry-trace_id=` + traceHex + `,sentry-public_key=pk,sentry-sample_rate=1,sentry-release=1.0` +
				`|00-` + traceHex + `-` + spanHex + `-01`,
		},
		{
			name: "nil source keeps the default",
			ctx:  tracecontext.NewContext(context.Background(), sc),
			opts: []templates.Option{templates.WithSource(nil), nil},
			want: `<head>` + sentryTraceTag + baggageTag + `</head>|` + sc.SentryTrace() +
				`|sentry-trace_id=` + traceHex + `,sentry-public_key=pk,sentry-sample_rate=1,sentry-release=1.0` +
				`|00-` + traceHex + `-` + spanHex + `-01`,
		},
		{name: "no span", ctx: context.Background(), want: `<head></head>|||`},
		{name: "nil context", ctx: nil, want: `<head></head>|||`},
		{name: "source finds nothing", ctx: tracecontext.NewContext(context.Background(), sc), opts: []templates.Option{templates.WithSource(noSpan)}, want: `<head></head>|||`},
		{name: "source finds an invalid span", ctx: context.Background(), opts: []templates.Option{templates.WithSource(invalidSpan)}, want: `<head></head>|||`},
		{name: "invalid span in context", ctx: tracecontext.NewContext(context.Background(), tracecontext.SpanContext{}), want: `<head></head>|||`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, execute(t, text, tt.ctx, tt.opts...))
		})
	}
}

func TestFuncMapNilContextField(t *testing.T) {
	// A page data struct whose context was never set.
	data := struct{ Ctx context.Context }{}
	assert.Equal(t, "<head></head>|", execute(t, `<head>{{traceMeta .Ctx}}</head>|{{sentryTrace .Ctx}}`, data))
}

// pageTemplate is a real page: the tags in <head>, the raw values in the
// author's own attributes, and a title from the data.
const pageTemplate = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{.Title}}</title>
{{traceMeta .Ctx}}
</head>
<body>
<div data-sentry-trace="{{sentryTrace .Ctx}}" data-baggage="{{baggage .Ctx}}" data-traceparent='{{traceparent .Ctx}}' title={{baggage .Ctx}}></div>
<h1>{{.Title}}</h1>
</body>
</html>`

type pageData struct {
	Title string
	Ctx   context.Context
}

func TestFuncMapInPage(t *testing.T) {
	for _, h := range hostile {
		t.Run(h, func(t *testing.T) {
			dsc := simpleDSC()
			dsc.Release, dsc.Transaction, dsc.Environment = h, h, h
			dsc.Extra = []tracecontext.Member{{Key: "custom", Value: h}}
			sc := spanContext(t, dsc)
			ctx := requestContext(sc)
			els := parsePage(t, execute(t, pageTemplate, pageData{Title: h, Ctx: ctx}))

			names, metas, inHead := traceMetas(els)
			assert.Equal(t, []string{"sentry-trace", "baggage"}, names)
			assert.Equal(t, wantMetas(sc), metas)
			assert.True(t, inHead, "the tags are in <head>")
			decoded, err := tracecontext.ParseBaggage(metas["baggage"][0])
			require.NoError(t, err)
			got := tracecontext.DSCFromBaggage(decoded)
			got.Frozen = false
			assert.Equal(t, dsc, got, "every DSC value reads back from the page")

			for _, e := range els {
				switch e.Tag {
				case "div":
					assert.Equal(t, map[string]string{
						"data-sentry-trace": sc.SentryTrace(),
						"data-baggage":      sc.DSC.Baggage(),
						"data-traceparent":  sc.Traceparent(),
						"title":             sc.DSC.Baggage(),
					}, e.Attr)
				case "title", "h1":
					assert.Equal(t, nulModel(strings.ReplaceAll(h, "\r", "\n")), e.Text)
				}
			}
		})
	}
}

func TestTraceMetaClaims(t *testing.T) {
	sc := spanContext(t, simpleDSC())
	funcs := templates.FuncMap()
	traceMeta := funcs["traceMeta"].(func(context.Context) template.HTML)
	sentryTrace := funcs["sentryTrace"].(func(context.Context) string)

	t.Run("once per response", func(t *testing.T) {
		once := new(render.Once)
		ctx := render.ContextWithOnce(tracecontext.NewContext(context.Background(), sc), once)
		assert.Equal(t, template.HTML(sentryTraceTag+baggageTag), traceMeta(ctx))
		assert.False(t, once.Claim(), "claimed already")
		assert.Empty(t, traceMeta(ctx), "a second call renders nothing")
		assert.Equal(t, sc.SentryTrace(), sentryTrace(ctx), "raw values do not depend on the claim")
	})
	t.Run("already claimed", func(t *testing.T) {
		once := new(render.Once)
		require.True(t, once.Claim())
		ctx := render.ContextWithOnce(tracecontext.NewContext(context.Background(), sc), once)
		assert.Empty(t, traceMeta(ctx))
	})
	t.Run("no span does not claim", func(t *testing.T) {
		once := new(render.Once)
		assert.Empty(t, traceMeta(render.ContextWithOnce(context.Background(), once)))
		assert.True(t, once.Claim(), "the middleware may still render for a span it finds")
	})
	t.Run("raw values do not claim", func(t *testing.T) {
		once := new(render.Once)
		ctx := render.ContextWithOnce(tracecontext.NewContext(context.Background(), sc), once)
		assert.NotEmpty(t, sentryTrace(ctx))
		assert.True(t, once.Claim())
	})
	t.Run("without a Once every call renders", func(t *testing.T) {
		ctx := tracecontext.NewContext(context.Background(), sc)
		assert.NotEmpty(t, traceMeta(ctx))
		assert.NotEmpty(t, traceMeta(ctx))
	})
	t.Run("twice in one page", func(t *testing.T) {
		page := execute(t, `<html><head>{{traceMeta .}}<title>x</title>{{traceMeta .}}</head><body>{{traceMeta .}}</body></html>`, requestContext(sc))
		names, _, inHead := traceMetas(parsePage(t, page))
		assert.Equal(t, []string{"sentry-trace", "baggage"}, names)
		assert.True(t, inHead)
	})
}

// TestConcurrentRequests executes one template and one component for many
// requests at once: each response gets the tags of its own span, once.
func TestConcurrentRequests(t *testing.T) {
	tmpl := template.Must(template.New("page").Funcs(templates.FuncMap()).Parse(pageTemplate))
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			dsc := simpleDSC()
			dsc.Release = strconv.Itoa(i)
			sc := spanContext(t, dsc)
			sc.SpanID[7] = byte(i + 1)
			ctx := requestContext(sc)
			var b strings.Builder
			if !assert.NoError(t, tmpl.Execute(&b, pageData{Title: "t", Ctx: ctx})) {
				return
			}
			if !assert.NoError(t, testpages.Page("t").Render(ctx, &b)) {
				return
			}
			// Two documents back to back: the second's tags were claimed.
			assert.Equal(t, 1, strings.Count(b.String(), `name="sentry-trace"`))
			assert.Contains(t, b.String(), sc.SentryTrace())
			assert.Contains(t, b.String(), "sentry-release="+strconv.Itoa(i)+`"`)
		})
	}
	wg.Wait()
}
