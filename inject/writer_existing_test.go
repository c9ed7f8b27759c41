package inject_test

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/tracemeta/tracemeta/inject"
)

// ownTags is a set of trace meta tags as an app renders them itself.
const ownTags = `<meta name="sentry-trace" content="771a43a4192642f0b136d5159a501700-b0e6f15b45c36b12-1">` +
	`<meta name="baggage" content="sentry-trace_id=771a43a4192642f0b136d5159a501700">`

// TestWriterExistingTags checks WithExistingTags on the shapes a proxied
// page comes in: the page's own tags anywhere in its head mean none are
// added; a name in a comment, a script, a template, an attribute value or
// after the head is not a tag of the page's. Every case is also written one
// byte at a time with a Flush after each byte, which must change nothing.
func TestWriterExistingTags(t *testing.T) {
	const injected, existing = inject.ReasonNone, inject.ReasonExistingTags
	tests := []struct {
		name string
		in   string
		want inject.Reason
	}{
		{"own tags right after head", `<!doctype html><html><head>` + ownTags + `<title>x</title></head><body>b</body></html>`, existing},
		{"own tags after a charset meta", `<html><head><meta charset="utf-8">` + ownTags + `</head><body></body></html>`, existing},
		{"own tags after title, style and script", `<html><head><title>t</title><style>p{}</style><script>var a = "<meta name='x'>";</script>` + ownTags + `</head><body>`, existing},
		{"own tags late in a long head", `<html><head>` + strings.Repeat(`<link rel="preload" href="/a.js">`, 200) + ownTags + `</head><body>`, existing},
		{"sentry-trace only", `<html><head><title>t</title><meta name="sentry-trace" content="x"></head>`, existing},
		{"baggage only", `<html><head><title>t</title><meta name=baggage content="sentry-trace_id=1"></head>`, existing},
		{"traceparent only", `<html><head><script src="a.js"></script><meta content="00-x" name='traceparent'></head>`, existing},
		{"datadog", `<html><head><title>t</title><meta name="dd-trace-id" content="1"></head>`, existing},
		{"upper-case name and value", `<HTML><HEAD><TITLE>t</TITLE><META NAME="SENTRY-TRACE" CONTENT="x"></HEAD>`, existing},
		{"no head tag", `<!doctype html><title>t</title>` + ownTags + `<p>b`, existing},
		{"meta after </head>, put back into the head", `<html><head><title>t</title></head>` + "\n" + ownTags + `<body>b`, existing},
		{"first name attribute wins", `<html><head><title>t</title><meta name="description" name="sentry-trace" content="x"></head><body>`, injected},
		{"second name attribute of a trace meta", `<html><head><title>t</title><meta name="sentry-trace" name="description" content="x"></head><body>`, existing},

		{"no own tags", `<!doctype html><html><head><title>t</title><script src="a.js"></script></head><body>b</body></html>`, injected},
		{"in a comment", `<html><head><title>t</title><!-- ` + ownTags + ` --></head><body>`, injected},
		{"in a script", `<html><head><script>document.write('` + ownTags + `')</script></head><body>`, injected},
		{"in a script with a fake end tag", `<html><head><script>var s = "</scripts>` + ownTags + `";</script></head><body>`, injected},
		{"in a style", `<html><head><style>/* ` + ownTags + ` */</style></head><body>`, injected},
		{"in a title", `<html><head><title>` + ownTags + `</title></head><body>`, injected},
		{"in a noscript", `<html><head><link rel="x"><noscript>` + ownTags + `</noscript></head><body>`, injected},
		{"in a template", `<html><head><title>t</title><template><div>` + ownTags + `</div></template></head><body>`, injected},
		{"in a nested template", `<html><head><title>t</title><template><template></template>` + ownTags + `</template></head><body>`, injected},
		{"in an attribute value", `<html><head><title>t</title><link rel="x" data-x='` + ownTags + `'></head><body>`, injected},
		{"another meta name", `<html><head><title>t</title><meta name="sentry-traces" content="x"><meta name=" sentry-trace" content="x"></head><body>`, injected},
		{"in the body", `<html><head><title>t</title></head><body>` + ownTags + `</body></html>`, injected},
		{"after <header> in the body", `<html><head><title>t</title></head><header>h</header>` + ownTags, injected},
		{"a custom element ends the head", `<html><head><title>t</title><my-element></my-element>` + ownTags, injected},
		{"text ends the head", `<html><head><title>t</title>hello` + ownTags, injected},
		{"noscript after </head> is the body's", `<html><head><title>t</title></head><noscript></noscript>` + ownTags, injected},
		{"the page ends in the head", `<html><head><title>t</title><link rel="x">`, injected},
		{"fragment", `<div>` + ownTags + `</div>`, inject.ReasonFragment},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := writeWhole(t, tt.in, inject.WithExistingTags())
			checkInvariants(t, tt.in, got)
			require.Equal(t, tt.want, got.reason, "output: %q", got.out)
			require.Equal(t, tt.want == existing, oracleHasOwnTags(tt.in), "the case disagrees with x/net/html")
			if tt.want == injected {
				// The same insertion point as without the option.
				require.Equal(t, writeWhole(t, tt.in), got)
			}
			bytewise := make([]int, len(tt.in))
			for i := range bytewise {
				bytewise[i] = 1
			}
			require.Equal(t, got, runWriter(t, tt.in, bytewise, true, inject.WithExistingTags()), "flushed after every byte")
		})
	}
}

