package inject

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
)

// This file holds the body path of a response: writes, sniffing, the scan,
// Flush, ReadFrom and Hijack.

// write is the handler's Write.
func (s *response) write(p []byte) (int, error) {
	if s.phase == phaseInit {
		s.snapOwed = true
		s.writeHeader(http.StatusOK)
		defer s.payOwedSnapshot()
	}
	var errLen error
	if s.declared >= 0 && int64(len(p)) > s.declared-s.written {
		// Never more than declared, as net/http: the Content-Length
		// sent may include the tags, so rw would not catch it.
		p, errLen = p[:s.declared-s.written], http.ErrContentLength
	}
	var n int
	var err error
	switch s.phase {
	case phaseSniff:
		n, err = s.writeSniff(p)
	case phaseScan:
		n, err = s.writeScan(p)
	case phaseHijacked:
		return 0, http.ErrHijacked
	default:
		n, err = s.writeOut(p)
	}
	s.written += int64(n)
	if err == nil {
		err = errLen
	}
	return n, err
}

// writeSniff collects the first sniffLen bytes, then decides.
func (s *response) writeSniff(p []byte) (int, error) {
	take := min(len(p), sniffLen-len(s.sniff))
	s.sniff = append(s.sniff, p[:take]...)
	if len(s.sniff) < sniffLen {
		return len(p), nil
	}
	if err := s.endSniff(ReasonEmpty); err != nil {
		return take, err
	}
	n, err := s.writeNext(p[take:])
	return take + n, err
}

// writeNext writes p in whatever phase the response is now in.
func (s *response) writeNext(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if s.phase == phaseScan {
		return s.writeScan(p)
	}
	return s.writeOut(p)
}

// writeOut writes p, decided on, to the wrapped writer, or drops it for a
// HEAD (see [response.startHead]).
func (s *response) writeOut(p []byte) (int, error) {
	if s.discard {
		return len(p), nil
	}
	return s.rw.Write(p)
}

// endSniff decides from the sniffed bytes, as net/http would, and sets the
// Content-Type so net/http does not sniff the rewritten bytes itself. The
// held bytes go on to the next phase. With no bytes to sniff, net/http sends
// no Content-Type either, and the response passes through for reason
// ifEmpty.
func (s *response) endSniff(ifEmpty Reason) error {
	if len(s.sniff) == 0 {
		return s.startPassthrough(ifEmpty)
	}
	ct := http.DetectContentType(s.sniff)
	s.header().Set("Content-Type", ct)
	if reason := contentTypeReason(ct); reason != ReasonNone {
		_ = s.startPassthrough(reason) // nothing held to write
	} else {
		s.startScan(ct)
	}
	buf := s.sniff
	s.sniff = s.sniff[:0]
	_, err := s.writeNext(buf)
	return err
}

// writeScan gives p to the Writer in chunks, checking after each whether it
// decided, so that the rest of p goes straight to rw.
func (s *response) writeScan(p []byte) (int, error) {
	n := 0
	for len(p) > 0 && s.phase == phaseScan {
		k := min(len(p), scanChunk)
		if err := s.scan(p[:k]); err != nil {
			return n, err
		}
		n += k
		p = p[k:]
	}
	if len(p) == 0 {
		return n, nil
	}
	m, err := s.rw.Write(p)
	return n + m, err
}

// scan gives p to the Writer, then makes the decision final if the Writer
// made it, or sends the headers if it holds too much.
//
// The Writer keeps bytes safe by itself: a failure of its own (a panic of
// its tokenizer or of renderTags) makes it skip the document with
// [ReasonFailed] and pass every byte through, and the only errors it returns
// are those of its destination, the sink, which are rw's.
func (s *response) scan(p []byte) error {
	if _, err := s.w.Write(p); err != nil {
		return err
	}
	if s.w.Status() != StatusScanning {
		return s.decide()
	}
	if !s.committed && len(s.held) > s.holdLimit {
		return s.commitEarly()
	}
	return nil
}

// decide makes the Writer's decision final, and answers a flush that came
// while the Writer read the head for the page's own tags.
func (s *response) decide() error {
	var err error
	if s.w.Status() == StatusInjected {
		err = s.startInject()
	} else {
		err = s.startPassthrough(s.w.Reason())
	}
	if err == nil && s.flushOwed {
		s.flushOwed = false
		err = flushWriter(s.rw)
	}
	return err
}

