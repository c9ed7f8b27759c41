package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// realSample is a run of the real-handler and real-page benchmarks: two
// rounds each, with the medians chosen so that some targets are met and
// others missed.
const realSample = `goos: linux
goarch: amd64
BenchmarkHandler/page=onewrite-2K/impl=bare-2    	 100	  500 ns/op	 900 B/op	 8 allocs/op
BenchmarkHandler/page=onewrite-2K/impl=bare-2    	 100	  500 ns/op	 900 B/op	 8 allocs/op
BenchmarkHandler/page=onewrite-2K/impl=inject-2  	 100	  700 ns/op	1200 B/op	 9 allocs/op
BenchmarkHandler/page=onewrite-2K/impl=chain-2   	 100	 1000 ns/op	1300 B/op	10 allocs/op
BenchmarkHandler/page=template-60K/impl=bare-2   	 100	100000 ns/op	280000 B/op	12000 allocs/op
BenchmarkHandler/page=template-60K/impl=chain-2  	 100	103000 ns/op	281000 B/op	12007 allocs/op
BenchmarkLoopback/page=onewrite-2K/impl=bare-2   	1000	 30000 ns/op	 20000 server-ns/req	 28.0 server-allocs/req	 2900 server-B/req	 33000 req/s
BenchmarkLoopback/page=onewrite-2K/impl=chain-2  	1000	 31000 ns/op	 21000 server-ns/req	 30.0 server-allocs/req	 3300 server-B/req	 32000 req/s
BenchmarkLoopback/page=templ-60K/impl=bare-2     	1000	 30000 ns/op	400000 server-ns/req	 3700 server-allocs/req	 130000 server-B/req	 2500 req/s
BenchmarkLoopback/page=templ-60K/impl=chain-2    	1000	 31000 ns/op	404000 server-ns/req	 3702 server-allocs/req	 130400 server-B/req	 2480 req/s
BenchmarkPages/page=small/impl=copy-2            	1000	   190 ns/op	 10000 page-B	  0 B/op	 0 allocs/op
BenchmarkPages/page=small/impl=unscanned-2       	1000	   200 ns/op	 10000 page-B	  0 B/op	 0 allocs/op
BenchmarkPages/page=small/impl=write-2           	1000	   320 ns/op	 10000 page-B	288 B/op	 1 allocs/op
BenchmarkPages/page=small/impl=copy-readfrom-2   	1000	   210 ns/op	 10000 page-B	  0 B/op	 0 allocs/op
BenchmarkPages/page=small/impl=readfrom-2        	1000	  1200 ns/op	 10000 page-B	33056 B/op	 2 allocs/op
BenchmarkPages/page=big/impl=copy-2              	1000	 19900 ns/op	300000 page-B	  0 B/op	 0 allocs/op
BenchmarkPages/page=big/impl=unscanned-2         	1000	 20000 ns/op	300000 page-B	  0 B/op	 0 allocs/op
BenchmarkPages/page=big/impl=write-2             	1000	 20800 ns/op	300000 page-B	288 B/op	 1 allocs/op
BenchmarkPages/page=big/impl=copy-readfrom-2     	1000	 30000 ns/op	300000 page-B	  0 B/op	 0 allocs/op
BenchmarkPages/page=big/impl=readfrom-2          	1000	 33000 ns/op	300000 page-B	33056 B/op	 2 allocs/op
`

