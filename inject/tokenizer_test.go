package inject

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"
)

// token is a token as both tokenizers can describe it.
type token struct {
	kind    tokenKind
	raw     string
	name    string // lower-cased tag name; "…" when longer than maxName
	charset bool   // a start tag with a charset or http-equiv attribute

	start, end int // while building the list: the offsets of raw in the input
}

func (t token) String() string {
	return fmt.Sprintf("%v %q name=%q charset=%v", t.kind, t.raw, t.name, t.charset)
}

// rawTextElements are the elements after whose start tag x/net/html reads
// raw text, which our tokenizer does not: the comparison stops there.
var rawTextElements = map[string]bool{
	"iframe": true, "noembed": true, "noframes": true, "noscript": true, "plaintext": true,
	"script": true, "style": true, "textarea": true, "title": true, "xmp": true,
}

// appendToken appends t, the token at in[start:end], to toks, merging
// adjacent text. Until finishTokens, raw holds nothing and end says where
// the token ends.
func appendToken(toks []token, t token, start, end int) []token {
	if t.kind == kindText && len(toks) > 0 && toks[len(toks)-1].kind == kindText {
		toks[len(toks)-1].end = end
		return toks
	}
	t.start, t.end = start, end
	return append(toks, t)
}

// finishTokens sets the raw bytes of toks, read from in.
func finishTokens(toks []token, in []byte) []token {
	for i := range toks {
		toks[i].raw = string(in[toks[i].start:toks[i].end])
		toks[i].start, toks[i].end = 0, 0
	}
	return toks
}

// rawName returns the lower-cased name of the tag whose raw bytes are raw,
// whole, as x/net/html's readTagName delimits it.
func rawName(raw string, end bool) string {
	name := raw[1:]
	if end {
		name = raw[2:]
	}
	if i := strings.IndexAny(name, " \n\r\t\f/>"); i >= 0 {
		name = name[:i]
	}
	b := []byte(name)
	for i, c := range b {
		b[i] = lower(c)
	}
	return string(b)
}

// ourTokens tokenizes in, fed in the given chunk sizes (the rest at once),
// with our tokenizer, up to and including the first start tag of a raw text
// element.
func ourTokens(in []byte, chunks ...int) []token {
	z := tokenizer{reportSpace: true}
	var toks []token
	feed := func(p []byte) bool {
		for len(p) > 0 {
			n, ev := z.next(p)
			p = p[n:]
			switch ev {
			case evSpace, evText:
				toks = appendToken(toks, token{kind: kindText}, int(z.start), int(z.pos))
			case evEnd:
				t := token{kind: z.kind}
				raw := string(in[z.start:z.pos])
				if z.kind == kindStartTag || z.kind == kindEndTag {
					t.name = "…"
					if z.nameLen <= maxName {
						// x/net/html's TagName replaces NUL.
						t.name = strings.ReplaceAll(string(z.name[:z.nameLen]), "\x00", "\uFFFD")
					}
					t.charset = z.charset
				}
				toks = appendToken(toks, t, int(z.start), int(z.pos))
				if z.kind == kindStartTag && rawTextElements[rawName(raw, false)] {
					return false
				}
			}
		}
		return true
	}
	rest := in
	for _, c := range append(chunks, len(in)) {
		c = min(c, len(rest))
		if !feed(rest[:c]) {
			return finishTokens(toks, in)
		}
		rest = rest[c:]
	}
	switch k := z.eof(); k {
	case kindText, kindComment, kindDoctype:
		toks = appendToken(toks, token{kind: k}, int(z.start), len(in))
	}
	return finishTokens(toks, in)
}

// theirTokens tokenizes in with x/net/html's tokenizer, up to and including
// the first start tag of a raw text element.
func theirTokens(in []byte) []token {
	z := html.NewTokenizer(bytes.NewReader(in))
	var toks []token
	for pos := 0; ; {
		tt := z.Next()
		raw := string(z.Raw())
		var t token
		switch tt {
		case html.ErrorToken:
			return finishTokens(toks, in)
		case html.TextToken:
			t.kind = kindText
		case html.CommentToken:
			t.kind = kindComment
		case html.DoctypeToken:
			t.kind = kindDoctype
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			t.kind = kindStartTag
			if tt == html.EndTagToken {
				t.kind = kindEndTag
			}
			name, more := z.TagName()
			t.name = string(name)
			if len(rawName(raw, tt == html.EndTagToken)) > maxName {
				t.name = "…"
			}
			for more && tt != html.EndTagToken {
				var key []byte
				key, _, more = z.TagAttr()
				if k := string(key); k == "charset" || k == "http-equiv" {
					t.charset = true
				}
			}
		}
		toks = appendToken(toks, t, pos, pos+len(raw))
		pos += len(raw)
		if t.kind == kindStartTag && rawTextElements[rawName(raw, false)] {
			return finishTokens(toks, in)
		}
	}
}

