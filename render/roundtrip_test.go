package render_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/render"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// hostile values: markup breakouts, references, quotes, non-ASCII, controls.
var hostile = []struct {
	name, value string
}{
	{name: "attribute breakout", value: `"><script>alert(1)</script>`},
	{name: "single quote breakout", value: `'><script>alert(1)</script>`},
	{name: "end of title", value: `</title><script>alert(1)</script>`},
	{name: "end of head", value: `</head><body onload=alert(1)>`},
	{name: "comment", value: `<!-- -->`},
	{name: "ampersands", value: `a&b&amp;c&#39;&lt;&`},
	{name: "quotes", value: `"'"'`},
	{name: "percent", value: `100%25 %zz %`},
	{name: "baggage delimiters", value: `a=b,sentry-public_key=evil;p=1`},
	{name: "non-ASCII", value: "héllo wörld 日本 🙂"},
	{name: "controls", value: "a\x00b\x01c\td\ne\rf\r\ng\x7fh\u0085i"},
	{name: "invalid UTF-8", value: "a\xffb\xc3(c\xed\xa0\x80d"},
	{name: "backslash", value: `\"\\`},
}

// htmlModel is the value an HTML parser reads back for an attribute that the
// renderer escaped from s: s itself, but NUL and every invalid UTF-8 byte are
// U+FFFD, as in every browser.
func htmlModel(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == 0 || r == utf8.RuneError && n == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func TestAppendMetaTagsRoundTrip(t *testing.T) {
	all := render.New(render.WithFormats(render.SentryTrace | render.Baggage | render.Traceparent))
	fields := []struct {
		name string
		set  func(d *tracecontext.DSC, v string)
	}{
		{name: "release", set: func(d *tracecontext.DSC, v string) { d.Release = v }},
		{name: "transaction", set: func(d *tracecontext.DSC, v string) { d.Transaction = v }},
		{name: "environment", set: func(d *tracecontext.DSC, v string) { d.Environment = v }},
		{name: "extra", set: func(d *tracecontext.DSC, v string) {
			d.Extra = append(d.Extra, tracecontext.Member{Key: "custom", Value: v})
		}},
	}
	for _, h := range hostile {
		for _, f := range fields {
			t.Run(h.name+"/"+f.name, func(t *testing.T) {
				dsc := fullDSC()
				f.set(&dsc, h.value)
				sc := spanContext(t, tracecontext.DecisionSampled, dsc)
				for _, xhtml := range []bool{false, true} {
					r := all
					if xhtml {
						r = render.New(render.WithFormats(render.SentryTrace|render.Baggage|render.Traceparent), render.WithXHTML(true))
					}
					metas := parsePage(t, page(string(r.AppendMetaTags(nil, sc))))
					require.Len(t, metas, 3)
					assert.Equal(t, metaTag{Name: "sentry-trace", Content: sc.SentryTrace()}, metas[0])
					assert.Equal(t, "baggage", metas[1].Name)
					assert.Equal(t, string(sc.DSC.AppendBaggage(nil)), metas[1].Content,
						"the page holds exactly the DSC's baggage")
					assert.Equal(t, dsc, decodeBaggage(t, metas[1].Content), "every DSC field reads back")
					assert.Equal(t, metaTag{Name: "traceparent", Content: sc.Traceparent()}, metas[2])
				}
			})
		}
	}
}

func TestEscapeRoundTrip(t *testing.T) {
	for _, h := range hostile {
		t.Run(h.name, func(t *testing.T) {
			for _, capacity := range []int{0, 64, 4096} {
				escaped := render.EscapeAttrTail("<meta name=\"x\" content=\"", h.value, capacity)
				metas := parsePage(t, page(string(escaped)+`">`))
				require.Len(t, metas, 1)
				assert.Equal(t, htmlModel(h.value), metas[0].Content)
			}
		})
	}
}

func TestEscape(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{name: "empty", in: "", want: ""},
		{name: "plain", in: "sentry-release=1.0", want: "sentry-release=1.0"},
		{name: "specials", in: `&'<>"` + "\r", want: `&amp;&#39;&lt;&gt;&#34;&#13;`},
		{name: "runs between specials", in: `ab&cd<ef`, want: `ab&amp;cd&lt;ef`},
		{name: "NUL", in: "a\x00b", want: "a\uFFFDb"},
		{name: "valid UTF-8 untouched", in: "é日🙂", want: "é日🙂"},
		{name: "invalid UTF-8", in: "a\xffb\xc3", want: "a\uFFFDb\uFFFD"},
		{name: "other controls untouched", in: "\t\n\f\x01\x7f", want: "\t\n\f\x01\x7f"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, capacity := range []int{0, 100} {
				assert.Equal(t, "p"+tt.want, string(render.EscapeAttrTail("p", tt.in, capacity)))
			}
		})
	}
}

// TestBaggageCharset pins what the renderer relies on to skip escaping the
// baggage: whatever a DSC holds, hostile keys included, DSC.AppendBaggage
// writes only bytes that need no escape in a quoted-string and none in an
// attribute but ', so the tags hold the baggage with ' as &#39; and the
// Server-Timing entry holds it as it is.
func TestBaggageCharset(t *testing.T) {
	const allowed = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()%=,"
	meta := render.New(render.WithFormats(render.Baggage))
	for _, h := range hostile {
		t.Run(h.name, func(t *testing.T) {
			dsc := fullDSC()
			dsc.Release = h.value
			dsc.Transaction = "'" + h.value
			dsc.Extra = []tracecontext.Member{
				{Key: h.value, Value: h.value},
				{Key: "it's", Value: h.value + "'"},
			}
			sc := spanContext(t, tracecontext.DecisionSampled, dsc)
			baggage := string(dsc.AppendBaggage(nil))
			for i := 0; i < len(baggage); i++ {
				require.True(t, strings.IndexByte(allowed, baggage[i]) >= 0, "byte %q at %d in %q", baggage[i], i, baggage)
			}
			assert.Contains(t, baggage, "'", "the ' path is taken")
			assert.Equal(t, `<meta name="baggage" content="`+strings.ReplaceAll(baggage, "'", "&#39;")+`">`,
				string(meta.AppendMetaTags(nil, sc)))
			assert.Equal(t, `baggage;desc="`+baggage+`"`, string(meta.AppendServerTiming(nil, sc)))
		})
	}
}
