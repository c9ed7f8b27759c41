// Package rewrite holds the ways of putting trace meta tags into a streamed
// HTML response that the benchmarks compare: tracemeta's inject.Writer, the
// approaches a Go user would otherwise pick, and the plain copy they are all
// measured against.
//
// Each peer is written the way its documentation and common use suggest,
// and where a choice exists, the cheaper one is taken (spans are copied
// rather than tokens re-encoded, chunks are searched rather than copied),
// so that "faster than every peer" is measured against a fair opponent.
package rewrite

import (
	"io"

	"github.com/tracemeta/tracemeta/benchmarks/internal/corpus"
)

// Rewriter is one response being rewritten: the bytes written to it reach
// its destination with the tags inserted (where the method finds a place).
type Rewriter interface {
	io.Writer
	// Flush writes out what the method can before the end of the page.
	Flush() error
	// Close writes out everything that is left. The Rewriter is not used
	// after Close.
	Close() error
}

// Impl is one way of rewriting a response.
type Impl struct {
	// Name identifies the method in benchmark names and tables.
	Name string
	// Desc says what the method does, for the README.
	Desc string
	// Streams reports whether bytes reach the destination before Close.
	Streams bool
	// New starts rewriting one response into dst, inserting tags. A nil New
	// marks the copy floor: the page is written straight to dst.
	New func(dst io.Writer, tags []byte) Rewriter
}

// Copy is the floor: the page written to the destination unchanged, the way
// the bare handler writes it.
var Copy = Impl{
	Name:    "copy",
	Desc:    "the same writes, straight to the destination (the floor)",
	Streams: true,
}

// Impls returns every method, the copy floor first and tracemeta second.
func Impls() []Impl {
	return []Impl{
		Copy,
		Tracemeta,
		ChunkReplace,
		BufferReplace,
		TokenizerStream,
		LexerStream,
		DOM,
		Goquery,
	}
}

// Peers returns the methods tracemeta is compared against.
func Peers() []Impl {
	return Impls()[2:]
}

// Run writes page into dst through impl the way write writes: it starts a
// Rewriter, writes the page into it with write, and closes it.
func Run(impl Impl, dst io.Writer, tags, page []byte, write corpus.Pattern) error {
	if impl.New == nil {
		return write.Replay(page, dst)
	}
	rw := impl.New(dst, tags)
	if err := write.Replay(page, rw); err != nil {
		_ = rw.Close()
		return err
	}
	return rw.Close()
}
