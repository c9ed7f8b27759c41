// Package app holds the handlers of the per-request benchmarks: what real
// handlers do to write an HTML page. A product listing rendered by
// html/template straight into the ResponseWriter (thousands of small writes),
// the same listing rendered by a templ component, and a small page written in
// one Write.
//
// The data are generated from a fixed seed, so every run renders the same
// bytes.
package app

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Product is one card of the listing.
type Product struct {
	ID          int
	Name        string
	Slug        string
	Description string
	Price       string
	Image       string
	Rating      int // 0 to 5 stars
	Reviews     int
	Tags        []string
	InStock     bool
}

// Listing is the data of the listing page.
type Listing struct {
	Title    string
	Query    string
	Nav      []Link
	Products []Product
	Page     int
	Pages    int
}

// Link is an entry of the navigation.
type Link struct {
	Href  string
	Label string
}

var (
	adjectives = []string{"Compact", "Rugged", "Quiet", "Smart", "Classic", "Modular", "Wireless", "Heavy-duty", "Foldable", "Café"}
	nouns      = []string{"kettle", "backpack", "desk lamp", "headphones", "blender", "tent", "bicycle light", "notebook", "thermos", "drill"}
	words      = strings.Fields("light sturdy recycled aluminium steel cotton waterproof warranty <fast> delivery & returns battery hours charge grip handle compact travel home office garden kitchen outdoor «premium» naïve")
	tagNames   = []string{"new", "sale", "eco", "bestseller", "gift", "limited"}
)

// NewListing returns a listing of n products, the same for the same n.
func NewListing(n int) Listing {
	rng := rand.New(rand.NewPCG(42, uint64(n)))
	l := Listing{Title: "Outdoor & travel", Query: `tents "2 person" <ul>`, Page: 3, Pages: 12}
	for _, s := range []string{"Home", "Kitchen", "Outdoor", "Travel", "Office", "Garden", "Sale", "Gift cards"} {
		l.Nav = append(l.Nav, Link{Href: "/c/" + strings.ToLower(strings.ReplaceAll(s, " ", "-")), Label: s})
	}
	for i := range n {
		name := adjectives[rng.IntN(len(adjectives))] + " " + nouns[rng.IntN(len(nouns))]
		desc := make([]string, 12+rng.IntN(8))
		for j := range desc {
			desc[j] = words[rng.IntN(len(words))]
		}
		p := Product{
			ID:          1000 + i,
			Name:        name,
			Slug:        strings.ReplaceAll(strings.ToLower(name), " ", "-"),
			Description: strings.Join(desc, " "),
			Price:       fmt.Sprintf("%d.%02d", 5+rng.IntN(300), rng.IntN(100)),
			Image:       fmt.Sprintf("/img/p/%d-480w.webp", 1000+i),
			Rating:      rng.IntN(6),
			Reviews:     rng.IntN(2000),
			InStock:     rng.IntN(5) > 0,
		}
		for _, t := range tagNames {
			if rng.IntN(4) == 0 {
				p.Tags = append(p.Tags, t)
			}
		}
		l.Products = append(l.Products, p)
	}
	return l
}

// Stars returns the rating as five stars, filled or not.
func (p Product) Stars() string {
	return strings.Repeat("★", p.Rating) + strings.Repeat("☆", 5-p.Rating)
}
