package collector

import (
	"hash/fnv"
	"slices"
	"strings"
	"time"
)

// palette holds the colours of the services that are not a browser SDK:
// distinct hues that read on white and keep white text legible. A service's
// colour follows from its name (see [serviceColors]), so it keeps it from
// trace to trace.
var palette = []string{
	"#8a6d1f", // olive
	"#8e4fc6", // purple
	"#c2415b", // red
	"#3b6fd4", // blue
	"#5c6470", // grey
	"#2e9e6a", // green
	"#4f5fb0", // indigo
	"#d6589e", // pink
	"#1c9aa8", // teal
}

// browserColor is the colour of the spans a browser SDK sends, whichever.
const browserColor = "#d9822b" // orange

// waterfall is the view of one trace as a time line: one row per span, in
// tree order, with a bar placed on the trace's time axis.
//
// The axis runs from the first start to the last end of the spans that frame
// the trace: the browser's pageload (or navigation) and every span a server
// sent. What the browser reports after its pageload has ended (a web vital
// measured until the page is hidden, a late interaction, a long animation
// frame) would otherwise stretch the axis to minutes and shrink the server
// spans to slivers: such a span is drawn clipped at the axis' end, marked,
// with its whole duration beside it.
type waterfall struct {
	TraceID  string
	Spans    int
	Duration time.Duration // the axis' length
	Clipped  int           // spans that run past either end of the axis
	Ticks    []tick
	Services []service
	Rows     []row
	DSC      map[string]string // the browser's, else of the first span that came with one
}

// tick is a mark on the time axis.
type tick struct {
	Left  float64 // percent of the axis
	Label string
}

// service is one entry of the legend.
type service struct {
	Name, Color string
}

// row is one span of the waterfall.
type row struct {
	Node
	Depth       int
	Label       string
	Color       string
	Left, Width float64 // percent of the axis; Width 0 for a span without times
	Timed       bool
	ClipStart   bool   // the span starts before the axis: the bar begins at its start
	ClipEnd     bool   // the span ends after the axis: the bar stops at its end
	FromPage    bool   // the browser span that continued its parent's trace from the page's tags
	ParentLabel string // of a FromPage span: the server span it continued
	ParentSvc   string // and its service
	ParentColor string
}

// minBarPercent is the width of the bar of a span that lies wholly outside
// the axis, so that its marker shows at the edge it lies beyond.
const minBarPercent = 1.0

// newWaterfall lays out t. Spans without a start or end get a row but no
// bar; a trace with no timed span has an axis of zero length.
func newWaterfall(t Trace) waterfall {
	w := waterfall{TraceID: t.TraceID, Spans: len(t.Spans)}
	start, end := axis(t.Spans, framesAxis)
	if start.IsZero() {
		start, end = axis(t.Spans, func(Span) bool { return true })
	}
	// The DSC the browser continued, or else the first one that arrived.
	for _, s := range t.Spans {
		if s.DSC != nil && (w.DSC == nil || isBrowser(s)) {
			w.DSC = s.DSC
			if isBrowser(s) {
				break
			}
		}
	}
	if !start.IsZero() && end.After(start) {
		w.Duration = end.Sub(start)
	}
	w.Ticks = ticks(w.Duration)

	names := make([]string, 0, len(t.Spans))
	for _, s := range t.Spans {
		names = append(names, s.Service)
	}
	colors := serviceColors(names)
	listed := map[string]bool{}
	colorOf := func(svc string) string {
		if !listed[svc] {
			listed[svc] = true
			w.Services = append(w.Services, service{Name: svc, Color: colors[svc]})
		}
		return colors[svc]
	}
	var walk func(n, parent *Node, depth int)
	walk = func(n, parent *Node, depth int) {
		r := row{Node: *n, Depth: depth, Label: n.label(), Color: colorOf(n.Service)}
		r.Children = nil // the rows are flat; keep the template's data small
		if w.Duration > 0 && !n.Start.IsZero() && !n.End.IsZero() {
			r.Timed = true
			r.ClipStart, r.ClipEnd = n.Start.Before(start), n.End.After(end)
			from, to := percent(n.Start.Sub(start), w.Duration), percent(n.End.Sub(start), w.Duration)
			switch {
			case r.ClipEnd && from >= 100-minBarPercent:
				from = 100 - minBarPercent
			case r.ClipStart && to <= minBarPercent:
				to = minBarPercent
			}
			r.Left, r.Width = from, max(to-from, 0)
			if r.ClipStart || r.ClipEnd {
				w.Clipped++
			}
		}
		if parent != nil && isBrowser(n.Span) && !isBrowser(parent.Span) {
			r.FromPage = true
			r.ParentLabel = parent.label()
			r.ParentSvc = parent.Service
			r.ParentColor = colorOf(parent.Service)
		}
		w.Rows = append(w.Rows, r)
		for _, c := range n.Children {
			walk(c, n, depth+1)
		}
	}
	for _, root := range t.Tree() {
		walk(root, nil, 0)
	}
	return w
}

