package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const sample = `goos: linux
goarch: amd64
pkg: github.com/tracemeta/tracemeta/benchmarks
cpu: AMD EPYC
BenchmarkRewrite/page=typical-100K/write=one/impl=copy-2         	   30397	      4000 ns/op	14230.94 MB/s	       0 B/op	       0 allocs/op
BenchmarkRewrite/page=typical-100K/write=one/impl=copy-2         	   30397	      6000 ns/op	14230.94 MB/s	       0 B/op	       0 allocs/op
BenchmarkRewrite/page=typical-100K/write=one/impl=copy-2         	   30397	      5000 ns/op	14230.94 MB/s	       0 B/op	       0 allocs/op
BenchmarkRewrite/page=typical-100K/write=one/impl=tracemeta-2    	   78248	      5500 ns/op	9653.29 MB/s	     336 B/op	       2 allocs/op
BenchmarkRewrite/page=typical-100K/write=one/impl=chunk-replace-2	   35793	     16000 ns/op	6243.59 MB/s	      48 B/op	       1 allocs/op
BenchmarkRewrite/page=no-head-100K/write=one/impl=copy-2         	   30397	      5000 ns/op	14230.94 MB/s	       0 B/op	       0 allocs/op
BenchmarkRewrite/page=no-head-100K/write=one/impl=tracemeta-2    	   78248	     15000 ns/op	9653.29 MB/s	     336 B/op	       2 allocs/op
BenchmarkRewrite/page=no-head-100K/write=one/impl=chunk-replace-2	   35793	     12000 ns/op	6243.59 MB/s	      48 B/op	       1 allocs/op
BenchmarkMiddleware/page=small-2K/write=one/impl=bare-2          	 1000000	       289.0 ns/op	6243.05 MB/s	      16 B/op	       1 allocs/op
BenchmarkMiddleware/page=small-2K/write=one/impl=tracemeta-2     	  106515	      4428 ns/op	 407.40 MB/s	     368 B/op	       3 allocs/op
BenchmarkServer/page=small-2K/write=4K/impl=bare-2               	    1000	     50000 ns/op	  20000 req/s	  9000 B/op	  200 allocs/op
BenchmarkServer/page=small-2K/write=4K/impl=tracemeta-2          	    1000	     55000 ns/op	  18000 req/s	  9400 B/op	  202 allocs/op
BenchmarkStream/size=16MiB/impl=tracemeta-middleware-2 	       1	  4000000 ns/op	4000 MB/s	      5000 peak-heap-B	    4900 B/op	      19 allocs/op
BenchmarkStream/size=1GiB/impl=tracemeta-middleware-2  	       1	240000000 ns/op	4400 MB/s	      6000 peak-heap-B	    5900 B/op	      38 allocs/op
--- BENCH: BenchmarkSomething
    a log line
PASS
ok  	github.com/tracemeta/tracemeta/benchmarks	0.397s
`

func TestParse(t *testing.T) {
	rs, err := parse(strings.NewReader(sample))
	require.NoError(t, err)
	assert.Equal(t, "AMD EPYC", rs.config["cpu"])
	copyRes := rs.find("Rewrite", "page", "typical-100K", "write", "one", "impl", "copy")
	require.NotNil(t, copyRes)
	assert.Equal(t, map[string]string{"page": "typical-100K", "write": "one", "impl": "copy"}, copyRes.keys)
	m, ok := copyRes.median("sec/op")
	require.True(t, ok)
	assert.InDelta(t, 5e-6, m, 1e-12, "median of three runs, ns converted to seconds")
	chunk := rs.find("Rewrite", "page", "typical-100K", "write", "one", "impl", "chunk-replace")
	require.NotNil(t, chunk, "a name without spaces before the count")
	peak, ok := rs.find("Stream", "size", "1GiB", "impl", "tracemeta-middleware").median("peak-heap-B")
	require.True(t, ok)
	assert.Equal(t, 6000.0, peak)
	_, ok = copyRes.median("nope")
	assert.False(t, ok)
}

func TestSplitName(t *testing.T) {
	tests := []struct {
		name, full, family string
		kv                 []string
		err                bool
	}{
		{name: "procs suffix", full: "BenchmarkRewrite/page=small-2K/impl=copy-8", family: "Rewrite", kv: []string{"page", "small-2K", "impl", "copy"}},
		{name: "no suffix", full: "BenchmarkRewrite/impl=chunk-replace", family: "Rewrite", kv: []string{"impl", "chunk-replace"}},
		{name: "top level", full: "BenchmarkX-2", family: "X"},
		{name: "not key=value", full: "BenchmarkX/y-2", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			family, kv, err := splitName(tt.full)
			if tt.err {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.family, family)
			assert.Equal(t, tt.kv, kv)
		})
	}
}

