package rewrite

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/PuerkitoBio/goquery"
	tdhtml "github.com/tdewolff/parse/v2/html"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/tdewolff/parse/v2"
)

// headTag is what the string-matching peers look for.
var headTag = []byte("<head>")

// ChunkReplace replaces the first "<head>" of every chunk, as Sentry's
// SvelteKit handle hook does with html.replace('<head>', ...) in
// transformPageChunk.
var ChunkReplace = Impl{
	Name:    "chunk-replace",
	Desc:    "per-chunk replace of the first `<head>` (Sentry's SvelteKit handler, `addSentryCodeToPage`)",
	Streams: true,
	New: func(dst io.Writer, tags []byte) Rewriter {
		return &chunkReplace{dst: dst, tags: tags}
	},
}

type chunkReplace struct {
	dst  io.Writer
	tags []byte
}

func (c *chunkReplace) Write(p []byte) (int, error) {
	i := bytes.Index(p, headTag)
	if i < 0 {
		return c.dst.Write(p)
	}
	// Three writes rather than bytes.Replace's copy of the chunk.
	at := i + len(headTag)
	if _, err := c.dst.Write(p[:at]); err != nil {
		return 0, err
	}
	if _, err := c.dst.Write(c.tags); err != nil {
		return at, err
	}
	n, err := c.dst.Write(p[at:])
	return at + n, err
}

func (c *chunkReplace) Flush() error { return nil }
func (c *chunkReplace) Close() error { return nil }

// BufferReplace buffers the whole body and replaces the first "<head>" with
// bytes.Replace: the usual hand-rolled Go middleware.
var BufferReplace = Impl{
	Name: "buffer-replace",
	Desc: "buffers the whole body, then `bytes.Replace(body, \"<head>\", \"<head>\"+tags, 1)` (the common hand-rolled middleware)",
	New: func(dst io.Writer, tags []byte) Rewriter {
		return &bufferReplace{buffered{dst: dst, tags: tags}}
	},
}

type bufferReplace struct{ buffered }

func (b *bufferReplace) Close() error {
	with := append(append([]byte(nil), headTag...), b.tags...)
	_, err := b.dst.Write(bytes.Replace(b.buf.Bytes(), headTag, with, 1))
	return err
}

// TokenizerStream rewrites with x/net/html's Tokenizer: every token's raw
// bytes are copied out, and the tags follow the first <head> start tag. The
// Tokenizer pulls from an io.Reader, so a push-style writer feeds it through
// an io.Pipe and a goroutine.
var TokenizerStream = Impl{
	Name:    "xnet-tokenizer",
	Desc:    "x/net/html Tokenizer stream rewrite: Next + Raw copy of every token, tags after the `<head>` start tag (io.Pipe + goroutine)",
	Streams: true,
	New: func(dst io.Writer, tags []byte) Rewriter {
		pr, pw := io.Pipe()
		t := &tokenizerStream{pw: pw, done: make(chan error, 1)}
		go func() {
			err := tokenize(dst, pr, tags)
			// Unblock a Write waiting on a reader that has stopped.
			pr.CloseWithError(err)
			t.done <- err
		}()
		return t
	},
}

type tokenizerStream struct {
	pw   *io.PipeWriter
	done chan error
}

func (t *tokenizerStream) Write(p []byte) (int, error) { return t.pw.Write(p) }

// Flush cannot push out the bytes the Tokenizer holds for an unfinished
// token, nor wait for the goroutine to write the finished ones: the pipe only
// says they were read.
func (t *tokenizerStream) Flush() error { return nil }

func (t *tokenizerStream) Close() error {
	_ = t.pw.Close()
	return <-t.done
}

func tokenize(dst io.Writer, r io.Reader, tags []byte) error {
	z := html.NewTokenizer(r)
	injected := false
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			if err := z.Err(); !errors.Is(err, io.EOF) {
				return fmt.Errorf("tokenize: %w", err)
			}
			return nil
		}
		if _, err := dst.Write(z.Raw()); err != nil {
			return err
		}
		if !injected && tt == html.StartTagToken {
			if name, _ := z.TagName(); atom.Lookup(name) == atom.Head {
				injected = true
				if _, err := dst.Write(tags); err != nil {
					return err
				}
			}
		}
	}
}

