package render_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tracemeta/tracemeta/render"
	"github.com/tracemeta/tracemeta/tracecontext"
)

var renderers = []struct {
	name string
	r    render.Renderer
}{
	{name: "default", r: render.New()},
	{name: "all", r: render.New(render.WithFormats(render.SentryTrace | render.Baggage | render.Traceparent))},
	{name: "xhtml", r: render.New(render.WithXHTML(true), render.WithFormats(render.SentryTrace|render.Baggage|render.Traceparent))},
	{name: "sentry-trace", r: render.New(render.WithFormats(render.SentryTrace))},
	{name: "baggage", r: render.New(render.WithFormats(render.Baggage))},
	{name: "traceparent", r: render.New(render.WithFormats(render.Traceparent))},
	{name: "datadog", r: render.New(render.WithFormats(render.Datadog), render.WithClock(fixedClock))},
	{name: "every format", r: render.New(render.WithFormats(render.SentryTrace|render.Baggage|render.Traceparent|render.Datadog), render.WithClock(fixedClock))},
}

// escapingDSC needs HTML escaping in the page and quoted-pairs in the header.
func escapingDSC() tracecontext.DSC {
	d := fullDSC()
	d.Release = `it's "1.0"\beta`
	return d
}

func TestAppendMetaTagsAllocs(t *testing.T) {
	dscs := []struct {
		name string
		dsc  tracecontext.DSC
	}{
		{name: "plain", dsc: fullDSC()},
		{name: "escaped", dsc: escapingDSC()},
		{name: "empty", dsc: tracecontext.DSC{}},
	}
	for _, rr := range renderers {
		for _, d := range dscs {
			t.Run(rr.name+"/"+d.name, func(t *testing.T) {
				sc := spanContext(t, tracecontext.DecisionSampled, d.dsc)
				buf := make([]byte, 0, 4096)
				assert.Zero(t, testing.AllocsPerRun(100, func() {
					buf = rr.r.AppendMetaTags(buf[:0], sc)
				}), "AppendMetaTags")
				assert.Equal(t, string(rr.r.AppendMetaTags(nil, sc)), string(buf))
				assert.Zero(t, testing.AllocsPerRun(100, func() {
					buf = rr.r.AppendServerTiming(buf[:0], sc)
				}), "AppendServerTiming")
				assert.Equal(t, string(rr.r.AppendServerTiming(nil, sc)), string(buf))
				assert.Zero(t, testing.AllocsPerRun(100, func() {
					buf = rr.r.AppendDatadogComment(buf[:0], sc)
				}), "AppendDatadogComment")
			})
		}
	}
}

func BenchmarkAppendMetaTags(b *testing.B) {
	for _, rr := range renderers {
		b.Run(rr.name, func(b *testing.B) {
			sc := spanContext(b, tracecontext.DecisionSampled, fullDSC())
			buf := make([]byte, 0, 4096)
			b.ReportAllocs()
			for b.Loop() {
				buf = rr.r.AppendMetaTags(buf[:0], sc)
			}
			b.SetBytes(int64(len(buf)))
		})
	}
	b.Run("escaped", func(b *testing.B) {
		r := render.New()
		sc := spanContext(b, tracecontext.DecisionSampled, escapingDSC())
		buf := make([]byte, 0, 4096)
		b.ReportAllocs()
		for b.Loop() {
			buf = r.AppendMetaTags(buf[:0], sc)
		}
		b.SetBytes(int64(len(buf)))
	})
	b.Run("func", func(b *testing.B) {
		sc := spanContext(b, tracecontext.DecisionSampled, fullDSC())
		buf := make([]byte, 0, 4096)
		b.ReportAllocs()
		for b.Loop() {
			buf = render.AppendMetaTags(buf[:0], sc)
		}
		b.SetBytes(int64(len(buf)))
	})
}

func BenchmarkAppendServerTiming(b *testing.B) {
	for _, rr := range renderers[:2] {
		b.Run(rr.name, func(b *testing.B) {
			sc := spanContext(b, tracecontext.DecisionSampled, fullDSC())
			buf := make([]byte, 0, 4096)
			b.ReportAllocs()
			for b.Loop() {
				buf = rr.r.AppendServerTiming(buf[:0], sc)
			}
			b.SetBytes(int64(len(buf)))
		})
	}
}
