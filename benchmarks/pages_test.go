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
//   - copy: 32 KiB writes straight into the sink, the floor of write;
//   - write: the same writes through a new inject.NewWriter, then Close;
//   - copy-readfrom: io.CopyBuffer from a reader into the sink with a
//     buffer reused across pages, as net/http's ReadFrom uses a pooled one:
//     the floor of readfrom;
//   - readfrom: io.Copy from the same reader into a new inject.NewWriter
//     (its ReadFrom), then Close.
var pageImpls = []string{"copy", "write", "copy-readfrom", "readfrom"}

// writePage writes page into sink the way impl says.
func writePage(impl string, sink io.Writer, tags, page []byte, buf []byte, src *bytes.Reader) error {
	switch impl {
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
// [rewrite.Sink]. It reports the page's size as page-B.
func BenchmarkPages(b *testing.B) {
	tags := rewrite.Tags()
	for _, page := range realPages(b) {
		for _, impl := range pageImpls {
			b.Run("page="+page.name+"/impl="+impl, func(b *testing.B) {
				var sink rewrite.Sink
				buf := make([]byte, pageChunk)
				src := bytes.NewReader(nil)
				b.SetBytes(int64(len(page.html)))
				b.ReportAllocs()
				for b.Loop() {
					sink.Reset()
					if err := writePage(impl, &sink, tags, page.html, buf, src); err != nil {
						b.Fatal(err)
					}
				}
				want := int64(len(page.html))
				if impl == "write" || impl == "readfrom" {
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

// TestRealPages checks that the Writer, written to and read from, puts the
// tags once in the head of every real page, and leaves the rest of its bytes
// alone, so that no figure of BenchmarkPages comes from a page it skipped;
// and that both copies are copies.
func TestRealPages(t *testing.T) {
	tags := rewrite.Tags()
	for _, page := range realPages(t) {
		for _, impl := range pageImpls {
			t.Run(page.name+"/"+impl, func(t *testing.T) {
				var out bytes.Buffer
				require.NoError(t, writePage(impl, &out, tags, page.html, make([]byte, pageChunk), bytes.NewReader(nil)))
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
