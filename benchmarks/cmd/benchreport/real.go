package main

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/tracemeta/tracemeta/benchmarks/internal/rewrite"
)

// Names of the benchmark families of real handlers and pages, and of their
// methods.
const (
	famHandler  = "Handler"
	famLoopback = "Loopback"
	famPages    = "Pages"

	implInject = "inject"
	implChain  = "chain"

	pageCopy      = "copy"
	pageUnscanned = "unscanned"
	pageWrite     = "write"
	pageCopyRF    = "copy-readfrom"
	pageReadFrom  = "readfrom"

	smallHandler = "onewrite-2K"
)

// The targets of what a real request pays.
const (
	targetChainThroughput = 0.92    // × bare requests per server CPU-second, full chain, 2 KB page
	targetChainAllocs     = 3       // allocations per request beyond the bare handler
	targetChainBytes      = 1 << 10 // bytes per request beyond the bare handler
	targetTemplate        = 1.02    // × bare, html/template and templ pages
	targetFixedNs         = 150.0   // ns, the Writer's fixed cost per page
	targetPage100K        = 1.05    // × unscanned, pages of 100 KB and more
	targetPage50K         = 1.15    // × unscanned, pages from 30 to 100 KB
	targetPage10K         = 1.5     // × unscanned, smaller pages
	targetReadFrom        = 1.15    // × the copy with a reused buffer
	readFromBufBytes      = 4 << 10
)

// pageBands are the page sizes of the Writer's targets against the
// unscanned writes.
var pageBands = []struct {
	limit  float64
	lo, hi float64
	what   string
}{
	{targetPage100K, 100_000, math.Inf(1), "pages of 100 KB and more"},
	{targetPage50K, 30_000, 100_000, "pages of 30 to 100 KB"},
	{targetPage10K, 0, 30_000, "pages under 30 KB"},
}

// pageLimit returns the target of the Writer on a page of size bytes.
func pageLimit(size float64) float64 {
	for _, band := range pageBands {
		if size >= band.lo && size < band.hi {
			return band.limit
		}
	}
	return math.Inf(1)
}

// timeUnit returns the unit of the time figures of family: the CPU time of
// the benchmark's thread (cpu-sec/op) when the run has it, which leaves out
// the time the thread waited for a CPU on a shared machine, else ns/op
// (sec/op), the wall time.
func timeUnit(rs *results, family string) string {
	for _, res := range rs.all {
		if res.family == family && len(res.units[cpuSecOp]) > 0 {
			return cpuSecOp
		}
	}
	return "sec/op"
}

// cpuSecOp is the unit of cpu-ns/op after parse converted it to seconds.
const cpuSecOp = "cpu-sec/op"

// realHandlerPages are the pages of the Handler and Loopback benchmarks,
// in the order of the tables.
var realHandlerPages = []string{"template-60K", "templ-60K", smallHandler, "file-117K"}

// realHandlerDesc says what each handler does.
var realHandlerDesc = map[string]string{
	"template-60K": "html/template executed into the ResponseWriter: a 60 KB listing, ~3,900 writes",
	"templ-60K":    "a templ component rendered into the ResponseWriter: the same listing, 4 KB writes",
	smallHandler:   "the 2 KB corpus page in one Write, with Content-Length",
	"file-117K":    "`http.ServeFile` of testdata/pages/rustdoc-partialeq.html: `io.CopyN` into the ResponseWriter, i.e. its `ReadFrom` (sendfile on the loopback server when bare)",
}

// realPage is one page of the Pages benchmark.
type realPage struct {
	name string
	size float64
}

// realPages returns the pages of the Pages benchmark, smallest first.
func realPages(rs *results) []realPage {
	var pages []realPage
	for _, res := range rs.all {
		if res.family != famPages || res.keys["impl"] != pageCopy {
			continue
		}
		size, _ := res.median("page-B")
		pages = append(pages, realPage{name: res.keys["page"], size: size})
	}
	slices.SortFunc(pages, func(a, b realPage) int { return int(a.size - b.size) })
	return pages
}

// delta returns median(unit) of a minus that of b.
func delta(a, b *result, unit string) (float64, bool) {
	if a == nil || b == nil {
		return 0, false
	}
	x, ok1 := a.median(unit)
	y, ok2 := b.median(unit)
	return x - y, ok1 && ok2
}