// checkTokens compares our tokenizer with x/net/html's on in, read whole,
// byte by byte and split in two.
func checkTokens(t *testing.T, in []byte) {
	t.Helper()
	want := theirTokens(in)
	require.Equal(t, want, ourTokens(in), "input %q", in)
	if len(in) > 4096 {
		return
	}
	ones := make([]int, len(in))
	for i := range ones {
		ones[i] = 1
	}
	require.Equal(t, want, ourTokens(in, ones...), "input %q, byte by byte", in)
	require.Equal(t, want, ourTokens(in, len(in)/3, len(in)/3), "input %q, in three", in)
}

var tokenizerTests = []struct {
	name string
	in   string
}{
	{"text", "hello"},
	{"tags", `<a href="x">y</a><br/><img src=a.png alt='>'>`},
	{"attributes", `<meta charset=utf-8><META HTTP-EQUIV=refresh><meta name=charset><meta x-charset=1 charsetx=2>`},
	{"attribute edge cases", `<a =b c==d e = "f" g/h/=i j k=/ l='m'n o="p"q>`},
	{"unquoted value with quotes", `<a b=c"d'e<f>`},
	{"comments", `<!--a--><!----><!--><!---><!-- -- --><!-- --!><!-- --!-><!-- --!x-->`},
	{"comment dash runs", `<!-----><!-- - --><!-- --- -x-->`},
	{"bogus comments", `<!x><!-x><?php?></ x></1></>`},
	{"doctypes", `<!DOCTYPE html><!doctype><!DocTypeX y><!DOCTYPE a "b>c">`},
	{"doctype cases", "<!DoCtYpE html><!doctype\nhtml PUBLIC \"a>b\"><!DOCTYPE><!DOCTYPE\x00>"},
	{"doctype near misses", "<!DOCTYP><!doctypf html><!@OCTYPE><!D\xc3\x8fCTYPE><!DOC\x14YPE><!-DOCTYPE><!\x04octype>"},
	{"doctype without its >", "<!DOCTYPE html PUBLIC"},
	{"cdata", `<![CDATA[<a>]]>`},
	{"lone <", `a < b <1 <<a> <`},
	{"end tag open at the end", `x</`},
	{"markup at the end", `<!`},
	{"markup dash at the end", `<!-`},
	{"doctype keyword at the end", `<!DOCT`},
	{"doctype at the end", `<!DOCTYPE html`},
	{"comment at the end", `<!-- x -`},
	{"tag at the end", `<a b="c`},
	{"end tag at the end", `</a`},
	{"NUL", "<a\x00b c\x00=d>\x00</a\x00>"},
	{"raw text stops the comparison", "<title><a></title>"},
	{"long names", "<abcdefghij><ABCDEFGH></abcdefghijk>"},
	{"whitespace", " \t\r\n\f<a\t\r\n\fb\f=\nc\r>"},
	{"self-closing", "<head/><meta charset=x/><meta charset=x />"},
}

func TestTokenizer(t *testing.T) {
	for _, tt := range tokenizerTests {
		t.Run(tt.name, func(t *testing.T) { checkTokens(t, []byte(tt.in)) })
	}
}

// TestTokenizerDifferential compares the tokenizer with x/net/html's on
// every html5lib tree-construction document and the corpus.
func TestTokenizerDifferential(t *testing.T) {
	for _, doc := range tokenizerCorpus(t) {
		t.Run(doc, func(t *testing.T) {
			b, err := os.ReadFile(doc)
			require.NoError(t, err)
			if filepath.Ext(doc) != ".dat" {
				checkTokens(t, b)
				return
			}
			for _, in := range datDocuments(b) {
				checkTokens(t, in)
			}
		})
	}
}

