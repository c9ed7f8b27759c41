// Package corpus generates the pages the benchmarks rewrite, and replays them
// the way HTTP handlers write a response.
//
// The pages are made by code from a fixed seed rather than committed, so the
// corpus is the same on every machine and costs nothing in the repository.
// They imitate what server-rendered sites send: a head with charset,
// viewport, preloads, critical CSS and JSON-LD; a body with navigation,
// cards, tables, forms, inline SVG, comments, non-ASCII text, and the
// hydration data and scripts that frameworks append at the end.
package corpus

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
)

// Kind says where a page's tags belong.
type Kind uint8

const (
	// KindHead is a document with a <head> start tag: the tags belong in its
	// head element.
	KindHead Kind = iota
	// KindImpliedHead is a document without a <head> start tag: HTML5
	// opens the head element implicitly, and the tags belong in it.
	KindImpliedHead
	// KindFragment is not a document (an htmx or Turbo partial): it must
	// come out untouched.
	KindFragment
)

// String returns the kind's name.
func (k Kind) String() string {
	switch k {
	case KindHead:
		return "head"
	case KindImpliedHead:
		return "implied-head"
	case KindFragment:
		return "fragment"
	}
	return "invalid"
}

// Page is one page of the corpus.
type Page struct {
	// Name identifies the page in benchmark names: a shape and a nominal
	// size, "typical-100K".
	Name string
	// Desc says what the page is, for the README.
	Desc string
	// Kind says where the tags belong.
	Kind Kind
	// HTML is the page. Callers must not modify it.
	HTML []byte
}

// Size constants of the corpus, in bytes.
const (
	KiB = 1 << 10
	MiB = 1 << 20
)

// Pages returns the benchmark corpus, small pages first. The pages are
// generated once, on the first call; callers must not modify them.
func Pages() []Page {
	return append([]Page(nil), pages()...)
}

var pages = sync.OnceValue(func() []Page {
	return []Page{
		{
			Name: "small-2K",
			Desc: "a small page: head right after the doctype, a short body",
			Kind: KindHead,
			HTML: document(1, 2*KiB, shapeSmall),
		},
		{
			Name: "typical-30K",
			Desc: "a typical server-rendered page, head right after the doctype",
			Kind: KindHead,
			HTML: document(2, 30*KiB, shapeTypical),
		},
		{
			Name: "typical-100K",
			Desc: "a typical server-rendered page with hydration data, head right after the doctype",
			Kind: KindHead,
			HTML: document(3, 100*KiB, shapeTypical),
		},
		{
			Name: "large-1M",
			Desc: "a large listing page (product grid and tables)",
			Kind: KindHead,
			HTML: document(4, 1*MiB, shapeLarge),
		},
		{
			Name: "large-5M",
			Desc: "a very large listing page (product grid and tables)",
			Kind: KindHead,
			HTML: document(5, 5*MiB, shapeLarge),
		},
		{
			Name: "late-head-script-100K",
			Desc: "a 40 KB inline script between <html> and <head> (HTML5 opens the head at the script)",
			Kind: KindHead,
			HTML: document(6, 100*KiB, shapeLateScript),
		},
		{
			Name: "late-head-comment-100K",
			Desc: "a 40 KB comment between the doctype and <html><head>",
			Kind: KindHead,
			HTML: document(7, 100*KiB, shapeLateComment),
		},
		{
			Name: "head-past-cap-100K",
			Desc: "a 70 KB comment between the doctype and <html><head>: no insertion point within inject's 64 KiB lookahead",
			Kind: KindHead,
			HTML: document(10, 100*KiB, shapePastCap),
		},
		{
			Name: "no-head-100K",
			Desc: "a document with no <head> tag and no head content: <html><body> right after the doctype",
			Kind: KindImpliedHead,
			HTML: document(8, 100*KiB, shapeNoHead),
		},
		{
			Name: "fragment-30K",
			Desc: "an htmx partial: a results table, no doctype, html or head",
			Kind: KindFragment,
			HTML: fragment(9, 30*KiB),
		},
	}
})

// ByName returns the page of [Pages] called name.
func ByName(name string) (Page, bool) {
	for _, p := range pages() {
		if p.Name == name {
			return p, true
		}
	}
	return Page{}, false
}

type shape uint8

const (
	shapeSmall shape = iota
	shapeTypical
	shapeLarge
	shapeLateScript
	shapeLateComment
	shapePastCap
	shapeNoHead
)

