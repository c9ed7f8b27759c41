package inject_test

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/inject"
)

var (
	errDstWrite = errors.New("dst failed")
	errDstFlush = errors.New("flush failed")
)

// errFlushDst is a dst whose Flush fails.
type errFlushDst struct{ bytes.Buffer }

func (*errFlushDst) Flush() error { return errDstFlush }

// limitedDst accepts ok bytes, then fails every write.
type limitedDst struct {
	bytes.Buffer
	ok    int
	short bool // fail by writing less, without an error
}

func (f *limitedDst) Write(p []byte) (int, error) {
	if len(p) <= f.ok {
		f.ok -= len(p)
		return f.Buffer.Write(p)
	}
	n := f.ok
	f.ok = 0
	f.Buffer.Write(p[:n])
	if f.short {
		return n, nil
	}
	return n, errDstWrite
}

const testPage = "<!doctype html>\n<html>\n<head>\n<meta charset=utf-8>\n<title>t</title>\n</head>\n<body>body</body>\n</html>\n"

func TestWriterDstError(t *testing.T) {
	for _, short := range []bool{false, true} {
		wantErr := errDstWrite
		if short {
			wantErr = io.ErrShortWrite
		}
		for ok := 0; ok < len(testPage)+len(testTags); ok++ {
			for _, chunk := range []int{1, 7, len(testPage)} {
				dst := &limitedDst{ok: ok, short: short}
				w := inject.NewWriter(dst, []byte(testTags))
				var total int
				var err error
				for rest := testPage; rest != "" && err == nil; {
					k := min(chunk, len(rest))
					var n int
					n, err = w.Write([]byte(rest[:k]))
					require.LessOrEqual(t, n, k)
					if err == nil {
						require.Equal(t, k, n)
					}
					total += n
					rest = rest[k:]
				}
				if err == nil {
					err = w.Close()
				}
				require.ErrorIs(t, err, wantErr, "ok=%d chunk=%d", ok, chunk)
				// What dst got is a prefix of the output: nothing out of
				// order, nothing twice.
				full := writeWhole(t, testPage).out
				require.True(t, strings.HasPrefix(full, dst.String()), "ok=%d chunk=%d: %q", ok, chunk, dst.String())
				require.LessOrEqual(t, total, len(testPage))

				// The error sticks.
				n, err := w.Write([]byte("more"))
				require.Zero(t, n)
				require.ErrorIs(t, err, wantErr)
				_, err = w.WriteString("more")
				require.ErrorIs(t, err, wantErr)
				require.ErrorIs(t, w.Flush(), wantErr)
				require.ErrorIs(t, w.Close(), wantErr)
				_, err = w.ReadFrom(strings.NewReader("more"))
				require.ErrorIs(t, err, wantErr)
			}
		}
	}
}

func TestWriterConsumedCount(t *testing.T) {
	// dst fails after 20 bytes; the Writer decides on the first write and
	// must say exactly how much of p got to dst.
	dst := &limitedDst{ok: 20}
	w := inject.NewWriter(dst, []byte(testTags))
	in := "<!doctype html><html><body>" + strings.Repeat("x", 100)
	n, err := w.Write([]byte(in))
	require.ErrorIs(t, err, errDstWrite)
	assert.Equal(t, 20, n)
	assert.Equal(t, in[:20], dst.String())
}

// overcountDst reports writing more than it was given.
type overcountDst struct{}

func (overcountDst) Write(p []byte) (int, error) { return len(p) + 1, nil }

func TestWriterInvalidDst(t *testing.T) {
	w := inject.NewWriter(overcountDst{}, []byte(testTags))
	_, err := w.Write([]byte("<!doctype html><body>"))
	require.ErrorIs(t, err, inject.ErrInvalidWrite)
	w = inject.NewWriter(overcountDst{}, []byte(testTags))
	require.NoError(t, w.Close())
	_, err = w.Write([]byte("x"))
	require.ErrorIs(t, err, inject.ErrInvalidWrite)
}

// stalledReader returns no data and no error, forever.
type stalledReader struct{}

func (stalledReader) Read([]byte) (int, error) { return 0, nil }

// writeOnlyDst hides every method of its Writer but Write.
type writeOnlyDst struct{ io.Writer }

// readerFromDst is a dst with ReadFrom, which it counts.
type readerFromDst struct {
	bytes.Buffer
	readFroms int
	written   int // bytes written by Write before the first ReadFrom
}

