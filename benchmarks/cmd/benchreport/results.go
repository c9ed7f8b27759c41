package main

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// result is every sample of one benchmark.
type result struct {
	family string               // the top-level benchmark without "Benchmark": "Rewrite"
	keys   map[string]string    // the key=value parts of the sub-benchmark names
	units  map[string][]float64 // samples by unit: "sec/op", "B/op", "allocs/op", "peak-heap-B"...
}

// median returns the median sample of unit, and whether there was one. A
// nil result has none.
func (r *result) median(unit string) (float64, bool) {
	if r == nil {
		return 0, false
	}
	s := slices.Clone(r.units[unit])
	if len(s) == 0 {
		return 0, false
	}
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2], true
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2, true
}

// results are the benchmarks of one run, and the configuration lines
// ("goos: linux", "cpu: ...") that came with them.
type results struct {
	config map[string]string
	all    []*result
	byName map[string]*result
}

// find returns the result of family with exactly keys, or nil.
func (rs *results) find(family string, keys ...string) *result {
	return rs.byName[nameOf(family, keys)]
}

func nameOf(family string, kv []string) string {
	var b strings.Builder
	b.WriteString(family)
	for i := 0; i+1 < len(kv); i += 2 {
		b.WriteString("/" + kv[i] + "=" + kv[i+1])
	}
	return b.String()
}

// parse reads the output of go test -bench in the standard benchmark
// format (https://go.googlesource.com/proposal/+/master/design/14313-benchmark-format.md).
func parse(r io.Reader) (*results, error) {
	rs := &results{config: map[string]string{}, byName: map[string]*result{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if k, v, ok := strings.Cut(text, ": "); ok && !strings.ContainsAny(k, " \t") && !strings.HasPrefix(k, "Benchmark") {
			rs.config[k] = strings.TrimSpace(v)
			continue
		}
		if !strings.HasPrefix(text, "Benchmark") {
			continue
		}
		f := strings.Fields(text)
		if len(f) < 4 || len(f)%2 != 0 {
			continue // a benchmark's log line, or one cut short
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue
		}
		family, keys, err := splitName(f[0])
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		name := nameOf(family, keys)
		res := rs.byName[name]
		if res == nil {
			res = &result{family: family, keys: map[string]string{}, units: map[string][]float64{}}
			for i := 0; i < len(keys); i += 2 {
				res.keys[keys[i]] = keys[i+1]
			}
			rs.byName[name] = res
			rs.all = append(rs.all, res)
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, fmt.Errorf("line %d: value %q: %w", line, f[i], err)
			}
			unit := f[i+1]
			switch unit {
			case "ns/op":
				unit, v = "sec/op", v/1e9
			case "cpu-ns/op":
				unit, v = cpuSecOp, v/1e9
			}
			res.units[unit] = append(res.units[unit], v)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	return rs, nil
}

// splitName splits "BenchmarkRewrite/page=a/write=b-2" into "Rewrite" and
// the key-value pairs, dropping the GOMAXPROCS suffix.
func splitName(full string) (family string, kv []string, err error) {
	name := strings.TrimPrefix(full, "Benchmark")
	if i := strings.LastIndexByte(name, '-'); i > 0 && !strings.Contains(name[i:], "/") {
		if _, err := strconv.Atoi(name[i+1:]); err == nil {
			name = name[:i]
		}
	}
	parts := strings.Split(name, "/")
	for _, p := range parts[1:] {
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			return "", nil, fmt.Errorf("benchmark %q: sub-benchmark %q is not key=value", full, p)
		}
		kv = append(kv, k, v)
	}
	return parts[0], kv, nil
}
