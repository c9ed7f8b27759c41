package fasthttpkit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/textproto"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/valyala/fasthttp"

	"github.com/tracemeta/tracemeta/inject"
	"github.com/tracemeta/tracemeta/inject/internal/adapterkit"
)

// errNoStatus reports that the middleware ended a streamed response without
// sending its status, which it never does unless it panicked.
var errNoStatus = errors.New(errPrefix + "the response ended without a status")

// errPrefix starts the errors of this package.
const errPrefix = "injectfasthttp: "

// Rewriter runs finished fasthttp responses through [inject.Middleware]:
// it replays the status, the headers and the body (or body stream) to the
// middleware as a net/http handler would write them, into a
// [http.ResponseWriter] that writes back into the fasthttp response, so
// that every rule of the middleware applies unchanged: only HTML documents
// for a browser navigation that no shared cache may store get the tags, and
// everything else is left as it was. A Rewriter is safe for concurrent use.
type Rewriter struct {
	mw       http.Handler        // inject.Middleware(opts...) around replay
	settings adapterkit.Settings // the logger and the skip hook of opts
	warned   atomic.Bool         // the unknown fasthttp layout was logged
	runs     sync.Pool           // of *run, the state of a request in flight
	intern   *interner           // the strings met again and again
	addrs    addrCache           // the text of the remote addresses
}

// NewRewriter returns a Rewriter that runs responses through
// [inject.Middleware] with opts ([inject.WithSource], [inject.WithSkipHook],
// [inject.WithServerTiming], ...).
func NewRewriter(opts ...inject.Option) *Rewriter {
	p, _ := newRewriter(opts, false)
	return p
}

// newRewriter returns the Rewriter for opts, and with validate the error of
// [inject.NewMiddleware].
func newRewriter(opts []inject.Option, validate bool) (*Rewriter, error) {
	mw, err := coreMiddleware(opts, validate, http.HandlerFunc(replay))
	return &Rewriter{mw: mw, settings: adapterkit.SettingsOf(opts), intern: newInterner()}, err
}

// Rewrite runs the response that fctx holds through the middleware, for the
// request r, which [NewRequest] builds from fctx's request, and whose
// context holds the trace the tags name. Call it once the handlers have
// written the response, and not for a hijacked connection.
//
// A body that is set whole is rewritten into a pooled buffer. A body stream
// (SetBodyStream, SetBodyStreamWriter) stays a stream: Rewrite reads the
// start of it until the middleware has decided the status and the headers,
// then the rest is rewritten in a goroutine as fasthttp sends the response,
// in constant memory; r must stay usable until then (its context must not
// be fctx, which fasthttp reuses). A stream that fails later ends the
// response early, as net/http aborts a handler. The error, for a stream that
// fails or panics before the status is decided, leaves the response
// without a body; the caller answers it (a Fiber adapter hands it to the
// app's ErrorHandler; [Middleware] sends a 500).
func (p *Rewriter) Rewrite(fctx *fasthttp.RequestCtx, r *http.Request) error {
	return p.rewrite(fctx, r, p.getRun())
}

// rewrite is Rewrite with the run rn, which it gives back to the pool once
// the response is rewritten: before it returns, or, for a body stream, once
// the stream is replayed. rn's request, if r is that, must not be used
// after.
func (p *Rewriter) rewrite(fctx *fasthttp.RequestCtx, r *http.Request, rn *run) error {
	resp := &fctx.Response
	rw := &rn.rw
	if !resp.IsBodyStream() {
		rw.init(resp, p.intern)
		rw.body = resp.Body()
		p.mw.ServeHTTP(rw, r)
		rw.setBody()
		p.putRun(rn)
		return nil
	}
	src, ok := detachBodyStream(resp)
	if !ok {
		p.unknownLayout(r) // left untouched
		p.putRun(rn)
		return nil
	}
	size := resp.Header.ContentLength()
	rw.init(resp, p.intern)
	if size >= 0 {
		rw.orig["Content-Length"] = []string{strconv.Itoa(size)}
	}
	// The stream's state is its own: the replay's goroutine gives rn back
	// when it is done, maybe before this one reads s.
	s := &stream{src: src, size: size, ready: make(chan struct{})}
	rw.stream = s
	pr, pw := io.Pipe()
	s.pw = pw
	go p.serveStream(rn, r)
	<-s.ready
	switch {
	case s.err != nil:
		pr.Close()
		return s.err
	case s.passthrough:
		pr.Close()
		resp.SetBodyStream(src, size)
	default:
		resp.SetBodyStream(pr, s.outSize)
	}
	return nil
}