func tokenizerCorpus(t *testing.T) []string {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "golang.org/x/net").Output()
	require.NoError(t, err)
	root := filepath.Join(strings.TrimSpace(string(out)), "html", "testdata")
	var files []string
	for _, pattern := range []string{
		filepath.Join(root, "html5lib-tests", "tree-construction", "*.dat"),
		filepath.Join(root, "html5lib-tests", "tree-construction", "scripted", "*.dat"),
		filepath.Join(root, "go", "*.dat"),
		filepath.Join("testdata", "corpus", "*.*html"),
	} {
		m, err := filepath.Glob(pattern)
		require.NoError(t, err)
		files = append(files, m...)
	}
	require.Greater(t, len(files), 50)
	return files
}

// datDocuments returns the #data sections of an html5lib .dat file.
func datDocuments(b []byte) [][]byte {
	var docs [][]byte
	var cur bytes.Buffer
	in := false
	r := bufio.NewReader(bytes.NewReader(b))
	for {
		line, err := r.ReadString('\n')
		switch {
		case line == "#data\n":
			in = true
			cur.Reset()
		case in && strings.HasPrefix(line, "#errors"):
			in = false
			docs = append(docs, bytes.TrimSuffix(bytes.Clone(cur.Bytes()), []byte("\n")))
		case in:
			cur.WriteString(line)
		}
		if err == io.EOF {
			return docs
		}
	}
}

// FuzzTokenizer checks that the tokenizer reads any input as x/net/html's
// does (token types, raw bytes, tag names, charset attributes), whole, byte
// by byte and split in three.
func FuzzTokenizer(f *testing.F) {
	for _, tt := range tokenizerTests {
		f.Add([]byte(tt.in))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		checkTokens(t, in)
	})
}

func TestStateString(t *testing.T) {
	seen := map[string]bool{}
	for s := range numStates {
		name := s.String()
		assert.NotEmpty(t, name)
		assert.False(t, seen[name], "two states named %q", name)
		seen[name] = true
	}
	assert.Equal(t, "data", stData.String())
	assert.Equal(t, "lexState(200)", lexState(200).String())
	for k, name := range map[tokenKind]string{kindNone: "none", kindText: "text", kindStartTag: "start tag", kindEndTag: "end tag", kindComment: "comment", kindDoctype: "doctype"} {
		assert.Equal(t, name, k.String())
	}
	assert.Equal(t, "tokenKind(99)", tokenKind(99).String())
}

// TestTokenizerCommentsExhaustive compares the end of comments with
// x/net/html's for every string of up to 6 bytes from "-!>x<" after "<!--"
// (and after "<!"), followed by "y".
func TestTokenizerCommentsExhaustive(t *testing.T) {
	const alphabet = "-!>x<"
	var gen func(prefix []byte, n int)
	gen = func(prefix []byte, n int) {
		for _, open := range []string{"<!--", "<!"} {
			in := append([]byte(open), prefix...)
			in = append(in, 'y')
			want := theirTokens(in)
			if got := ourTokens(in); !assert.Equal(t, want, got, "input %q", in) {
				t.FailNow()
			}
			ones := make([]int, len(in))
			for i := range ones {
				ones[i] = 1
			}
			if got := ourTokens(in, ones...); !assert.Equal(t, want, got, "input %q, byte by byte", in) {
				t.FailNow()
			}
		}
		if n == 0 {
			return
		}
		for i := range len(alphabet) {
			gen(append(prefix, alphabet[i]), n-1)
		}
	}
	gen(nil, 6)
}

// TestTokenizerTagsExhaustive compares tags with x/net/html's for every
// sequence of up to 5 pieces from a set that exercises every state of a tag
// (names, "=", quotes, "/", whitespace, ">" and a charset attribute), after
// "<meta" and "</b", followed by ">y": whole, the tag read in one go, and
// byte by byte, through the resumable states.
func TestTokenizerTagsExhaustive(t *testing.T) {
	pieces := []string{"a", " ", "=", "/", ">", "\"", "'", "Charset"}
	var gen func(prefix string, n int)
	gen = func(prefix string, n int) {
		for _, open := range []string{"<meta", "</b"} {
			in := []byte(open + prefix + ">y")
			want := theirTokens(in)
			if got := ourTokens(in); !assert.Equal(t, want, got, "input %q", in) {
				t.FailNow()
			}
			ones := make([]int, len(in))
			for i := range ones {
				ones[i] = 1
			}
			if got := ourTokens(in, ones...); !assert.Equal(t, want, got, "input %q, byte by byte", in) {
				t.FailNow()
			}
		}
		if n == 0 {
			return
		}
		for _, p := range pieces {
			gen(prefix+p, n-1)
		}
	}
	gen("", 5)
}

