package collector_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tracemeta/tracemeta/examples/internal/collector"
)

func TestTraceTree(t *testing.T) {
	span := func(id, parent string) collector.Span { return collector.Span{SpanID: id, ParentSpanID: parent} }
	// shape writes a tree as "id(children...)", orphans marked with "!".
	var shape func(nodes []*collector.Node) string
	shape = func(nodes []*collector.Node) string {
		out := ""
		for _, n := range nodes {
			out += n.SpanID
			if n.Orphan {
				out += "!"
			}
			if len(n.Children) > 0 {
				out += "(" + shape(n.Children) + ")"
			}
		}
		return out
	}
	tests := []struct {
		name  string
		spans []collector.Span
		want  string
	}{
		{"empty", nil, ""},
		{"chain", []collector.Span{span("c", "b"), span("a", ""), span("b", "a")}, "a(b(c))"},
		{"missing parent", []collector.Span{span("a", "x"), span("b", "a")}, "a!(b)"},
		{"duplicate span kept once", []collector.Span{span("a", ""), span("b", "a"), span("b", "a")}, "a(b)"},
		{"own parent", []collector.Span{span("a", "a")}, "a!"},
		{"cycle", []collector.Span{span("a", "b"), span("b", "a"), span("c", "")}, "ca!(b)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, shape(collector.Trace{Spans: tt.spans}.Tree()))
		})
	}
}