// ReasonUnsupportedStream is what the skip hook hears for a body stream
// passed through untouched because this fasthttp's Response has a layout
// the replay does not know: inject's ReasonUnsupportedStream.
const ReasonUnsupportedStream = inject.ReasonUnsupportedStream

// unknownLayout reports a body stream left untouched because the fasthttp
// in use keeps it where this code does not look: to the skip hook for each
// response, and to the logger once, at warn level, since every streamed
// page of the server then goes out without the tags.
func (p *Rewriter) unknownLayout(r *http.Request) {
	if p.settings.Logger != nil && !p.warned.Swap(true) {
		p.settings.Logger.Warn("inject: fasthttp's Response has a layout this version does not know: streamed pages (SetBodyStream, SetBodyStreamWriter, SendFile) pass through without the tags; update the tracemeta module",
			slog.String("reason", ReasonUnsupportedStream.String()))
	}
	if p.settings.Skipped != nil {
		p.settings.Skipped(r, uint8(ReasonUnsupportedStream))
	}
}

// serveStream serves the replay of a body stream, on its own goroutine:
// the request's goroutine waits for rw.stream.ready, then fasthttp reads
// the pipe as it sends the response.
func (p *Rewriter) serveStream(rn *run, r *http.Request) {
	s := rn.rw.stream
	defer func() {
		v := recover()
		if v != nil {
			s.fail(fmt.Errorf("%sreplaying the body stream: %v", errPrefix, v))
		}
		if !s.signalled {
			s.fail(errNoStatus)
		}
		s.pw.CloseWithError(s.copyErr)
		if v == nil {
			p.putRun(rn) // after a panic, what it holds is left to the collector
		}
	}()
	p.mw.ServeHTTP(&rn.rw, r)
}

// replay is the handler inside the middleware: it writes the fasthttp
// response it finds under the ResponseWriter.
func replay(w http.ResponseWriter, _ *http.Request) {
	rw := unwrap(w)
	if rw == nil {
		return // not ours: cannot happen
	}
	// The values are copied into one array: the middleware may change a
	// value in place, and rw.orig must keep what fasthttp holds.
	h := w.Header()
	n := 0
	for _, v := range rw.orig {
		n += len(v)
	}
	all := rw.replayed[:0]
	if cap(all) < n {
		all = make([]string, 0, n)
	}
	for k, v := range rw.orig {
		i := len(all)
		all = append(all, v...)
		h[k] = all[i:len(all):len(all)]
	}
	rw.replayed = all
	rw.replayingStatus = true
	w.WriteHeader(rw.status)
	rw.replayingStatus = false
	if rw.wroteHeader {
		// The middleware sent the status before any byte of the body: it
		// decided from the request and the headers alone to pass the
		// response through, byte for byte, so the body stays where it is.
		rw.passthrough = true
		if rw.stream != nil {
			rw.stream.passthrough = true
			rw.stream.signal()
		}
		return
	}
	if rw.stream == nil {
		_, _ = w.Write(rw.body) // rw's own writes do not fail
		return
	}
	s := rw.stream
	defer func() {
		// Closed here, as fasthttp closes the streams it sends, also when
		// reading it panics.
		if err := closeStream(s.src); err != nil && s.copyErr == nil {
			s.copyErr = fmt.Errorf("%sclosing the body stream: %w", errPrefix, err)
		}
	}()
	var err error
	if s.size < 0 {
		err = copyFlushing(w, s.src)
	} else {
		// Through the middleware's ReadFrom, which reads into its pooled
		// buffer; readerOnly hides a WriterTo (strings.Reader,
		// bytes.Reader), which would hand it the whole rest in one string
		// or slice.
		_, err = io.Copy(w, readerOnly{s.src})
	}
	if err != nil {
		s.copyErr = fmt.Errorf("%sstreaming the body: %w", errPrefix, err)
	}
}

// copyBufs holds the buffers of copyFlushing.
var copyBufs = sync.Pool{New: func() any { return new([32 << 10]byte) }}

