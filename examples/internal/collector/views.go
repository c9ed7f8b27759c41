package collector

import (
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"slices"
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
	"ms": func(d time.Duration) string { return d.Round(100 * time.Microsecond).String() },
}).Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>tracemeta collector</title>
<meta http-equiv="refresh" content="5">
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; }
ul { list-style: none; padding-left: 1.4em; border-left: 1px solid #ccc; }
.op { font-weight: 600; }
.svc { color: #555; }
.dur { color: #888; }
.orphan { color: #b00; }
code { font-size: 12px; }
</style>
</head>
<body>
<h1>Traces</h1>
<p>Newest first; the page reloads every 5 s. JSON: <a href="/traces">/traces</a>.</p>
{{range .}}
<section id="{{.TraceID}}">
<h2><code>{{.TraceID}}</code> <small>({{.Spans}} spans, <a href="/traces/{{.TraceID}}">json</a>)</small></h2>
<ul>{{range .Tree}}{{template "node" .}}{{end}}</ul>
{{with (index .Tree 0).DSC}}<p>DSC: {{range $k, $v := .}}<code>{{$k}}={{$v}}</code> {{end}}</p>{{end}}
</section>
{{else}}
<p>No trace yet. Send one to a DSN whose host is this collector.</p>
{{end}}
</body>
</html>
{{define "node"}}<li><span class="op">{{.Op}}</span> {{.Name}} <span class="svc">[{{.Service}}]</span> <span class="dur">{{ms .Duration}}</span>{{if .Orphan}} <span class="orphan">(parent {{.ParentSpanID}} not received)</span>{{end}}
{{if .Children}}<ul>{{range .Children}}{{template "node" .}}{{end}}</ul>{{end}}</li>
{{end}}`))

func (c *Collector) handleIndex(w http.ResponseWriter, _ *http.Request) {
	traces := c.Traces()
	views := make([]treeJSON, 0, len(traces))
	for _, t := range slices.Backward(traces) {
		views = append(views, toJSON(t))
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := indexTemplate.Execute(w, views); err != nil {
		// Headers are gone; the page is cut short, which the reader sees.
		return
	}
}
