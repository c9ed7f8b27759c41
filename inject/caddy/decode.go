package injectcaddy

import (
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"strings"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/tracemeta/tracemeta/inject"
)

// A page the upstream compresses is decoded as it streams, so that it gets
// the tags, within these bounds; past them it passes through as it came, or,
// once decoded bytes have gone out, the response is cut.
const (
	// maxDecoded bounds the decoded bytes of one response, across every
	// gzip member and zstd frame of it. Memory does not grow with them (the
	// page streams), but the CPU to decode and encode them again does.
	maxDecoded = 32 << 20
	// maxWindow bounds a zstd frame's window, the memory its decoding
	// needs: 8 MiB is the limit RFC 9659 sets for zstd in HTTP.
	maxWindow = 8 << 20
	// decodeBudget bounds the responses decoded at once in the process, in
	// units of about 1.5 MiB of live heap: a gzip page (decoder, encoder
	// and buffers) takes one, a zstd page, whose window may take 8 MiB,
	// takes zstdCost. Past it, a compressed page passes through untagged.
	decodeBudget = 16
	zstdCost     = 4
	// maxHeldEncoded bounds the compressed bytes held until the decoder
	// writes its first bytes, to pass them through as they came when the
	// stream turns out not to decode.
	maxHeldEncoded = 64 << 10
	// maxHeldDecoded bounds what the decoder wrote, held with them.
	maxHeldDecoded = 64 << 10
)

var (
	errTooLarge    = errors.New("decoded page larger than 32 MiB")
	errDecodeAbort = errors.New("decoding stopped")
)

// decodes is the process-wide count of the decodeBudget in use: every
// site and every handler shares the one heap, so they share the bound.
var decodes struct {
	sync.Mutex
	used int
}

// decodeCost is what decoding a page in coding takes of the decodeBudget.
func decodeCost(coding string) int {
	if coding == "zstd" {
		return zstdCost
	}
	return 1
}

// acquireDecode takes what decoding a page in coding costs, without waiting,
// and reports whether there was enough left.
func acquireDecode(coding string) bool {
	decodes.Lock()
	defer decodes.Unlock()
	if decodes.used+decodeCost(coding) > decodeBudget {
		return false
	}
	decodes.used += decodeCost(coding)
	return true
}

// releaseDecode gives back what acquireDecode took.
func releaseDecode(coding string) {
	decodes.Lock()
	decodes.used -= decodeCost(coding)
	decodes.Unlock()
}

// rewritableCoding returns the coding of a compressed response that
// inject.Middleware would rewrite were it not compressed: one gzip or zstd
// coding, a status with a page, an HTML Content-Type, nothing that makes the
// Middleware pass it through (a range, an attachment, no-transform, a shared
// cache). It returns "" for any other response, which is not decoded.
func rewritableCoding(code int, h http.Header) string {
	coding := codingOf(h["Content-Encoding"])
	if coding == "" {
		return ""
	}
	switch {
	case code == http.StatusNoContent, code == http.StatusResetContent, code == http.StatusPartialContent,
		code < 200, code >= 300 && code < 400, code >= 600:
		return ""
	}
	if len(h["Content-Range"]) > 0 || headerHas(h["Content-Disposition"], "attachment") ||
		headerHas(h["Cache-Control"], "no-transform") || inject.SharedCacheable(h) {
		return ""
	}
	ct := h["Content-Type"]
	if len(ct) != 1 || !containsFold(ct[0], "text/html") {
		return ""
	}
	return coding
}

// codingOf returns "gzip" or "zstd" when ce names that one coding, else "".
func codingOf(ce []string) string {
	if len(ce) != 1 {
		return ""
	}
	switch strings.ToLower(strings.TrimSpace(ce[0])) {
	case "gzip", "x-gzip":
		return "gzip"
	case "zstd":
		return "zstd"
	}
	return ""
}

// headerHas reports whether one of the header's values contains word, in any
// case.
func headerHas(values []string, word string) bool {
	for _, v := range values {
		if containsFold(v, word) {
			return true
		}
	}
	return false
}

// streamDecoder decodes a compressed body as it is written. The decoders of
// the standard shape pull their input from a Reader, and the proxy pushes
// it: the decoder runs in a coroutine (iter.Pull), which Write resumes with
// the new bytes and which yields back as soon as it has read them all, and
// written what they decode to. Nothing runs concurrently with the caller,
// and nothing of p is kept after feed returns.
type streamDecoder struct {
	coding string
	out    io.Writer // where the decoded bytes go
	left   int64     // decoded bytes still allowed

	in    []byte // input not yet read
	eof   bool   // no more input
	yield func(struct{}) bool
	next  func() (struct{}, bool)
	stop  func()

	done bool  // the decoder returned
	err  error // what it returned
}