// tokenEvent is what one call of next reported, for TestQuietSpace.
type tokenEvent struct {
	ev         event
	kind       tokenKind
	start, pos int64
	name       string
	charset    bool
}

// events reads in with a tokenizer (quiet about whitespace or not) in chunks of size
// bytes, and returns every event but evSpace, and the final position.
func events(in []byte, size int, quiet bool) ([]tokenEvent, int64) {
	z := tokenizer{reportSpace: !quiet}
	var evs []tokenEvent
	for off := 0; off < len(in); off += size {
		p := in[off:min(off+size, len(in))]
		for len(p) > 0 {
			n, ev := z.next(p)
			p = p[n:]
			if ev == evNone || ev == evSpace {
				continue
			}
			e := tokenEvent{ev: ev, start: z.start, pos: z.pos}
			if ev == evEnd {
				e.kind, e.name, e.charset = z.kind, string(z.tagName()), z.charset
			}
			evs = append(evs, e)
		}
	}
	return evs, z.pos
}

// TestQuietSpace checks that a tokenizer that reads past whitespace reports
// every other event as one that stops for it, fed the same chunks (where
// text ends depends on them), whole, byte by byte and by three.
func TestQuietSpace(t *testing.T) {
	for _, tt := range tokenizerTests {
		t.Run(tt.name, func(t *testing.T) {
			in := []byte(tt.in)
			for _, size := range []int{len(in) + 1, 1, 3} {
				want, wantPos := events(in, size, false)
				got, gotPos := events(in, size, true)
				assert.Equal(t, want, got, "chunks of %d", size)
				assert.Equal(t, wantPos, gotPos, "chunks of %d", size)
			}
		})
	}
}

// TestDoctypeWord checks the constants with which readDoctype matches
// "<!DOCTYPE" in one compare, and that it matches every ASCII case of the
// keyword and no byte that is not one of its letters.
func TestDoctypeWord(t *testing.T) {
	require.Equal(t, binary.LittleEndian.Uint64([]byte("!"+strings.ToLower(doctypeKeyword))), uint64(doctypeWord))
	for i := range len(doctypeKeyword) {
		for c := range 256 {
			in := []byte("<!" + doctypeKeyword + ">")
			in[2+i] = byte(c)
			_, ok := readDoctype(in, 0)
			assert.Equal(t, lower(byte(c)) == lower(doctypeKeyword[i]), ok, "input %q", in)
		}
	}
	in := []byte("<!DOCTYPE>")
	in[1] = 0x01 // "!" without bit 5
	_, ok := readDoctype(in, 0)
	assert.False(t, ok, "input %q", in)
}

// TestLookupTag checks that lookupTag's switch and tagNames agree: every
// name finds its tagID, and a name that differs in a byte or in length is
// another element.
func TestLookupTag(t *testing.T) {
	lookup := func(s string) tagID {
		var z tokenizer
		z.nameLen = keepName(z.name[:], 0, []byte(s))
		return lookupTag(z.tagName())
	}
	for id := tagOther + 1; id < numTags; id++ {
		name := tagNames[id]
		assert.Equal(t, id, lookup(name), name)
		assert.Equal(t, id, lookup(strings.ToUpper(name)), name)
		assert.Equal(t, name, id.String())
		assert.Equal(t, tagOther, lookup(name[:len(name)-1]), name)
		assert.Equal(t, tagOther, lookup(name+"s"), name)
		b := []byte(name)
		b[0] ^= 1
		assert.Equal(t, tagOther, lookup(string(b)), name)
	}
	assert.Equal(t, tagOther, lookup("blockquote"))
	assert.Equal(t, "other", tagOther.String())
	assert.Equal(t, "other", numTags.String())
}
