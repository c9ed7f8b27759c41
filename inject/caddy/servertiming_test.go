package injectcaddy_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	injectcaddy "github.com/tracemeta/tracemeta/inject/caddy"
)

func TestServerTiming(t *testing.T) {
	const st = "771a43a4192642f0b136d5159a501700-b7ad6b7169203331-1"
	for _, tc := range []struct {
		name                string
		values              []string
		trace, bag, tparent string
	}{
		{"sentry", []string{`sentry-trace;desc="` + st + `", baggage;desc="sentry-trace_id=1,sentry-release=a%40b"`}, st, "sentry-trace_id=1,sentry-release=a%40b", ""},
		{"among others", []string{`cache;desc="hit";dur=0.1, db;dur=53`, `total;dur=12, sentry-trace;desc=` + st}, st, "", ""},
		{"traceparent", []string{`traceparent;desc="00-771a43a4192642f0b136d5159a501700-b7ad6b7169203331-01"`}, "", "", "00-771a43a4192642f0b136d5159a501700-b7ad6b7169203331-01"},
		{"first wins", []string{`sentry-trace;desc="a", sentry-trace;desc="b"`}, "a", "", ""},
		{"case and spaces", []string{`Sentry-Trace ; DESC = "` + st + `"`}, st, "", ""},
		{"quoted-pair", []string{`sentry-trace;desc="a\"b\\c"`}, `a"b\c`, "", ""},
		{"comma in quotes", []string{`x;desc="a,sentry-trace;desc=b", sentry-trace;desc=c`}, "c", "", ""},
		{"malformed entry skipped", []string{`;;;, sentry-trace;desc="unterminated, baggage;desc=ok`}, "", "", ""},
		{"bad then good", []string{`sentry-trace;desc=, sentry-trace;desc=c`}, "c", "", ""},
		{"control byte", []string{"sentry-trace;desc=\"a\x01b\", baggage;desc=x"}, "", "x", ""},
		{"no desc", []string{`sentry-trace;dur=1`}, "", "", ""},
		{"param without value", []string{`sentry-trace;final;desc=x`}, "x", "", ""},
		{"beyond the budget", []string{strings.Repeat("x", 17<<10), `sentry-trace;desc=x`}, "", "", ""},
		{"empty", nil, "", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			trace, bag, tp := injectcaddy.ServerTiming(tc.values)
			assert.Equal(t, tc.trace, trace)
			assert.Equal(t, tc.bag, bag)
			assert.Equal(t, tc.tparent, tp)
		})
	}
}

func FuzzServerTiming(f *testing.F) {
	for _, s := range []string{
		`sentry-trace;desc="771a43a4192642f0b136d5159a501700-b7ad6b7169203331-1", baggage;desc="sentry-trace_id=1"`,
		`a;desc="x\"y", traceparent;desc=00-1-2-01`,
		`;,;"\`, `sentry-trace;desc="\`, `x;y=;z`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		trace, bag, tp := injectcaddy.ServerTiming([]string{s})
		for _, v := range []string{trace, bag, tp} {
			// A description is a token or the content of a
			// quoted-string: never longer than the header, and never
			// with a control byte.
			if len(v) > len(s) || strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }) {
				t.Fatalf("description %q from %q", v, s)
			}
		}
	})
}