func newStreamDecoder(coding string, out io.Writer) *streamDecoder {
	d := new(streamDecoder)
	d.start(coding, out)
	return d
}

// start makes d a new decoder of coding writing to out, in place: the
// responseWriter holds its decoder, without an allocation of its own.
func (d *streamDecoder) start(coding string, out io.Writer) {
	*d = streamDecoder{coding: coding, out: out, left: maxDecoded}
	d.next, d.stop = iter.Pull(d.run)
}

// feed decodes p, and returns the decoder's error if it stopped with one.
func (d *streamDecoder) feed(p []byte) error {
	if d.done {
		return d.err
	}
	d.in = p
	d.next()
	d.in = nil
	return d.err
}

// close ends the input: it returns the decoder's error, io.ErrUnexpectedEOF
// for a stream cut short.
func (d *streamDecoder) close() error {
	d.eof = true
	if !d.done {
		d.next()
	}
	d.stop()
	return d.err
}

// abort stops the decoder where it is.
func (d *streamDecoder) abort() { d.stop() }

// Read is what the decoder reads from: it yields to the writer when the
// input is used up.
func (d *streamDecoder) Read(p []byte) (int, error) {
	for len(d.in) == 0 {
		if d.eof {
			return 0, io.EOF
		}
		if !d.yield(struct{}{}) {
			return 0, errDecodeAbort
		}
	}
	n := copy(p, d.in)
	d.in = d.in[n:]
	return n, nil
}

// Write counts the decoded bytes against the bound, and writes them on.
func (d *streamDecoder) Write(p []byte) (int, error) {
	if int64(len(p)) > d.left {
		return 0, errTooLarge
	}
	d.left -= int64(len(p))
	return d.out.Write(p)
}

func (d *streamDecoder) run(yield func(struct{}) bool) {
	d.yield = yield
	// Both decoders read to the end of the input (every gzip member, every
	// zstd frame), so they return nil only after close.
	d.err = decodeStream(d.coding, d, d)
	d.done = true
}

// decodeStream copies what r decodes to with coding to w, with pooled
// decoders and buffers.
func decodeStream(coding string, r io.Reader, w io.Writer) error {
	buf := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(buf)
	switch coding {
	case "gzip":
		zr, _ := gzipReaders.Get().(*gzip.Reader)
		var err error
		if zr == nil {
			zr, err = gzip.NewReader(r)
		} else {
			err = zr.Reset(r)
		}
		if zr != nil {
			defer gzipReaders.Put(zr)
		}
		if err != nil {
			return fmt.Errorf("gzip: %w", err)
		}
		// Every member of the stream, each counted against the bound.
		zr.Multistream(true)
		if _, err := io.CopyBuffer(w, gzipOnly{zr}, *buf); err != nil {
			return fmt.Errorf("gzip: %w", err)
		}
		return nil
	case "zstd":
		zr, _ := zstdReaders.Get().(*zstd.Decoder)
		var err error
		if zr == nil {
			zr, err = zstd.NewReader(r,
				zstd.WithDecoderConcurrency(1), // decodes on the caller's goroutine: the coroutine
				zstd.WithDecoderLowmem(true),
				zstd.WithDecoderMaxWindow(maxWindow),
				zstd.WithDecoderMaxMemory(maxDecoded))
		} else {
			err = zr.Reset(r)
		}
		if zr != nil {
			defer func() {
				_ = zr.Reset(nil) // drops r, keeps the buffers
				zstdReaders.Put(zr)
			}()
		}
		if err != nil {
			return fmt.Errorf("zstd: %w", err)
		}
		if _, err := io.CopyBuffer(w, zstdOnly{zr}, *buf); err != nil {
			return fmt.Errorf("zstd: %w", err)
		}
		return nil
	}
	return fmt.Errorf("unknown coding %q", coding)
}

// gzipOnly and zstdOnly hide a decoder's WriteTo, so that io.CopyBuffer
// reads with the pooled buffer and every write goes through the bound. Each
// holds one pointer, so that making it an io.Reader allocates nothing.
type (
	gzipOnly struct{ zr *gzip.Reader }
	zstdOnly struct{ zr *zstd.Decoder }
)

func (r gzipOnly) Read(p []byte) (int, error) { return r.zr.Read(p) }
func (r zstdOnly) Read(p []byte) (int, error) { return r.zr.Read(p) }

var (
	gzipReaders sync.Pool // of *gzip.Reader
	zstdReaders sync.Pool // of *zstd.Decoder
	copyBuffers = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}
)
