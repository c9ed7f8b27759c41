package corpus

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDocumentIsDeterministic(t *testing.T) {
	assert.Equal(t, document(3, 100*KiB, shapeTypical), document(3, 100*KiB, shapeTypical))
	assert.NotEqual(t, document(3, 30*KiB, shapeTypical), document(4, 30*KiB, shapeTypical), "the seed changes the content")
}

func TestPages(t *testing.T) {
	nominal := map[string]int{"2K": 2 * KiB, "30K": 30 * KiB, "100K": 100 * KiB, "1M": MiB, "5M": 5 * MiB}
	seen := map[string]bool{}
	for _, p := range Pages() {
		t.Run(p.Name, func(t *testing.T) {
			require.False(t, seen[p.Name], "names are unique")
			seen[p.Name] = true
			size := nominal[p.Name[strings.LastIndexByte(p.Name, '-')+1:]]
			require.NotZero(t, size, "the name ends with a nominal size")
			assert.InDelta(t, size, len(p.HTML), float64(size)*0.15, "within 15%% of the nominal size")
			assert.True(t, utf8.Valid(p.HTML), "valid UTF-8")
			assert.Greater(t, bytes.Count(p.HTML, []byte("日本語"))+bytes.Count(p.HTML, []byte("café")), 0, "has non-ASCII text")

			head := bytes.Index(p.HTML, []byte("<head>"))
			switch p.Kind {
			case KindHead:
				require.GreaterOrEqual(t, head, 0)
				assert.True(t, bytes.HasPrefix(p.HTML, []byte("<!DOCTYPE html>")))
			case KindImpliedHead:
				assert.Negative(t, head)
				assert.True(t, bytes.HasPrefix(p.HTML, []byte("<!DOCTYPE html>")))
			case KindFragment:
				assert.Negative(t, head)
				assert.False(t, bytes.Contains(p.HTML, []byte("<html")))
			}
		})
	}
	late := map[string]int{"late-head-script-100K": 40 * KiB, "late-head-comment-100K": 40 * KiB, "head-past-cap-100K": 70 * KiB}
	for name, min := range late {
		p, ok := ByName(name)
		require.True(t, ok, name)
		assert.Greater(t, bytes.Index(p.HTML, []byte("<head>")), min, "%s has its head late", name)
	}
	_, ok := ByName("nope")
	assert.False(t, ok)
}

// recorder records the writes and flushes it gets.
type recorder struct {
	bytes.Buffer
	writes, flushes int
}

func (r *recorder) Write(p []byte) (int, error) { r.writes++; return r.Buffer.Write(p) }
func (r *recorder) Flush() error                { r.flushes++; return nil }

func TestReplay(t *testing.T) {
	page := bytes.Repeat([]byte("<p>0123456789</p>\n"), 1000) // 18000 bytes
	tests := []struct {
		name            string
		pattern         Pattern
		writes, flushes int
	}{
		{name: "one", pattern: Patterns()[0], writes: 1},
		{name: "4K", pattern: Patterns()[1], writes: 5},
		{name: "2K-flush", pattern: Patterns()[2], writes: 9, flushes: 9},
		{name: "1 byte", pattern: Pattern{Name: "1B", Chunk: 1}, writes: len(page)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r recorder
			require.NoError(t, tt.pattern.Replay(page, &r))
			assert.Equal(t, page, r.Bytes())
			assert.Equal(t, tt.writes, r.writes)
			assert.Equal(t, tt.flushes, r.flushes)
		})
	}
}

func TestKindString(t *testing.T) {
	assert.Equal(t, "head", KindHead.String())
	assert.Equal(t, "implied-head", KindImpliedHead.String())
	assert.Equal(t, "fragment", KindFragment.String())
	assert.Equal(t, "invalid", Kind(99).String())
}

func TestTypical(t *testing.T) {
	for _, size := range []int{12 * KiB, 120 * KiB} {
		page := Typical(size)
		assert.InDelta(t, size, len(page), float64(size)/10, "about the size asked for")
		assert.Equal(t, page, Typical(size), "the same bytes every time")
		assert.Contains(t, string(page[:200]), "<head>")
	}
}
