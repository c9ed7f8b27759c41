package inject

// DefaultLookahead is how many bytes of a document a [Writer] reads, by
// default, looking for the insertion point before it gives up and passes the
// document through untouched. New Relic's Python agent uses the same 64 KiB;
// a real page reaches its <head>, or its first element, far sooner.
const DefaultLookahead = 64 << 10

// writerConfig holds the settings of a Writer.
type writerConfig struct {
	lookahead int // bytes scanned for the insertion point before giving up; > 0
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
