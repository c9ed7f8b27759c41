package collector

import (
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// treeJSON is the JSON view of one trace.
type treeJSON struct {
	TraceID string  `json:"trace_id"`
	Spans   int     `json:"span_count"`
	Tree    []*Node `json:"tree"`
}

func toJSON(t Trace) treeJSON {
	return treeJSON{TraceID: t.TraceID, Spans: len(t.Spans), Tree: t.Tree()}
}

func (c *Collector) handleTraces(w http.ResponseWriter, _ *http.Request) {
	traces := c.Traces()
	out := make([]treeJSON, 0, len(traces))
	for _, t := range slices.Backward(traces) {
		out = append(out, toJSON(t))
	}
	writeJSON(w, out)
}

func (c *Collector) handleTrace(w http.ResponseWriter, r *http.Request) {
	t, ok := c.Trace(r.PathValue("id"))
	if !ok {
		http.Error(w, "no such trace", http.StatusNotFound)
		return
	}
	writeJSON(w, toJSON(t))
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v) // the client went away; nothing to tell it
}

// WriteText writes t to w as an indented tree, one span per line, for a
// terminal:
//
//	trace 0af7651916cd43dd8448eb211c80319c (4 spans)
//	└─ http.server  GET /  [frontend]  12ms
//	   └─ pageload  /  [sentry.javascript.browser]  310ms
func WriteText(w io.Writer, t Trace) error {
	var b strings.Builder
	fmt.Fprintf(&b, "trace %s (%d spans)\n", t.TraceID, len(t.Spans))
	roots := t.Tree()
	for i, n := range roots {
		writeNode(&b, n, "", i == len(roots)-1)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeNode(b *strings.Builder, n *Node, prefix string, last bool) {
	branch, indent := "├─ ", "│  "
	if last {
		branch, indent = "└─ ", "   "
	}
	b.WriteString(prefix + branch + n.label())
	if n.Service != "" {
		fmt.Fprintf(b, "  [%s]", n.Service)
	}
	if d := n.Duration(); d > 0 {
		fmt.Fprintf(b, "  %s", d.Round(100*time.Microsecond))
	}
	if n.Orphan {
		fmt.Fprintf(b, "  (parent %s not received)", n.ParentSpanID)
	}
	b.WriteByte('\n')
	for i, c := range n.Children {
		writeNode(b, c, prefix+indent, i == len(n.Children)-1)
	}
}

var indexTemplate = template.Must(template.New("index").Funcs(template.FuncMap{
	"dur":    shortDuration,
	"svc":    serviceLabel,
	"pct":    func(f float64) string { return strconv.FormatFloat(f, 'f', 3, 64) + "%" },
	"indent": func(depth int) string { return strconv.Itoa(depth*14+6) + "px" },
}).Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>tracemeta collector</title>
{{if .Refresh}}<meta http-equiv="refresh" content="5">{{end}}
<style>
body { font: 13px/1.4 system-ui, sans-serif; margin: 1.5em 2em; color: #1d2330; background: #fff; }
h1 { font-size: 20px; margin: 0 0 .3em; }
h2 { font-size: 15px; margin: 1.6em 0 .4em; font-weight: 600; }
h2 small { font-weight: 400; color: #5c6470; }
a { color: #2b5cb8; }
code { font: 12px ui-monospace, monospace; }
.intro { color: #5c6470; margin: 0 0 1em; }
.legend span { display: inline-block; margin-right: 1.2em; }
.legend i { display: inline-block; width: .9em; height: .9em; border-radius: 2px; vertical-align: -1px; margin-right: .35em; }
.wf { border: 1px solid #d8dce3; border-radius: 6px; overflow: hidden; margin-top: .5em; }
.r { display: grid; grid-template-columns: 27em 1fr 5.5em; align-items: center; min-height: 22px; border-top: 1px solid #eef0f3; }
.r:first-child { border-top: 0; }
.axis { background: #f6f7f9; color: #5c6470; font-size: 11px; min-height: 24px; }
.name { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; padding-right: .6em; }
.op { font-weight: 600; }
.svc { color: #5c6470; }
.track { position: relative; height: 22px; }
.axis .track { height: 24px; }
.tick { position: absolute; top: 0; bottom: 0; border-left: 1px solid #d8dce3; padding-left: 3px; line-height: 24px; }
.tick.last { border-left: 0; border-right: 1px solid #d8dce3; padding: 0 3px 0 0; transform: translateX(-100%); }
.bar { position: absolute; top: 5px; height: 12px; min-width: 2px; border-radius: 2px; }
.bar.clipend, .bar.clipstart { min-width: 10px; }
.bar.clipend::after, .bar.clipstart::before { position: absolute; top: -2px; font-size: 11px; line-height: 16px; color: #fff; }
.bar.clipend::after { content: "▸"; right: 1px; }
.bar.clipstart::before { content: "◂"; left: 1px; }
.dur { text-align: right; padding-right: .6em; color: #5c6470; font-variant-numeric: tabular-nums; }
.orphan { color: #b3261e; }
.edge { background: #fff7e0; }
.edge .bar { outline: 2px dashed #c98a00; outline-offset: 1px; }
.edgenote { grid-column: 1 / -1; font-size: 12px; color: #6b4e00; padding: 0 .6em 4px; }
.note { color: #5c6470; margin: .4em 0 0; }
.dsc { color: #5c6470; margin-top: .5em; word-break: break-all; }
</style>
</head>
<body>
<h1>Traces</h1>
<p class="intro">{{if .One}}<a href="/">All traces</a> · {{else}}Newest first; the page reloads every 5 s. {{end}}JSON: <a href="/traces">/traces</a>.</p>
{{range .Traces}}
<section id="{{.TraceID}}">
<h2>trace <code>{{.TraceID}}</code> <small>{{.Spans}} spans · {{dur .Duration}} · <a href="/?trace={{.TraceID}}">this trace</a> · <a href="/traces/{{.TraceID}}">json</a></small></h2>
<div class="legend">{{range .Services}}<span title="{{.Name}}"><i style="background:{{.Color}}"></i>{{svc .Name}}</span>{{end}}</div>
<div class="wf">
<div class="r axis"><div class="name">span</div><div class="track">{{range $i, $t := .Ticks}}<span class="tick{{if eq $i 4}} last{{end}}" style="left:{{pct $t.Left}}">{{$t.Label}}</span>{{end}}</div><div class="dur">duration</div></div>
{{range .Rows}}<div class="r{{if .FromPage}} edge{{end}}" title="{{.SpanID}}{{with .ParentSpanID}} under {{.}}{{end}}">
<div class="name" style="padding-left:{{indent .Depth}}"><span class="op">{{.Op}}</span> {{if ne .Name .Op}}{{.Name}}{{end}} <span class="svc">{{svc .Service}}</span>{{if .Orphan}} <span class="orphan">(parent {{.ParentSpanID}} not received)</span>{{end}}</div>
<div class="track">{{if .Timed}}<div class="bar{{if .ClipStart}} clipstart{{end}}{{if .ClipEnd}} clipend{{end}}" style="{{if .ClipEnd}}right:0{{else}}left:{{pct .Left}}{{end}};width:{{pct .Width}};background:{{.Color}}"{{if or .ClipStart .ClipEnd}} title="runs past the {{if .ClipStart}}start{{end}}{{if and .ClipStart .ClipEnd}} and the {{end}}{{if .ClipEnd}}end{{end}} of the axis: {{dur .Duration}} in all"{{end}}></div>{{end}}</div>
<div class="dur">{{if .Timed}}{{dur .Duration}}{{if .ClipEnd}} ▸{{end}}{{end}}</div>
{{if .FromPage}}<div class="edgenote">browser → server: this {{.Op}} continued the trace of <b>{{.ParentLabel}}</b> [{{svc .ParentSvc}}] from the <code>sentry-trace</code> and <code>baggage</code> tags tracemeta wrote into the page</div>{{end}}
</div>
{{end}}</div>
{{with .Clipped}}<p class="note">▸ {{.}} span{{if ne . 1}}s{{end}} of the browser run{{if eq . 1}}s{{end}} past the axis, which ends with the pageload and the servers' spans: the bar stops at the axis, the duration is the span's own.</p>{{end}}
{{with .DSC}}<p class="dsc">Dynamic Sampling Context: {{range $k, $v := .}}<code>{{$k}}={{$v}}</code> {{end}}</p>{{end}}
</section>
{{else}}
<p>{{if .One}}No such trace (yet).{{else}}No trace yet. Send one to a DSN whose host is this collector.{{end}}</p>
{{end}}
</body>
</html>`))

// indexView is the data of the HTML view.
type indexView struct {
	Traces  []waterfall
	One     bool // a single trace was asked for
	Refresh bool
}

// settled reports whether t holds a browser span that ended a few seconds
// before now: what the services and the browser send about a pageload has
// arrived by then.
func settled(t Trace, now time.Time) bool {
	_, ok := t.Find(func(s Span) bool { return isBrowser(s) && !s.End.IsZero() && now.Sub(s.End) > 3*time.Second })
	return ok
}

// handleIndex shows every trace, newest first, as a waterfall; ?trace=ID
// shows that trace alone. Both reload every 5 s, the single trace only until
// its pageload has settled.
func (c *Collector) handleIndex(w http.ResponseWriter, r *http.Request) {
	view := indexView{Refresh: true}
	if id := r.URL.Query().Get("trace"); id != "" {
		view.One = true
		if t, ok := c.Trace(id); ok {
			view.Traces = append(view.Traces, newWaterfall(t))
			view.Refresh = !settled(t, time.Now())
		}
	} else {
		for _, t := range slices.Backward(c.Traces()) {
			view.Traces = append(view.Traces, newWaterfall(t))
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := indexTemplate.Execute(w, view); err != nil {
		// Headers are gone; the page is cut short, which the reader sees.
		return
	}
}
