package inject

import (
	"context"
	"fmt"

	"github.com/tracemeta/tracemeta/render"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// DefaultLookahead is how many bytes of a document a [Writer] reads, by
// default, looking for the insertion point before it gives up and passes the
// document through untouched. New Relic's Python agent uses the same 64 KiB;
// a real page reaches its <head>, or its first element, far sooner.
const DefaultLookahead = 64 << 10

// writerConfig holds the settings of a Writer, and those the Middleware
// shares with its Writers.
type writerConfig struct {
	lookahead  int                 // bytes scanned for the insertion point before giving up; > 0
	source     tracecontext.Source // where the span is read from at the insertion point; never nil
	renderOpts []render.Option     // the options of the Renderer
	doc        documentConfig      // the per-document settings NewWriter gave, for its first document
	existing   bool                // WithExistingTags: read the whole head, and insert nothing when it has trace meta tags
	invalid    []error             // the options that were out of range and left at their default
	renderer   render.Renderer     // built by prepare from renderOpts
}

// prepare builds what the settings need once: the Renderer.
func (c *writerConfig) prepare() { c.renderer = render.New(c.renderOpts...) }

// newTokenizer returns the tokenizer a Writer with these settings starts a
// document with.
func (c *writerConfig) newTokenizer() tokenizer {
	return tokenizer{traceNames: c.existing}
}

func defaultWriterConfig() writerConfig {
	c := writerConfig{lookahead: DefaultLookahead, source: tracecontext.ContextSource()}
	c.prepare()
	return c
}

// setWriterConfig sets *c to the defaults with opts applied; nil options
// are skipped. It works in place: the options take c's address, which
// moves a local config to the heap.
func setWriterConfig(c *writerConfig, opts []WriterOption) {
	*c = defaultWriterConfig()
	for _, o := range opts {
		if o != nil {
			o.applyWriter(c)
		}
	}
}

// WithLookahead sets how many bytes of the document a [Writer] reads looking
// for the insertion point, at most, before it passes the document through
// untouched ([ReasonLookahead]); the [Middleware] gives it to its Writers. A
// Writer never holds more than that. n == 0 means [DefaultLookahead]; a
// negative n is invalid: [NewMiddleware] reports it, and the default is kept.
func WithLookahead(n int) SharedOption {
	return sharedOption(func(c *writerConfig) {
		switch {
		case n == 0:
			c.lookahead = DefaultLookahead
		case n < 0:
			c.invalid = append(c.invalid, fmt.Errorf("%w: lookahead %d", ErrInvalidOption, n))
		default:
			c.lookahead = n
		}
	})
}

// WithSource sets the Source the active span is read from when the tags are
// rendered at the insertion point: by the [Middleware], from each request's
// context, and by a [Writer] given [WithContext], from that context. The
// default is [tracecontext.ContextSource]; a nil src keeps it.
func WithSource(src tracecontext.Source) SharedOption {
	return sharedOption(func(c *writerConfig) {
		if src != nil {
			c.source = src
		}
	})
}

// WithRender sets the options of the [render.Renderer] the tags are rendered
// with at the insertion point, such as [render.WithFormats], by the
// [Middleware] and by a [Writer] given [WithContext]. The default renders
// [render.DefaultFormats] (sentry-trace and baggage). The Renderer is built
// once, by Middleware or NewWriter.
func WithRender(opts ...render.Option) SharedOption {
	opts = append([]render.Option(nil), opts...)
	return sharedOption(func(c *writerConfig) { c.renderOpts = opts })
}

// documentConfig holds the settings of one document of a Writer: given to
// NewWriter or Reset, never kept across Reset.
type documentConfig struct {
	ctx          context.Context // WithContext's: render the tags at the insertion point for its span; nil means the tags given
	charsetKnown bool            // the Content-Type names a charset: no charset meta to keep in the prescan
}

// DocumentOption configures one document of a [Writer]: given to
// [NewWriter], it holds for the first document; given to [Writer.Reset], for
// the next. A Reset without it forgets it, so that a pooled Writer never
// carries one request's settings, its trace among them, into the next.
type DocumentOption interface {
	WriterOption
	applyDocument(*documentConfig)
}

// documentOption is a DocumentOption.
type documentOption func(*documentConfig)

func (f documentOption) applyWriter(c *writerConfig)     { f(&c.doc) }
func (f documentOption) applyDocument(d *documentConfig) { f(d) }

// WithContentType tells a [Writer] the Content-Type the document is served
// with. When it names a charset, the browser does not look for a charset
// meta in the document, and the Writer puts the tags at the start of the
// head. Otherwise (the default, when the Content-Type is not known) it keeps
// a charset meta within the first 1024 bytes, which the browser's prescan
// reads, by putting the tags after it when it follows the head's first
// metas, links, titles or styles. The [Middleware] sets it from each
// response's headers itself.
func WithContentType(ct string) DocumentOption {
	return documentOption(func(d *documentConfig) { d.charsetKnown = namesCharset(ct) })
}

// WithContext makes a [Writer] render the tags itself, at the insertion
// point, for the span that the Source ([WithSource]) finds in ctx then, with
// the render options of [WithRender], as the [Middleware] does; the tags
// given to [NewWriter] or [Writer.Reset] must then be nil (tags that are
// not are inserted as given, and ctx is not read). When ctx carries a [render.Once]
// (see [render.ContextWithOnce]), the Writer claims it only when it inserts
// the tags: a template that rendered them into the same response first keeps
// its own. Without a span, or with the tags already claimed, the Writer
// inserts nothing ([ReasonNoSpan], [ReasonAlreadyRendered]).
func WithContext(ctx context.Context) DocumentOption {
	return documentOption(func(d *documentConfig) { d.ctx = ctx })
}

// WithExistingTags is for documents that may carry trace meta tags of their
// own, such as the pages of an upstream behind a reverse proxy, whose app may
// render its tags itself. The [Writer] (and so the [Middleware]) then reads
// the whole head before it decides, and inserts nothing ([ReasonExistingTags])
// when the head holds a <meta> named sentry-trace, baggage, traceparent or
// dd-trace-id (in any ASCII case): the browser SDK reads the first set of
// tags, and the page's own name the span that rendered it.
//
// The head is read with the same tokenizer as the insertion point, as a
// browser reads it: a meta in a comment, in the text of a script, style,
// title, noscript or noframes, inside a <template>, or in an attribute value
// is not a tag of the page's, and <header> does not end the head. The head
// ends at </head>, at the first token that belongs in the body, or at the
// end of the document.
//
// Until then the Writer holds the bytes from the insertion point on, at most
// the lookahead ([WithLookahead]): a head longer than that gets the tags, at
// the insertion point, as a page without tags of its own. Bytes before the
// insertion point go out as usual. A Flush that comes while the Writer reads
// the head flushes those bytes at once and the rest when the head is decided,
// so that a proxy that flushes every chunk it copies (reverse proxies do, for
// a streamed page) gets the same output as one that does not.
func WithExistingTags() SharedOption {
	return sharedOption(func(c *writerConfig) { c.existing = true })
}