// commitEarly sends the headers before the Writer decided (a flush, or more
// output than maxHold): the body may still change, so its length and
// validators go.
func (s *response) commitEarly() error {
	bodyUnknown(s.header(), s.describesBody)
	return s.sendHeld()
}

// bodyUnknown removes the headers of a response whose body is not known
// when they go out (sent before the decision, or a HEAD's): its length, and
// those changeBody removes (described: see changeBody).
func bodyUnknown(h http.Header, described bool) {
	delete(h, "Content-Length")
	changeBody(h, described)
}

// sendHeld sends the headers and the held output.
func (s *response) sendHeld() error {
	s.commit()
	if len(s.held) == 0 {
		return nil
	}
	held := s.held
	s.held = s.held[:0]
	_, err := s.rw.Write(held)
	return err
}

// bodyDescribers are the headers that describe the bytes of a body, which
// changeBody removes.
var bodyDescribers = [...]string{"Etag", "Last-Modified", "Accept-Ranges", "Content-Digest", "Repr-Digest", "Content-Md5"}

// changeBody removes the headers that describe the bytes of a body that
// gets the tags. The tags make the page unique to its request, so no cache
// may reuse it: a validator (ETag, or Last-Modified, which also gives a
// heuristic freshness lifetime, RFC 9111, section 4.2.2) would let a
// conditional request get a 304 and load the page of an earlier request,
// continuing that request's trace. Weakening the ETag would not do: a weak
// ETag still revalidates. Accept-Ranges goes, so no client asks for byte
// ranges of a body that differs on every request, and digests of the bytes
// go.
//
// described is false when the eligibility check found none of them in the
// headers h comes from (responseHeaders.describesBody): h is then the
// handler's map untouched since, or its snapshot, which only the middleware
// changes, and it never adds them; there is nothing to look for.
func changeBody(h http.Header, described bool) {
	if !described {
		return
	}
	for _, k := range bodyDescribers {
		// The keys are canonical already: delete skips Del's
		// canonicalisation.
		delete(h, k)
	}
}

// flush is the handler's Flush: the decision is forced, everything the
// Writer can give is sent, then rw is flushed.
func (s *response) flush() error {
	if !canFlush(s.rw) {
		return fmt.Errorf("inject: %w", http.ErrNotSupported)
	}
	if s.phase == phaseInit {
		s.writeHeader(http.StatusOK)
	}
	var err error
	if s.phase == phaseSniff {
		// Headers that go out before any byte have no Content-Type.
		err = s.endSniff(ReasonContentType)
	}
	if err == nil && s.phase == phaseScan {
		if err = s.w.Flush(); err == nil {
			if s.w.Status() != StatusScanning {
				err = s.decide()
			} else {
				// WithExistingTags: the Writer holds the head from the
				// insertion point on until it is decided.
				s.flushOwed = s.w.phase == scanCheck
				if !s.committed {
					err = s.commitEarly()
				}
			}
		}
	}
	if s.phase == phaseHijacked {
		return http.ErrHijacked
	}
	if err != nil {
		return err
	}
	if !s.committed && s.code != 0 {
		s.commit()
	}
	return flushWriter(s.rw)
}

// canFlush reports whether rw, or a writer it unwraps to, can flush, as
// [http.ResponseController] finds out.
func canFlush(rw http.ResponseWriter) bool {
	for {
		switch t := rw.(type) {
		case interface{ FlushError() error }, http.Flusher:
			return true
		case interface{ Unwrap() http.ResponseWriter }:
			rw = t.Unwrap()
		default:
			return false
		}
	}
}

func flushWriter(rw http.ResponseWriter) error {
	switch t := rw.(type) {
	case interface{ FlushError() error }:
		return t.FlushError()
	case http.Flusher:
		t.Flush()
		return nil
	}
	return http.NewResponseController(rw).Flush()
}