// realTargets writes the table of the targets of a real request.
func realTargets(b *strings.Builder, rs *results) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	w("| target | measured | |\n|---|---|---|\n")
	row := func(what string, measured bool, text string, ok bool) {
		if !measured {
			w("| %s | not measured | |\n", what)
			return
		}
		w("| %s | %s | %s |\n", what, text, mark(ok))
	}

	// The full chain on the 2 KB page.
	what := fmt.Sprintf("full chain, %s: ≥ %.2f× the bare handler's requests per server CPU-second (loopback)", smallHandler, targetChainThroughput)
	r, has := ratio(rs.find(famLoopback, "page", smallHandler, "impl", bare), rs.find(famLoopback, "page", smallHandler, "impl", implChain), "server-ns/req")
	row(what, has, fmtRatio(r), r >= targetChainThroughput)

	what = fmt.Sprintf("full chain, %s: ≤ %d allocations and ≤ %s per request beyond the bare handler (incoming sentry-trace and a %d-byte baggage)", smallHandler, targetChainAllocs, fmtBytes(targetChainBytes), len(rewrite.IncomingBaggage()))
	chain, base := rs.find(famHandler, "page", smallHandler, "impl", implChain), rs.find(famHandler, "page", smallHandler, "impl", bare)
	da, hasA := delta(chain, base, "allocs/op")
	dm, hasM := delta(chain, base, "B/op")
	text := fmt.Sprintf("httptest: +%s allocs, +%s", fmtCount(da), fmtBytes(dm))
	sa, hasSA := delta(rs.find(famLoopback, "page", smallHandler, "impl", implChain), rs.find(famLoopback, "page", smallHandler, "impl", bare), "server-allocs/req")
	sm, _ := delta(rs.find(famLoopback, "page", smallHandler, "impl", implChain), rs.find(famLoopback, "page", smallHandler, "impl", bare), "server-B/req")
	if hasSA {
		text += fmt.Sprintf("; loopback server: +%.1f allocs, +%s", sa, fmtBytes(sm))
	}
	ok := da <= targetChainAllocs && dm <= targetChainBytes
	if hasSA {
		ok = ok && sa <= targetChainAllocs && sm <= targetChainBytes
	}
	row(what, hasA && hasM, text, ok)

	// The template pages.
	for _, page := range realHandlerPages[:2] {
		what = fmt.Sprintf("full chain, %s: ≤ %.2f× bare", page, targetTemplate)
		var parts []string
		ok, measured := true, false
		if r, has := ratio(rs.find(famHandler, "page", page, "impl", implChain), rs.find(famHandler, "page", page, "impl", bare), timeUnit(rs, famHandler)); has {
			measured = true
			ok = ok && r <= targetTemplate
			parts = append(parts, "httptest time "+fmtRatio(r))
		}
		if r, has := ratio(rs.find(famLoopback, "page", page, "impl", implChain), rs.find(famLoopback, "page", page, "impl", bare), "server-ns/req"); has {
			measured = true
			ok = ok && r <= targetTemplate
			parts = append(parts, "loopback server CPU "+fmtRatio(r))
		}
		row(what, measured, strings.Join(parts, ", "), ok)
	}

	// The Writer on real pages, against the same writes unscanned.
	pages := realPages(rs)
	if len(pages) > 0 {
		small := pages[0]
		fixed, has := delta(rs.find(famPages, "page", small.name, "impl", pageWrite), rs.find(famPages, "page", small.name, "impl", pageUnscanned), timeUnit(rs, famPages))
		row(fmt.Sprintf("`NewWriter` fixed cost per page ≤ %.0f ns (write − unscanned on the smallest page, %s)", targetFixedNs, small.name),
			has, fmt.Sprintf("%.0f ns", fixed*1e9), fixed*1e9 <= targetFixedNs)
	}
	for _, band := range pageBands {
		var parts []string
		ok, measured := true, false
		for _, p := range pages {
			if p.size < band.lo || p.size >= band.hi {
				continue
			}
			r, has := ratio(rs.find(famPages, "page", p.name, "impl", pageWrite), rs.find(famPages, "page", p.name, "impl", pageUnscanned), timeUnit(rs, famPages))
			if !has {
				continue
			}
			measured = true
			ok = ok && r <= band.limit
			parts = append(parts, fmt.Sprintf("%s: %s", p.name, fmtRatio(r)))
		}
		row(fmt.Sprintf("`NewWriter` in 32 KiB writes ≤ %.2f× the same writes unscanned, %s", band.limit, band.what), measured, strings.Join(parts, ", "), ok)
	}

	// ReadFrom.
	{
		var parts []string
		okTime, okBuf, measured := true, true, false
		worstB := 0.0
		for _, p := range pages {
			rf := rs.find(famPages, "page", p.name, "impl", pageReadFrom)
			r, has := ratio(rf, rs.find(famPages, "page", p.name, "impl", pageCopyRF), timeUnit(rs, famPages))
			if !has {
				continue
			}
			measured = true
			okTime = okTime && r <= targetReadFrom
			m, _ := rf.median("B/op")
			worstB = math.Max(worstB, m)
			okBuf = okBuf && m < readFromBufBytes
			parts = append(parts, fmt.Sprintf("%s: %s", p.name, fmtRatio(r)))
		}
		row(fmt.Sprintf("`io.Copy` into a new Writer (`ReadFrom`): no per-page read buffer (< %s/op), ≤ %.2f× `io.CopyBuffer`", fmtBytes(readFromBufBytes), targetReadFrom),
			measured, fmt.Sprintf("up to %s/op; %s", fmtBytes(worstB), strings.Join(parts, ", ")), okTime && okBuf)
	}

	// Faster than every peer on every row of the cost-per-page table.
	measured, text, ok := peerTarget(rs)
	row("faster than every peer on every row of the cost-per-page table below", measured, text, ok)

	// Memory per response independent of the page size: the streams of the
	// first table, and the Writer on the real pages.
	measured, text, ok = memoryTarget(rs)
	if len(pages) > 0 {
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, p := range pages {
			if res := rs.find(famPages, "page", p.name, "impl", pageWrite); res != nil {
				v, _ := res.median("B/op")
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
		if !math.IsInf(lo, 0) {
			if text != "" {
				text += "; "
			}
			text += fmt.Sprintf("`NewWriter` on the real pages: %s–%s/op from %s to %s", fmtBytes(lo), fmtBytes(hi), fmtBytes(pages[0].size), fmtBytes(pages[len(pages)-1].size))
			ok = (ok || !measured) && hi-lo < 1<<10
			measured = true
		}
	}
	row("memory per response independent of the page size", measured, text, ok)
}

// handlerTable writes the per-request table through httptest.
func handlerTable(b *strings.Builder, rs *results) {
	b.WriteString("| page | bare: time · allocs · B | inject: × · +allocs · +B | chain: × · +allocs · +B |\n|---|---:|---:|---:|\n")
	for _, page := range realHandlerPages {
		base := rs.find(famHandler, "page", page, "impl", bare)
		if base == nil {
			continue
		}
		t, _ := base.median(timeUnit(rs, famHandler))
		a, _ := base.median("allocs/op")
		m, _ := base.median("B/op")
		fmt.Fprintf(b, "| %s | %s · %s · %s |", page, fmtDur(t), fmtCount(a), fmtBytes(m))
		for _, impl := range []string{implInject, implChain} {
			res := rs.find(famHandler, "page", page, "impl", impl)
			r, ok := ratio(res, base, timeUnit(rs, famHandler))
			if !ok {
				b.WriteString(" – |")
				continue
			}
			ra, _ := res.median("allocs/op")
			rm, _ := res.median("B/op")
			fmt.Fprintf(b, " %s · %+.0f · %s |", fmtRatio(r), ra-a, fmtSigned(rm-m))
		}
		b.WriteString("\n")
	}
	b.WriteString("\nThe handlers:\n\n")
	for _, page := range realHandlerPages {
		fmt.Fprintf(b, "- **%s**: %s\n", page, realHandlerDesc[page])
	}
}

// loopbackTable writes the per-request table of the loopback server.
func loopbackTable(b *strings.Builder, rs *results) {
	b.WriteString("| page | bare: server CPU/req · req/s · allocs/req | inject: CPU × · req/s × · +allocs · +B | chain: CPU × · req/s × · +allocs · +B |\n|---|---:|---:|---:|\n")
	for _, page := range realHandlerPages {
		base := rs.find(famLoopback, "page", page, "impl", bare)
		if base == nil {
			continue
		}
		cpu, _ := base.median("server-ns/req")
		q, _ := base.median("req/s")
		a, _ := base.median("server-allocs/req")
		fmt.Fprintf(b, "| %s | %s · %.0f · %s |", page, fmtDur(cpu/1e9), q, fmtCount(math.Round(a*10)/10))
		for _, impl := range []string{implInject, implChain} {
			res := rs.find(famLoopback, "page", page, "impl", impl)
			rc, ok := ratio(res, base, "server-ns/req")
			if !ok {
				b.WriteString(" – |")
				continue
			}
			rq, _ := ratio(res, base, "req/s")
			da, _ := delta(res, base, "server-allocs/req")
			dm, _ := delta(res, base, "server-B/req")
			fmt.Fprintf(b, " %s · %s · %+.1f · %s |", fmtRatio(rc), fmtRatio(rq), da, fmtSigned(dm))
		}
		b.WriteString("\n")
	}
}

// pagesTable writes the table of the Writer on real pages.
func pagesTable(b *strings.Builder, rs *results) {
	b.WriteString("| page | bytes | copy | unscanned | write: × unscanned · − unscanned · allocs · B | copy-readfrom | readfrom: × · allocs · B |\n|---|---:|---:|---:|---:|---:|---:|\n")
	for _, p := range realPages(rs) {
		cp := rs.find(famPages, "page", p.name, "impl", pageCopy)
		un := rs.find(famPages, "page", p.name, "impl", pageUnscanned)
		wr := rs.find(famPages, "page", p.name, "impl", pageWrite)
		crf := rs.find(famPages, "page", p.name, "impl", pageCopyRF)
		rf := rs.find(famPages, "page", p.name, "impl", pageReadFrom)
		t, _ := cp.median(timeUnit(rs, famPages))
		fmt.Fprintf(b, "| %s | %.0f | %s |", p.name, p.size, fmtDur(t))
		if tu, ok := un.median(timeUnit(rs, famPages)); ok {
			fmt.Fprintf(b, " %s |", fmtDur(tu))
		} else {
			b.WriteString(" – |")
		}
		if r, ok := ratio(wr, un, timeUnit(rs, famPages)); ok {
			d, _ := delta(wr, un, timeUnit(rs, famPages))
			a, _ := wr.median("allocs/op")
			m, _ := wr.median("B/op")
			fmt.Fprintf(b, " %s · %s ns · %s · %s |", fmtRatio(r), fmt.Sprintf("%+.0f", d*1e9), fmtCount(a), fmtBytes(m))
		} else {
			b.WriteString(" – |")
		}
		if crf == nil {
			b.WriteString(" – | – |\n")
			continue
		}
		tc, _ := crf.median(timeUnit(rs, famPages))
		fmt.Fprintf(b, " %s |", fmtDur(tc))
		if r, ok := ratio(rf, crf, timeUnit(rs, famPages)); ok {
			a, _ := rf.median("allocs/op")
			m, _ := rf.median("B/op")
			fmt.Fprintf(b, " %s · %s · %s |", fmtRatio(r), fmtCount(a), fmtBytes(m))
		} else {
			b.WriteString(" – |")
		}
		b.WriteString("\n")
	}
}

func fmtSigned(n float64) string {
	if n >= 0 {
		return "+" + fmtBytes(n)
	}
	return "−" + fmtBytes(-n)
}

// frameworks are the frameworks of the loopback server's 2 KB page, by the
// prefix of their impl names.
var frameworks = []struct{ prefix, name string }{{"gin", "gin"}, {"fiber", "Fiber"}}

// frameworkTable writes the 2 KB page from gin and Fiber on the loopback
// server, bare and with tracemeta's adapter (the trace continued from the
// incoming headers), beside net/http's full chain.
func frameworkTable(b *strings.Builder, rs *results) {
	b.WriteString("| stack | bare: server CPU/req · req/s · allocs/req | + tracemeta: CPU × · requests per CPU-second × · req/s × · +allocs · +B |\n|---|---:|---:|\n")
	rows := []struct{ name, bare, chain string }{{"net/http + `tracecontext.Middleware` + `inject.Middleware`", bare, implChain}}
	for _, fw := range frameworks {
		rows = append(rows, struct{ name, bare, chain string }{fw.name + " + its tracemeta adapter", fw.prefix + "-" + bare, fw.prefix + "-" + implChain})
	}
	for _, r := range rows {
		base := rs.find(famLoopback, "page", smallHandler, "impl", r.bare)
		res := rs.find(famLoopback, "page", smallHandler, "impl", r.chain)
		rc, ok := ratio(res, base, "server-ns/req")
		if !ok {
			continue
		}
		cpu, _ := base.median("server-ns/req")
		q, _ := base.median("req/s")
		a, _ := base.median("server-allocs/req")
		rq, _ := ratio(res, base, "req/s")
		da, _ := delta(res, base, "server-allocs/req")
		dm, _ := delta(res, base, "server-B/req")
		fmt.Fprintf(b, "| %s | %s · %.0f · %s | %s · %s · %s · %+.1f · %s |\n", r.name, fmtDur(cpu/1e9), q, fmtCount(math.Round(a*10)/10),
			fmtRatio(rc), fmtRatio(1/rc), fmtRatio(rq), da, fmtSigned(dm))
	}
}