// gen writes markup with deterministic pseudo-random content.
type gen struct {
	b   bytes.Buffer
	rnd *rand.Rand
}

func newGen(seed uint64, size int) *gen {
	g := &gen{rnd: rand.New(rand.NewPCG(seed, 0x74726163656d6574))}
	g.b.Grow(size + 8*KiB)
	return g
}

func (g *gen) s(parts ...string) {
	for _, p := range parts {
		g.b.WriteString(p)
	}
}

func (g *gen) f(format string, args ...any) { fmt.Fprintf(&g.b, format, args...) }

func (g *gen) pick(list []string) string { return list[g.rnd.IntN(len(list))] }

// words writes n words of prose, some of them non-ASCII, so that multi-byte
// UTF-8 sequences fall across write boundaries.
func (g *gen) words(n int) {
	for i := range n {
		if i > 0 {
			g.b.WriteByte(' ')
		}
		if g.rnd.IntN(12) == 0 {
			g.b.WriteString(g.pick(intlWords))
		} else {
			g.b.WriteString(g.pick(latinWords))
		}
	}
}

func (g *gen) sentence() {
	g.words(6 + g.rnd.IntN(14))
	g.b.WriteString(". ")
}

func (g *gen) len() int { return g.b.Len() }

var latinWords = strings.Fields(`lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod
tempor incididunt ut labore et dolore magna aliqua enim ad minim veniam quis nostrud exercitation
ullamco laboris nisi aliquip ex ea commodo consequat duis aute irure in reprehenderit voluptate velit
esse cillum fugiat nulla pariatur excepteur sint occaecat cupidatat non proident sunt culpa qui officia
deserunt mollit anim id est laborum shipping order account checkout basket delivery returns warranty`)

var intlWords = []string{
	"café", "naïve", "façade", "Zürich", "smørrebrød", "日本語", "東京都", "Привет", "Москва",
	"한국어", "العربية", "ελληνικά", "€42,90", "🚀", "✓", "—", "“quoted”", "Ünïcödé",
}

var products = []string{
	"Trail running shoe", "Merino base layer", "Insulated jacket", "Hiking pole set",
	"Down sleeping bag", "Ultralight tent", "Headlamp 400 lm", "Water filter", "Rain shell",
	"Wool socks (3 pack)", "Camp stove", "Titanium mug",
}

func document(seed uint64, size int, sh shape) []byte {
	g := newGen(seed, size)
	g.s("<!DOCTYPE html>\n")
	switch sh {
	case shapeLateComment, shapePastCap:
		g.s("<!--\n")
		if sh == shapePastCap {
			g.banner(70 * KiB)
		} else {
			g.banner(40 * KiB)
		}
		g.s("-->\n")
		g.s(`<html lang="en" class="no-js">`, "\n")
		g.head(sh)
	case shapeLateScript:
		g.s(`<html lang="en" class="no-js">`, "\n")
		g.s("<script>")
		g.bundle(40 * KiB)
		g.s("</script>\n")
		g.head(sh)
	case shapeNoHead:
		g.s(`<html lang="en">`, "\n")
	default:
		g.s(`<html lang="en" class="no-js">`, "\n")
		g.head(sh)
	}
	g.body(size, sh)
	return g.b.Bytes()
}

// head writes a complete head element, sized like the shape's sites.
func (g *gen) head(sh shape) {
	g.s("<head>\n", `<meta charset="utf-8">`, "\n")
	g.s(`<meta name="viewport" content="width=device-width, initial-scale=1">`, "\n")
	g.s("<title>")
	g.words(5)
	g.s(" | Outfitters</title>\n")
	g.s(`<meta name="description" content="`)
	g.words(18)
	g.s("\">\n")
	if sh == shapeSmall {
		g.s(`<link rel="stylesheet" href="/static/site.css">`, "\n</head>\n")
		return
	}
	g.s(`<meta property="og:type" content="website">`, "\n")
	g.s(`<meta property="og:image" content="https://cdn.example.com/og/home.jpg">`, "\n")
	g.s(`<link rel="preconnect" href="https://cdn.example.com" crossorigin>`, "\n")
	for i := range 4 {
		g.f(`<link rel="preload" href="/_app/immutable/chunks/%x.js" as="script" crossorigin>`+"\n", g.rnd.Uint32()+uint32(i))
	}
	g.s(`<link rel="icon" href="/favicon.svg" type="image/svg+xml">`, "\n")
	g.s("<style>\n")
	for range 40 {
		g.f(".c%x{display:flex;margin:0 %dpx;padding:%dpx %dpx;color:#%06x;font:14px/1.4 system-ui,sans-serif}\n",
			g.rnd.Uint32(), g.rnd.IntN(24), g.rnd.IntN(16), g.rnd.IntN(16), g.rnd.Uint32()&0xffffff)
	}
	g.s("@media (max-width:640px){.grid{grid-template-columns:1fr}}\n</style>\n")
	g.s(`<script type="application/ld+json">{"@context":"https://schema.org","@type":"Organization","name":"Outfitters","url":"https://www.example.com","logo":"https://cdn.example.com/logo.png"}</script>`, "\n")
	g.s(`<script type="module" src="/_app/immutable/entry/start.js"></script>`, "\n")
	g.s("</head>\n")
}

