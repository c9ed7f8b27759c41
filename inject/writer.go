package inject

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
)

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

var (
	// ErrInvalidWrite is returned by a [Writer] whose destination reported
	// writing a negative count, or more bytes than it was given.
	ErrInvalidWrite = errors.New("inject: destination returned an invalid write count")
	// ErrInvalidRead is returned by [Writer.ReadFrom] when its source
	// reported reading a negative count, or more bytes than it was given.
	ErrInvalidRead = errors.New("inject: source returned an invalid read count")
)

const (
	// readBufSize is the size of the buffer ReadFrom and WriteString read
	// through while scanning, the one io.Copy uses.
	readBufSize = 32 << 10
	// firstReadSize is the first read of a ReadFrom whose destination has
	// a ReadFrom of its own (sendfile on a net/http connection): the head
	// is mostly in the first few KiB, and every byte read before the
	// decision is copied through user space, while the rest goes to the
	// destination's ReadFrom. Reads double from there, up to readBufSize.
	firstReadSize = 4 << 10
	// maxKeptHold is the largest hold buffer Reset keeps: one grown by a
	// pathological document (a tag of many kilobytes before <head>) goes,
	// so that pooled Writers stay small.
	maxKeptHold = 16 << 10
	// maxEmptyReads is how many reads in a row may return no data and no
	// error before ReadFrom gives up with io.ErrNoProgress, as bufio does.
	maxEmptyReads = 100
)

// scanPhase is how far a Writer has got with the document: where it stands,
// as a response's phase is where the Middleware stands with it.
type scanPhase uint8

const (
	scanBOM      scanPhase = iota // at the start: a byte order mark may be arriving; every byte is held
	scanPrologue                  // before the insertion point: only BOM, whitespace, comments, doctypes and <html> so far
	scanHead                      // in the head: the tags go before the first token that is not whitespace, a comment or a charset meta
	scanCheck                     // WithExistingTags: the insertion point is found; reading the rest of the head for the page's own tags
	scanDecided                   // decided: bytes go straight to dst
)

// Writer is a streaming HTML rewriter that inserts tags into the <head> of
// the document written through it. Create it with [NewWriter].
//
// It reads the start of the document with a resumable HTML tokenizer and
// inserts the tags once, in the head, right before the first token there
// that is not whitespace, a comment or a charset meta (<meta charset>,
// <meta http-equiv>):
//
//   - after the <head> start tag, and the charset metas, whitespace and
//     comments that follow it;
//   - without a <head> tag, in the head HTML implies: before the first
//     token that is not a byte order mark, whitespace, a comment, a doctype
//     or an <html> tag, or, when that token is an element of the head (a
//     meta, a title...), as after <head>.
//
// When the Content-Type names no charset ([WithContentType]; unknown by
// default) and no byte order mark does, the browser looks for a charset meta
// in the first 1024 bytes. Until the Writer has read a charset meta or 1024
// bytes, it then reads on past the head's other metas, links, bases, titles
// and styles, so that the tags never push a charset meta out of those bytes
// wherever it stands among them. It stops before a script, so that the tags
// are in the page before a script that reads them.
//
// It inserts nothing, and passes every byte through untouched, when the body
// is not a document (it starts with anything but a doctype, <html>, <head>
// or an element that belongs in the head: an HTML fragment or plain text),
// when it starts with a UTF-16 byte order mark, or when no insertion point
// turns up within the lookahead (see [WithLookahead]). [Writer.Status] and
// [Writer.Reason] say what it decided.
//
// The output is the same however the input is split into writes and
// flushes: until the decision the Writer holds at most the token it is
// reading (never more than the lookahead), which a browser cannot use before
// it is complete either; everything else is written to dst at once, and a
// Flush sends it on. After the decision, each write goes to dst in one call,
// without a copy.
//
// A Writer is not safe for concurrent use.
type Writer struct {
	dst  io.Writer // receives the output; set by NewWriter and Reset
	tags []byte    // the bytes to insert; replaced by tagsFunc's when it is set, at the insertion point

	// tagsFunc, when not nil, renders the tags at the insertion point: it is
	// called at most once per document, when the Writer has found where the
	// tags go (and not before: the Middleware claims the request's tags
	// there, so a page that rendered its own first keeps them), and appends the
	// tags to dst. A Reason other than ReasonNone means insert nothing: the
	// Writer then skips the document with that reason. The Middleware sets
	// it after NewWriter and after every Reset, which clears it.
	tagsFunc func(dst []byte) ([]byte, Reason)

	cfg *writerConfig   // the options, shared and never changed; kept by Reset
	ctx context.Context // WithContext's, for this document: the tags are rendered for its span; nil means tags

	phase        scanPhase // how far the Writer has got; only moves forward until Reset
	status       Status    // StatusScanning until phase is scanDecided
	reason       Reason    // why it skipped; ReasonNone unless status is StatusSkipped
	document     bool      // a doctype, <html> or <head> was read: the body is a document
	tagsOut      bool      // the tags were written to dst
	inDst        bool      // a call into dst is running: a panic then is dst's, not the Writer's
	inRead       bool      // a ReadFrom of dst's is running, so ReadFrom must not call it again
	bom          [2]byte   // the first bomLen bytes of the document, while they may begin a byte order mark
	bomLen       int       // bytes of a UTF-8 or UTF-16 byte order mark read, < 3
	charsetKnown bool      // the encoding is known without the prescan (a charset in the Content-Type, a BOM): no need to look for a charset meta
	charsetSeen  bool      // a charset meta was read: the prescan finds it before the tags
	at           int64     // in scanDecided, the stream offset the tags go at, or -1 when there are none to write
	pending      int64     // in scanCheck, the stream offset the tags go at unless the head has tags of its own
	templates    int       // in scanCheck, how many <template> elements are open: their content is not the head's
	afterHead    bool      // in scanCheck, </head> was read: head elements may still follow it
	flushOwed    bool      // a Flush came in scanCheck: dst is flushed once the Writer decides
	err          error     // the first error dst returned; never reset but by Reset

	z tokenizer // reads the document until the decision; z.pos counts the bytes scanned

	// out is the stream offset of the first byte not yet written to dst, and
	// buf holds the bytes [out, out+len(buf)) the Writer holds back: the
	// token it is reading. Every byte before out went
	// to dst; len(buf) <= the lookahead.
	out int64
	buf []byte

	tagBuf []byte // tagsFunc appends to tagBuf[:0]; kept across Reset
}

