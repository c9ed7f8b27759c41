package app_test

import (
	"fmt"

	"github.com/tracemeta/tracemeta/benchmarks/internal/app"
)

// Writes shows how the listing handlers write: html/template in thousands
// of small writes, templ through its 4 KB buffer.
func ExampleWrites() {
	_, tmplWrites := app.Writes(app.TemplateHandler())
	_, templWrites := app.Writes(app.TemplHandler())
	fmt.Println(tmplWrites > 1000, templWrites < 100)
	// Output: true true
}

func ExampleNewListing() {
	l := app.NewListing(2)
	fmt.Println(len(l.Products), l.Products[0].ID, l.Products[1].ID)
	// Output: 2 1000 1001
}
