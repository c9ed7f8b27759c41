package main

import (
	"strings"
	"testing"
)

// FuzzParse checks that parse never panics, and that whatever it accepts
// the report can render: a truncated or garbled bench.txt gives an error or
// a report with gaps, never a crash.
func FuzzParse(f *testing.F) {
	f.Add(sample)
	f.Add(realSample)
	f.Add("BenchmarkX/a=b-2 1 2 ns/op\n")
	f.Add("BenchmarkPages/page=p/impl=copy-2 1 NaN ns/op -1 page-B\n")
	f.Add("goos: linux\nBenchmark 1 2\n")
	f.Fuzz(func(t *testing.T, in string) {
		rs, err := parse(strings.NewReader(in))
		if err != nil {
			return
		}
		for _, res := range rs.all {
			for unit := range res.units {
				if _, ok := res.median(unit); !ok {
					t.Fatalf("%s: no median of %s", res.family, unit)
				}
			}
		}
		var b strings.Builder
		realTargets(&b, rs)
		proxyTargets(&b, rs)
		caddyTable(&b, rs)
		workerdTable(&b, rs)
		frameworkTable(&b, rs)
		_ = costPlot(rs)
		_ = overheadPlot(rs)
		handlerTable(&b, rs)
		loopbackTable(&b, rs)
		pagesTable(&b, rs)
	})
}