func (r *readerFromDst) Write(p []byte) (int, error) {
	if r.readFroms == 0 {
		r.written += len(p)
	}
	return r.Buffer.Write(p)
}

func (r *readerFromDst) ReadFrom(src io.Reader) (int64, error) {
	r.readFroms++
	return r.Buffer.ReadFrom(src)
}

func TestWriterReadFrom(t *testing.T) {
	long := testPage + strings.Repeat("<p>paragraph</p>\n", 5000)
	want := writeWhole(t, long).out
	readers := map[string]func() io.Reader{
		"strings.Reader": func() io.Reader { return strings.NewReader(long) },
		"one byte":       func() io.Reader { return iotest.OneByteReader(strings.NewReader(long)) },
		"half":           func() io.Reader { return iotest.HalfReader(strings.NewReader(long)) },
		"data with EOF":  func() io.Reader { return iotest.DataErrReader(strings.NewReader(long)) },
		"only Read":      func() io.Reader { return struct{ io.Reader }{strings.NewReader(long)} },
	}
	for name, newReader := range readers {
		t.Run(name, func(t *testing.T) {
			var plain bytes.Buffer
			w := inject.NewWriter(writeOnlyDst{&plain}, []byte(testTags))
			n, err := w.ReadFrom(newReader())
			require.NoError(t, err)
			assert.Equal(t, int64(len(long)), n)
			require.NoError(t, w.Close())
			assert.Equal(t, want, plain.String())

			rf := &readerFromDst{}
			w = inject.NewWriter(rf, []byte(testTags))
			n, err = w.ReadFrom(newReader())
			require.NoError(t, err)
			assert.Equal(t, int64(len(long)), n)
			require.NoError(t, w.Close())
			assert.Equal(t, want, rf.String())
			assert.Equal(t, 1, rf.readFroms, "after the decision, dst's ReadFrom copies the rest")
			// The head is in the first KiB: the first read is small, so
			// that dst's ReadFrom (sendfile) copies nearly all of it.
			assert.LessOrEqual(t, rf.written, 4<<10+len(testTags), "bytes copied before dst's ReadFrom")
		})
	}
	t.Run("late decision", func(t *testing.T) {
		// Reads double until the Writer decides, 40 KB into the page.
		late := "<!DOCTYPE html>\n<!--" + strings.Repeat("x", 40<<10) + "-->\n" + long
		rf := &readerFromDst{}
		w := inject.NewWriter(rf, []byte(testTags))
		n, err := w.ReadFrom(struct{ io.Reader }{strings.NewReader(late)})
		require.NoError(t, err)
		require.NoError(t, w.Close())
		assert.Equal(t, int64(len(late)), n)
		assert.Equal(t, writeWhole(t, late).out, rf.String())
		assert.Equal(t, 1, rf.readFroms)
		assert.Less(t, rf.written, len(late))
	})
	t.Run("stuck before the decision", func(t *testing.T) {
		w := inject.NewWriter(io.Discard, []byte(testTags))
		_, err := w.ReadFrom(stalledReader{})
		require.ErrorIs(t, err, io.ErrNoProgress)
	})
	t.Run("stuck after the decision", func(t *testing.T) {
		var dst bytes.Buffer
		w := inject.NewWriter(writeOnlyDst{&dst}, []byte(testTags))
		_, err := w.Write([]byte("<div>"))
		require.NoError(t, err)
		n, err := w.ReadFrom(stalledReader{})
		require.ErrorIs(t, err, io.ErrNoProgress)
		assert.Zero(t, n)
	})
	t.Run("read error", func(t *testing.T) {
		errRead := errors.New("read failed")
		var dst bytes.Buffer
		w := inject.NewWriter(&dst, []byte(testTags))
		n, err := w.ReadFrom(io.MultiReader(strings.NewReader("<html><he"), iotest.ErrReader(errRead)))
		require.ErrorIs(t, err, errRead)
		assert.Equal(t, int64(9), n)
		require.NoError(t, w.Close())
		assert.Equal(t, "<html>"+testTags+"<he", dst.String())
	})
	t.Run("no recursion", func(t *testing.T) {
		// A dst whose ReadFrom writes back into the Writer, the way a
		// wrapper around it would: the Writer must not call it again.
		var out bytes.Buffer
		var w *inject.Writer
		loop := &loopbackDst{out: &out}
		w = inject.NewWriter(loop, []byte(testTags))
		loop.w = w
		n, err := w.ReadFrom(strings.NewReader(long))
		require.NoError(t, err)
		assert.Equal(t, int64(len(long)), n)
		assert.Equal(t, want, out.String())
	})
}