// body writes the body and closes the document at about size bytes.
func (g *gen) body(size int, sh shape) {
	g.s(`<body class="page">`, "\n")
	g.s(`<a class="skip" href="#main">Skip to content</a>`, "\n")
	g.s(`<header class="site-header"><nav aria-label="Main"><ul>`)
	for _, item := range []string{"Men", "Women", "Kids", "Camp", "Climb", "Sale"} {
		g.f(`<li><a href="/c/%s">%s</a></li>`, strings.ToLower(item), item)
	}
	g.s("</ul></nav>\n")
	g.s(`<svg class="icon" width="24" height="24" viewBox="0 0 24 24" aria-hidden="true"><path d="M3 6h18M3 12h18M3 18h18" stroke="currentColor" stroke-width="2"/></svg>`)
	g.s("</header>\n", `<main id="main">`, "\n")

	// Leave room for the closing scripts and hydration data.
	tail := 0
	if sh != shapeSmall {
		tail = size / 8
	}
	for g.len() < size-tail-600 {
		switch g.rnd.IntN(6) {
		case 0, 1:
			g.article()
		case 2:
			if sh == shapeSmall {
				g.article()
			} else {
				g.grid()
			}
		case 3:
			g.table(4 + g.rnd.IntN(8))
		case 4:
			g.form()
		case 5:
			g.s("<!-- card boundary: ")
			g.words(6)
			g.s(" -->\n")
		}
	}
	g.s("</main>\n", `<footer class="site-footer"><p>© 2026 Outfitters — `)
	g.words(6)
	g.s("</p></footer>\n")
	if tail > 0 {
		g.s(`<script id="__DATA__" type="application/json">`)
		g.hydration(size - 200)
		g.s("</script>\n")
		g.s(`<script>window.__app=window.__app||{};__app.start(document.getElementById("__DATA__"))</script>`, "\n")
	}
	g.s("</body>\n</html>\n")
}

func (g *gen) article() {
	g.s(`<article class="card">`, "\n<h2>")
	g.words(4 + g.rnd.IntN(5))
	g.s("</h2>\n")
	for range 1 + g.rnd.IntN(4) {
		g.s("<p>")
		for range 2 + g.rnd.IntN(4) {
			g.sentence()
		}
		g.f(`<a href="/blog/%d">read more</a></p>`+"\n", g.rnd.IntN(1e6))
	}
	g.f(`<figure><img src="/img/%x.jpg" srcset="/img/%x-480.jpg 480w, /img/%x-960.jpg 960w" sizes="(max-width: 640px) 100vw, 50vw" alt="`, g.rnd.Uint32(), g.rnd.Uint32(), g.rnd.Uint32())
	g.words(5)
	g.s(`" loading="lazy"><figcaption>`)
	g.words(8)
	g.s("</figcaption></figure>\n</article>\n")
}

func (g *gen) grid() {
	g.s(`<section class="grid">`, "\n")
	for range 6 {
		price := 10 + g.rnd.IntN(490)
		g.f(`<div class="product" data-sku="SKU-%06d" data-price="%d.%02d">`, g.rnd.IntN(1e6), price, g.rnd.IntN(100))
		g.f(`<a href="/p/%d"><img src="/img/p/%x.webp" alt="%s" width="320" height="320" loading="lazy"></a>`, g.rnd.IntN(1e6), g.rnd.Uint32(), g.pick(products))
		g.f(`<h3>%s</h3><p class="price">€%d,%02d</p>`, g.pick(products), price, g.rnd.IntN(100))
		g.s(`<button type="button" class="add" hx-post="/cart" hx-target="#cart">Add to basket</button></div>`, "\n")
	}
	g.s("</section>\n")
}

