package benchmarks_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/inject"

	"github.com/tracemeta/tracemeta/benchmarks/internal/check"
	"github.com/tracemeta/tracemeta/benchmarks/internal/corpus"
	"github.com/tracemeta/tracemeta/benchmarks/internal/rewrite"
)

// realPage is a published page of testdata/pages.
type realPage struct {
	name string // the file name without .html
	html []byte
}

// realPages reads testdata/pages, smallest first.
func realPages(tb testing.TB) []realPage {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "pages", "*.html"))
	if err != nil {
		tb.Fatal(err)
	}
	if len(files) == 0 {
		tb.Fatal("no pages in testdata/pages")
	}
	var pages []realPage
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		pages = append(pages, realPage{name: strings.TrimSuffix(filepath.Base(f), ".html"), html: b})
	}
	slices.SortFunc(pages, func(a, b realPage) int { return len(a.html) - len(b.html) })
	return pages
}

// pageChunk is the size of the writes of BenchmarkPages: what a handler
// copying through a 32 KiB buffer (io.Copy's) writes.
const pageChunk = 32 << 10

// readOnly hides the WriterTo of its reader, as a file, a pipe or a
// response body from upstream does, so that io.Copy calls the
// destination's ReadFrom.
type readOnly struct{ r *bytes.Reader }

func (r readOnly) Read(p []byte) (int, error) { return r.r.Read(p) }

// pageImpls are the ways BenchmarkPages writes a page into the sink:
//   - copy: 32 KiB writes straight into the sink;
//   - unscanned: the same writes with the tags written in between at the
//     offset where the Writer puts them, found once before the run: the
//     Writer's output, in the Writer's writes, without scanning anything,
//     every later byte landing in the sink where the Writer's land. The
//     floor of write: what is left above it is the scan and the Writer's
//     bookkeeping;
//   - write: the same writes through a new inject.NewWriter, then Close;
//   - copy-readfrom: io.CopyBuffer from a reader into the sink with a
//     buffer reused across pages, as net/http's ReadFrom uses a pooled one:
//     the floor of readfrom;
//   - readfrom: io.Copy from the same reader into a new inject.NewWriter
//     (its ReadFrom), then Close.
var pageImpls = []string{"copy", "unscanned", "write", "copy-readfrom", "readfrom"}

// writePage writes page into sink the way impl says. at is the offset in
// page where the Writer inserts the tags, for unscanned.
func writePage(impl string, sink io.Writer, tags, page []byte, at int, buf []byte, src *bytes.Reader) error {
	switch impl {
	case "unscanned":
		for off := 0; off < len(page); {
			n := min(pageChunk, len(page)-off)
			chunk := page[off : off+n]
			if at >= off && at < off+n {
				// The prefix, the tags, the rest: the Writer's three writes.
				if _, err := sink.Write(chunk[:at-off]); err != nil {
					return err
				}
				if _, err := sink.Write(tags); err != nil {
					return err
				}
				chunk = chunk[at-off:]
			}
			if _, err := sink.Write(chunk); err != nil {
				return err
			}
			off += n
		}
		return nil
	case "copy":
		for p := page; len(p) > 0; {
			n := min(pageChunk, len(p))
			if _, err := sink.Write(p[:n]); err != nil {
				return err
			}
			p = p[n:]
		}
		return nil
	case "write":
		w := inject.NewWriter(sink, tags)
		for p := page; len(p) > 0; {
			n := min(pageChunk, len(p))
			if _, err := w.Write(p[:n]); err != nil {
				return err
			}
			p = p[n:]
		}
		return w.Close()
	case "copy-readfrom":
		src.Reset(page)
		_, err := io.CopyBuffer(sink, readOnly{src}, buf)
		return err
	case "readfrom":
		src.Reset(page)
		w := inject.NewWriter(sink, tags)
		if _, err := io.Copy(w, readOnly{src}); err != nil {
			return err
		}
		return w.Close()
	}
	panic("unknown method " + impl)
}

// BenchmarkPages writes every page of testdata/pages per op, through
// inject.NewWriter (a new Writer per page, as per response) and its
// ReadFrom, each next to the plain copy of the same bytes into the same
// [rewrite.Sink]. It reports the page's size as page-B, and the CPU time
// per op of the benchmark's thread as cpu-ns/op.
func BenchmarkPages(b *testing.B) {
	tags := rewrite.Tags()
	for _, page := range realPages(b) {
		at := insertAt(b, tags, page.html)
		for _, impl := range pageImpls {
			b.Run("page="+page.name+"/impl="+impl, func(b *testing.B) {
				var sink rewrite.Sink
				buf := make([]byte, pageChunk)
				src := bytes.NewReader(nil)
				b.SetBytes(int64(len(page.html)))
				b.ReportAllocs()
				cpu := startCPU()
				ops := 0
				for b.Loop() {
					sink.Reset()
					if err := writePage(impl, &sink, tags, page.html, at, buf, src); err != nil {
						b.Fatal(err)
					}
					ops++
				}
				cpu.report(b, ops)
				want := int64(len(page.html))
				if impl != "copy" && impl != "copy-readfrom" {
					want += int64(len(tags))
				}
				if sink.Len() != want {
					b.Fatalf("wrote %d bytes, want %d", sink.Len(), want)
				}
				b.ReportMetric(float64(len(page.html)), "page-B")
			})
		}
	}
}

// insertAt returns the offset in page where a Writer inserts tags.
func insertAt(tb testing.TB, tags, page []byte) int {
	tb.Helper()
	var out bytes.Buffer
	w := inject.NewWriter(&out, tags)
	if _, err := w.Write(page); err != nil {
		tb.Fatal(err)
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	at := bytes.Index(out.Bytes(), tags)
	if at < 0 {
		tb.Fatal("the Writer inserted no tags")
	}
	return at
}

// TestRealPages checks that the Writer, written to and read from, puts the
// tags once in the head of every real page, and leaves the rest of its bytes
// alone, so that no figure of BenchmarkPages comes from a page it skipped;
// that both copies are copies; and that the unscanned writes write what the
// Writer writes, in 32 KiB writes or one.
func TestRealPages(t *testing.T) {
	tags := rewrite.Tags()
	for _, page := range realPages(t) {
		at := insertAt(t, tags, page.html)
		var written bytes.Buffer
		require.NoError(t, writePage("write", &written, tags, page.html, at, make([]byte, pageChunk), bytes.NewReader(nil)))
		for _, impl := range pageImpls {
			t.Run(page.name+"/"+impl, func(t *testing.T) {
				var out bytes.Buffer
				require.NoError(t, writePage(impl, &out, tags, page.html, at, make([]byte, pageChunk), bytes.NewReader(nil)))
				if impl == "unscanned" {
					assert.Equal(t, written.String(), out.String(), "the Writer's output")
					return
				}
				if impl == "copy" || impl == "copy-readfrom" {
					assert.Equal(t, page.html, out.Bytes(), "the copy is a copy")
					return
				}
				assert.Equal(t, check.OK, check.Judge(page.html, out.Bytes(), tags, corpus.KindHead))
			})
		}
	}
	assert.GreaterOrEqual(t, len(realPages(t)), 5, "pages from 10 KB to 1 MB")
}