// NewWriter returns a Writer that writes to dst the bytes written to it,
// with tags inserted once at the document's insertion point. The Writer
// keeps tags, which must not change until it has decided; with
// [WithContext] and nil tags, it renders the tags itself instead.
func NewWriter(dst io.Writer, tags []byte, opts ...WriterOption) *Writer {
	if len(opts) == 0 {
		// Small enough to be inlined: a Writer that does not leave the
		// function that made it (its methods called directly, not
		// through an io.Writer) then lives on that function's stack.
		return &Writer{dst: dst, tags: tags, at: -1, cfg: &defaultConfig}
	}
	return newWriterWith(dst, tags, opts)
}

// newWriterWith is NewWriter with options.
func newWriterWith(dst io.Writer, tags []byte, opts []WriterOption) *Writer {
	// One allocation for the Writer and its options.
	wc := new(struct {
		w   Writer
		cfg writerConfig
	})
	setWriterConfig(&wc.cfg, opts)
	wc.cfg.prepare()
	wc.w = Writer{dst: dst, tags: tags, at: -1, z: wc.cfg.newTokenizer(), cfg: &wc.cfg, ctx: wc.cfg.doc.ctx, charsetKnown: wc.cfg.doc.charsetKnown}
	return &wc.w
}

// defaultConfig is the settings of a Writer made without options; never
// changed.
var defaultConfig = defaultWriterConfig()

// newWriter returns a Writer with the settings cfg, which it shares and
// never changes.
func newWriter(dst io.Writer, tags []byte, cfg *writerConfig) *Writer {
	return &Writer{dst: dst, tags: tags, at: -1, z: cfg.newTokenizer(), cfg: cfg, ctx: cfg.doc.ctx, charsetKnown: cfg.doc.charsetKnown}
}