// loopbackDst writes to out; its ReadFrom goes back through the Writer w.
type loopbackDst struct {
	out *bytes.Buffer
	w   *inject.Writer
}

func (l *loopbackDst) Write(p []byte) (int, error)         { return l.out.Write(p) }
func (l *loopbackDst) ReadFrom(r io.Reader) (int64, error) { return l.w.ReadFrom(r) }

// stringDst is a dst with WriteString, which it counts.
type stringDst struct {
	bytes.Buffer
	strings int
}

func (s *stringDst) WriteString(str string) (int, error) {
	s.strings++
	return s.Buffer.WriteString(str)
}

func TestWriterWriteString(t *testing.T) {
	long := testPage + strings.Repeat("x", 100<<10)
	var dst stringDst
	w := inject.NewWriter(&dst, []byte(testTags))
	n, err := w.WriteString(long)
	require.NoError(t, err)
	assert.Equal(t, len(long), n)
	n, err = w.WriteString("tail")
	require.NoError(t, err)
	assert.Equal(t, 4, n)
	require.NoError(t, w.Close())
	assert.Equal(t, writeWhole(t, long+"tail").out, dst.String())
	assert.Positive(t, dst.strings, "after the decision, strings go to dst's WriteString")

	var plain bytes.Buffer
	w = inject.NewWriter(writeOnlyDst{&plain}, []byte(testTags))
	n, err = w.WriteString(long)
	require.NoError(t, err)
	assert.Equal(t, len(long), n)
	assert.Equal(t, writeWhole(t, long).out, plain.String())
}

func TestWriterReset(t *testing.T) {
	var first, second bytes.Buffer
	w := inject.NewWriter(&first, []byte("<first>"), inject.WithContentType("text/html; charset=utf-8"))
	_, err := w.Write([]byte("<!doctype html><html><head>\n<meta charset=x>\n<!-- secret"))
	require.NoError(t, err)
	w.Reset(&second, []byte("<second>"), inject.WithContentType("text/html; charset=utf-8"))
	assert.Equal(t, inject.StatusScanning, w.Status())
	assert.Zero(t, w.Inserted())
	_, err = w.Write([]byte("<!doctype html><he"))
	require.NoError(t, err)
	_, err = w.Write([]byte("ad><title>"))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	assert.Equal(t, "<!doctype html><head><second><title>", second.String())
	assert.NotContains(t, first.String(), "<first>")
	assert.NotContains(t, second.String(), "secret")

	// A skipped document, then a reset: the reason goes too.
	w.Reset(&second, nil)
	_, err = w.Write([]byte("<div>"))
	require.NoError(t, err)
	require.Equal(t, inject.ReasonFragment, w.Reason())
	w.Reset(io.Discard, nil)
	assert.Equal(t, inject.ReasonNone, w.Reason())
	assert.Equal(t, inject.StatusScanning, w.Status())

	// Reset clears the tagsFunc hook.
	var third bytes.Buffer
	inject.SetTagsFunc(w, func(dst []byte) ([]byte, inject.Reason) { return append(dst, "<hook>"...), inject.ReasonNone })
	w.Reset(&third, []byte("<static>"))
	_, err = w.Write([]byte("<head>x"))
	require.NoError(t, err)
	assert.Equal(t, "<head><static>x", third.String())
}

func TestWriterTagsFunc(t *testing.T) {
	t.Run("rendered once at the insertion point", func(t *testing.T) {
		var dst bytes.Buffer
		w := inject.NewWriter(&dst, nil)
		calls := 0
		inject.SetTagsFunc(w, func(b []byte) ([]byte, inject.Reason) {
			calls++
			return append(b, testTags...), inject.ReasonNone
		})
		in := "<!doctype html><html><head><meta charset=utf-8><title>x</title>"
		for i := range len(in) {
			_, err := w.Write([]byte(in[i : i+1]))
			require.NoError(t, err)
		}
		require.NoError(t, w.Close())
		assert.Equal(t, 1, calls)
		assert.Equal(t, expandTags("<!doctype html><html><head><meta charset=utf-8>@@<title>x</title>"), dst.String())
		assert.Equal(t, len(testTags), w.Inserted())
	})
	for _, reason := range []inject.Reason{inject.ReasonNoSpan, inject.ReasonAlreadyRendered} {
		for _, in := range []string{testPage, "<!doctype html><title>x</title>"} {
			t.Run("skip with "+reason.String(), func(t *testing.T) {
				var dst bytes.Buffer
				w := inject.NewWriter(&dst, []byte("<static>"))
				inject.SetTagsFunc(w, func(b []byte) ([]byte, inject.Reason) { return append(b, "<junk>"...), reason })
				_, err := w.Write([]byte(in))
				require.NoError(t, err)
				require.NoError(t, w.Close())
				assert.Equal(t, in, dst.String())
				assert.Equal(t, inject.StatusSkipped, w.Status())
				assert.Equal(t, reason, w.Reason())
				assert.Zero(t, w.Inserted())
			})
		}
	}
	t.Run("not called for a fragment", func(t *testing.T) {
		w := inject.NewWriter(io.Discard, nil)
		inject.SetTagsFunc(w, func([]byte) ([]byte, inject.Reason) { panic("called") })
		_, err := w.Write([]byte("<div>"))
		require.NoError(t, err)
		assert.Equal(t, inject.ReasonFragment, w.Reason())
	})
}

