package main

import (
	"fmt"
	"html"
	"math"
	"strings"
)

// The plots are plain SVG written here from the run's medians: a reader of
// the README takes them in at a glance, and they cannot drift from the
// tables because both come from the same results.

// Files of the plots, in the plots folder.
const (
	plotCostFile     = "cost-vs-size.svg"
	plotOverheadFile = "overhead-by-stack.svg"
)

// point is one measured point of a series.
type point struct{ x, y float64 }

// series is a line of points with a legend.
type series struct {
	name   string
	color  string
	points []point
	dashed bool
	step   bool // a step line (the targets): no markers on its points
}

// svg accumulates an SVG document.
type svg struct{ b strings.Builder }

func newSVG(width, height int) *svg {
	s := &svg{}
	fmt.Fprintf(&s.b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", width, height, width, height)
	fmt.Fprintf(&s.b, `<rect width="%d" height="%d" fill="white"/>`+"\n", width, height)
	return s
}

func (s *svg) text(x, y float64, anchor, style, text string) {
	fmt.Fprintf(&s.b, `<text x="%.1f" y="%.1f" text-anchor="%s"%s>%s</text>`+"\n", x, y, anchor, style, html.EscapeString(text))
}

func (s *svg) line(x1, y1, x2, y2 float64, color string, width float64, dash string) {
	fmt.Fprintf(&s.b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="%.1f"%s/>`+"\n", x1, y1, x2, y2, color, width, dash)
}

func (s *svg) String() string { return s.b.String() + "</svg>\n" }

// costPlot draws the Writer's cost against the page size: time over the
// same writes unscanned (the floor, 1.0) for write and for io.Copy into the
// Writer (over io.CopyBuffer), with the targets as a step line. It returns
// "" when the run has no Pages results.
func costPlot(rs *results) string {
	pages := realPages(rs)
	var write, readFrom, target series
	write = series{name: "inject.NewWriter, 32 KiB writes ÷ the same writes unscanned", color: "#d62728"}
	readFrom = series{name: "io.Copy into a new Writer ÷ io.CopyBuffer", color: "#1f77b4"}
	target = series{name: "target", color: "#2ca02c", dashed: true, step: true}
	for _, p := range pages {
		if r, ok := ratio(rs.find(famPages, "page", p.name, "impl", pageWrite), rs.find(famPages, "page", p.name, "impl", pageUnscanned), timeUnit(rs, famPages)); ok {
			write.points = append(write.points, point{p.size, r})
		}
		if r, ok := ratio(rs.find(famPages, "page", p.name, "impl", pageReadFrom), rs.find(famPages, "page", p.name, "impl", pageCopyRF), timeUnit(rs, famPages)); ok {
			readFrom.points = append(readFrom.points, point{p.size, r})
		}
	}
	if len(write.points) == 0 {
		return ""
	}
	lo, hi := pages[0].size/1.5, pages[len(pages)-1].size*1.5
	for _, band := range []struct{ from, to, limit float64 }{
		{lo, 30_000, targetPage10K}, {30_000, 100_000, targetPage50K}, {100_000, hi, targetPage100K},
	} {
		target.points = append(target.points, point{band.from, band.limit}, point{band.to, band.limit})
	}
	return linePlot("Cost per page against the floor (the same writes, unscanned = 1.0)", "page size (log scale)", "× the floor",
		lo, hi, []series{target, readFrom, write}, fmtSize)
}

// linePlot draws series over a log-scale x axis from xlo to xhi and a linear
// y axis from 0.9 that fits every point; the floor, 1.0, is a black line.
func linePlot(title, xLabel, yLabel string, xlo, xhi float64, ss []series, xFmt func(float64) string) string {
	const width, height = 720, 400
	const left, right, top, bottom = 60.0, 20.0, 40.0, 110.0
	ylo, yhi := 0.9, 1.2
	for _, s := range ss {
		for _, p := range s.points {
			ylo, yhi = math.Min(ylo, p.y*0.95), math.Max(yhi, p.y*1.05)
		}
	}
	pw, ph := width-left-right, height-top-bottom
	px := func(x float64) float64 {
		return left + pw*(math.Log10(x)-math.Log10(xlo))/(math.Log10(xhi)-math.Log10(xlo))
	}
	py := func(y float64) float64 { return top + ph*(1-(y-ylo)/(yhi-ylo)) }
	s := newSVG(width, height)
	s.text(width/2, 22, "middle", ` font-size="15" font-weight="bold"`, title)
	// Axes and grid.
	step := niceStep((yhi - ylo) / 6)
	for y := math.Ceil(ylo/step) * step; y <= yhi; y += step {
		s.line(left, py(y), left+pw, py(y), "#e5e5e5", 1, "")
		s.text(left-6, py(y)+4, "end", "", fmt.Sprintf("%.2f×", y))
	}
	for x := math.Pow(10, math.Ceil(math.Log10(xlo))); x <= xhi; x *= 10 {
		for _, m := range []float64{1, 2, 5} {
			if v := x * m; v >= xlo && v <= xhi {
				s.line(px(v), top, px(v), top+ph, "#e5e5e5", 1, "")
				s.text(px(v), top+ph+16, "middle", "", xFmt(v))
			}
		}
	}
	s.line(left, top, left, top+ph, "#333", 1, "")
	s.line(left, top+ph, left+pw, top+ph, "#333", 1, "")
	s.line(left, py(1), left+pw, py(1), "#000", 1.5, "")
	s.text(left+pw-4, py(1)-5, "end", "", "floor")
	s.text(left+pw/2, top+ph+34, "middle", "", xLabel)
	fmt.Fprintf(&s.b, `<text transform="translate(16 %.1f) rotate(-90)" text-anchor="middle">%s</text>`+"\n", top+ph/2, html.EscapeString(yLabel))
	// The series.
	for _, sr := range ss {
		dash := ""
		if sr.dashed {
			dash = ` stroke-dasharray="6 4"`
		}
		var path strings.Builder
		for i, p := range sr.points {
			cmd := "L"
			if i == 0 {
				cmd = "M"
			}
			fmt.Fprintf(&path, "%s%.1f %.1f ", cmd, px(p.x), py(p.y))
		}
		fmt.Fprintf(&s.b, `<path d="%s" fill="none" stroke="%s" stroke-width="2"%s/>`+"\n", strings.TrimSpace(path.String()), sr.color, dash)
		if !sr.step {
			for _, p := range sr.points {
				fmt.Fprintf(&s.b, `<circle cx="%.1f" cy="%.1f" r="3.5" fill="%s"/>`+"\n", px(p.x), py(p.y), sr.color)
			}
		}
	}
	// The legend, below the axis label.
	ly := top + ph + 56
	for _, sr := range ss {
		dash := ""
		if sr.dashed {
			dash = ` stroke-dasharray="6 4"`
		}
		s.line(left, ly-4, left+28, ly-4, sr.color, 2, dash)
		s.text(left+36, ly, "start", "", sr.name)
		ly += 17
	}
	return s.String()
}

// fmtSize formats a page size in decimal units, as the axis steps are.
func fmtSize(n float64) string {
	switch {
	case n >= 1e6:
		return fmt.Sprintf("%g MB", n/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%g KB", n/1e3)
	}
	return fmt.Sprintf("%g B", n)
}

// niceStep rounds a grid step up to 1, 2 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	if raw <= 0 || math.IsNaN(raw) || math.IsInf(raw, 0) {
		return 0.1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= raw {
			return m * p
		}
	}
	return 10 * p
}

// bar is one bar of the overhead plot.
type bar struct {
	label string
	value float64 // seconds of CPU per request
	color string
}

// overheadBars returns the CPU per request that each stack's tag injection
// adds to the same stack without it, on the loopback server and the proxies.
func overheadBars(rs *results) []bar {
	var bars []bar
	add := func(label, color string, with, without *result, unit string) {
		if d, ok := delta(with, without, unit); ok {
			bars = append(bars, bar{label: label, value: d / 1e9, color: color})
		}
	}
	for _, s := range []struct{ impl, label string }{
		{implInject, "net/http + inject.Middleware"},
		{implChain, "net/http + full chain"},
	} {
		add(s.label+", 2K", "#d62728", rs.find(famLoopback, "page", smallHandler, "impl", s.impl), rs.find(famLoopback, "page", smallHandler, "impl", bare), "server-ns/req")
	}
	for _, fw := range []struct{ name, label string }{{"gin", "gin"}, {"fiber", "Fiber"}} {
		add(fw.label+" + tracemeta, 2K", "#ff7f0e", rs.find(famLoopback, "page", smallHandler, "impl", fw.name+"-"+implChain), rs.find(famLoopback, "page", smallHandler, "impl", fw.name+"-"+bare), "server-ns/req")
	}
	for _, page := range proxyPages {
		add("Caddy + tracemeta, "+page, "#1f77b4", findProxy(rs, page, "identity", encodeNone, proxyCaddyTracemeta), findProxy(rs, page, "identity", encodeNone, proxyCaddy), "proxy-ns/req")
	}
	for _, page := range proxyPages {
		add("workerd + HTMLRewriter, "+page, "#9467bd", findProxy(rs, page, "identity", encodeNone, proxyWorkerd), findProxy(rs, page, "identity", encodeNone, proxyWorkerdPlain), "proxy-ns/req")
	}
	return bars
}

// overheadPlot draws overheadBars as horizontal bars, or "" without any.
func overheadPlot(rs *results) string {
	bars := overheadBars(rs)
	if len(bars) == 0 {
		return ""
	}
	const width = 720
	const left, right, top, rowH = 230.0, 70.0, 44.0, 24.0
	height := int(top + rowH*float64(len(bars)) + 50)
	lo, hi := 0.0, 0.0
	for _, b := range bars {
		lo, hi = math.Min(lo, b.value), math.Max(hi, b.value)
	}
	if hi == lo {
		hi = lo + 1e-6
	}
	pw := width - left - right
	px := func(v float64) float64 { return left + pw*(v-lo)/(hi-lo) }
	s := newSVG(width, height)
	s.text(width/2, 22, "middle", ` font-size="15" font-weight="bold"`, "CPU per request added by the tags, by stack (identity upstream, no encode)")
	axisY := top + rowH*float64(len(bars))
	step := niceStep((hi - lo) / 6)
	for v := math.Ceil(lo/step) * step; v <= hi; v += step {
		if math.Abs(v) < step/2 {
			v = 0 // not −0 from the float steps
		}
		s.line(px(v), top-6, px(v), axisY, "#e5e5e5", 1, "")
		s.text(px(v), axisY+16, "middle", "", fmtDur(v))
	}
	for i, b := range bars {
		y := top + rowH*float64(i)
		x0, x1 := px(math.Min(0, b.value)), px(math.Max(0, b.value))
		fmt.Fprintf(&s.b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`+"\n", x0, y+4, math.Max(x1-x0, 1), rowH-8, b.color)
		s.text(left-8, y+rowH/2+4, "end", "", b.label)
		s.text(x1+4, y+rowH/2+4, "start", "", fmtSignedDur(b.value))
	}
	s.line(px(0), top-6, px(0), axisY, "#000", 1.5, "")
	s.text(left+pw/2, axisY+36, "middle", "", "extra CPU time per request (server or proxy process, medians of the run)")
	return s.String()
}