// Reset discards the Writer's state, including its held bytes, the
// tagsFunc hook and the per-document settings of the last document, and
// makes it write the next document to dst with tags, as if new from
// [NewWriter] with the same options but for the per-document ones
// ([WithContext], [WithContentType]), which are opts. It keeps its buffers,
// so that Writers can be pooled.
func (w *Writer) Reset(dst io.Writer, tags []byte, opts ...DocumentOption) {
	var doc documentConfig
	if len(opts) > 0 {
		doc = newDocumentConfig(opts)
	}
	buf, tagBuf, cfg := w.buf[:0], w.tagBuf[:0], w.cfg
	if cap(buf) > maxKeptHold {
		buf = nil
	}
	// Cleared, then set: one pass over the Writer, not a copy of a new one.
	*w = Writer{}
	w.dst, w.tags, w.cfg, w.ctx, w.at = dst, tags, cfg, doc.ctx, -1
	w.z = cfg.newTokenizer()
	w.buf, w.tagBuf, w.charsetKnown = buf, tagBuf, doc.charsetKnown
}

// newDocumentConfig returns the per-document settings opts give; nil
// options are skipped.
func newDocumentConfig(opts []DocumentOption) (d documentConfig) {
	for _, o := range opts {
		if o != nil {
			o.applyDocument(&d)
		}
	}
	return d
}

// Status reports whether the Writer is still looking for the insertion
// point, has written the tags, or skipped the document.
func (w *Writer) Status() Status { return w.status }

// Reason reports why the Writer skipped the document, or ReasonNone.
func (w *Writer) Reason() Reason { return w.reason }

// Inserted reports how many bytes the Writer inserted: the length of the
// tags once the status is [StatusInjected], else 0. The output is that much
// longer than the input.
func (w *Writer) Inserted() int {
	if w.status != StatusInjected {
		return 0
	}
	return len(w.tags)
}

// Write writes p through the rewriter. Once the Writer has decided, p goes
// to dst in one call. It returns the first error of dst, and keeps
// returning it; a short write of dst is io.ErrShortWrite.
func (w *Writer) Write(p []byte) (int, error) {
	if w.phase == scanDecided && w.err == nil {
		n, err := w.dst.Write(p)
		if err != nil || n != len(p) {
			return w.passFailed(n, len(p), err)
		}
		return n, nil
	}
	return w.write(p)
}

// passFailed records the failure of a write of plen bytes to dst that wrote n.
func (w *Writer) passFailed(n, plen int, err error) (int, error) {
	switch {
	case n < 0 || n > plen:
		n, err = 0, ErrInvalidWrite
	case err == nil:
		err = io.ErrShortWrite
	}
	w.err = err
	return n, err
}

// WriteString is Write for a string. Once the Writer has decided, s goes to
// dst's WriteString when it has one.
func (w *Writer) WriteString(s string) (n int, err error) {
	var b *[]byte
	defer func() { putReadBuf(b) }()
	for len(s) > 0 {
		if w.phase == scanDecided && w.err == nil {
			if sw, ok := w.dst.(io.StringWriter); ok {
				m, err := sw.WriteString(s)
				if err != nil || m != len(s) {
					m, err = w.passFailed(m, len(s), err)
				}
				return n + m, err
			}
		}
		if b == nil {
			b = getReadBuf()
		}
		k := copy(*b, s)
		m, err := w.Write((*b)[:k])
		n += m
		if err != nil {
			return n, err
		}
		s = s[k:]
	}
	return n, nil
}

// ReadFrom writes what it reads from r through the rewriter, until io.EOF.
// Once the Writer has decided, the rest is copied straight to dst, by dst's
// own ReadFrom when it has one (sendfile on a net/http connection). It
// returns the number of bytes read from r and written.
func (w *Writer) ReadFrom(r io.Reader) (int64, error) {
	if w.err != nil {
		return 0, w.err
	}
	// One read buffer for the whole copy: a page that ends before the
	// decision, or is copied on through Write, takes it once.
	b := getReadBuf()
	defer putReadBuf(b)
	n, eof, err := readEach(r, *b, firstRead(w.dst), w.Write, func() bool { return w.phase == scanDecided })
	if eof || err != nil {
		return n, err
	}
	m, err := w.copyFrom(r, *b)
	return n + m, err
}

