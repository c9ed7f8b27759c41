// Package check judges a rewritten page: whether the trace meta tags are
// where the browser SDK looks for them, exactly once, with the page's own
// bytes untouched.
//
// A page is judged by parsing it with x/net/html, the HTML5 tree
// construction algorithm browsers run, so "in head" means what it means to
// document.querySelector('meta[name=sentry-trace]') at pageload.
package check

import (
	"bytes"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/tracemeta/tracemeta/benchmarks/internal/corpus"
)

// Verdict is the judgement of one rewritten page.
type Verdict string

// The verdicts, from right to most wrong.
const (
	// OK: the tags are in head, once, and the page's bytes are untouched.
	OK Verdict = "ok"
	// Reserialized: the tags are in head, once, but the page was parsed
	// and rendered again, so its bytes changed (quotes, entities, implied
	// tags added); a DOM rewrite always does this.
	Reserialized Verdict = "ok, page re-serialized"
	// Missed: no tags, though the page is a document.
	Missed Verdict = "missed"
	// Twice: the tag bytes were written more than once.
	Twice Verdict = "twice"
	// AsText: the tags are inside a comment, a script or another raw text
	// element, where no meta element is created.
	AsText Verdict = "inside comment/script"
	// InBody: the tags are meta elements, but in body, where the SDK does
	// not look first and the parser had to leave head.
	InBody Verdict = "in body"
	// CharsetMoved: the tags pushed the page's <meta charset> past the
	// first 1024 bytes, where browsers stop prescanning for it.
	CharsetMoved Verdict = "charset pushed past 1024 B"
	// DoctypeLost: the page lost its doctype (quirks mode).
	DoctypeLost Verdict = "doctype lost"
	// BytesChanged: the tags are in place, but other bytes of the page
	// changed.
	BytesChanged Verdict = "page bytes changed"
	// FragmentTouched: a fragment (htmx partial) was changed: tags
	// inserted, or it was rendered as a whole document.
	FragmentTouched Verdict = "fragment turned into a document"
)

// Judge returns the verdict on out, the rewritten form of in, a page of the
// given kind into which tags were to be inserted.
func Judge(in, out, tags []byte, kind corpus.Kind) Verdict {
	raw := bytes.Count(out, tags)
	if kind == corpus.KindFragment {
		if raw == 0 && bytes.Equal(in, out) {
			return OK
		}
		return FragmentTouched
	}
	// The tags as written, or as a DOM renderer writes them again.
	marks := bytes.Count(out, marker)
	switch {
	case marks == 0:
		return Missed
	case raw > 1 || marks > 1:
		return Twice
	}
	// Where the parser puts an element is settled when it reaches the
	// element, so the page up to the end of the tag is enough.
	at := bytes.Index(out, marker)
	end := bytes.IndexByte(out[at:], '>')
	if end < 0 {
		return AsText
	}
	elems, inHead := metaElements(out[:at+end+1])
	switch {
	case elems == 0:
		return AsText
	case inHead < elems:
		return InBody
	case hasDoctype(in) && !hasDoctype(out):
		return DoctypeLost
	case charsetEarly(in) && !charsetEarly(out):
		return CharsetMoved
	case raw == 1 && bytes.Equal(bytes.Replace(out, tags, nil, 1), in):
		return OK
	case raw == 0:
		// Tags written differently: the page was rendered from a tree.
		return Reserialized
	}
	return BytesChanged
}

// marker is in every sentry-trace meta tag, however it is rendered.
var marker = []byte(`name="sentry-trace"`)

// metaElements parses out and counts the sentry-trace meta elements, and
// those of them whose parent is the head element.
func metaElements(out []byte) (elems, inHead int) {
	doc, err := html.Parse(bytes.NewReader(bytes.TrimPrefix(out, bom)))
	if err != nil {
		return 0, 0
	}
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode || n.DataAtom != atom.Meta || attr(n, "name") != "sentry-trace" {
			continue
		}
		elems++
		if n.Parent != nil && n.Parent.DataAtom == atom.Head {
			inHead++
		}
	}
	return elems, inHead
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val
		}
	}
	return ""
}

var bom = []byte("\ufeff")

func hasDoctype(page []byte) bool {
	page = bytes.TrimLeft(bytes.TrimPrefix(page, bom), " \t\r\n\f")
	return len(page) >= 9 && strings.EqualFold(string(page[:9]), "<!doctype")
}

// charsetEarly reports whether a <meta charset> declaration starts within
// the first 1024 bytes (HTML5 §13.2.3.2, the encoding prescan), and ends
// there too.
func charsetEarly(page []byte) bool {
	i := bytes.Index(bytes.ToLower(page[:min(len(page), 64*1024)]), []byte("<meta charset"))
	if i < 0 {
		return false
	}
	end := bytes.IndexByte(page[i:], '>')
	return end >= 0 && i+end < 1024
}

// Summarize joins the verdicts of one method on one page over the write
// patterns it was replayed with: the verdict when they all agree, otherwise
// each verdict with the patterns that got it, as "ok (one); twice
// (2K-flush)".
func Summarize(patterns []corpus.Pattern, verdicts []Verdict) string {
	var order []Verdict
	by := map[Verdict][]string{}
	for i, v := range verdicts {
		if _, seen := by[v]; !seen {
			order = append(order, v)
		}
		by[v] = append(by[v], patterns[i].Name)
	}
	if len(order) == 1 {
		return string(order[0])
	}
	parts := make([]string, len(order))
	for i, v := range order {
		parts[i] = string(v) + " (" + strings.Join(by[v], ", ") + ")"
	}
	return strings.Join(parts, "; ")
}
