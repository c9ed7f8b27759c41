package inject_test

import (
	"bytes"
	"fmt"
	"golang.org/x/net/html/charset"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"github.com/tracemeta/tracemeta/inject"
)

// testTags are the tags the tests insert: two elements, so that a test also
// sees them stay together, with a name no test document uses.
const testTags = `<meta name="tracemeta-test" content="1"><meta name="tracemeta-test" content="2">`

// writeResult is what a Writer made of a document.
type writeResult struct {
	out      string
	status   inject.Status
	reason   inject.Reason
	inserted int
}

// run writes in through a new Writer in the chunks that split gives, calling
// Flush after every chunk when flush is set, then closes it.
func runWriter(t testing.TB, in string, chunks []int, flush bool, opts ...inject.WriterOption) writeResult {
	t.Helper()
	var out bytes.Buffer
	w := inject.NewWriter(&out, []byte(testTags), opts...)
	rest := in
	for _, n := range chunks {
		n = min(n, len(rest))
		k, err := w.Write([]byte(rest[:n]))
		require.NoError(t, err)
		require.Equal(t, n, k)
		rest = rest[n:]
		if flush {
			require.NoError(t, w.Flush())
		}
	}
	if rest != "" {
		_, err := w.Write([]byte(rest))
		require.NoError(t, err)
	}
	require.NoError(t, w.Close())
	return writeResult{out.String(), w.Status(), w.Reason(), w.Inserted()}
}

// whole writes in in one Write.
func writeWhole(t testing.TB, in string, opts ...inject.WriterOption) writeResult {
	t.Helper()
	return runWriter(t, in, nil, false, opts...)
}

// bytewise writes in one byte at a time.
func writeBytewise(t testing.TB, in string, opts ...inject.WriterOption) writeResult {
	t.Helper()
	chunks := make([]int, len(in))
	for i := range chunks {
		chunks[i] = 1
	}
	return runWriter(t, in, chunks, false, opts...)
}

// randomChunks splits n bytes into random chunks.
func randomChunks(r *rand.Rand, n int) []int {
	var chunks []int
	for n > 0 {
		k := 1 + r.IntN(min(n, 1+r.IntN(64)))
		chunks = append(chunks, k)
		n -= k
	}
	return chunks
}

// splitInsertion finds where tags were inserted into in to give out: the
// offset k with out == in[:k]+tags+in[k:]. It reports false when out is not
// in with tags inserted once.
func splitInsertion(in, out, tags string) (int, bool) {
	if len(out) != len(in)+len(tags) {
		return 0, false
	}
	k := 0
	for k < len(in) && in[k] == out[k] {
		k++
	}
	for j := k; j >= 0; j-- {
		if out[j:j+len(tags)] == tags && out[j+len(tags):] == in[j:] && out[:j] == in[:j] {
			return j, true
		}
	}
	return 0, false
}

// checkInvariants checks what holds for every document: skipped, the output
// is the input; injected, it is the input with testTags inserted once; and
// the tags, parsed by x/net/html, sit in the head of an otherwise identical
// document.
func checkInvariants(t testing.TB, in string, res writeResult) {
	t.Helper()
	switch res.status {
	case inject.StatusSkipped:
		require.Equal(t, in, res.out, "a skipped document passes through untouched")
		require.Zero(t, res.inserted)
		require.NotEqual(t, inject.ReasonNone, res.reason)
	case inject.StatusInjected:
		require.Equal(t, inject.ReasonNone, res.reason)
		require.Equal(t, len(testTags), res.inserted)
		_, ok := splitInsertion(in, res.out, testTags)
		require.True(t, ok, "the output is the input with the tags inserted once:\n in: %q\nout: %q", in, res.out)
		require.NoError(t, oracleCheck(in, res.out))
	default:
		t.Fatalf("status after Close is %v", res.status)
	}
}