// TestWriterExistingTagsLookahead checks the bound: a head longer than the
// lookahead gets the tags at the insertion point, and the Writer never holds
// more than the lookahead.
func TestWriterExistingTagsLookahead(t *testing.T) {
	in := `<html><head><title>t</title>` + strings.Repeat(`<link rel="x">`, 100) + ownTags + `</head><body>`
	got := writeWhole(t, in, inject.WithExistingTags(), inject.WithLookahead(512))
	require.Equal(t, inject.StatusInjected, got.status)
	require.Equal(t, writeWhole(t, in, inject.WithLookahead(512)).out, got.out)

	got = writeWhole(t, in, inject.WithExistingTags(), inject.WithLookahead(4096))
	require.Equal(t, inject.ReasonExistingTags, got.reason)

	// Held bytes: those from the insertion point on, up to the lookahead.
	var dst recordingDst
	w := inject.NewWriter(&dst, []byte(testTags), inject.WithExistingTags(), inject.WithLookahead(512), inject.WithContentType("text/html; charset=utf-8"))
	head := `<html><head><title>t</title>`
	_, err := w.Write([]byte(head))
	require.NoError(t, err)
	require.Equal(t, `<html><head>`, dst.String(), "the bytes before the insertion point go out at once")
	for range 100 {
		_, err = w.Write([]byte(`<link rel="x">`))
		require.NoError(t, err)
		require.LessOrEqual(t, 0, dst.Len())
	}
	require.Equal(t, inject.StatusInjected, w.Status())
	require.NoError(t, w.Close())
	require.Equal(t, writeWhole(t, head+strings.Repeat(`<link rel="x">`, 100), inject.WithContentType("text/html; charset=utf-8")).out, dst.String())
}

