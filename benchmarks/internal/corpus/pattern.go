package corpus

import (
	"io"
	"net/http"
)

// Pattern is a way a handler writes a page: in one Write, or in chunks,
// with or without a Flush after each chunk.
type Pattern struct {
	// Name identifies the pattern in benchmark names: "one", "4K",
	// "2K-flush".
	Name string
	// Chunk is the size of each Write; 0 writes the page in one Write.
	Chunk int
	// Flush flushes the writer after every Write, as React's streaming
	// renderer (2 KB chunks) and other streaming handlers do.
	Flush bool
}

// Patterns returns the write patterns of the benchmarks: one Write (a
// handler that renders into a buffer first); 4 KB writes (html/template
// through a buffered writer); 2 KB writes with a Flush after each
// (React-style streaming SSR).
func Patterns() []Pattern {
	return []Pattern{
		{Name: "one"},
		{Name: "4K", Chunk: 4 * KiB},
		{Name: "2K-flush", Chunk: 2 * KiB, Flush: true},
	}
}

// ErrorFlusher is a writer whose Flush reports an error, like
// inject.Writer and bufio.Writer.
type ErrorFlusher interface {
	Flush() error
}

// Replay writes page to w following p. When p.Flush is set, it flushes w
// after each Write if w is an [ErrorFlusher] or an [http.Flusher]. It
// returns the first error.
func (p Pattern) Replay(page []byte, w io.Writer) error {
	chunk := p.Chunk
	if chunk <= 0 {
		chunk = len(page)
	}
	for len(page) > 0 {
		n := min(chunk, len(page))
		if _, err := w.Write(page[:n]); err != nil {
			return err
		}
		page = page[n:]
		if p.Flush {
			if err := flush(w); err != nil {
				return err
			}
		}
	}
	return nil
}

func flush(w io.Writer) error {
	switch f := w.(type) {
	case ErrorFlusher:
		return f.Flush()
	case http.Flusher:
		f.Flush()
	}
	return nil
}
