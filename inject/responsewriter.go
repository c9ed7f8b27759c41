package inject

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/tracemeta/tracemeta/render"
)

// phase is where a response stands in the middleware's decision. Each phase
// only moves forward, down this list; phaseInject, phasePass and
// phaseHijacked are final.
type phase uint8

const (
	phaseInit     phase = iota // WriteHeader not called yet: nothing decided
	phaseSniff                 // eligible but Content-Type unset: collecting sniffLen bytes
	phaseScan                  // eligible: the body goes through the Writer
	phaseInject                // the tags were inserted: bytes go straight to rw
	phasePass                  // not rewritten: bytes go straight to rw, untouched
	phaseHijacked              // the connection was hijacked: the response is not ours
)

const (
	// sniffLen is how many bytes net/http's DetectContentType reads.
	sniffLen = 512
	// scanChunk is the most bytes handed to the Writer at once while it
	// scans, so that the decision is checked often and a large first
	// Write is not held whole.
	scanChunk = 4 << 10
	// maxHold bounds the Writer's output held back, with the headers,
	// while the Writer scans. Past it the headers go out without
	// Content-Length. The Writer's lookahead is used when smaller.
	maxHold = 32 << 10
	// copyBuf is the size of ReadFrom's buffer, the one io.Copy uses.
	copyBuf = 32 << 10
	// maxPooledBuf is the largest buffer kept for the next response.
	maxPooledBuf = 64 << 10
)

// state is one response in flight. It is pooled by its [middleware] with its
// Writer and buffers; the handle the handler holds is not, so a handle used
// after its handler returned finds no state instead of another response's.
type state struct {
	m    *middleware
	rw   http.ResponseWriter // the wrapped writer; nil while pooled
	req  *http.Request       // the request as the handler sees it; nil while pooled
	once *render.Once        // the request's exactly-once flag

	w      *Writer                           // the rewriter; its dst is out
	out    sink                              // the Writer's destination
	tagsFn func(dst []byte) ([]byte, Reason) // s.renderTags, bound once so setting it allocates nothing
	rbuf   []byte                            // ReadFrom's buffer; allocated on first use, kept in the pool
	sniff  []byte                            // body bytes held to sniff the Content-Type (phaseSniff)
	held   []byte                            // w's output held with the headers until committed

	// snap holds the headers as they were when the handler set the final
	// status, while the real WriteHeader is held (hasSnap): the ones to send,
	// as net/http sends the headers of that moment and ignores later
	// changes (but trailers). The middleware's own changes go into it.
	// Its map is pooled; its values are the handler's slices.
	snap    http.Header
	hasSnap bool

	phase     phase
	code      int   // the status to send; 0 before WriteHeader
	committed bool  // the headers went to rw
	declared  int64 // Content-Length the handler set, -1 for none
	written   int64 // body bytes accepted from the handler
	reported  bool  // the skip reason was reported
	eligible  bool  // the headers allowed rewriting: Server-Timing applies
	hijacking bool  // Hijack is settling the scan: no tags any more
	holdLimit int   // the hold bound for this middleware
}

// sink is the Writer's destination: it holds the output while the headers
// wait for the decision, then writes to rw.
type sink struct{ s *state }

// Write holds p, or writes it to the wrapped ResponseWriter once the headers
// went out.
func (o sink) Write(p []byte) (int, error) {
	s := o.s
	if !s.committed {
		s.held = append(s.held, p...)
		return len(p), nil
	}
	return s.rw.Write(p)
}

func newState(m *middleware) *state {
	s := &state{m: m, holdLimit: maxHold, snap: make(http.Header)}
	s.out = sink{s}
	s.tagsFn = s.renderTags
	s.w = newWriter(s.out, nil, m.cfg.writer)
	if la := m.cfg.writer.lookahead; la < s.holdLimit {
		s.holdLimit = la
	}
	return s
}

