package templates_test

import (
	"context"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/tracemeta/tracemeta/render"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// Test vectors: the trace and span ids of the sentry-trace examples in
// Sentry's developer documentation.
const (
	traceHex = "771a43a4192642f0b136d5159a501700"
	spanHex  = "b7ad6b7169203331"
)

func spanContext(t testing.TB, dsc tracecontext.DSC) tracecontext.SpanContext {
	t.Helper()
	var sc tracecontext.SpanContext
	_, err := hex.Decode(sc.TraceID[:], []byte(traceHex))
	require.NoError(t, err)
	_, err = hex.Decode(sc.SpanID[:], []byte(spanHex))
	require.NoError(t, err)
	sc.Sampled = tracecontext.DecisionSampled
	sc.DSC = dsc
	return sc
}

func simpleDSC() tracecontext.DSC {
	return tracecontext.DSC{TraceID: traceHex, PublicKey: "pk", SampleRate: "1", Release: "1.0"}
}

// requestContext is the context of a request with the span sc and, like the
// inject middleware's, a render.Once.
func requestContext(sc tracecontext.SpanContext) context.Context {
	return render.ContextWithOnce(tracecontext.NewContext(context.Background(), sc), new(render.Once))
}

// hostile values: markup breakouts, references, quotes, non-ASCII, controls.
var hostile = []string{
	`"><script>alert(1)</script>`,
	`'><script>alert(1)</script>`,
	`</title><script>alert(1)</script>`,
	`</head><body onload=alert(1)>`,
	`a&b&amp;c&#39;&lt;&`,
	`"'"'\`,
	"héllo wörld 日本 🙂",
	"a\x00b\x01c\td\ne\rf",
}

// element is one element of a parsed page: its tag, attributes, text
// content and whether it is inside <head>.
type element struct {
	Tag    string
	Attr   map[string]string
	Text   string
	InHead bool
}

// parsePage parses page as a browser builds its DOM and returns its elements
// in document order. It fails the test on any element a well-escaped page
// would not have (a <script>, say).
func parsePage(t testing.TB, page string) []element {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	require.NoError(t, err)
	var out []element
	var walk func(n *html.Node, inHead bool)
	walk = func(n *html.Node, inHead bool) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Html, atom.Head, atom.Title, atom.Meta, atom.Body, atom.H1, atom.Div:
			default:
				t.Fatalf("unexpected element <%s> in %q", n.Data, page)
			}
			e := element{Tag: n.Data, Attr: map[string]string{}, InHead: inHead}
			for _, a := range n.Attr {
				e.Attr[a.Key] = a.Val
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				if c.Type == html.TextNode {
					e.Text += c.Data
				}
			}
			out = append(out, e)
			inHead = inHead || n.DataAtom == atom.Head
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inHead)
		}
	}
	walk(doc, false)
	return out
}

// traceMetas returns the <meta name=...> elements among els whose name is one
// the renderer writes, as name -> contents in order.
func traceMetas(els []element) (names []string, byName map[string][]string, allInHead bool) {
	byName = map[string][]string{}
	allInHead = true
	for _, e := range els {
		if e.Tag != "meta" {
			continue
		}
		switch name := e.Attr["name"]; name {
		case "sentry-trace", "baggage", "traceparent":
			names = append(names, name)
			byName[name] = append(byName[name], e.Attr["content"])
			allInHead = allInHead && e.InHead
		}
	}
	return names, byName, allInHead
}

// wantMetas is what traceMetas gives for one set of default tags of sc.
func wantMetas(sc tracecontext.SpanContext) map[string][]string {
	return map[string][]string{
		"sentry-trace": {sc.SentryTrace()},
		"baggage":      {sc.DSC.Baggage()},
	}
}

// nulModel is what an HTML parser reads back for s written escaped: NUL is
// U+FFFD in every browser.
func nulModel(s string) string { return strings.ReplaceAll(s, "\x00", "\uFFFD") }
