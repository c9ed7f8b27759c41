package app_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"github.com/tracemeta/tracemeta/benchmarks/internal/app"
)

// TestListingPages checks that both listing pages are the documents the
// benchmarks say they are: about 60 KB, html/template's in thousands of
// writes, with a head, and the same products in both.
func TestListingPages(t *testing.T) {
	tmpl, tmplWrites := app.Writes(app.TemplateHandler())
	templ, templWrites := app.Writes(app.TemplHandler())
	for name, c := range map[string]struct {
		body      []byte
		minWrites int
	}{
		"html/template": {tmpl, 2000},
		"templ":         {templ, 10},
	} {
		t.Run(name, func(t *testing.T) {
			assert.InDelta(t, 60<<10, len(c.body), 6<<10, "size")
			assert.True(t, bytes.EqualFold(c.body[:15], []byte("<!DOCTYPE html>")), "starts with the doctype")
			doc, err := html.Parse(bytes.NewReader(c.body))
			require.NoError(t, err)
			cards := 0
			var walk func(*html.Node)
			walk = func(n *html.Node) {
				if n.Type == html.ElementNode && n.Data == "li" {
					for _, a := range n.Attr {
						if a.Key == "class" && a.Val == "card" {
							cards++
						}
					}
				}
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					walk(c)
				}
			}
			walk(doc)
			assert.Equal(t, app.Products, cards, "product cards")
		})
	}
	assert.GreaterOrEqual(t, tmplWrites, 2000, "html/template writes")
	assert.GreaterOrEqual(t, templWrites, 10, "templ writes")
	assert.Less(t, templWrites, 100, "templ writes")
}

// TestListingDeterministic checks that the data, hence the pages, are the
// same on every call.
func TestListingDeterministic(t *testing.T) {
	a, _ := app.Writes(app.TemplateHandler())
	b, _ := app.Writes(app.TemplateHandler())
	assert.Equal(t, a, b)
	assert.Equal(t, app.NewListing(3), app.NewListing(3))
}
