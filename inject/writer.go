package inject

import "io"

// Status is the state of a [Writer]'s search for the insertion point.
type Status uint8

const (
	// StatusScanning: the insertion point has not been found yet.
	StatusScanning Status = iota
	// StatusInjected: the tags were written; bytes now pass straight through.
	StatusInjected
	// StatusSkipped: the Writer gave up (see [Writer.Reason]); bytes pass
	// straight through, untouched.
	StatusSkipped
)

// Writer is a streaming HTML rewriter that inserts tags into the <head> of
// the document written through it. Create it with [NewWriter].
type Writer struct {
	dst io.Writer
}

// NewWriter returns a Writer that writes to dst the bytes written to it,
// with tags inserted once at the document's insertion point.
func NewWriter(dst io.Writer, tags []byte, opts ...Option) *Writer {
	panic("unimplemented")
}