// start readies s for the response to req written to rw.
func (s *state) start(rw http.ResponseWriter, req *http.Request, once *render.Once) {
	s.rw, s.req, s.once = rw, req, once
	s.w.Reset(s.out, nil)
	s.w.tagsFunc = s.tagsFn
	s.phase, s.code, s.committed, s.hasSnap = phaseInit, 0, false, false
	s.declared, s.written = -1, 0
	s.reported, s.eligible, s.hijacking = false, false, false
}

// release drops every reference to the finished response, so the pooled
// state keeps nothing of it.
func (s *state) release() {
	s.rw, s.req, s.once = nil, nil, nil
	s.w.Reset(s.out, nil)
	clear(s.snap)
	s.hasSnap = false
	s.sniff = trimBuf(s.sniff)
	s.held = trimBuf(s.held)
}

func trimBuf(b []byte) []byte {
	if cap(b) > maxPooledBuf {
		return nil
	}
	return b[:0]
}

// renderTags renders the tags at the Writer's insertion point: lazily, so
// they name the span active when the page reaches its <head>.
//
// A panic of the Source or the Renderer is logged and inserts nothing
// ([ReasonFailed]): the Writer then passes the page through.
func (s *state) renderTags(dst []byte) (tags []byte, reason Reason) {
	defer func() {
		if v := recover(); v != nil {
			s.m.logFailure(s.req, fmt.Errorf("inject: recovered from a panic rendering the tags: %v", v))
			tags, reason = dst, ReasonFailed
		}
	}()
	if s.hijacking {
		return dst, ReasonHijacked
	}
	sc, ok := s.m.cfg.writer.source.SpanContext(s.req.Context())
	if !ok || !sc.IsValid() {
		return dst, ReasonNoSpan
	}
	if !s.once.Claim() {
		return dst, ReasonAlreadyRendered
	}
	return s.m.renderer.AppendMetaTags(dst, sc), ReasonNone
}

// report tells the skip hook and the logger, once, why the response was not
// rewritten.
func (s *state) report(reason Reason) {
	if s.reported {
		return
	}
	s.reported = true
	s.m.report(s.req, reason)
}

// writeHeader stores code and decides from the headers whether the body may
// be rewritten.
func (s *state) writeHeader(code int) {
	if s.phase != phaseInit {
		return // superfluous; the first status stands
	}
	switch {
	case code < 100 || code > 999:
		// Let the wrapped writer panic as net/http does, here and not
		// later at a surprising place.
		_ = s.startPassthrough(ReasonStatus) // no status to send yet
		s.rw.WriteHeader(code)
		return
	case code == http.StatusSwitchingProtocols:
		s.code = code
		_ = s.startPassthrough(ReasonHijacked) // nothing held to write
		return
	case code < 200:
		// 1xx informational responses (103 Early Hints) go out at
		// once, and the final status is still to come.
		s.rw.WriteHeader(code)
		return
	}
	s.code = code
	reason := statusReason(code)
	sniff := false
	if reason == ReasonNone {
		reason, sniff = headerReason(s.rw.Header(), s.m.cfg.cachePolicy)
	}
	if reason == ReasonNone {
		if cl, ok := s.rw.Header()["Content-Length"]; ok {
			n, err := strconv.ParseInt(firstOrEmpty(cl), 10, 64)
			if err != nil || n < 0 || len(cl) != 1 {
				reason = ReasonFailed // a length that cannot be kept true
			} else {
				s.declared = n
			}
		}
	}
	switch {
	case reason == ReasonContentEncoding:
		s.m.warnCompressed(s.req, headerValue(s.rw.Header(), "Content-Encoding"))
		_ = s.startPassthrough(reason) // nothing held to write
		return
	case reason != ReasonNone:
		_ = s.startPassthrough(reason) // nothing held to write
		return
	case sniff:
		s.phase = phaseSniff
	default:
		s.phase = phaseScan
		s.eligible = true
		s.w.charsetKnown = namesCharset(headerValue(s.rw.Header(), "Content-Type"))
	}
	s.snapshot()
}