func TestRealReport(t *testing.T) {
	rs, err := parse(strings.NewReader(realSample))
	require.NoError(t, err)
	out, err := report(rs, "", "cmd", reportOptions{})
	require.NoError(t, err)
	for _, want := range []string{
		"| full chain, onewrite-2K: ≥ 0.92× the bare handler's requests per server CPU-second (loopback) | 0.95× | ✅ met |",
		"| full chain, onewrite-2K: ≤ 3 allocations and ≤ 1.0 KiB per request beyond the bare handler (incoming sentry-trace and a 296-byte baggage) | httptest: +2 allocs, +400 B; loopback server: +2.0 allocs, +400 B | ✅ met |",
		"| full chain, template-60K: ≤ 1.02× bare | httptest time 1.03× | ❌ missed |",
		"| full chain, templ-60K: ≤ 1.02× bare | loopback server CPU 1.01× | ✅ met |",
		"| `NewWriter` fixed cost per page ≤ 150 ns (write − unscanned on the smallest page, small) | 120 ns | ✅ met |",
		"| `NewWriter` in 32 KiB writes ≤ 1.05× the same writes unscanned, pages of 100 KB and more | big: 1.04× | ✅ met |",
		"| `NewWriter` in 32 KiB writes ≤ 1.15× the same writes unscanned, pages of 30 to 100 KB | not measured | |",
		"| `NewWriter` in 32 KiB writes ≤ 1.50× the same writes unscanned, pages under 30 KB | small: 1.60× | ❌ missed |",
		"≤ 1.15× `io.CopyBuffer` | up to 32.3 KiB/op; small: 5.71×, big: 1.10× | ❌ missed |",
		"| memory per response independent of the page size | `NewWriter` on the real pages: 288 B–288 B/op from 9.8 KiB to 293.0 KiB | ✅ met |",
		"| faster than every peer on every row of the cost-per-page table below | not measured | |",
		"| onewrite-2K | 500 ns · 8 · 900 B | 1.40× · +1 · +300 B | 2.00× · +2 · +400 B |",
		"| templ-60K | 400.00 µs · 2500 · 3700 | – | 1.01× · 0.99× · +2.0 · +400 B |",
		"| small | 10000 | 190 ns | 200 ns | 1.60× · +120 ns · 1 · 288 B | 210 ns | 5.71× · 2 · 32.3 KiB |",
	} {
		assert.Contains(t, out, want)
	}
	// The rows lay out smallest page first.
	assert.Less(t, strings.Index(out, "| small | 10000 |"), strings.Index(out, "| big | 300000 |"))
}

func TestFmtSigned(t *testing.T) {
	assert.Equal(t, "−1.0 KiB", fmtSigned(-1024))
	assert.Equal(t, "+12 B", fmtSigned(12))
}

func TestFrameworkTable(t *testing.T) {
	rs, err := parse(strings.NewReader(realSample + `BenchmarkLoopback/page=onewrite-2K/impl=gin-bare-2   	1000	 30000 ns/op	 25000 server-ns/req	 28.0 server-allocs/req	 2900 server-B/req	 30000 req/s
BenchmarkLoopback/page=onewrite-2K/impl=gin-chain-2  	1000	 31000 ns/op	 30000 server-ns/req	 33.0 server-allocs/req	 3900 server-B/req	 27000 req/s
`))
	require.NoError(t, err)
	out, err := report(rs, "", "cmd", reportOptions{})
	require.NoError(t, err)
	assert.Contains(t, out, "| net/http + `tracecontext.Middleware` + `inject.Middleware` | 20.00 µs · 33000 · 28 | 1.05× · 0.95× · 0.97× · +2.0 · +400 B |")
	assert.Contains(t, out, "| gin + its tracemeta adapter | 25.00 µs · 30000 · 28 | 1.20× · 0.83× · 0.90× · +5.0 · +1000 B |")
	assert.NotContains(t, out, "| Fiber + its tracemeta adapter |", "no row for a framework not measured")
	assert.Len(t, overheadBars(rs), 2, "net/http's chain and gin")
}

func TestCPUTimePreferred(t *testing.T) {
	rs, err := parse(strings.NewReader(`BenchmarkPages/page=small/impl=copy-2 	1000	 800 ns/op	 190 cpu-ns/op	 10000 page-B	 0 B/op	 0 allocs/op
BenchmarkPages/page=small/impl=unscanned-2 	1000	 900 ns/op	 200 cpu-ns/op	 10000 page-B	 0 B/op	 0 allocs/op
BenchmarkPages/page=small/impl=write-2     	1000	 300 ns/op	 300 cpu-ns/op	 10000 page-B	 320 B/op	 1 allocs/op
BenchmarkHandler/page=onewrite-2K/impl=bare-2 	100	 500 ns/op	 500 B/op	 8 allocs/op
`))
	require.NoError(t, err)
	assert.Equal(t, cpuSecOp, timeUnit(rs, famPages), "the thread's CPU time where the run has it")
	assert.Equal(t, "sec/op", timeUnit(rs, famHandler), "else the wall time")
	out, err := report(rs, "", "cmd", reportOptions{})
	require.NoError(t, err)
	assert.Contains(t, out, "| `NewWriter` in 32 KiB writes ≤ 1.50× the same writes unscanned, pages under 30 KB | small: 1.50× | ✅ met |",
		"300 / 200 of CPU, not 300 / 900 of wall time")
}