// TestWriterExistingTagsFlush checks that a Flush while the head is read
// flushes the bytes before the insertion point at once, and the rest as soon
// as the Writer decides.
func TestWriterExistingTagsFlush(t *testing.T) {
	var dst recordingDst
	w := inject.NewWriter(&dst, []byte(testTags), inject.WithExistingTags(), inject.WithContentType("text/html; charset=utf-8"))
	write := func(s string) {
		t.Helper()
		_, err := w.Write([]byte(s))
		require.NoError(t, err)
	}
	write(`<!doctype html><html><head><title>streamed</title>`)
	require.NoError(t, w.Flush())
	require.Equal(t, 1, dst.flushes)
	require.Equal(t, `<!doctype html><html><head>`, dst.String())
	write(`<script src="/app.js"></script>`)
	require.Equal(t, 1, dst.flushes, "no decision yet")
	write(`</head><body><header>`)
	require.Equal(t, inject.StatusInjected, w.Status())
	require.Equal(t, 2, dst.flushes, "the flush is answered at the decision")
	require.Equal(t, `<!doctype html><html><head>`+testTags+`<title>streamed</title><script src="/app.js"></script></head><body><header>`, dst.String())
	require.NoError(t, w.Close())
	require.Equal(t, 2, dst.flushes)
}

// TestWriterExistingTagsDifferential runs WithExistingTags over every
// document of the differential tests, and each with a set of tags of its own
// put in at random places: x/net/html says whether the head then has tags of
// its own (metas in the head outside templates), and the Writer must agree:
// the page untouched when it does, else the same output as without the
// option, whatever the split and flushes.
func TestWriterExistingTagsDifferential(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	var docs []testDoc
	for _, d := range append(html5libDocuments(t), corpusDocuments(t)...) {
		docs = append(docs, d)
		for i := range 3 {
			at := rng.IntN(min(len(d.data), 4096) + 1)
			if i == 0 {
				// Right after the insertion point, where an app puts them.
				if k := strings.Index(strings.ToLower(d.data), "<head>"); k >= 0 {
					at = k + len("<head>")
				}
			}
			docs = append(docs, testDoc{fmt.Sprintf("%s+own@%d", d.name, at), d.data[:at] + ownTags + d.data[at:]})
		}
	}
	counts := map[string]int{}
	for _, doc := range docs {
		got := writeWhole(t, doc.data, inject.WithExistingTags())
		checkInvariants(t, doc.data, got)
		if oracleHasOwnTags(doc.data) {
			// Untouched: for the page's own tags, or for what makes
			// the Writer skip it without the option (a fragment).
			require.Equal(t, inject.StatusSkipped, got.status, "%s: x/net/html finds tags in the head\n%q", doc.name, doc.data)
			if without := writeWhole(t, doc.data); without.status == inject.StatusInjected {
				require.Equal(t, inject.ReasonExistingTags, got.reason, doc.name)
			}
			counts["skipped "+got.reason.String()]++
		} else {
			want := writeWhole(t, doc.data)
			require.Equal(t, want, got, "%s: x/net/html finds no tags in the head\n%q", doc.name, doc.data)
			counts[got.status.String()+" "+got.reason.String()]++
		}
		chunks := randomChunks(rng, len(doc.data))
		require.Equal(t, got, runWriter(t, doc.data, chunks, true, inject.WithExistingTags()), "%s split into %v, each flushed", doc.name, chunks)
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	t.Logf("%d documents", len(docs))
	for _, k := range keys {
		t.Logf("  %s: %d", k, counts[k])
	}
}

// oracleHasOwnTags reports whether x/net/html, parsing doc as a browser
// with scripting does, puts a trace meta tag into the head, outside any
// template.
func oracleHasOwnTags(doc string) bool {
	root, err := html.Parse(strings.NewReader(strings.TrimPrefix(doc, "\uFEFF")))
	if err != nil {
		return false
	}
	head := findHead(root)
	if head == nil {
		return false
	}
	var found func(n *html.Node) bool
	found = func(n *html.Node) bool {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode || c.Namespace != "" {
				continue
			}
			switch c.DataAtom {
			case atom.Template:
				continue
			case atom.Meta:
				switch strings.ToLower(attrVal(c, "name")) {
				case "sentry-trace", "baggage", "traceparent", "dd-trace-id":
					return true
				}
			}
			if found(c) {
				return true
			}
		}
		return false
	}
	return found(head)
}
