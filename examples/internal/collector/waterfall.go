package collector

import (
	"strings"
	"time"
)

// palette colours the services of a trace in the order they first appear:
// distinct hues that read on white and keep white text legible.
var palette = []string{
	"#3b6fd4", // blue
	"#d9822b", // orange
	"#2e9e6a", // green
	"#8e4fc6", // purple
	"#c2415b", // red
	"#1c9aa8", // teal
	"#8a6d1f", // olive
	"#5c6470", // grey
}

// waterfall is the view of one trace as a time line: one row per span, in
// tree order, with a bar placed on the trace's time axis.
type waterfall struct {
	TraceID  string
	Spans    int
	Duration time.Duration // first start to last end
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
	FromPage    bool   // the browser span that continued its parent's trace from the page's tags
	ParentLabel string // of a FromPage span: the server span it continued
	ParentSvc   string // and its service
	ParentColor string
}

// newWaterfall lays out t. Spans without a start or end get a row but no
// bar; a trace with no timed span has an axis of zero length.
func newWaterfall(t Trace) waterfall {
	w := waterfall{TraceID: t.TraceID, Spans: len(t.Spans)}
	var start, end time.Time
	for _, s := range t.Spans {
		if s.Start.IsZero() || s.End.IsZero() {
			continue
		}
		if start.IsZero() || s.Start.Before(start) {
			start = s.Start
		}
		if s.End.After(end) {
			end = s.End
		}
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

	colors := map[string]string{}
	colorOf := func(svc string) string {
		if c, ok := colors[svc]; ok {
			return c
		}
		c := palette[len(colors)%len(palette)]
		colors[svc] = c
		w.Services = append(w.Services, service{Name: svc, Color: c})
		return c
	}
	var walk func(n, parent *Node, depth int)
	walk = func(n, parent *Node, depth int) {
		r := row{Node: *n, Depth: depth, Label: n.label(), Color: colorOf(n.Service)}
		r.Children = nil // the rows are flat; keep the template's data small
		if w.Duration > 0 && !n.Start.IsZero() && !n.End.IsZero() {
			r.Timed = true
			r.Left = percent(n.Start.Sub(start), w.Duration)
			r.Width = percent(n.End.Sub(n.Start), w.Duration)
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

// serviceLabel shortens the service names of browser SDKs
// ("sentry.javascript.browser") to "browser".
func serviceLabel(svc string) string {
	if strings.HasPrefix(svc, "sentry.javascript.") {
		return "browser"
	}
	return svc
}

// isBrowser reports whether s was sent by a browser SDK.
func isBrowser(s Span) bool {
	return s.Op == "pageload" || s.Op == "navigation" || strings.HasPrefix(s.Service, "sentry.javascript.browser")
}

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