// framesAxis reports whether s bounds the waterfall's time axis: a server's
// span, or the browser's pageload or navigation, but none of the spans the
// browser reports under it, which may outlast it by far.
func framesAxis(s Span) bool {
	return !isBrowser(s) || s.Op == "pageload" || s.Op == "navigation"
}

// axis returns the first start and the last end of the timed spans for
// which include returns true, or zero times when there is none.
func axis(spans []Span, include func(Span) bool) (start, end time.Time) {
	for _, s := range spans {
		if s.Start.IsZero() || s.End.IsZero() || !include(s) {
			continue
		}
		if start.IsZero() || s.Start.Before(start) {
			start = s.Start
		}
		if s.End.After(end) {
			end = s.End
		}
	}
	return start, end
}

// serviceColors returns a colour for each service named: orange for a
// browser SDK, else the palette entry its name hashes to (FNV-1a), so a
// service has the same colour in every trace. Two services of one trace that
// hash to the same entry would look alike: the one whose name sorts later
// takes the next free entry instead, which depends on the names alone, never
// on the order the spans arrived.
func serviceColors(names []string) map[string]string {
	sorted := slices.Clone(names)
	slices.Sort(sorted)
	sorted = slices.Compact(sorted)
	colors := make(map[string]string, len(sorted))
	taken := make([]bool, len(palette))
	free := len(palette)
	for _, name := range sorted {
		if strings.HasPrefix(name, browserService) {
			colors[name] = browserColor
			continue
		}
		h := fnv.New32a()
		h.Write([]byte(name)) // a hash.Hash never returns an error
		i := int(h.Sum32() % uint32(len(palette)))
		for free > 0 && taken[i] {
			i = (i + 1) % len(palette)
		}
		if !taken[i] {
			taken[i] = true
			free--
		}
		colors[name] = palette[i]
	}
	return colors
}

// serviceLabel shortens the names of Sentry's JavaScript SDKs
// ("sentry.javascript.browser" to "browser", "sentry.javascript.node" to
// "node") and the name an OpenTelemetry SDK gives a service that has none
// ("unknown_service:caddy" to "caddy").
func serviceLabel(svc string) string {
	for _, prefix := range []string{"sentry.javascript.", "unknown_service:"} {
		if short, ok := strings.CutPrefix(svc, prefix); ok && short != "" {
			return short
		}
	}
	return svc
}

// isBrowser reports whether s was sent by a browser SDK.
func isBrowser(s Span) bool {
	return s.Op == "pageload" || s.Op == "navigation" || strings.HasPrefix(s.Service, browserService)
}

// browserService is the SDK name @sentry/browser sends its spans with.
const browserService = "sentry.javascript.browser"

// percent returns d as a percentage of total, clamped to [0, 100].
func percent(d, total time.Duration) float64 {
	p := 100 * float64(d) / float64(total)
	return min(max(p, 0), 100)
}

// ticks returns five marks over an axis of length d, labelled in the unit
// that keeps the labels short.
func ticks(d time.Duration) []tick {
	out := make([]tick, 0, 5)
	for i := range 5 {
		at := d * time.Duration(i) / 4
		out = append(out, tick{Left: float64(i) * 25, Label: shortDuration(at)})
	}
	return out
}

// shortDuration rounds d for an axis label or a row: 0, 850µs, 12.3ms, 1.25s.
func shortDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return "0"
	case d < time.Millisecond:
		return d.Round(time.Microsecond).String()
	case d < 100*time.Millisecond:
		return d.Round(100 * time.Microsecond).String()
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	default:
		return d.Round(10 * time.Millisecond).String()
	}
}