// copyFrom copies r to dst once the Writer has decided, reading through buf
// when neither has a shortcut.
func (w *Writer) copyFrom(r io.Reader, buf []byte) (int64, error) {
	if w.err != nil {
		return 0, w.err
	}
	// A dst whose ReadFrom ends up calling this Writer's ReadFrom again
	// (a wrapper around the Writer, say) would recurse forever: the second
	// time round the bytes go through Write.
	if rf, ok := w.dst.(io.ReaderFrom); ok && !w.inRead {
		w.inRead = true
		defer func() { w.inRead = false }()
		return rf.ReadFrom(r)
	}
	if wt, ok := r.(io.WriterTo); ok {
		return wt.WriteTo(hideReadFrom{w})
	}
	n, _, err := readEach(r, buf, len(buf), w.Write, func() bool { return false })
	return n, err
}

// firstRead is the size of the first read of a ReadFrom into a Writer or
// the Middleware writing to dst: small when dst can take the rest by a
// ReadFrom of its own.
func firstRead(dst any) int {
	if _, ok := dst.(io.ReaderFrom); ok {
		return firstReadSize
	}
	return readBufSize
}

// readEach reads r into buf and writes each piece with write, until io.EOF
// (eof), an error of either, or done reports true before a read. The first
// read is of at most first bytes, and each next one of twice the last, up
// to len(buf). Like bufio, it gives up with io.ErrNoProgress after
// maxEmptyReads reads in a row that return nothing. The Writer's ReadFrom
// and the Middleware's share it.
func readEach(r io.Reader, buf []byte, first int, write func([]byte) (int, error), done func() bool) (n int64, eof bool, err error) {
	size := min(max(first, 1), len(buf))
	for empty := 0; !done(); {
		p := buf[:size]
		size = min(2*size, len(buf))
		m, rerr := r.Read(p)
		if m < 0 || m > len(p) {
			return n, false, fmt.Errorf("%w: %d for %d bytes", ErrInvalidRead, m, len(p))
		}
		if m > 0 {
			empty = 0
			k, err := write(p[:m])
			n += int64(k)
			if err != nil {
				return n, false, err
			}
		} else if rerr == nil {
			if empty++; empty >= maxEmptyReads {
				return n, false, io.ErrNoProgress
			}
		}
		if rerr == io.EOF {
			return n, true, nil
		}
		if rerr != nil {
			return n, false, rerr
		}
	}
	return n, false, nil
}

// hideReadFrom hides the Writer's ReadFrom from a WriterTo, which could call it
// back.
type hideReadFrom struct{ w *Writer }

func (o hideReadFrom) Write(p []byte) (int, error) { return o.w.Write(p) }

// readBufs holds the buffers of ReadFrom and WriteString, shared by every
// Writer and Middleware: a page read through a new Writer allocates none.
var readBufs = sync.Pool{New: func() any {
	b := make([]byte, readBufSize)
	return &b
}}

func getReadBuf() *[]byte { return readBufs.Get().(*[]byte) }

// putReadBuf gives b back; nil is ignored.
func putReadBuf(b *[]byte) {
	if b != nil {
		readBufs.Put(b)
	}
}

// Flush flushes dst when dst has a Flush() error, FlushError() error or
// Flush() method. The Writer holds nothing but the token it is reading,
// which a browser could not use before it is complete either: every other
// byte went to dst with the Write that brought it. So Flush never moves the
// tags: the output is the same with or without it.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	if w.phase == scanCheck {
		// The bytes from the insertion point on wait for the end of
		// the head; they are flushed once the Writer decides.
		w.flushOwed = true
	}
	return w.flushDst()
}

// answerFlush flushes dst for a Flush that came while the Writer read the
// head (scanCheck), once it has decided and written what it held.
func (w *Writer) answerFlush() error {
	if !w.flushOwed {
		return nil
	}
	w.flushOwed = false
	return w.flushDst()
}

// flushDst flushes dst, when it can.
func (w *Writer) flushDst() error {
	switch f := w.dst.(type) {
	case interface{ Flush() error }:
		return f.Flush()
	case interface{ FlushError() error }:
		return f.FlushError()
	case interface{ Flush() }:
		f.Flush()
	}
	return nil
}

// Close ends the document: the Writer decides, if it has not yet, as if the
// input ended there (a document that ends right after "<head>" gets the
// tags, one that ends before any element but <html> gets them at its end),
// and writes every byte it holds. It does not close dst. Writes after Close
// pass straight through. It returns the first error of dst.
func (w *Writer) Close() error {
	if w.phase != scanDecided {
		w.settle(w.decideEOF)
	}
	return w.err
}

