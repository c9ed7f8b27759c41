package rewrite

import "net/http"

// Sink is the destination every method writes to. It copies each write into
// a fixed 32 KiB buffer and drops it, as a write to a socket copies into the
// kernel's buffer: the copy floor pays for one copy of every byte, and so
// does every method, on top of its own work.
type Sink struct {
	buf [32 << 10]byte
	off int   // next write position in buf; wraps around
	n   int64 // bytes written since the last Reset
}

// Write copies p into the buffer and reports it written.
func (s *Sink) Write(p []byte) (int, error) {
	n := len(p)
	s.n += int64(n)
	for len(p) > 0 {
		c := copy(s.buf[s.off:], p)
		p = p[c:]
		s.off += c
		if s.off == len(s.buf) {
			s.off = 0
		}
	}
	return n, nil
}

// Len returns the number of bytes written since the last Reset.
func (s *Sink) Len() int64 { return s.n }

// Reset sets the byte count to zero.
func (s *Sink) Reset() { s.n = 0 }

// ResponseSink is an [http.ResponseWriter] and [http.Flusher] that writes
// the body into a [Sink]: the response writer of the per-request
// benchmarks, cheap enough that the handler and the middleware dominate.
type ResponseSink struct {
	Sink
	header  http.Header
	code    int // the status written, 0 before the first WriteHeader or Write
	flushes int // Flush calls since the last Reset
}

// NewResponseSink returns an empty ResponseSink.
func NewResponseSink() *ResponseSink { return &ResponseSink{header: make(http.Header)} }

// Header returns the response header map.
func (r *ResponseSink) Header() http.Header { return r.header }

// WriteHeader records the first status it is given.
func (r *ResponseSink) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
}

// Write writes p to the Sink, after an implicit WriteHeader(200).
func (r *ResponseSink) Write(p []byte) (int, error) {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	return r.Sink.Write(p)
}

// Flush counts the call.
func (r *ResponseSink) Flush() { r.flushes++ }

// Code returns the status written, or 0.
func (r *ResponseSink) Code() int { return r.code }

// Flushes returns the number of Flush calls since the last Reset.
func (r *ResponseSink) Flushes() int { return r.flushes }

// Reset makes r ready for the next response, keeping its memory.
func (r *ResponseSink) Reset() {
	clear(r.header)
	r.code, r.flushes = 0, 0
	r.Sink.Reset()
}
