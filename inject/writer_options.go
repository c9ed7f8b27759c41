package inject

// DefaultLookahead is how many bytes of a document a [Writer] reads, by
// default, looking for the insertion point before it gives up and passes the
// document through untouched. New Relic's Python agent uses the same 64 KiB;
// a real page reaches its <head>, or its first element, far sooner.
const DefaultLookahead = 64 << 10

// writerConfig holds the settings of a Writer.
type writerConfig struct {
	lookahead    int  // bytes scanned for the insertion point before giving up; > 0
	charsetKnown bool // the Content-Type names a charset: no charset meta to keep in the prescan
}

func (c *writerConfig) setDefaults() { c.lookahead = DefaultLookahead }

// WithLookahead sets how many bytes of the document a [Writer] reads looking
// for the insertion point, at most, before it passes the document through
// untouched ([ReasonLookahead]). A Writer never holds more than that. After
// <head> it inserts the tags there when the lookahead ends before it has
// seen what follows. n <= 0 means [DefaultLookahead]. The Middleware gives
// it to its Writers.
func WithLookahead(n int) Option {
	return func(c *config) {
		if n <= 0 {
			n = DefaultLookahead
		}
		c.lookahead = n
	}
}

// WithContentType tells a [Writer] the Content-Type the document is served
// with. When it names a charset, the browser does not look for a charset
// meta in the document, and the Writer puts the tags at the start of the
// head. Otherwise (the default, when the Content-Type is not known) it keeps
// a charset meta within the first 1024 bytes, which the browser's prescan
// reads, by putting the tags after it when it follows the head's first
// metas, links, titles or styles. The [Middleware] sets it from each
// response's headers itself.
func WithContentType(ct string) Option {
	return func(c *config) { c.charsetKnown = namesCharset(ct) }
}