// oracleCheck parses in and out with x/net/html and reports how they differ
// beyond out's tags, which must be elements of the head.
func oracleCheck(in, out string) error {
	docIn, err := html.Parse(strings.NewReader(strings.TrimPrefix(in, "\uFEFF")))
	if err != nil {
		return err
	}
	docOut, err := html.Parse(strings.NewReader(strings.TrimPrefix(out, "\uFEFF")))
	if err != nil {
		return err
	}
	head := findHead(docOut)
	var found []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if n.Type == html.ElementNode && n.Data == "meta" && attrVal(n, "name") == "tracemeta-test" {
			found = append(found, n)
		}
	}
	walk(docOut)
	if len(found) != 2 {
		return fmt.Errorf("oracle: %d tag elements in the output, want 2", len(found))
	}
	for _, n := range found {
		if head == nil || n.Parent != head {
			return fmt.Errorf("oracle: a tag element is in <%s>, not in the head", parentName(n))
		}
	}
	if found[0].NextSibling != found[1] {
		return fmt.Errorf("oracle: the tag elements are not adjacent")
	}
	for _, n := range found {
		n.Parent.RemoveChild(n)
	}
	if a, b := dumpTree(docIn), dumpTree(docOut); a != b {
		return fmt.Errorf("oracle: the documents differ beyond the tags:\n--- in\n%s--- out\n%s", a, b)
	}
	return nil
}

func parentName(n *html.Node) string {
	if n.Parent == nil || n.Parent.Type != html.ElementNode {
		return "#document"
	}
	return n.Parent.Data
}

// findHead returns the head element of a parsed document.
func findHead(doc *html.Node) *html.Node {
	for c := doc.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.Data == "html" {
			for h := c.FirstChild; h != nil; h = h.NextSibling {
				if h.Type == html.ElementNode && h.Data == "head" && h.Namespace == "" {
					return h
				}
			}
		}
	}
	return nil
}

func attrVal(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key && a.Namespace == "" {
			return a.Val
		}
	}
	return ""
}

// dump writes the tree in the html5lib test format, roughly: enough to tell
// two trees apart.
func dumpTree(doc *html.Node) string {
	var b strings.Builder
	var walk func(n *html.Node, depth int)
	walk = func(n *html.Node, depth int) {
		b.WriteString(strings.Repeat("  ", depth))
		switch n.Type {
		case html.DocumentNode:
			b.WriteString("#document")
		case html.ElementNode:
			fmt.Fprintf(&b, "<%s %s>", n.Namespace, n.Data)
			attrs := make([]string, 0, len(n.Attr))
			for _, a := range n.Attr {
				attrs = append(attrs, fmt.Sprintf("%s:%s=%q", a.Namespace, a.Key, a.Val))
			}
			sort.Strings(attrs)
			b.WriteString(strings.Join(attrs, " "))
		case html.TextNode:
			fmt.Fprintf(&b, "%q", n.Data)
		case html.CommentNode:
			fmt.Fprintf(&b, "<!-- %q -->", n.Data)
		case html.DoctypeNode:
			fmt.Fprintf(&b, "<!DOCTYPE %q %v>", n.Data, n.Attr)
		default:
			fmt.Fprintf(&b, "node %d %q", n.Type, n.Data)
		}
		b.WriteByte('\n')
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, depth+1)
		}
	}
	walk(doc, 0)
	return b.String()
}

// recordingDst records the calls a Writer makes to its destination.
type recordingDst struct {
	bytes.Buffer
	writes  int
	flushes int
	last    []byte // the slice of the last Write
}

func (r *recordingDst) Write(p []byte) (int, error) {
	r.writes++
	r.last = p
	return r.Buffer.Write(p)
}

func (r *recordingDst) Flush() { r.flushes++ }

// encodingName is the name of the encoding a browser reads doc in when the
// Content-Type names no charset, by x/net/html/charset's prescan.
func encodingName(doc []byte) string {
	_, name, _ := charset.DetermineEncoding(doc, "text/html")
	return name
}