func TestWriterRecoversFromPanic(t *testing.T) {
	// A panic at the insertion point falls back to passing every byte
	// through: none lost, none twice.
	for _, in := range []string{testPage, "<!doctype html><title>x</title>", "<html><head>", "<!doctype html>"} {
		for _, chunk := range []int{1, 3, len(in)} {
			var dst bytes.Buffer
			w := inject.NewWriter(&dst, nil)
			inject.SetTagsFunc(w, func([]byte) ([]byte, inject.Reason) { panic("render failed") })
			for rest := in; rest != ""; {
				k := min(chunk, len(rest))
				n, err := w.Write([]byte(rest[:k]))
				require.NoError(t, err)
				require.Equal(t, k, n)
				rest = rest[k:]
			}
			require.NoError(t, w.Close())
			assert.Equal(t, in, dst.String(), "chunk %d", chunk)
			assert.Equal(t, inject.StatusSkipped, w.Status())
			assert.Equal(t, inject.ReasonFailed, w.Reason())
		}
	}
}

// panickingDst panics on Write.
type panickingDst struct{}

func (panickingDst) Write([]byte) (int, error) { panic("dst panicked") }

func TestWriterDstPanicPropagates(t *testing.T) {
	// A panic of dst (http.ErrAbortHandler, say) is not the Writer's to
	// swallow.
	w := inject.NewWriter(panickingDst{}, []byte(testTags))
	assert.PanicsWithValue(t, "dst panicked", func() { _, _ = w.Write([]byte("<!doctype html><body>")) })
}

func TestWriterAfterClose(t *testing.T) {
	var dst bytes.Buffer
	w := inject.NewWriter(&dst, []byte(testTags))
	_, err := w.Write([]byte("<!doctype html>"))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	require.NoError(t, w.Close(), "Close twice")
	_, err = w.Write([]byte("<head>"))
	require.NoError(t, err)
	assert.Equal(t, "<!doctype html>"+testTags+"<head>", dst.String())
}

func TestWriterPassesThroughInOneCall(t *testing.T) {
	for _, first := range []string{testPage, "<div>", "\xFF\xFE<\x00"} {
		var dst recordingDst
		w := inject.NewWriter(&dst, []byte(testTags))
		_, err := w.Write([]byte(first))
		require.NoError(t, err)
		require.NotEqual(t, inject.StatusScanning, w.Status())
		chunk := []byte("<p>after the decision</p>")
		before := dst.writes
		n, err := w.Write(chunk)
		require.NoError(t, err)
		assert.Equal(t, len(chunk), n)
		assert.Equal(t, before+1, dst.writes, "one call to dst")
		assert.Same(t, &chunk[0], &dst.last[0], "the caller's bytes, not a copy")
	}
}

