package injectcaddy

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// zstdFrames returns about size bytes of zstd frames that each decode to
// frame zero bytes: the shape that costs most decoded bytes per byte sent.
func zstdFrames(t testing.TB, size, frame int) []byte {
	t.Helper()
	zw, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1), zstd.WithWindowSize(maxWindow))
	require.NoError(t, err)
	one := zw.EncodeAll(make([]byte, frame), nil)
	require.NoError(t, zw.Close())
	return bytes.Repeat(one, max(1, size/len(one)))
}

// gzipMembers returns about size bytes of gzip members that each decode to
// member zero bytes.
func gzipMembers(t testing.TB, size, member int) []byte {
	t.Helper()
	var b bytes.Buffer
	zw, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
	require.NoError(t, err)
	_, _ = zw.Write(make([]byte, member))
	require.NoError(t, zw.Close())
	return bytes.Repeat(b.Bytes(), max(1, size/b.Len()))
}

// gzipPage returns an HTML page of about size bytes and its gzip encoding.
func gzipPage(t testing.TB, size int) (page, encoded []byte) {
	t.Helper()
	var p bytes.Buffer
	p.WriteString("<!DOCTYPE html><html><head><title>Big</title></head><body>\n")
	for i := 0; p.Len() < size; i++ {
		p.WriteString("<tr><td>")
		p.WriteString(strings.Repeat(string(rune('a'+i%26)), 1+i%40))
		p.WriteString("</td><td>row</td></tr>\n")
	}
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, _ = zw.Write(p.Bytes())
	require.NoError(t, zw.Close())
	return p.Bytes(), b.Bytes()
}

// countingWriter counts what is written to it.
type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// decodeInChunks feeds body to a streamDecoder in chunks of chunk bytes, as
// a proxy writes it, and returns what it decoded and its error.
func decodeInChunks(coding string, body []byte, chunk int) (int64, error) {
	var out countingWriter
	d := newStreamDecoder(coding, &out)
	for len(body) > 0 {
		n := min(chunk, len(body))
		if err := d.feed(body[:n]); err != nil {
			d.abort()
			return out.n, err
		}
		body = body[n:]
	}
	return out.n, d.close()
}

// TestDecodeBounds checks that the decoded bytes of one response are
// bounded across zstd frames and gzip members, that a zstd window past RFC
// 9659's 8 MiB is refused, and that legitimate pages decode whole, in any
// split.
func TestDecodeBounds(t *testing.T) {
	page, gz := gzipPage(t, 1<<20)
	zw, err := zstd.NewWriter(nil)
	require.NoError(t, err)
	zs := zw.EncodeAll(page, nil)
	bigWindow, err := zstd.NewWriter(nil, zstd.WithWindowSize(64<<20), zstd.WithSingleSegment(false))
	require.NoError(t, err)
	for _, tc := range []struct {
		name, coding string
		body         []byte
		decoded      int64 // what must come out, or -1 for errTooLarge
		err          error
	}{
		{"gzip page", "gzip", gz, int64(len(page)), nil},
		{"zstd page", "zstd", zs, int64(len(page)), nil},
		{"gzip members", "gzip", append(append([]byte{}, gz...), gz...), 2 * int64(len(page)), nil},
		{"zstd frames of 8 MiB-1", "zstd", zstdFrames(t, 256<<10, 8<<20-1), -1, errTooLarge},
		{"gzip members of 1 MiB", "gzip", gzipMembers(t, 256<<10, 1<<20), -1, errTooLarge},
		{"zstd window of 64 MiB", "zstd", bigWindow.EncodeAll(make([]byte, 80<<20), nil), 0, zstd.ErrWindowSizeExceeded},
		{"truncated gzip", "gzip", gz[:len(gz)/2], -2, io.ErrUnexpectedEOF},
	} {
		for _, chunk := range []int{1 << 20, 4096, 7} {
			if chunk == 7 && len(tc.body) > 64<<10 {
				continue
			}
			n, err := decodeInChunks(tc.coding, tc.body, chunk)
			switch {
			case tc.err != nil:
				assert.True(t, errors.Is(err, tc.err), "%s/%d: %v", tc.name, chunk, err)
			default:
				assert.NoError(t, err, "%s/%d", tc.name, chunk)
			}
			if tc.decoded >= 0 {
				assert.Equal(t, tc.decoded, n, "%s/%d", tc.name, chunk)
			}
			assert.LessOrEqual(t, n, int64(maxDecoded), "%s/%d", tc.name, chunk)
		}
	}
}

// TestDecodeMemory checks that decoding the worst shapes allocates little
// per response: a page streams through, it is not held decoded, and the
// decoders are pooled. The bound is what a new decoder costs, which the race
// detector's pools (dropping a quarter of what they are given) make
// frequent; without it a response allocates under 20 KB.
func TestDecodeMemory(t *testing.T) {
	_, gz := gzipPage(t, 8<<20)
	for _, tc := range []struct {
		name, coding string
		body         []byte
		limit        uint64 // bytes allocated per response
	}{
		{"zstd frames of 8 MiB-1", "zstd", zstdFrames(t, 1<<20, 8<<20-1), 4 << 20},
		{"gzip members of 1 MiB", "gzip", gzipMembers(t, 1<<20, 1<<20), 4 << 20},
		{"gzip page of 8 MiB", "gzip", gz, 4 << 20},
	} {
		_, _ = decodeInChunks(tc.coding, tc.body, 32<<10) // fills the pools
		runs, limit := uint64(4), tc.limit
		if raceEnabled {
			// A dropped decoder is made again (up to its 8 MiB window):
			// more runs to average, and room for the drops, still far
			// below what decoding per frame costs (~96 MiB).
			runs, limit = 16, 4*tc.limit
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for range runs {
			_, _ = decodeInChunks(tc.coding, tc.body, 32<<10)
		}
		runtime.ReadMemStats(&after)
		per := (after.TotalAlloc - before.TotalAlloc) / runs
		t.Logf("%s: %d B allocated per response", tc.name, per)
		assert.Less(t, per, limit, tc.name)
	}
}