// finish ends a response whose handler returned: whatever is held goes out.
func (s *response) finish() {
	switch s.phase {
	case phaseInit:
		// Neither WriteHeader nor Write: net/http sends 200 with no body.
		if s.head {
			s.finishHead()
			return
		}
		s.report(ReasonEmpty)
		return
	case phaseSniff:
		if err := s.endSniff(ReasonEmpty); err != nil {
			s.m.logWriteError(s.req, err)
			return
		}
	}
	if s.phase == phaseScan {
		if err := s.settle(); err != nil {
			s.m.logWriteError(s.req, err)
		}
	}
	if !s.committed && s.code != 0 && s.phase != phaseHijacked {
		s.commit()
	}
}

// settle ends the scan: the Writer decides as if the body ended here, and
// everything it held goes out.
func (s *response) settle() error {
	if err := s.w.Close(); err != nil {
		return err
	}
	return s.decide() // Close always decides
}

// readFrom is the handler's ReadFrom: while the Writer scans, the bytes go
// through it; once decided, the wrapped writer's ReadFrom (sendfile) is used
// when it has one and keeps the length true by itself.
func (s *response) readFrom(r io.Reader) (int64, error) {
	if s.phase == phaseInit {
		s.writeHeader(http.StatusOK)
	}
	// While the Writer scans, the bytes go through it; the rest is copied
	// below, through the same pooled buffer.
	b := getReadBuf()
	defer putReadBuf(b)
	buf := *b
	total, eof, err := readEach(r, buf, firstRead(s.rw), s.write, func() bool { return s.phase != phaseSniff && s.phase != phaseScan })
	if eof || err != nil {
		return total, err
	}
	if s.phase == phaseHijacked {
		return total, http.ErrHijacked
	}
	if rf, ok := s.rw.(io.ReaderFrom); ok && !s.discard && s.lengthKeptByRW(r) {
		n, err := rf.ReadFrom(r)
		s.written += n
		return total + n, err
	}
	n, err := io.CopyBuffer(writerOnly{s}, r, buf)
	return total + n, err
}

// lengthKeptByRW reports whether rw's ReadFrom cannot send more than the
// handler declared: it declared nothing, or r is limited to what is left.
func (s *response) lengthKeptByRW(r io.Reader) bool {
	if s.declared < 0 {
		return true
	}
	lr, ok := r.(*io.LimitedReader)
	return ok && lr.N <= s.declared-s.written
}

// writerOnly hides ReadFrom from io.Copy, which would call it again.
// It keeps WriteString, so that a strings.Reader's WriteTo does not convert
// its remainder to a []byte.
type writerOnly struct{ s *response }

func (w writerOnly) Write(p []byte) (int, error)       { return w.s.write(p) }
func (w writerOnly) WriteString(s string) (int, error) { return w.s.writeString(s) }

// writeString is the handler's WriteString: straight to the wrapped
// writer's once decided (when no Content-Length must be kept), and through
// the pooled read buffer in pieces before, never as one []byte copy of str.
func (s *response) writeString(str string) (n int, err error) {
	var b *[]byte
	defer func() { putReadBuf(b) }()
	for len(str) > 0 {
		if (s.phase == phaseInject || s.phase == phasePass) && s.declared < 0 && !s.discard {
			m, err := io.WriteString(s.rw, str)
			s.written += int64(m)
			return n + m, err
		}
		if b == nil {
			b = getReadBuf()
		}
		k := copy(*b, str)
		m, err := s.write((*b)[:k])
		n += m
		if err != nil {
			return n, err
		}
		str = str[k:]
	}
	return n, nil
}

// hijack is the handler's Hijack. Like net/http, the status and body written
// so far go out first.
func (s *response) hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := s.rw.(http.Hijacker)
	if !ok {
		return nil, nil, fmt.Errorf("inject: %w", http.ErrNotSupported)
	}
	switch s.phase {
	case phaseSniff:
		s.phase = phasePass
		s.commit()
		if len(s.sniff) > 0 {
			_, _ = s.rw.Write(s.sniff)
			s.sniff = s.sniff[:0]
		}
	case phaseScan:
		// The bytes go out untouched: the connection is no longer a
		// response to rewrite.
		s.hijacking = true
		_ = s.settle()
	}
	s.report(ReasonHijacked)
	s.phase = phaseHijacked
	return hj.Hijack()
}