// LexerStream rewrites with the tdewolff/parse/v2 HTML lexer, the lexer
// behind tdewolff/minify. Its parse.Input reads the whole input before
// lexing (io.ReadAll), so the body is buffered; the lexer then runs over all
// of it, and the spans between the tags are copied out.
var LexerStream = Impl{
	Name: "tdewolff-lexer",
	Desc: "tdewolff/parse/v2 html.Lexer rewrite: lexes the whole body (parse.Input needs all of it), copies the spans, tags after the `<head ...>` start tag",
	New: func(dst io.Writer, tags []byte) Rewriter {
		return &lexerStream{buffered{dst: dst, tags: tags}}
	},
}

type lexerStream struct{ buffered }

func (l *lexerStream) Close() error {
	in := parse.NewInputBytes(l.buf.Bytes())
	defer in.Restore()
	lx := tdhtml.NewLexer(in)
	body := in.Bytes()
	written, inHead, injected := 0, false, false
	for {
		tt, _ := lx.Next()
		switch tt {
		case tdhtml.ErrorToken:
			if err := lx.Err(); !errors.Is(err, io.EOF) {
				return fmt.Errorf("lex: %w", err)
			}
			_, err := l.dst.Write(body[written:])
			return err
		case tdhtml.StartTagToken:
			inHead = !injected && string(lx.Text()) == "head"
		case tdhtml.StartTagCloseToken, tdhtml.StartTagVoidToken:
			if inHead {
				inHead, injected = false, true
				at := in.Offset()
				if _, err := l.dst.Write(body[written:at]); err != nil {
					return err
				}
				if _, err := l.dst.Write(l.tags); err != nil {
					return err
				}
				written = at
			}
		}
	}
}

// DOM parses the body with x/net/html, inserts the tags as the first
// children of the head element, and renders the tree.
var DOM = Impl{
	Name: "xnet-dom",
	Desc: "x/net/html `Parse`, tags parsed with `ParseFragment` and inserted first in head, `Render`",
	New: func(dst io.Writer, tags []byte) Rewriter {
		return &domRewrite{buffered{dst: dst, tags: tags}}
	},
}

type domRewrite struct{ buffered }

func (d *domRewrite) Close() error {
	doc, err := html.Parse(&d.buf)
	if err != nil {
		return fmt.Errorf("parse: %w", err)
	}
	if head := findHead(doc); head != nil {
		nodes, err := html.ParseFragment(bytes.NewReader(d.tags), head)
		if err != nil {
			return fmt.Errorf("parse tags: %w", err)
		}
		first := head.FirstChild
		for _, n := range nodes {
			head.InsertBefore(n, first)
		}
	}
	return html.Render(d.dst, doc)
}

// findHead returns the head element the parser made (it always makes one).
func findHead(n *html.Node) *html.Node {
	for c := range n.Descendants() {
		if c.Type == html.ElementNode && c.DataAtom == atom.Head {
			return c
		}
	}
	return nil
}

// Goquery loads the body into a goquery Document, prepends the tags to head
// and renders the document with Html.
var Goquery = Impl{
	Name: "goquery",
	Desc: "goquery `NewDocumentFromReader`, `Find(\"head\").PrependHtml(tags)`, `Html()`",
	New: func(dst io.Writer, tags []byte) Rewriter {
		return &goqueryRewrite{buffered{dst: dst, tags: tags}}
	},
}

type goqueryRewrite struct{ buffered }

func (g *goqueryRewrite) Close() error {
	doc, err := goquery.NewDocumentFromReader(&g.buf)
	if err != nil {
		return fmt.Errorf("goquery: %w", err)
	}
	doc.Find("head").PrependHtml(string(g.tags))
	out, err := doc.Html()
	if err != nil {
		return fmt.Errorf("goquery: %w", err)
	}
	_, err = io.WriteString(g.dst, out)
	return err
}

// buffered is the shell of the peers that need the whole body before they
// can rewrite it: Write collects, Flush cannot send anything early, and
// Close (each peer's own) rewrites buf into dst.
type buffered struct {
	dst  io.Writer
	tags []byte
	buf  bytes.Buffer
}

func (b *buffered) Write(p []byte) (int, error) { return b.buf.Write(p) }
func (b *buffered) Flush() error                { return nil }