func TestSplice(t *testing.T) {
	readme := "# x\n\n" + beginMarker + "\nold\n" + endMarker + "\ntail\n"
	got, err := splice([]byte(readme), "new\n")
	require.NoError(t, err)
	assert.Equal(t, "# x\n\n"+beginMarker+"\nnew\n"+endMarker+"\ntail\n", string(got))
	_, err = splice([]byte("no markers"), "new")
	require.ErrorIs(t, err, errNoMarkers)
}

func TestReport(t *testing.T) {
	rs, err := parse(strings.NewReader(sample))
	require.NoError(t, err)
	out, err := report(rs, "BENCHSTAT\n", "go test -bench .", reportOptions{load: "load average: 1.00, 2.00, 3.00"})
	require.NoError(t, err)
	for _, want := range []string{
		"go test -bench .",
		"| ≤ 1.25× the copy, typical-100K (head near the start) | one: 1.10× | ✅ met |",
		"| ≤ 2× the copy, no-head-100K (no head tag: the head is implied) | one: 3.00× | ❌ missed |",
		"| ≤ 3 allocations per request beyond the bare handler | at most 2 (small-2K, one) | ✅ met |",
		"no-head-100K one: 1.25× the time of chunk-replace",
		"| small-2K | 4K | 20000 | 18000 | 0.90× | 200 → 202 |",
		"| 1GiB | tracemeta-middleware |",
		"| **plain**: `<head>` right after the doctype | ok |",
		"BENCHSTAT",
		"during the run: load average: 1.00, 2.00, 3.00.",
	} {
		assert.Contains(t, out, want)
	}
}

func TestRun(t *testing.T) {
	dir := t.TempDir()
	in, stat, readme := filepath.Join(dir, "bench.txt"), filepath.Join(dir, "stat.txt"), filepath.Join(dir, "README.md")
	require.NoError(t, os.WriteFile(in, []byte(sample), 0o644))
	require.NoError(t, os.WriteFile(stat, []byte("STAT\n"), 0o644))
	require.NoError(t, os.WriteFile(readme, []byte("# b\n"+beginMarker+"\n"+endMarker+"\n"), 0o644))
	plots := filepath.Join(dir, "results")
	require.NoError(t, os.Mkdir(plots, 0o755))
	require.NoError(t, os.WriteFile(in, []byte(sample+realSample+proxySample), 0o644))
	require.NoError(t, run(in, stat, readme, "cmd", plots, ""))
	got, err := os.ReadFile(readme)
	require.NoError(t, err)
	assert.Contains(t, string(got), "### Targets")
	assert.True(t, strings.HasSuffix(string(got), endMarker+"\n"))
	for _, f := range []string{plotCostFile, plotOverheadFile} {
		assert.Contains(t, string(got), "](results/"+f+")", "the README shows the plot")
		svg, err := os.ReadFile(filepath.Join(plots, f))
		require.NoError(t, err, "the plot is written")
		assert.True(t, strings.HasPrefix(string(svg), "<svg "))
	}
	require.Error(t, run(filepath.Join(dir, "missing"), stat, readme, "cmd", plots, ""))
}

func TestFormat(t *testing.T) {
	assert.Equal(t, "1.25×", fmtRatio(1.25))
	assert.Equal(t, "12.5×", fmtRatio(12.5))
	assert.Equal(t, "125×", fmtRatio(125))
	assert.Equal(t, "850 ns", fmtDur(850e-9))
	assert.Equal(t, "4.57 µs", fmtDur(4.57e-6))
	assert.Equal(t, "1.20 ms", fmtDur(1.2e-3))
	assert.Equal(t, "2.00 s", fmtDur(2))
	assert.Equal(t, "336 B", fmtBytes(336))
	assert.Equal(t, "1.5 KiB", fmtBytes(1536))
	assert.Equal(t, "5.0 MiB", fmtBytes(5<<20))
	assert.Equal(t, "1.00 GiB", fmtBytes(1<<30))
	assert.Equal(t, "3", fmtCount(3))
	assert.Equal(t, "16.5", fmtCount(16.5))
}
