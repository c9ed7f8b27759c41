package inject

import (
	"context"
	"fmt"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"

	"github.com/tracemeta/tracemeta/render"
	"github.com/tracemeta/tracemeta/tracecontext"
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
	// maxPooledBuf is the largest buffer kept for the next response.
	maxPooledBuf = 64 << 10
	// maxPooledSnap is the most headers whose snapshot map is kept for
	// the next response.
	maxPooledSnap = 64
)

// response is one response in flight. It is pooled by its [middleware] with its
// Writer and buffers; the handle the handler holds is not, so a handle used
// after its handler returned finds no response instead of another response's.
type response struct {
	m    *middleware
	rw   http.ResponseWriter // the wrapped writer; nil while pooled
	req  *http.Request       // the request as the handler sees it; nil while pooled
	once *render.Once        // the request's exactly-once flag

	w      *Writer                           // the rewriter; its dst is out
	out    sink                              // the Writer's destination
	tagsFn func(dst []byte) ([]byte, Reason) // s.renderTags, bound once so setting it allocates nothing
	sniff  []byte                            // body bytes held to sniff the Content-Type (phaseSniff)
	held   []byte                            // w's output held with the headers until committed

	// outerEncoding is the Content-Encoding the header map held when the
	// middleware was entered. It is an outer layer's: a compression
	// middleware that sets it up front (gin-contrib/gzip, or any that sets
	// it before calling its next handler) wraps the writer, so the bytes the
	// middleware sees are plain, and exactly this value does not make it
	// pass the response through. (Were the bytes encoded after all, they
	// would not read as a document, and pass through as a fragment.)
	outerEncoding []string

	// snap holds the headers as they were when the handler set the final
	// status, while the real WriteHeader is held (hasSnap): the ones to send,
	// as net/http sends the headers of that moment and ignores later
	// changes (but trailers). The middleware's own changes go into it.
	// Its map is pooled; its values are the handler's slices.
	snap    http.Header
	hasSnap bool
	// snapOwed defers the snapshot of a status set by the first Write
	// (an implicit 200) to the end of that Write: until the handler gets
	// control back, its map is the snapshot, and a response decided and
	// committed within the Write, as a small page is, needs no copy.
	snapOwed bool

	phase     phase
	code      int   // the status to send; 0 before WriteHeader
	committed bool  // the headers went to rw
	declared  int64 // Content-Length the handler set, -1 for none
	written   int64 // body bytes accepted from the handler
	reported  bool  // the skip reason was reported
	eligible  bool  // the headers allowed rewriting: Server-Timing applies
	// describesBody is false when the headers judged had none of the
	// bodyDescribers (see changeBody).
	describesBody bool
	hijacking     bool // Hijack is settling the scan: no tags any more
	flushOwed     bool // a Flush came while the Writer read the head: rw is flushed at the decision
	head          bool // a HEAD: its headers are made the GET's, nothing is scanned
	discard       bool // the body is dropped, as net/http drops a HEAD's (see startHead)
	holdLimit     int  // the hold bound for this middleware
}

// sink is the Writer's destination: it holds the output while the headers
// wait for the decision, then writes to rw.
type sink struct{ s *response }

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

func newResponse(m *middleware) *response {
	s := &response{m: m, holdLimit: maxHold, snap: make(http.Header)}
	s.out = sink{s}
	s.tagsFn = s.renderTags
	s.w = newWriter(s.out, nil, &m.cfg.writer)
	if la := m.cfg.writer.lookahead; la < s.holdLimit {
		s.holdLimit = la
	}
	return s
}

// start readies s for the response to req written to rw.
// head is whether req is a HEAD, reported already with [ReasonMethod].
func (s *response) start(rw http.ResponseWriter, req *http.Request, once *render.Once, head bool) {
	s.rw, s.req, s.once = rw, req, once
	s.outerEncoding = rw.Header()["Content-Encoding"]
	s.w.Reset(s.out, nil)
	s.w.tagsFunc = s.tagsFn
	s.phase, s.code, s.committed, s.hasSnap, s.snapOwed = phaseInit, 0, false, false, false
	s.declared, s.written, s.describesBody = -1, 0, true
	s.reported, s.eligible, s.hijacking, s.flushOwed = head, false, false, false
	s.head, s.discard = head, false
}