func TestWriterAllocs(t *testing.T) {
	body := []byte(strings.Repeat("<p>paragraph</p>\n", 100))
	head := []byte(testPage)
	tags := []byte(testTags)
	w := inject.NewWriter(io.Discard, tags)
	allocs := testing.AllocsPerRun(100, func() {
		w.Reset(io.Discard, tags)
		_, _ = w.Write(head[:20])
		_, _ = w.Write(head[20:])
		_, _ = w.Write(body)
		_ = w.Close()
	})
	assert.Zero(t, allocs, "a reused Writer allocates nothing")
	allocs = testing.AllocsPerRun(100, func() { _, _ = w.Write(body) })
	assert.Zero(t, allocs, "a Write after the decision allocates nothing")
	page := append(append([]byte(nil), head...), body...)
	allocs = testing.AllocsPerRun(100, func() {
		w := inject.NewWriter(io.Discard, tags)
		_, _ = w.Write(page)
		_ = w.Close()
	})
	assert.Zero(t, allocs, "a new Writer used directly lives on the stack, and a page decided within one Write allocates nothing")
	opts := []inject.WriterOption{inject.WithLookahead(4096)}
	allocs = testing.AllocsPerRun(100, func() {
		w := inject.NewWriter(io.Discard, tags, opts...)
		_, _ = w.Write(page)
		_ = w.Close()
	})
	assert.Equal(t, 1.0, allocs, "a new Writer with options is one allocation, with its options")
	rd := bytes.NewReader(page)
	var src io.Reader = struct{ io.Reader }{rd} // no WriteTo: io.Copy calls the Writer's ReadFrom
	allocs = testing.AllocsPerRun(100, func() {
		rd.Reset(page)
		w := inject.NewWriter(io.Discard, tags)
		_, _ = io.Copy(w, src)
		_ = w.Close()
	})
	if !raceEnabled {
		assert.Equal(t, 1.0, allocs, "io.Copy into a new Writer allocates no read buffer per page")
	}
	// In bytes, which -race does not blur as it does the count (sync.Pool
	// drops a quarter of what it is given then): far less than a read
	// buffer (32 KiB) per page.
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range 100 {
		rd.Reset(page)
		w := inject.NewWriter(io.Discard, tags)
		_, _ = io.Copy(w, src)
		_ = w.Close()
	}
	runtime.ReadMemStats(&after)
	assert.Less(t, (after.TotalAlloc-before.TotalAlloc)/100, uint64(16<<10), "bytes per page")
}

// overcountReader reports reading more than it was given.
type overcountReader struct{}

func (overcountReader) Read(p []byte) (int, error) { return len(p) + 1, nil }

func TestWriterInvalidReader(t *testing.T) {
	w := inject.NewWriter(io.Discard, []byte(testTags))
	_, err := w.ReadFrom(overcountReader{})
	require.ErrorIs(t, err, inject.ErrInvalidRead)

	w = inject.NewWriter(writeOnlyDst{io.Discard}, []byte(testTags))
	_, err = w.Write([]byte("<div>"))
	require.NoError(t, err)
	_, err = w.ReadFrom(struct{ io.Reader }{overcountReader{}})
	require.ErrorIs(t, err, inject.ErrInvalidRead)
}

func TestWriterResetDropsLargeBuffers(t *testing.T) {
	// A 20 KB tag before <head> is held whole; the Writer still works, and
	// after Reset it works the same.
	in := "<!doctype html><html data-x=\"" + strings.Repeat("x", 20<<10) + "\"><head><meta charset=\"utf-8\"><title>"
	var dst bytes.Buffer
	w := inject.NewWriter(&dst, []byte(testTags))
	for range 2 {
		dst.Reset()
		w.Reset(&dst, []byte(testTags))
		for i := 0; i < len(in); i += 1000 {
			_, err := w.Write([]byte(in[i:min(i+1000, len(in))]))
			require.NoError(t, err)
		}
		require.NoError(t, w.Close())
		assert.Equal(t, strings.Replace(in, "<title>", testTags+"<title>", 1), dst.String())
	}
}

// TestWriterBoundedMemory writes 8 MB that never reach an insertion point
// (a comment, an endless tag, whitespace) through a Writer: it holds at
// most the lookahead, so what it allocates does not grow with the input.
func TestWriterBoundedMemory(t *testing.T) {
	inputs := map[string][2]string{ // prefix, then a chunk repeated
		"comment":     {"<!doctype html><!--", strings.Repeat("comment text - -- !> ", 200)},
		"endless tag": {`<!doctype html><html data-x="`, strings.Repeat("attribute value ", 256)},
		"whitespace":  {"<!doctype html>", strings.Repeat(" \n\t", 1365)},
	}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			chunk := []byte(in[1])
			w := inject.NewWriter(io.Discard, []byte(testTags))
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := w.Write([]byte(in[0]))
			require.NoError(t, err)
			for written := 0; written < 8<<20; written += len(chunk) {
				_, err := w.Write(chunk)
				require.NoError(t, err)
			}
			require.NoError(t, w.Close())
			runtime.ReadMemStats(&after)
			assert.Equal(t, inject.ReasonLookahead, w.Reason())
			assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(4*inject.DefaultLookahead),
				"allocated %d bytes for 8 MB", after.TotalAlloc-before.TotalAlloc)
		})
	}
}