// settle runs decide, which must make the decision, then writes every held
// byte, and the tags if decided so. A panic of decide (the tagsFunc's, or a
// bug) makes it pass the bytes through.
func (w *Writer) settle(decide func()) {
	if w.err != nil {
		return
	}
	end := w.out + int64(len(w.buf))
	defer func() {
		if v := recover(); v != nil {
			w.recovered(v, nil, end)
		}
	}()
	decide()
	if w.emitDecision(nil, end) == nil {
		_ = w.answerFlush() // its error, dst's, is not the document's end's
	}
}

// write is Write until the decision: it scans p, writes to dst every byte
// it need not hold, and holds the rest.
func (w *Writer) write(p []byte) (n int, err error) {
	if w.err != nil {
		return 0, w.err
	}
	pos0 := w.out + int64(len(w.buf)) // the stream offset of p[0]
	defer func() {
		if v := recover(); v != nil {
			n, err = w.recovered(v, p, pos0)
		}
	}()
	if w.phase != scanDecided {
		w.scan(p)
	}
	if w.phase == scanDecided {
		if err = w.emitDecision(p, pos0); err == nil {
			err = w.answerFlush()
		}
	} else {
		err = w.emitUpTo(p, pos0, w.safePoint())
		if err == nil {
			w.buf = append(w.buf, p[w.out+int64(len(w.buf))-pos0:]...)
		}
	}
	if err != nil {
		return w.consumed(p, pos0), err
	}
	return len(p), nil
}

// consumed is how many bytes of p, at stream offset pos0, went to dst.
func (w *Writer) consumed(p []byte, pos0 int64) int {
	return int(min(max(w.out-pos0, 0), int64(len(p))))
}

// recovered handles a panic v raised while p (at stream offset pos0) was
// being written: the Writer gives up and passes every byte it has not
// written through untouched, so that none is lost or written twice. A panic
// of dst is not the Writer's to handle (it may be http.ErrAbortHandler): it
// goes on up.
func (w *Writer) recovered(v any, p []byte, pos0 int64) (int, error) {
	if w.inDst {
		w.inDst = false
		panic(v)
	}
	w.phase, w.at = scanDecided, -1
	if !w.tagsOut {
		w.status, w.reason = StatusSkipped, ReasonFailed
	}
	if err := w.emitUpTo(p, pos0, pos0+int64(len(p))); err != nil {
		return w.consumed(p, pos0), err
	}
	return len(p), nil
}

// safePoint is the stream offset from which the Writer must hold the bytes
// it has scanned: the tags may still go before them.
func (w *Writer) safePoint() int64 {
	switch w.phase {
	case scanBOM:
		return 0
	case scanCheck:
		return w.pending
	}
	if w.z.inTag() {
		return w.z.start
	}
	return w.z.pos
}

// emitDecision writes, once decided, the held bytes and p (at stream offset
// pos0), with the tags at their offset.
func (w *Writer) emitDecision(p []byte, pos0 int64) error {
	if w.at >= 0 {
		if err := w.emitUpTo(p, pos0, w.at); err != nil {
			return err
		}
		w.at = -1
		if _, err := w.dstWrite(w.tags); err != nil {
			return err
		}
		w.tagsOut = true
	}
	return w.emitUpTo(p, pos0, pos0+int64(len(p)))
}

// emitUpTo writes to dst the stream bytes from out to offset to: the held
// ones first, then those of p, whose first byte is at offset pos0. When buf
// is not empty, pos0 == out+len(buf).
func (w *Writer) emitUpTo(p []byte, pos0, to int64) error {
	if k := to - w.out; k > 0 && len(w.buf) > 0 {
		n, err := w.dstWrite(w.buf[:min(k, int64(len(w.buf)))])
		w.out += int64(n)
		w.buf = w.buf[:copy(w.buf, w.buf[n:])]
		if err != nil {
			return err
		}
	}
	if to > w.out {
		n, err := w.dstWrite(p[w.out-pos0 : to-pos0])
		w.out += int64(n)
		return err
	}
	return nil
}

// dstWrite writes b to dst, turning a short or invalid count into an error,
// and records the first error.
func (w *Writer) dstWrite(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	w.inDst = true
	n, err := w.dst.Write(b)
	w.inDst = false
	if err != nil || n != len(b) {
		return w.passFailed(n, len(b), err)
	}
	return n, nil
}
