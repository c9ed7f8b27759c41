package check_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tracemeta/tracemeta/benchmarks/internal/check"
	"github.com/tracemeta/tracemeta/benchmarks/internal/corpus"
)

const tags = `<meta name="sentry-trace" content="0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-1">`

func TestJudge(t *testing.T) {
	const doc = "<!DOCTYPE html>\n"
	page := doc + `<html><head><meta charset="utf-8"><title>t</title></head><body><p>x</p></body></html>`
	near := doc + "<!--" + strings.Repeat("x", 900) + `--><html><head><meta charset="utf-8"></head><body></body></html>`
	frag := `<tr><td>1</td></tr>`
	tests := []struct {
		name    string
		in, out string
		kind    corpus.Kind
		want    check.Verdict
	}{
		{name: "after charset", in: page, out: strings.Replace(page, `utf-8">`, `utf-8">`+tags, 1), want: check.OK},
		{name: "right after head", in: page, out: strings.Replace(page, `<head>`, `<head>`+tags, 1), want: check.OK},
		{name: "implied head", in: doc + `<html><body><p>x</p></body></html>`, out: doc + `<html>` + tags + `<body><p>x</p></body></html>`, kind: corpus.KindImpliedHead, want: check.OK},
		{name: "untouched", in: page, out: page, want: check.Missed},
		{name: "twice", in: page, out: strings.Replace(page, `<head>`, `<head>`+tags+tags, 1), want: check.Twice},
		{name: "in a comment", in: page, out: strings.Replace(page, `<html>`, `<!--`+tags+`--><html>`, 1), want: check.AsText},
		{name: "in the title", in: page, out: strings.Replace(page, `<title>t`, `<title>t`+tags, 1), want: check.AsText},
		{name: "in body", in: page, out: strings.Replace(page, `<p>x`, `<p>x`+tags, 1), want: check.InBody},
		{name: "charset pushed", in: near, out: strings.Replace(near, `<head>`, `<head>`+tags, 1), want: check.CharsetMoved},
		{name: "doctype lost", in: page, out: strings.Replace(strings.TrimPrefix(page, doc), `<head>`, `<head>`+tags, 1), want: check.DoctypeLost},
		{name: "bytes changed", in: page, out: strings.Replace(strings.Replace(page, `<head>`, `<head>`+tags, 1), "<p>x", "<p>y", 1), want: check.BytesChanged},
		{name: "re-rendered", in: page, out: strings.Replace(page, `<head>`, `<head><meta name="sentry-trace" content="x"/>`, 1), want: check.Reserialized},
		{name: "fragment untouched", in: frag, out: frag, kind: corpus.KindFragment, want: check.OK},
		{name: "fragment with tags", in: frag, out: tags + frag, kind: corpus.KindFragment, want: check.FragmentTouched},
		{name: "fragment rendered as a document", in: frag, out: "<html><head></head><body><table><tbody>" + frag + "</tbody></table></body></html>", kind: corpus.KindFragment, want: check.FragmentTouched},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, check.Judge([]byte(tt.in), []byte(tt.out), []byte(tags), tt.kind))
		})
	}
}

func TestSummarize(t *testing.T) {
	pats := check.Splits()
	assert.Equal(t, "ok", check.Summarize(pats, []check.Verdict{check.OK, check.OK, check.OK}))
	assert.Equal(t, "ok (one); twice (2K-flush); missed (1B)", check.Summarize(pats, []check.Verdict{check.OK, check.Twice, check.Missed}))
	assert.Equal(t, "ok (one, 1B); missed (2K-flush)", check.Summarize(pats, []check.Verdict{check.OK, check.Missed, check.OK}))
}

func TestCasesAreDistinct(t *testing.T) {
	names := map[string]bool{}
	for _, c := range check.Cases() {
		assert.False(t, names[c.Name], "duplicate case %s", c.Name)
		names[c.Name] = true
		assert.NotEmpty(t, c.Desc, c.Name)
	}
	split, _ := caseByName("head-split")
	assert.Equal(t, "<he", string(split.HTML[2048-3:2048]), "the 2 KB boundary splits <head>")
}

func caseByName(name string) (check.Case, bool) {
	for _, c := range check.Cases() {
		if c.Name == name {
			return c, true
		}
	}
	return check.Case{}, false
}