// release drops every reference to the finished response, so the pooled
// response keeps nothing of it.
func (s *response) release() {
	s.rw, s.req, s.once, s.outerEncoding = nil, nil, nil, nil
	s.w.Reset(s.out, nil)
	if len(s.snap) > maxPooledSnap {
		// A map keeps the room it grew to: a response with thousands of
		// headers would leave every later one clearing that room.
		s.snap = make(http.Header)
	} else {
		clear(s.snap)
	}
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
func (s *response) renderTags(dst []byte) (tags []byte, reason Reason) {
	defer func() {
		if v := recover(); v != nil {
			s.m.logFailure(s.req, fmt.Errorf("inject: recovered from a panic rendering the tags: %v", v))
			tags, reason = dst, ReasonFailed
		}
	}()
	if s.hijacking {
		return dst, ReasonHijacked
	}
	c := &s.m.cfg.writer
	return renderFor(s.req.Context(), s.once, dst, c.source, c.renderer)
}

// renderFor appends to dst the tags for the span that src finds in ctx,
// claiming the response's once first (nil: none to claim), or returns why
// there are none. The Writer of WithContext and the Middleware share it.
func renderFor(ctx context.Context, once *render.Once, dst []byte, src tracecontext.Source, r render.Renderer) ([]byte, Reason) {
	sc, ok := src.SpanContext(ctx)
	if !ok || !sc.IsValid() {
		return dst, ReasonNoSpan
	}
	if !once.Claim() {
		return dst, ReasonAlreadyRendered
	}
	return r.AppendMetaTags(dst, sc), ReasonNone
}

// report tells the skip hook and the logger, once, why the response was not
// rewritten.
func (s *response) report(reason Reason) {
	if s.reported {
		return
	}
	s.reported = true
	s.m.report(s.req, reason)
}

// writeHeader stores code and decides from the headers whether the body may
// be rewritten.
func (s *response) writeHeader(code int) {
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
	reason, sniff, declared := s.judge(code)
	s.declared = declared
	switch {
	case reason == ReasonContentEncoding && !s.head:
		// Not for a HEAD: a proxy may ask its upstream for an
		// uncompressed body for the GET only.
		s.m.warnCompressed(s.req, headerValue(s.rw.Header(), "Content-Encoding"))
		_ = s.startPassthrough(reason) // nothing held to write
		return
	case reason != ReasonNone:
		_ = s.startPassthrough(reason) // nothing held to write
		return
	case sniff:
		s.phase = phaseSniff
		s.snapshot()
	default:
		if !s.snapOwed {
			s.snapshot()
		}
		s.startScan(headerValue(s.rw.Header(), "Content-Type"))
	}
}

// judge returns why a response with status code and the headers the handler
// set must not be rewritten, or ReasonNone; whether its Content-Type must be
// sniffed; and the Content-Length the handler set, -1 for none.
func (s *response) judge(code int) (reason Reason, sniff bool, declared int64) {
	reason, declared = statusReason(code), -1
	if reason != ReasonNone {
		return reason, false, declared
	}
	h := s.rw.Header()
	f := readResponseHeaders(h)
	s.describesBody = f.describesBody
	reason, sniff = fieldsReason(h, f, s.outerEncoding, s.m.cfg.cachePolicy)
	if reason == ReasonNone && f.hasLength {
		cl := f.length
		n, err := strconv.ParseInt(firstOrEmpty(cl), 10, 64)
		if err != nil || n < 0 || len(cl) != 1 {
			reason = ReasonFailed // a length that cannot be kept true
		} else {
			declared = n
		}
	}
	return reason, sniff, declared
}

// startScan makes the decision that the headers, with Content-Type ct, allow
// rewriting: the body goes through the Writer, or, for a HEAD, the headers
// are made the GET's.
func (s *response) startScan(ct string) {
	s.eligible = true
	if s.head {
		_ = s.startHead() // nothing held to write
		return
	}
	s.phase = phaseScan
	s.w.charsetKnown = namesCharset(ct)
}

// startHead makes the final decision for a HEAD whose GET would go through
// the Writer: the headers go out as the GET's would, and the body, if the
// handler writes one, is dropped.
//
// A GET with a span to render gets the tags, unless its body is not a
// document, and its Content-Length and validators then change
// ([changeBody]): the HEAD loses them too, not knowing the body, so it
// carries no length or validator the GET would not. Its body is dropped here
// rather than by net/http, which would otherwise count it into a
// Content-Length of the page without the tags. Without a span, the GET
// passes through untouched, and so does the HEAD.
func (s *response) startHead() error {
	if s.hasSpan() {
		bodyUnknown(s.header(), s.describesBody)
		s.discard = true
	}
	return s.startPassthrough(ReasonMethod) // reported already
}

// finishHead ends a HEAD whose handler returned without a status or a body,
// the way of a handler that answers HEAD itself with the GET's headers:
// they are judged as the 200 net/http then sends, and made the GET's as by
// [response.startHead], in the wrapped writer's header map, with no
// WriteHeader. A framework that writes its status after the handler
// returned (echo's error pages) still can.
func (s *response) finishHead() {
	reason, sniff, _ := s.judge(http.StatusOK)
	if reason != ReasonNone || sniff {
		return // without a body, net/http sends no Content-Type either
	}
	if s.hasSpan() {
		bodyUnknown(s.rw.Header(), s.describesBody)
	}
	if s.m.cfg.serverTiming {
		s.setServerTiming(s.rw.Header())
	}
}

// hasSpan reports whether the Source gives a span to render the tags for, as
// [renderFor] asks it. A panic of the Source is logged and counts as no
// span: the GET would pass through with [ReasonFailed].
func (s *response) hasSpan() (ok bool) {
	defer func() {
		if v := recover(); v != nil {
			s.m.logFailure(s.req, fmt.Errorf("inject: recovered from a panic finding the span: %v", v))
			ok = false
		}
	}()
	sc, ok := s.m.cfg.writer.source.SpanContext(s.req.Context())
	return ok && sc.IsValid()
}

// snapshot records the headers to send when the response is committed: those
// of now, when the handler sets the status, as net/http takes them.
//
// It is owed, not taken, while the response is being decided within the
// Write that set the status (snapOwed): the handler's map cannot change
// until the Write returns, so the middleware's changes go into it directly,
// and they are all made on the way to the commit, which then has nothing to
// restore. payOwedSnapshot takes it when the Write returns uncommitted.
func (s *response) snapshot() {
	h := s.rw.Header()
	if len(h) > maxPooledSnap {
		// Sized once, not grown: the map is not kept for the next
		// response anyway.
		s.snap = make(http.Header, len(h))
	}
	for k, v := range h {
		s.snap[k] = v
	}
	s.hasSnap = true
}

// payOwedSnapshot takes the snapshot owed by the Write that set the status,
// when the response is not committed yet.
func (s *response) payOwedSnapshot() {
	if !s.snapOwed {
		return
	}
	s.snapOwed = false
	if !s.committed && !s.hasSnap && s.phase == phaseScan {
		s.snapshot()
	}
}

// header returns the headers that will be sent: the snapshot while the real
// WriteHeader is held, where the middleware makes its changes.
func (s *response) header() http.Header {
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
func (s *response) startPassthrough(reason Reason) error {
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
func (s *response) startInject() error {
	s.phase = phaseInject
	if s.committed {
		return nil
	}
	h := s.header()
	if cl := h["Content-Length"]; s.declared >= 0 && len(cl) == 1 {
		// In place: Header.Set would allocate a new slice.
		cl[0] = s.m.lengths.format(s.declared + int64(s.w.Inserted()))
	}
	changeBody(h, s.describesBody)
	return s.sendHeld()
}

// commit sends the headers and the status. The wrapped writer's header map
// is made what the handler had set with the status (the snapshot, with the
// middleware's changes), so that changes made since are ignored as net/http
// ignores them; trailers set since stay, as net/http reads those from the
// map when the handler returns.
func (s *response) commit() {
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
//
// It costs one pass over h, snap and the declared names: a response with
// thousands of headers and a Trailer naming thousands (a hostile upstream
// behind a reverse proxy) costs what it costs net/http, not their product.
func restoreHeader(h, snap http.Header) (trailers http.Header) {
	// The declared names first, looked up in h before it changes.
	for _, v := range snap["Trailer"] {
		for name := range strings.SplitSeq(v, ",") {
			// Trimmed and canonicalised as net/http reads the Trailer
			// header (foreachHeaderElement, declareTrailer).
			if name = textproto.TrimString(name); name == "" {
				continue
			}
			k := http.CanonicalHeaderKey(name)
			if vv, ok := h[k]; ok {
				trailers = addTrailer(trailers, k, vv)
			}
		}
	}
	for k, v := range h {
		if strings.HasPrefix(k, http.TrailerPrefix) {
			trailers = addTrailer(trailers, k, v)
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

// addTrailer sets key to values in trailers, made on first use.
func addTrailer(trailers http.Header, key string, values []string) http.Header {
	if trailers == nil {
		trailers = make(http.Header)
	}
	trailers[key] = values
	return trailers
}

func (s *response) setServerTiming(h http.Header) {
	sc, ok := s.m.cfg.writer.source.SpanContext(s.req.Context())
	if !ok || !sc.IsValid() {
		return
	}
	v := s.m.cfg.writer.renderer.AppendServerTiming(s.held[len(s.held):], sc)
	if len(v) > 0 {
		h.Add("Server-Timing", string(v))
	}
}
