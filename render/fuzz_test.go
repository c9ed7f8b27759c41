package render_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/render"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// FuzzAppendMetaTags puts arbitrary values into the DSC and checks that an
// HTML5 parser reads back exactly the tags and values that went in, and that
// the Server-Timing value stays a valid header that reads back the same.
func FuzzAppendMetaTags(f *testing.F) {
	for _, h := range hostile {
		f.Add(h.value, h.value, h.value, h.value, false)
	}
	f.Add("1.0.0", "GET /", "production", "", true)
	r := render.New(render.WithFormats(render.SentryTrace | render.Baggage | render.Traceparent))
	rx := render.New(render.WithFormats(render.SentryTrace|render.Baggage|render.Traceparent), render.WithXHTML(true))
	f.Fuzz(func(t *testing.T, release, transaction, environment, extra string, xhtml bool) {
		// Keep the baggage under its 8192-byte cap: the cap itself has its
		// own test, and a dropped member would not read back here.
		for _, s := range []*string{&release, &transaction, &environment, &extra} {
			if len(*s) > 512 {
				*s = (*s)[:512]
			}
		}
		dsc := tracecontext.DSC{
			TraceID:     traceHex,
			Release:     release,
			Transaction: transaction,
			Environment: environment,
		}
		if extra != "" {
			dsc.Extra = []tracecontext.Member{{Key: "fuzz", Value: extra}}
		}
		sc := spanContext(t, tracecontext.DecisionSampled, dsc)
		rr := r
		if xhtml {
			rr = rx
		}
		metas := parsePage(t, page(string(rr.AppendMetaTags(nil, sc))))
		require.Len(t, metas, 3)
		assert.Equal(t, metaTag{Name: "sentry-trace", Content: sc.SentryTrace()}, metas[0])
		assert.Equal(t, metaTag{Name: "baggage", Content: string(dsc.AppendBaggage(nil))}, metas[1])
		assert.Equal(t, dsc, decodeBaggage(t, metas[1].Content))
		assert.Equal(t, metaTag{Name: "traceparent", Content: sc.Traceparent()}, metas[2])

		v := string(rr.AppendServerTiming(nil, sc))
		requireHeaderSafe(t, v)
		got := parseServerTiming(t, v)
		assert.Equal(t, sc.SentryTrace(), got["sentry-trace"])
		assert.Equal(t, dsc, decodeBaggage(t, got["baggage"]))
	})
}

// FuzzEscape escapes arbitrary bytes as the renderer escapes a value, in
// place, and checks that an HTML5 parser reads back one <meta> whose content
// is the value (with NUL and invalid UTF-8 as U+FFFD), and that the
// quoted-string escape reads back unchanged or refuses the value.
func FuzzEscape(f *testing.F) {
	for _, h := range hostile {
		f.Add(h.value, 0)
	}
	f.Add("", 1)
	f.Fuzz(fuzzEscapeBody)
}

func fuzzEscapeBody(t *testing.T, s string, capacity int) {
	{
		capacity %= 2 * (len(s) + 64)
		escaped := render.EscapeAttrTail(`<meta name="x" content="`, s, capacity)
		metas := parsePage(t, page(string(escaped)+`">`))
		require.Len(t, metas, 1)
		require.Equal(t, htmlModel(s), metas[0].Content)
	}
}
