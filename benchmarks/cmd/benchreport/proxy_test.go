package main

import (
	"encoding/xml"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// proxySample is a run of the proxy benchmark: one row met, others missed,
// and workerd beaten on one row but not the other.
const proxySample = `BenchmarkProxy/page=2K/upstream=identity/encode=none/impl=caddy-2 	1000	 300000 ns/op	 100000 proxy-ns/req	 4000 req/s	 1804 resp-B
BenchmarkProxy/page=2K/upstream=identity/encode=none/impl=caddy-tracemeta-2 	1000	 300000 ns/op	 105000 proxy-ns/req	 3900 req/s	 2220 resp-B
BenchmarkProxy/page=2K/upstream=identity/encode=none/impl=workerd-plain-2 	1000	 300000 ns/op	 90000 proxy-ns/req	 4100 req/s	 1804 resp-B
BenchmarkProxy/page=2K/upstream=identity/encode=none/impl=workerd-htmlrewriter-2 	1000	 300000 ns/op	 150000 proxy-ns/req	 3000 req/s	 2220 resp-B
BenchmarkProxy/page=2K/upstream=gzip/encode=gzip/impl=caddy-2 	1000	 300000 ns/op	 100000 proxy-ns/req	 4000 req/s	 983 resp-B
BenchmarkProxy/page=2K/upstream=gzip/encode=gzip/impl=caddy-tracemeta-2 	1000	 300000 ns/op	 200000 proxy-ns/req	 2000 req/s	 1203 resp-B
BenchmarkProxy/page=120K/upstream=gzip/encode=none/impl=caddy-2 	1000	 300000 ns/op	 100000 proxy-ns/req	 4000 req/s	 23219 resp-B
BenchmarkProxy/page=120K/upstream=gzip/encode=none/impl=caddy-tracemeta-2 	1000	 300000 ns/op	 300000 proxy-ns/req	 2000 req/s	 123334 resp-B
BenchmarkProxy/page=120K/upstream=gzip/encode=none/impl=workerd-plain-2 	1000	 300000 ns/op	 150000 proxy-ns/req	 3000 req/s	 23219 resp-B
BenchmarkProxy/page=120K/upstream=gzip/encode=none/impl=workerd-htmlrewriter-2 	1000	 300000 ns/op	 250000 proxy-ns/req	 2500 req/s	 23501 resp-B
`

func TestProxyReport(t *testing.T) {
	rs, err := parse(strings.NewReader(proxySample))
	require.NoError(t, err)
	out, err := report(rs, "", "cmd", reportOptions{})
	require.NoError(t, err)
	for _, want := range []string{
		"| Caddy + tracemeta: ≥ 0.95× the requests/s of the same Caddy without it | 2K identity encode=none: 0.97×; 2K gzip encode=gzip: 0.50×; 120K gzip encode=none: 0.50× | ❌ missed |",
		"| Caddy + tracemeta: ≤ 1.06× the Caddy CPU per request | 2K identity encode=none: 1.05×; 2K gzip encode=gzip: 2.00×; 120K gzip encode=none: 3.00× | ❌ missed |",
		"wins 1 of 2 rows on CPU per request and requests/s; not on 120K gzip: CPU 1.20×, req/s 0.80× of workerd's | ❌ missed |",
		"| 2K | identity | none | 100.00 µs · 4000 · 1.8 KiB | 1.05× · 0.97× · 2.2 KiB |",
		"| 2K | identity | 105.00 µs · 3900 | 150.00 µs · 3000 | 0.70× · 1.30× | +5.00 µs · +60.00 µs |",
	} {
		assert.Contains(t, out, want)
	}
}

// wellFormed asserts that doc parses as XML.
func wellFormed(t *testing.T, doc string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(doc))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		require.NoError(t, err, "the SVG is well-formed")
	}
}

func TestPlots(t *testing.T) {
	rs, err := parse(strings.NewReader(realSample + proxySample))
	require.NoError(t, err)

	cost := costPlot(rs)
	wellFormed(t, cost)
	assert.Contains(t, cost, "the same writes unscanned")
	assert.Equal(t, 2+2, strings.Count(cost, "<circle"), "a point per page for write and for readfrom")

	bars := overheadBars(rs)
	var labels []string
	for _, b := range bars {
		labels = append(labels, b.label)
	}
	assert.Equal(t, []string{"net/http + full chain, 2K", "Caddy + tracemeta, 2K", "workerd + HTMLRewriter, 2K"}, labels,
		"the stacks measured, in order; the rest left out")
	require.Len(t, bars, 3)
	assert.InDelta(t, 1e-6, bars[0].value, 1e-12, "chain − bare server CPU per request")
	assert.InDelta(t, 60e-6, bars[2].value, 1e-12, "HTMLRewriter − the plain worker")
	overhead := overheadPlot(rs)
	wellFormed(t, overhead)
	assert.Equal(t, len(bars), strings.Count(overhead, "<rect")-1, "a bar per stack, beside the background")

	empty, err := parse(strings.NewReader(""))
	require.NoError(t, err)
	assert.Empty(t, costPlot(empty), "no plot without results")
	assert.Empty(t, overheadPlot(empty))
}

func TestFmtSize(t *testing.T) {
	assert.Equal(t, "20 KB", fmtSize(20_000))
	assert.Equal(t, "1 MB", fmtSize(1e6))
	assert.Equal(t, "500 B", fmtSize(500))
}
