package app

import (
	"bytes"
	"html/template"
	"net/http"
	"strconv"
)

// listingTemplate is the listing rendered by html/template: Execute writes
// every text run and every action's output to the ResponseWriter on its own,
// as a handler that executes into w does.
var listingTemplate = template.Must(template.New("listing").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · Shop</title>
<link rel="preload" href="/static/app.css" as="style">
<link rel="stylesheet" href="/static/app.css">
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<script type="module" src="/static/app.js" defer></script>
</head>
<body class="listing">
<header class="top">
<a class="logo" href="/">Shop</a>
<form action="/search" method="get" role="search">
<input type="search" name="q" value="{{.Query}}" aria-label="Search">
<button type="submit">Search</button>
</form>
<nav><ul>
{{- range .Nav}}
<li><a href="{{.Href}}">{{.Label}}</a></li>
{{- end}}
</ul></nav>
</header>
<main>
<h1>{{.Title}}</h1>
<p class="summary">{{len .Products}} products matching “{{.Query}}”</p>
<ul class="grid">
{{- range .Products}}
<li class="card" id="p{{.ID}}" data-id="{{.ID}}">
<a href="/p/{{.Slug}}">
<img src="{{.Image}}" alt="{{.Name}}" width="240" height="240" loading="lazy">
<h2>{{.Name}}</h2>
</a>
<p class="desc">{{.Description}}</p>
<p class="rating" title="{{.Rating}} of 5">{{.Stars}} <span>({{.Reviews}})</span></p>
{{- if .Tags}}
<ul class="tags">
{{- range .Tags}}<li class="tag-{{.}}">{{.}}</li>{{end -}}
</ul>
{{- end}}
<p class="price">€{{.Price}}</p>
{{- if .InStock}}
<button class="buy" data-id="{{.ID}}">Add to cart</button>
{{- else}}
<span class="out">Out of stock</span>
{{- end}}
</li>
{{- end}}
</ul>
<nav class="pages">Page {{.Page}} of {{.Pages}}</nav>
</main>
<footer><p>© Shop · <a href="/legal">Legal</a></p></footer>
</body>
</html>
`))

// Products is the number of products on the listing pages: about 60 KB of
// HTML, in about 3,900 writes from html/template and 15 from templ (whose
// writer buffers 4 KB).
const Products = 104

// TemplateHandler renders the listing of [Products] products with
// html/template, executing straight into the ResponseWriter.
func TemplateHandler() http.Handler {
	l := NewListing(Products)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if err := listingTemplate.Execute(w, l); err != nil {
			panic(http.ErrAbortHandler)
		}
	})
}

// TemplHandler renders the listing of [Products] products with the templ
// component [ListingPage] into the ResponseWriter.
func TemplHandler() http.Handler {
	l := NewListing(Products)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if err := ListingPage(l).Render(r.Context(), w); err != nil {
			panic(http.ErrAbortHandler)
		}
	})
}

// OneWriteHandler writes page in one Write, as a handler that renders into
// a buffer first does, with its Content-Length.
func OneWriteHandler(page []byte) http.Handler {
	length := strconv.Itoa(len(page))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Length", length)
		if _, err := w.Write(page); err != nil {
			panic(http.ErrAbortHandler)
		}
	})
}

// FileHandler serves the HTML file at path with http.ServeFile, as a static
// page is served: net/http copies the file into the ResponseWriter with
// io.CopyN, that is through the ResponseWriter's ReadFrom, which on a TCP
// connection sends it with sendfile.
func FileHandler(path string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, path)
	})
}

// recorder counts the writes of a response.
type recorder struct {
	header http.Header
	body   bytes.Buffer
	writes int
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(int)     {}
func (r *recorder) Write(p []byte) (int, error) {
	r.writes++
	return r.body.Write(p)
}

// Writes returns the body h writes for a GET of /, and the number of Write
// calls it took.
func Writes(h http.Handler) (body []byte, writes int) {
	rec := &recorder{header: http.Header{}}
	r, _ := http.NewRequest(http.MethodGet, "/", nil)
	h.ServeHTTP(rec, r)
	return rec.body.Bytes(), rec.writes
}