// copyFlushing copies src, a body stream of unknown length, to the
// middleware's w, and flushes w after each read: what one read returns is
// what the stream writer flushed (SetBodyStreamWriter's reader returns one
// flush at a time), and net/http's Flush makes the middleware send the
// status, the headers and every whole token it holds, so a page's shell
// reaches the client while the handler works on the rest, as it does in
// net/http. A stream of known length is not flushed: its Content-Length is
// kept true by a decision before the headers go out.
func copyFlushing(w http.ResponseWriter, src io.Reader) error {
	buf := copyBufs.Get().(*[32 << 10]byte)
	defer copyBufs.Put(buf)
	flusher, _ := w.(http.Flusher)
	for {
		n, err := src.Read(buf[:])
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return werr
			}
			if flusher != nil {
				flusher.Flush()
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// closeStream closes src, a body stream taken out of a response, by
// fasthttp's own close path for the streams it sends (Close,
// CloseWithError, the release of its pooled streams, as the fasthttp in
// use does them): it is given to a Response of its own, which closes it.
func closeStream(src io.Reader) error {
	resp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseResponse(resp)
	resp.SetBodyStream(src, -1)
	return resp.CloseBodyStream()
}

// readerOnly hides every method of a Reader but Read.
type readerOnly struct{ io.Reader }

// unwrap finds the responseWriter under w.
func unwrap(w http.ResponseWriter) *responseWriter {
	for w != nil {
		if rw, ok := w.(*responseWriter); ok {
			return rw
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return nil
		}
		w = u.Unwrap()
	}
	return nil
}

// maxPooledHeaders is the number of headers above which a pooled writer's
// header maps are not kept for the next response.
const maxPooledHeaders = 64

// responseWriter is the http.ResponseWriter the middleware writes to: the
// status and headers go into the fasthttp response when the middleware
// sends them, the body into a new body or, for a stream, into a pipe that
// fasthttp reads.
type responseWriter struct {
	resp        *fasthttp.Response
	status      int         // the fasthttp response's status, replayed
	orig        http.Header // the fasthttp response's headers, replayed
	header      http.Header // what the middleware sends
	body        []byte      // the body to replay; nil for a stream
	stream      *stream     // the body stream to replay, or nil
	wroteHeader bool        // the middleware sent the status
	// replayingStatus is true while replay calls WriteHeader: a status
	// sent then is a decision to pass the body through, which replay,
	// not WriteHeader, tells the request's goroutine.
	replayingStatus bool
	passthrough     bool    // it did before the body: the body is kept
	same            int     // the body written by the middleware is body[:same]; until changed
	changed         bool    // the middleware wrote other bytes: they are in out
	out             []byte  // the body written by the middleware, once changed
	outHolder       *[]byte // the pool's holder of out

	// Kept from one response to the next, emptied in between.
	origVals []string          // the values of orig, one after the other
	replayed []string          // the values of header as replay set them
	intern   *interner         // where orig's strings come from, while it is read
	visit    func(k, v []byte) // rw.visitHeader, bound once
}

// stream is the state of a streamed replay, shared by the request's
// goroutine and the replay's. Until ready is closed only the replay's
// goroutine uses it; then only the request's, but for pw and copyErr.
type stream struct {
	src         io.Reader      // the handler's body stream
	size        int            // its length, or -1 when unknown
	pw          *io.PipeWriter // where the rewritten body goes
	ready       chan struct{}  // closed once the status is decided
	signalled   bool           // ready is closed
	passthrough bool           // src goes out as it is
	outSize     int            // the length of what goes through pw, or -1
	err         error          // the replay failed before the status
	copyErr     error          // reading src or writing pw failed
}

func (s *stream) signal() {
	if !s.signalled {
		s.signalled = true
		close(s.ready)
	}
}

func (s *stream) fail(err error) {
	if !s.signalled {
		s.err = err
		s.signal()
	}
	if s.copyErr == nil {
		s.copyErr = err
	}
}

// init makes rw the writer of resp, with orig and status those of resp,
// orig's strings taken from in.
func (rw *responseWriter) init(resp *fasthttp.Response, in *interner) {
	if rw.orig == nil {
		rw.orig = make(http.Header, 8)
		rw.header = make(http.Header, 10) // room for the middleware's
	}
	if rw.visit == nil {
		rw.visit = rw.visitHeader
	}
	rw.resp = resp
	rw.status = resp.StatusCode()
	rw.intern = in
	resp.Header.VisitAll(rw.visit)
	rw.intern = nil
}

// visitHeader puts k: v into orig, unless skipResponseHeader skips it.
func (rw *responseWriter) visitHeader(k, v []byte) {
	if skipResponseHeader(k) {
		return
	}
	key := rw.intern.string(k)
	if canon := textproto.CanonicalMIMEHeaderKey(key); canon != key {
		key = rw.intern.string([]byte(canon)) // fasthttp normalizes them unless told not to
	}
	j := len(rw.origVals)
	rw.origVals = append(rw.origVals, rw.intern.string(v))
	if old, ok := rw.orig[key]; ok {
		rw.orig[key] = append(old, rw.origVals[j]) // a repeated key: rare
	} else {
		rw.orig[key] = rw.origVals[j : j+1 : j+1]
	}
}

// reset drops everything rw holds of its last response, keeping its maps
// and arrays.
func (rw *responseWriter) reset() {
	if len(rw.orig) > maxPooledHeaders || len(rw.header) > maxPooledHeaders {
		// A response with many headers: its maps are left to the
		// collector, so that the next responses do not clear them.
		rw.orig, rw.header, rw.origVals, rw.replayed = nil, nil, nil, nil
	}
	clear(rw.orig)
	clear(rw.header)
	clear(rw.origVals)
	clear(rw.replayed)
	*rw = responseWriter{
		orig:     rw.orig,
		header:   rw.header,
		origVals: rw.origVals[:0],
		replayed: rw.replayed[:0],
		visit:    rw.visit,
	}
}

// skipResponseHeader reports the headers of a fasthttp response that are
// not replayed: the body's length is fasthttp's to keep, and connection
// management is not the handler's.
func skipResponseHeader(k []byte) bool {
	switch string(k) {
	case "Content-Length", "Transfer-Encoding", "Connection":
		return true
	}
	return false
}

// Header returns the header map the middleware sends.
func (rw *responseWriter) Header() http.Header { return rw.header }

// WriteHeader puts code and the headers into the fasthttp response.
func (rw *responseWriter) WriteHeader(code int) {
	if rw.wroteHeader || code < 200 {
		return // 1xx: fasthttp cannot send one
	}
	rw.wroteHeader = true
	rw.resp.SetStatusCode(code)
	syncHeader(&rw.resp.Header, rw.orig, rw.header)
	if s := rw.stream; s != nil {
		s.outSize = -1
		if v := rw.header["Content-Length"]; len(v) == 1 {
			if n, err := strconv.Atoi(v[0]); err == nil && n >= 0 {
				s.outSize = n
			}
		}
		if !rw.replayingStatus {
			s.signal()
		}
	}
}

// Write adds p to the body.
func (rw *responseWriter) Write(p []byte) (int, error) {
	if !rw.wroteHeader {
		rw.WriteHeader(http.StatusOK)
	}
	if rw.stream != nil {
		return rw.stream.pw.Write(p)
	}
	if !rw.changed {
		// Bytes the middleware passes on as they were (all of them, for a
		// body it does not rewrite) are counted, not copied.
		if end := rw.same + len(p); end <= len(rw.body) && bytes.Equal(p, rw.body[rw.same:end]) {
			rw.same = end
			return len(p), nil
		}
		rw.changed = true
		rw.outHolder, rw.out = getBuf(len(rw.body) + 512)
		rw.out = append(rw.out, rw.body[:rw.same]...)
	}
	rw.out = append(rw.out, p...)
	return len(p), nil
}

// Flush sends the status and the headers, as net/http's Flush does: for a
// stream, the request's goroutine then hands the pipe to fasthttp, which
// sends each write to it as a chunk of its own, flushed.
func (rw *responseWriter) Flush() {
	if !rw.wroteHeader {
		rw.WriteHeader(http.StatusOK)
	}
}

// setBody makes what the middleware wrote the fasthttp response's body,
// unless it kept the body as it was.
func (rw *responseWriter) setBody() {
	if rw.passthrough || !rw.changed && rw.same == len(rw.body) {
		return // the body as it was, not copied
	}
	if !rw.changed {
		// A part of the body, or none (a HEAD's).
		rw.outHolder, rw.out = getBuf(rw.same)
		rw.out = append(rw.out, rw.body[:rw.same]...)
	}
	old := rw.resp.SwapBody(rw.out)
	putBuf(rw.outHolder, old)
	rw.out, rw.outHolder = nil, nil
}

// syncHeader makes dst hold final, changing only what differs from orig,
// the headers that dst held: fasthttp keeps some of them (cookies, the
// Content-Type) apart, and untouched they stay exactly as they were.
func syncHeader(dst *fasthttp.ResponseHeader, orig, final http.Header) {
	var buf [8]string
	set := buf[:0] // the keys to write again, from final
	changed := false
	for k, v := range orig {
		if k == "Content-Length" {
			continue
		}
		switch fv := final[k]; {
		case len(fv) == 0:
			dst.Del(k)
			changed = true
		case !slices.Equal(v, fv):
			set = append(set, k)
		}
	}
	for k, fv := range final {
		if _, ok := orig[k]; !ok && k != "Content-Length" && len(fv) > 0 {
			set = append(set, k)
		}
	}
	if !changed && len(set) == 0 {
		return
	}
	// fasthttp deletes a header by swapping the last one into its place,
	// which reorders the values of a repeated key: they are written again,
	// in order. (Cookies are kept apart, and stay in order.)
	for k, fv := range final {
		if len(fv) > 1 && k != "Set-Cookie" && !slices.Contains(set, k) {
			set = append(set, k)
		}
	}
	for _, k := range set {
		dst.Del(k)
	}
	for _, k := range set {
		for _, v := range final[k] {
			dst.Add(k, v)
		}
	}
}