// snapshot records the headers to send when the response is committed: those
// of now, when the handler sets the status, as net/http takes them.
func (s *state) snapshot() {
	for k, v := range s.rw.Header() {
		s.snap[k] = v
	}
	s.hasSnap = true
}

// header returns the headers that will be sent: the snapshot while the real
// WriteHeader is held, where the middleware makes its changes.
func (s *state) header() http.Header {
	if s.hasSnap {
		return s.snap
	}
	return s.rw.Header()
}

func firstOrEmpty(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// startPassthrough makes the final decision not to rewrite: the headers go
// out as the handler set them, then whatever the Writer gave back, which is
// the body untouched; the rest passes straight through.
func (s *state) startPassthrough(reason Reason) error {
	s.phase = phasePass
	s.report(reason)
	if s.code == 0 || s.committed {
		return nil
	}
	return s.sendHeld()
}

// startInject makes the final decision that the Writer inserted the tags:
// the headers go out adjusted for them (unless they went before the
// decision), then the held output; the rest passes straight through.
func (s *state) startInject() error {
	s.phase = phaseInject
	if s.committed {
		return nil
	}
	h := s.header()
	if cl := h["Content-Length"]; s.declared >= 0 && len(cl) == 1 {
		// In place: Header.Set would allocate a new slice.
		cl[0] = strconv.FormatInt(s.declared+int64(s.w.Inserted()), 10)
	}
	changeBody(h)
	return s.sendHeld()
}

// commit sends the headers and the status. The wrapped writer's header map
// is made what the handler had set with the status (the snapshot, with the
// middleware's changes), so that changes made since are ignored as net/http
// ignores them; trailers set since stay, as net/http reads those from the
// map when the handler returns.
func (s *state) commit() {
	s.committed = true
	h := s.rw.Header()
	var trailers http.Header
	if s.hasSnap {
		trailers = restoreHeader(h, s.snap)
		s.hasSnap = false
	}
	if s.m.cfg.serverTiming && s.eligible {
		s.setServerTiming(h)
	}
	s.rw.WriteHeader(s.code)
	for k, v := range trailers {
		h[k] = v
	}
}

// restoreHeader makes h hold exactly snap, and returns the trailers h held
// (keys with [http.TrailerPrefix], and those snap's Trailer header declares),
// to be put back once the headers went out.
func restoreHeader(h, snap http.Header) (trailers http.Header) {
	declared := snap["Trailer"]
	for k, v := range h {
		if strings.HasPrefix(k, http.TrailerPrefix) || len(declared) > 0 && declares(declared, k) {
			if trailers == nil {
				trailers = make(http.Header)
			}
			trailers[k] = v
		}
		if _, ok := snap[k]; !ok {
			delete(h, k)
		}
	}
	for k, v := range snap {
		h[k] = v
	}
	return trailers
}

// declares reports whether the Trailer header values name the canonical key.
func declares(values []string, key string) bool {
	for _, v := range values {
		for _, name := range strings.Split(v, ",") {
			if http.CanonicalHeaderKey(strings.TrimSpace(name)) == key {
				return true
			}
		}
	}
	return false
}

func (s *state) setServerTiming(h http.Header) {
	sc, ok := s.m.cfg.writer.source.SpanContext(s.req.Context())
	if !ok || !sc.IsValid() {
		return
	}
	v := s.m.renderer.AppendServerTiming(s.held[len(s.held):], sc)
	if len(v) > 0 {
		h.Add("Server-Timing", string(v))
	}
}

// write is the handler's Write.
func (s *state) write(p []byte) (int, error) {
	if s.phase == phaseInit {
		s.writeHeader(http.StatusOK)
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
		n, err = s.rw.Write(p)
	}
	s.written += int64(n)
	if err == nil {
		err = errLen
	}
	return n, err
}

// writeSniff collects the first sniffLen bytes, then decides.
func (s *state) writeSniff(p []byte) (int, error) {
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
func (s *state) writeNext(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if s.phase == phaseScan {
		return s.writeScan(p)
	}
	return s.rw.Write(p)
}

// endSniff decides from the sniffed bytes, as net/http would, and sets the
// Content-Type so net/http does not sniff the rewritten bytes itself. The
// held bytes go on to the next phase. With no bytes to sniff, net/http sends
// no Content-Type either, and the response passes through for reason
// ifEmpty.
func (s *state) endSniff(ifEmpty Reason) error {
	if len(s.sniff) == 0 {
		return s.startPassthrough(ifEmpty)
	}
	ct := http.DetectContentType(s.sniff)
	s.header().Set("Content-Type", ct)
	if reason := contentTypeReason(ct); reason != ReasonNone {
		_ = s.startPassthrough(reason) // nothing held to write
	} else {
		s.phase = phaseScan
		s.eligible = true
		s.w.charsetKnown = namesCharset(ct)
	}
	buf := s.sniff
	s.sniff = s.sniff[:0]
	_, err := s.writeNext(buf)
	return err
}

// writeScan gives p to the Writer in chunks, checking after each whether it
// decided, so that the rest of p goes straight to rw.
func (s *state) writeScan(p []byte) (int, error) {
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
func (s *state) scan(p []byte) error {
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

// decide makes the Writer's decision final.
func (s *state) decide() error {
	if s.w.Status() == StatusInjected {
		return s.startInject()
	}
	return s.startPassthrough(s.w.Reason())
}

// commitEarly sends the headers before the Writer decided (a flush, or more
// output than maxHold): the body may still change, so its length and
// validators go.
func (s *state) commitEarly() error {
	h := s.header()
	delete(h, "Content-Length")
	changeBody(h)
	return s.sendHeld()
}

// sendHeld sends the headers and the held output.
func (s *state) sendHeld() error {
	s.commit()
	if len(s.held) == 0 {
		return nil
	}
	held := s.held
	s.held = s.held[:0]
	_, err := s.rw.Write(held)
	return err
}

// changeBody removes the headers that describe the bytes of a body that
// gets the tags. The tags make the page unique to its request, so no cache
// may reuse it: a validator (ETag, or Last-Modified, which also gives a
// heuristic freshness lifetime, RFC 9111, section 4.2.2) would let a
// conditional request get a 304 and load the page of an earlier request,
// continuing that request's trace. Weakening the ETag would not do: a weak
// ETag still revalidates. Accept-Ranges goes, so no client asks for byte
// ranges of a body that differs on every request, and digests of the bytes
// go.
func changeBody(h http.Header) {
	// The keys are canonical already: delete skips Del's canonicalisation.
	delete(h, "Etag")
	delete(h, "Last-Modified")
	delete(h, "Accept-Ranges")
	delete(h, "Content-Digest")
	delete(h, "Repr-Digest")
	delete(h, "Content-Md5")
}

// flush is the handler's Flush: the decision is forced, everything the
// Writer can give is sent, then rw is flushed.
func (s *state) flush() error {
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
			} else if !s.committed {
				err = s.commitEarly()
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
func (s *state) finish() {
	switch s.phase {
	case phaseInit:
		// Neither WriteHeader nor Write: net/http sends 200 with no body.
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
func (s *state) settle() error {
	if err := s.w.Close(); err != nil {
		return err
	}
	return s.decide() // Close always decides
}

// readFrom is the handler's ReadFrom: while the Writer scans, the bytes go
// through it; once decided, the wrapped writer's ReadFrom (sendfile) is used
// when it has one and keeps the length true by itself.
func (s *state) readFrom(r io.Reader) (int64, error) {
	if s.phase == phaseInit {
		s.writeHeader(http.StatusOK)
	}
	var total int64
	for empty := 0; s.phase == phaseSniff || s.phase == phaseScan; {
		n, rerr := r.Read(s.readBuf())
		if n == 0 && rerr == nil {
			if empty++; empty >= 100 {
				return total, io.ErrNoProgress // as bufio.Reader
			}
			continue
		}
		empty = 0
		if n > 0 {
			m, err := s.write(s.rbuf[:n])
			total += int64(m)
			if err != nil {
				return total, err
			}
		}
		if rerr == io.EOF {
			return total, nil
		}
		if rerr != nil {
			return total, rerr
		}
	}
	if s.phase == phaseHijacked {
		return total, http.ErrHijacked
	}
	if rf, ok := s.rw.(io.ReaderFrom); ok && s.lengthKeptByRW(r) {
		n, err := rf.ReadFrom(r)
		s.written += n
		return total + n, err
	}
	n, err := io.CopyBuffer(writerOnly{s}, r, s.readBuf())
	return total + n, err
}

func (s *state) readBuf() []byte {
	if s.rbuf == nil {
		s.rbuf = make([]byte, copyBuf)
	}
	return s.rbuf
}

// lengthKeptByRW reports whether rw's ReadFrom cannot send more than the
// handler declared: it declared nothing, or r is limited to what is left.
func (s *state) lengthKeptByRW(r io.Reader) bool {
	if s.declared < 0 {
		return true
	}
	lr, ok := r.(*io.LimitedReader)
	return ok && lr.N <= s.declared-s.written
}

// writerOnly hides ReadFrom from io.Copy, which would call it again.
type writerOnly struct{ s *state }

func (w writerOnly) Write(p []byte) (int, error) { return w.s.write(p) }

// hijack is the handler's Hijack. Like net/http, the status and body written
// so far go out first.
func (s *state) hijack() (net.Conn, *bufio.ReadWriter, error) {
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

// Compile-time checks of the interfaces each view always has.
var (
	_ http.ResponseWriter = (*handle)(nil)
	_ io.ReaderFrom       = (*handle)(nil)
	_ io.StringWriter     = (*handle)(nil)
	_ http.Pusher         = (*handle)(nil)
	_ http.Flusher        = (*flushHandle)(nil)
	_ http.Hijacker       = (*hijackHandle)(nil)
	_ http.Flusher        = (*flushHijackHandle)(nil)
	_ http.Hijacker       = (*flushHijackHandle)(nil)
)

// handle is the ResponseWriter a handler gets. It has the methods every
// ResponseWriter can offer safely: Write, WriteString and ReadFrom go
// through the rewriter; FlushError and Unwrap serve
// [http.ResponseController], which reaches the wrapped writer's deadlines
// and full duplex through Unwrap; Push may always say ErrNotSupported.
// [http.Flusher] and [http.Hijacker], which handlers find by type assertion
// and cannot fail softly, are added by the three views below when the
// wrapped writer has them, and only then. The deprecated
// http.CloseNotifier is not kept: the request's context is done when the
// client goes away.
//
// A handle is allocated per request and carries the request's context, so
// that it can forget its pooled state when the handler returns. From then on
// it is the wrapped writer itself: a framework that writes its error page
// after the wrapped handler returned (echo's WrapMiddleware does) has it
// sent as it wrote it, untouched, as it would be without the middleware.
type handle struct {
	s   *state              // nil once the handler returned
	rw  http.ResponseWriter // the wrapped writer
	ctx requestContext      // the context the handler's request carries
}

type (
	flushHandle       struct{ handle }
	hijackHandle      struct{ handle }
	flushHijackHandle struct{ handle }
)

// newHandle returns a handle for rw with the optional interfaces of rw.
func newHandle(rw http.ResponseWriter) (http.ResponseWriter, *handle) {
	_, f := rw.(http.Flusher)
	_, hj := rw.(http.Hijacker)
	switch {
	case f && hj:
		v := &flushHijackHandle{handle{rw: rw}}
		return v, &v.handle
	case f:
		v := &flushHandle{handle{rw: rw}}
		return v, &v.handle
	case hj:
		v := &hijackHandle{handle{rw: rw}}
		return v, &v.handle
	}
	v := &handle{rw: rw}
	return v, v
}

// Header returns the wrapped writer's header map.
func (h *handle) Header() http.Header { return h.rw.Header() }

// WriteHeader holds the status until the middleware decides whether to
// rewrite the body; 1xx statuses go out at once. After the handler
// returned, it goes to the wrapped writer.
func (h *handle) WriteHeader(code int) {
	if h.s == nil {
		h.rw.WriteHeader(code)
		return
	}
	h.s.writeHeader(code)
}

// Write writes p through the rewriter, or, after the handler returned, to
// the wrapped writer.
func (h *handle) Write(p []byte) (int, error) {
	if h.s == nil {
		return h.rw.Write(p)
	}
	return h.s.write(p)
}

// WriteString writes str through the rewriter, or, after the handler
// returned, to the wrapped writer.
func (h *handle) WriteString(str string) (int, error) {
	s := h.s
	if s == nil {
		return io.WriteString(h.rw, str)
	}
	if (s.phase == phaseInject || s.phase == phasePass) && s.declared < 0 {
		n, err := io.WriteString(s.rw, str)
		s.written += int64(n)
		return n, err
	}
	return s.write([]byte(str))
}

// ReadFrom copies from r through the rewriter, or, after the handler
// returned, to the wrapped writer.
func (h *handle) ReadFrom(r io.Reader) (int64, error) {
	if h.s == nil {
		return io.Copy(h.rw, r)
	}
	return h.s.readFrom(r)
}

// FlushError sends the status and everything the rewriter can give, then
// flushes the wrapped writer. It returns an error wrapping
// [http.ErrNotSupported] when the wrapped writer cannot flush.
func (h *handle) FlushError() error {
	if h.s == nil {
		if !canFlush(h.rw) {
			return fmt.Errorf("inject: %w", http.ErrNotSupported)
		}
		return flushWriter(h.rw)
	}
	return h.s.flush()
}

// Push initiates an HTTP/2 server push through the wrapped writer, or
// returns [http.ErrNotSupported] when it cannot push, as [http.Pusher]
// allows.
func (h *handle) Push(target string, opts *http.PushOptions) error {
	if p, ok := h.rw.(http.Pusher); ok {
		return p.Push(target, opts)
	}
	return http.ErrNotSupported
}

// Unwrap returns the wrapped ResponseWriter, for [http.ResponseController].
func (h *handle) Unwrap() http.ResponseWriter { return h.rw }

// Flush is [handle.FlushError] without the error, for [http.Flusher].
func (h *flushHandle) Flush() { _ = h.FlushError() }

// Flush is [handle.FlushError] without the error, for [http.Flusher].
func (h *flushHijackHandle) Flush() { _ = h.FlushError() }

// Hijack hands the connection to the handler; the response is then not
// rewritten.
func (h *hijackHandle) Hijack() (net.Conn, *bufio.ReadWriter, error) { return h.hijack() }

// Hijack hands the connection to the handler; the response is then not
// rewritten.
func (h *flushHijackHandle) Hijack() (net.Conn, *bufio.ReadWriter, error) { return h.hijack() }

func (h *handle) hijack() (net.Conn, *bufio.ReadWriter, error) {
	if h.s == nil {
		return h.rw.(http.Hijacker).Hijack() // the views that have Hijack wrap a Hijacker
	}
	return h.s.hijack()
}

// requestContext is the context of a request served by the middleware: its
// parent with a [render.Once] for the response. It is part of the handle's
// allocation, which saves the one of [render.ContextWithOnce].
type requestContext struct {
	context.Context
	once render.Once
}

// Value returns the request's Once for [render.OnceKey], as
// [render.ContextWithOnce] would, and asks the parent for any other key.
func (c *requestContext) Value(key any) any {
	if _, ok := key.(render.OnceKey); ok {
		return &c.once
	}
	return c.Context.Value(key)
}

// String names the context for debugging, as the context package does.
func (c *requestContext) String() string { return fmt.Sprint(c.Context) + ".WithValue(render.Once)" }
