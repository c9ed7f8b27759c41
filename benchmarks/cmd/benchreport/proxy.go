package main

import (
	"fmt"
	"strings"
)

// Names of the proxy benchmark: its family, stacks, pages, upstreams and
// encode settings, in the order of the tables.
const (
	famProxy = "Proxy"

	proxyCaddy          = "caddy"
	proxyCaddyTracemeta = "caddy-tracemeta"
	proxyWorkerdPlain   = "workerd-plain"
	proxyWorkerd        = "workerd-htmlrewriter"

	encodeNone = "none"
)

var (
	proxyPages     = []string{"2K", "12K", "120K"}
	proxyUpstreams = []string{"identity", "gzip"}
	proxyEncodes   = []string{encodeNone, "gzip"}
)

// The targets of Caddy with tracemeta against the same Caddy without it.
const (
	targetCaddyThroughput = 0.95 // × requests per second
	targetCaddyCPU        = 1.06 // × Caddy CPU per request
)

func findProxy(rs *results, page, upstream, encode, impl string) *result {
	return rs.find(famProxy, "page", page, "upstream", upstream, "encode", encode, "impl", impl)
}

// proxyTargets writes the targets of the Caddy rows and of the comparison
// with workerd.
func proxyTargets(b *strings.Builder, rs *results) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	w("| target | measured | |\n|---|---|---|\n")
	var cpuParts, qParts []string
	okCPU, okQ, measured := true, true, false
	for _, page := range proxyPages {
		for _, up := range proxyUpstreams {
			for _, enc := range proxyEncodes {
				tm, plain := findProxy(rs, page, up, enc, proxyCaddyTracemeta), findProxy(rs, page, up, enc, proxyCaddy)
				rc, has := ratio(tm, plain, "proxy-ns/req")
				if !has {
					continue
				}
				rq, _ := ratio(tm, plain, "req/s")
				measured = true
				okCPU = okCPU && rc <= targetCaddyCPU
				okQ = okQ && rq >= targetCaddyThroughput
				label := fmt.Sprintf("%s %s encode=%s", page, up, enc)
				cpuParts = append(cpuParts, fmt.Sprintf("%s: %s", label, fmtRatio(rc)))
				qParts = append(qParts, fmt.Sprintf("%s: %s", label, fmtRatio(rq)))
			}
		}
	}
	row := func(what string, measured bool, text string, ok bool) {
		if !measured {
			w("| %s | not measured | |\n", what)
			return
		}
		w("| %s | %s | %s |\n", what, text, mark(ok))
	}
	row(fmt.Sprintf("Caddy + tracemeta: ≥ %.2f× the requests/s of the same Caddy without it", targetCaddyThroughput), measured, strings.Join(qParts, "; "), okQ)
	row(fmt.Sprintf("Caddy + tracemeta: ≤ %.2f× the Caddy CPU per request", targetCaddyCPU), measured, strings.Join(cpuParts, "; "), okCPU)

	// tracemeta wins every row against the edge's rewriter.
	var losses []string
	rows := 0
	for _, page := range proxyPages {
		for _, up := range proxyUpstreams {
			tm, wd := findProxy(rs, page, up, encodeNone, proxyCaddyTracemeta), findProxy(rs, page, up, encodeNone, proxyWorkerd)
			rc, has := ratio(tm, wd, "proxy-ns/req")
			if !has {
				continue
			}
			rq, _ := ratio(tm, wd, "req/s")
			rows++
			if rc >= 1 || rq <= 1 {
				losses = append(losses, fmt.Sprintf("%s %s: CPU %s, req/s %s of workerd's", page, up, fmtRatio(rc), fmtRatio(rq)))
			}
		}
	}
	text := fmt.Sprintf("wins %d of %d rows on CPU per request and requests/s", rows-len(losses), rows)
	if len(losses) > 0 {
		text += "; not on " + strings.Join(losses, ", ")
	}
	row("Caddy + tracemeta beats workerd + HTMLRewriter on every row (less proxy CPU per request, more requests/s)", rows > 0, text, len(losses) == 0)
}

// caddyTable writes Caddy with tracemeta against the same Caddy without it.
func caddyTable(b *strings.Builder, rs *results) {
	b.WriteString("| page | upstream | encode | Caddy: CPU/req · req/s · bytes | + tracemeta: CPU × · req/s × · bytes |\n|---|---|---|---:|---:|\n")
	for _, page := range proxyPages {
		for _, up := range proxyUpstreams {
			for _, enc := range proxyEncodes {
				plain := findProxy(rs, page, up, enc, proxyCaddy)
				tm := findProxy(rs, page, up, enc, proxyCaddyTracemeta)
				cpu, ok := plain.median("proxy-ns/req")
				if !ok {
					continue
				}
				q, _ := plain.median("req/s")
				sz, _ := plain.median("resp-B")
				fmt.Fprintf(b, "| %s | %s | %s | %s · %.0f · %s |", page, up, enc, fmtDur(cpu/1e9), q, fmtBytes(sz))
				rc, has := ratio(tm, plain, "proxy-ns/req")
				if !has {
					b.WriteString(" – |\n")
					continue
				}
				rq, _ := ratio(tm, plain, "req/s")
				tsz, _ := tm.median("resp-B")
				fmt.Fprintf(b, " %s · %s · %s |\n", fmtRatio(rc), fmtRatio(rq), fmtBytes(tsz))
			}
		}
	}
}

// workerdTable writes Caddy with tracemeta beside workerd with HTMLRewriter,
// each with the cost of its own pass-through.
func workerdTable(b *strings.Builder, rs *results) {
	b.WriteString("| page | upstream | Caddy + tracemeta: CPU/req · req/s | workerd + HTMLRewriter: CPU/req · req/s | tracemeta / workerd: CPU · req/s | rewriting cost over the stack's pass-through: tracemeta · HTMLRewriter |\n|---|---|---:|---:|---:|---:|\n")
	for _, page := range proxyPages {
		for _, up := range proxyUpstreams {
			tm := findProxy(rs, page, up, encodeNone, proxyCaddyTracemeta)
			wd := findProxy(rs, page, up, encodeNone, proxyWorkerd)
			if tm == nil || wd == nil {
				continue
			}
			tc, _ := tm.median("proxy-ns/req")
			tq, _ := tm.median("req/s")
			wc, _ := wd.median("proxy-ns/req")
			wq, _ := wd.median("req/s")
			rc, _ := ratio(tm, wd, "proxy-ns/req")
			rq, _ := ratio(tm, wd, "req/s")
			fmt.Fprintf(b, "| %s | %s | %s · %.0f | %s · %.0f | %s · %s |", page, up, fmtDur(tc/1e9), tq, fmtDur(wc/1e9), wq, fmtRatio(rc), fmtRatio(rq))
			dt, okT := delta(tm, findProxy(rs, page, up, encodeNone, proxyCaddy), "proxy-ns/req")
			dw, okW := delta(wd, findProxy(rs, page, up, encodeNone, proxyWorkerdPlain), "proxy-ns/req")
			if okT && okW {
				fmt.Fprintf(b, " %s · %s |\n", fmtSignedDur(dt/1e9), fmtSignedDur(dw/1e9))
			} else {
				b.WriteString(" – |\n")
			}
		}
	}
}

func fmtSignedDur(sec float64) string {
	if sec < 0 {
		return "−" + fmtDur(-sec)
	}
	return "+" + fmtDur(sec)
}