func (g *gen) table(rows int) {
	g.s(`<table class="specs"><thead><tr><th>Item</th><th>Weight</th><th>Stock</th><th>Notes</th></tr></thead><tbody>`, "\n")
	for range rows {
		g.f("<tr><td>%s</td><td>%d g</td><td>%d</td><td>", g.pick(products), 50+g.rnd.IntN(2000), g.rnd.IntN(300))
		g.words(5)
		g.s("</td></tr>\n")
	}
	g.s("</tbody></table>\n")
}

func (g *gen) form() {
	g.f(`<form class="newsletter" method="post" action="/subscribe"><input type="hidden" name="csrf" value="%016x%016x">`, g.rnd.Uint64(), g.rnd.Uint64())
	g.s(`<label for="email">Email</label><input id="email" name="email" type="email" placeholder="you@example.com" required>`)
	g.s(`<select name="topic"><option value="all" selected>All</option><option value="sale">Sale</option><option value="news">News</option></select>`)
	g.s(`<button type="submit">Subscribe</button></form>`, "\n")
}

// hydration writes framework hydration data as JSON until the page reaches
// about size bytes.
func (g *gen) hydration(size int) {
	g.s(`{"props":{"pageProps":{"items":[`)
	for i := 0; g.len() < size; i++ {
		if i > 0 {
			g.s(",")
		}
		g.f(`{"id":%d,"sku":"SKU-%06d","name":%q,"price":%d,"tags":["outdoor","%s"],"blurb":"`,
			i, g.rnd.IntN(1e6), g.pick(products), g.rnd.IntN(50000), g.pick(latinWords))
		g.words(10)
		g.s(`"}`)
	}
	g.s(`]}},"page":"/","buildId":"b7c1f0e"}`)
}

// banner writes about n bytes of a build banner comment: licences and a
// module manifest, as bundlers leave them.
func (g *gen) banner(n int) {
	end := g.len() + n
	g.s("  Outfitters storefront. Build b7c1f0e.\n  Third-party licences:\n")
	for g.len() < end {
		g.f("  - %s@%d.%d.%d (MIT) ", g.pick(latinWords), g.rnd.IntN(20), g.rnd.IntN(30), g.rnd.IntN(40))
		g.words(10)
		g.s("\n")
	}
}

// bundle writes about n bytes of minified JavaScript: a loader with string
// literals that contain markup, as inline polyfill and analytics bundles do.
func (g *gen) bundle(n int) {
	end := g.len() + n
	g.s(`!function(){"use strict";var e={},t=[];`)
	for i := 0; g.len() < end; i++ {
		g.f(`function m%d(n,r){var o=n&&n.nodeType===1?n:document.createElement("div");o.innerHTML="<span class=\"b%d\">"+r+"<\/span>";if(r<%d&&t.length>%d){return e[%q]||(e[%q]=o)}return o}`,
			i, i, g.rnd.IntN(1000), g.rnd.IntN(64), g.pick(latinWords), g.pick(latinWords))
		g.s("\n")
	}
	g.s(`window.__boot=e}();`)
}

// fragment writes an htmx partial: an out-of-band results table.
func fragment(seed uint64, size int) []byte {
	g := newGen(seed, size)
	g.s(`<div id="results" hx-swap-oob="true">`, "\n", `<table class="results"><tbody>`, "\n")
	for g.len() < size-200 {
		g.f(`<tr id="row-%d"><td><a href="/p/%d">%s</a></td><td>€%d,%02d</td><td>`, g.rnd.IntN(1e6), g.rnd.IntN(1e6), g.pick(products), g.rnd.IntN(500), g.rnd.IntN(100))
		g.words(6)
		g.s(`</td><td><button hx-post="/cart" hx-vals='{"qty":1}'>Add</button></td></tr>`, "\n")
	}
	g.s("</tbody></table>\n</div>\n")
	return g.b.Bytes()
}

// Typical returns a typical server-rendered page of about size bytes, the
// shape of typical-30K: what the proxy benchmarks serve from their
// upstream at sizes the corpus does not have.
func Typical(size int) []byte { return document(12, size, shapeTypical) }
