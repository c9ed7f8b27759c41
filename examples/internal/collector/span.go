package collector

import (
	"slices"
	"strings"
	"time"
)

// Kind says which kind of envelope item a [Span] arrived in.
type Kind string

const (
	// KindTransaction is a transaction event: its contexts.trace (the
	// segment span) or one of its spans.
	KindTransaction Kind = "transaction"
	// KindSpan is a span envelope item: a single span JSON, or one item of a
	// span v2 container.
	KindSpan Kind = "span"
)

// Span is one span as the collector stored it, whatever format it arrived in.
type Span struct {
	TraceID      string `json:"trace_id"`
	SpanID       string `json:"span_id"`
	ParentSpanID string `json:"parent_span_id,omitempty"`
	// Op is the span's operation: "http.server", "pageload",
	// "http.client"...
	Op string `json:"op,omitempty"`
	// Name is the transaction name, the span v2 name or the span
	// description.
	Name string `json:"name,omitempty"`
	// Service names who sent the span: the event's server_name, else the
	// SDK's name ("sentry.javascript.browser").
	Service string `json:"service,omitempty"`
	// Segment reports that the span is the root of what one service sent
	// (a transaction, or a span v2 with is_segment).
	Segment bool      `json:"segment,omitempty"`
	Status  string    `json:"status,omitempty"`
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
	Kind    Kind      `json:"kind"`
	// Project is the project id of the DSN the span was sent to.
	Project string `json:"project,omitempty"`
	// DSC is the Dynamic Sampling Context from the envelope header's "trace"
	// field, values as strings; nil when the envelope had none.
	DSC map[string]string `json:"dsc,omitempty"`
	// Attributes holds the span's attributes (span v2) or data (span JSON),
	// values as strings.
	Attributes map[string]string `json:"attributes,omitempty"`
}

// Duration returns End - Start, or 0 when either is unknown.
func (s Span) Duration() time.Duration {
	if s.Start.IsZero() || s.End.IsZero() {
		return 0
	}
	return s.End.Sub(s.Start)
}

// Trace is every span of one trace that the collector received, in the order
// they arrived.
type Trace struct {
	TraceID string `json:"trace_id"`
	Spans   []Span `json:"spans"`
}

// Node is a span and its children in a trace's tree.
type Node struct {
	Span
	// Orphan reports that the span names a parent the collector never
	// received (a service that does not report, or a span still in flight).
	Orphan   bool    `json:"orphan,omitempty"`
	Children []*Node `json:"children,omitempty"`
}

// Find returns the first span of t for which match returns true.
func (t Trace) Find(match func(Span) bool) (Span, bool) {
	for _, s := range t.Spans {
		if match(s) {
			return s, true
		}
	}
	return Span{}, false
}

// Tree returns the spans of t as trees: the roots are the spans with no
// parent or whose parent was not received, children are ordered by start
// time. A span received twice (an SDK retrying) appears once.
func (t Trace) Tree() []*Node {
	nodes := make(map[string]*Node, len(t.Spans))
	var order []*Node
	for _, s := range t.Spans {
		if _, dup := nodes[s.SpanID]; dup {
			continue
		}
		n := &Node{Span: s}
		nodes[s.SpanID] = n
		order = append(order, n)
	}
	var roots []*Node
	for _, n := range order {
		parent, ok := nodes[n.ParentSpanID]
		switch {
		case n.ParentSpanID == "":
			roots = append(roots, n)
		case ok && parent != n:
			parent.Children = append(parent.Children, n)
		default:
			n.Orphan = true
			roots = append(roots, n)
		}
	}
	// Spans whose parents form a cycle (A under B under A) hang under no
	// root; show them as roots rather than lose them.
	reached := make(map[*Node]bool, len(order))
	var mark func(n *Node)
	mark = func(n *Node) {
		reached[n] = true
		for _, c := range n.Children {
			mark(c)
		}
	}
	for _, r := range roots {
		mark(r)
	}
	for _, n := range order {
		if reached[n] {
			continue
		}
		if parent := nodes[n.ParentSpanID]; parent != nil {
			parent.Children = slices.DeleteFunc(parent.Children, func(c *Node) bool { return c == n })
		}
		n.Orphan = true
		roots = append(roots, n)
		mark(n)
	}
	sortNodes(roots)
	return roots
}

func sortNodes(nodes []*Node) {
	slices.SortStableFunc(nodes, func(a, b *Node) int { return a.Start.Compare(b.Start) })
	for _, n := range nodes {
		sortNodes(n.Children)
	}
}

// label is how the text and HTML views name a span.
func (s Span) label() string {
	var b strings.Builder
	if s.Op != "" {
		b.WriteString(s.Op)
	}
	if s.Name != "" && s.Name != s.Op {
		if b.Len() > 0 {
			b.WriteString("  ")
		}
		b.WriteString(s.Name)
	}
	if b.Len() == 0 {
		b.WriteString("(unnamed)")
	}
	return b.String()
}
