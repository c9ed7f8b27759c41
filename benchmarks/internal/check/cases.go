package check

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/tracemeta/tracemeta/benchmarks/internal/corpus"
	"github.com/tracemeta/tracemeta/benchmarks/internal/rewrite"
)

// Case is a small page that trips one known mistake of response rewriters.
type Case struct {
	// Name identifies the case in tables.
	Name string
	// Desc says what the case checks, for the README.
	Desc string
	// Kind says where the tags belong.
	Kind corpus.Kind
	// HTML is the page.
	HTML []byte
}

// Splits returns the write patterns every case is replayed with: one Write,
// 2 KB writes with a Flush after each (the boundaries the cases aim at),
// and one byte per Write.
func Splits() []corpus.Pattern {
	return []corpus.Pattern{
		{Name: "one"},
		{Name: "2K-flush", Chunk: 2 * corpus.KiB, Flush: true},
		{Name: "1B", Chunk: 1},
	}
}

const rest = `<title>Shop</title>
<link rel="stylesheet" href="/site.css">
</head>
<body><header class="top"><a href="/">Shop</a></header>
<main><p>Café crème, naïve 日本語.</p></main>
</body>
</html>
`

// pad returns a comment that makes prefix+comment exactly n bytes long.
func pad(prefix string, n int) string {
	const open, end = "<!--", "-->"
	fill := n - len(prefix) - len(open) - len(end)
	return prefix + open + strings.Repeat("x", fill) + end
}

// Cases returns the correctness cases.
func Cases() []Case {
	doc := "<!DOCTYPE html>\n"
	return []Case{
		{
			Name: "plain",
			Desc: "`<head>` right after the doctype",
			Kind: corpus.KindHead,
			HTML: []byte(doc + `<html lang="en"><head><meta charset="utf-8">` + rest),
		},
		{
			Name: "head-attributes",
			Desc: "`<head>` with attributes, one value containing `>`",
			Kind: corpus.KindHead,
			HTML: []byte(doc + `<html lang="en"><head data-page="a>b" prefix="og: https://ogp.me/ns#"><meta charset="utf-8">` + rest),
		},
		{
			Name: "upper-case",
			Desc: "`<HTML><HEAD>` in upper case",
			Kind: corpus.KindHead,
			HTML: []byte(doc + `<HTML lang="en"><HEAD><META charset="utf-8">` + rest),
		},
		{
			Name: "head-split",
			Desc: "`<head>` split by a write boundary: `<he` ends the first 2 KB",
			Kind: corpus.KindHead,
			HTML: []byte(pad(doc, 2048-len(`<html lang="en"><he`)) + `<html lang="en"><head><meta charset="utf-8">` + rest),
		},
		{
			Name: "comment-before-head",
			Desc: "a comment that mentions `<head>` before the real one",
			Kind: corpus.KindHead,
			HTML: []byte(doc + `<!-- layout v2: <head> is rendered by the shell -->` + "\n" + `<html lang="en"><head><meta charset="utf-8">` + rest),
		},
		{
			Name: "script-before-head",
			Desc: "an inline script containing `\"<head>\"` before the `<head>` tag",
			Kind: corpus.KindHead,
			HTML: []byte(doc + `<html lang="en"><script>if(!document.head)document.write("<head>")</script>` + "\n" + `<head><meta charset="utf-8">` + rest),
		},
		{
			Name: "head-text-later",
			Desc: "`<head>` again in a later chunk, inside a `<template>` script",
			Kind: corpus.KindHead,
			HTML: []byte(doc + `<html lang="en"><head><meta charset="utf-8">` + "\n" + `<title>Shop</title></head>` + "\n" +
				`<body>` + pad("", 3000) + "\n" + `<script type="text/x-template" id="popup"><head><title>{{title}}</title></head></script>` + "\n</body>\n</html>\n"),
		},
		{
			Name: "no-head",
			Desc: "no `<head>` tag (HTML5 implies the head), a `<header>` in the body",
			Kind: corpus.KindImpliedHead,
			HTML: []byte(doc + `<html lang="en"><body><header class="top"><a href="/">Shop</a></header><main><p>Hello</p></main></body></html>` + "\n"),
		},
		{
			Name: "bom",
			Desc: "a UTF-8 byte order mark before the doctype",
			Kind: corpus.KindHead,
			HTML: []byte("\ufeff" + doc + `<html lang="en"><head><meta charset="utf-8">` + rest),
		},
		{
			Name: "charset-near-1024",
			Desc: "`<meta charset>` right after `<head>`, near byte 1024",
			Kind: corpus.KindHead,
			HTML: []byte(pad(doc, 900) + `<html lang="en"><head><meta charset="utf-8">` + rest),
		},
		{
			Name: "fragment",
			Desc: "an htmx partial (`<tr>` rows): must stay untouched",
			Kind: corpus.KindFragment,
			HTML: []byte(`<tr id="row-1"><td>Trail shoe</td><td>€89,00</td></tr>` + "\n" + `<tr id="row-2"><td>Rain shell</td><td>€129,00</td></tr>` + "\n"),
		},
	}
}

// Run replays c with every pattern of [Splits] through impl, judges each
// output, and returns the verdicts joined by [Summarize].
func Run(c Case, impl rewrite.Impl, tags []byte) (string, error) {
	verdicts := make([]Verdict, 0, len(Splits()))
	for _, pat := range Splits() {
		var out bytes.Buffer
		if err := rewrite.Run(impl, &out, tags, c.HTML, pat); err != nil {
			return "", fmt.Errorf("%s through %s, %s writes: %w", c.Name, impl.Name, pat.Name, err)
		}
		verdicts = append(verdicts, Judge(c.HTML, out.Bytes(), tags, c.Kind))
	}
	return Summarize(Splits(), verdicts), nil
}
