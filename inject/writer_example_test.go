package inject_test

import (
	"fmt"
	"os"

	"github.com/tracemeta/tracemeta/inject"
)

func ExampleNewWriter() {
	tags := []byte(`<meta name="sentry-trace" content="0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-1">`)
	w := inject.NewWriter(os.Stdout, tags)

	// The page may arrive in any pieces; the tags go after <head> and its
	// charset declaration.
	for _, chunk := range []string{"<!DOCTYPE html><html><he", "ad>\n<meta charset=\"utf-8\">", "\n<title>Shop</title>\n</head>\n"} {
		if _, err := w.WriteString(chunk); err != nil {
			panic(err)
		}
	}
	if err := w.Close(); err != nil {
		panic(err)
	}
	fmt.Println()
	fmt.Println(w.Status(), w.Inserted())
	// Output:
	// <!DOCTYPE html><html><head>
	// <meta charset="utf-8">
	// <meta name="sentry-trace" content="0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-1"><title>Shop</title>
	// </head>
	//
	// injected 88
}

func ExampleNewWriter_fragment() {
	w := inject.NewWriter(os.Stdout, []byte(`<meta name="sentry-trace" content="...">`))
	_, _ = w.WriteString(`<div id="cart">3 items</div>`)
	_ = w.Close()
	fmt.Println()
	fmt.Println(w.Status(), w.Reason())
	// Output:
	// <div id="cart">3 items</div>
	// skipped fragment
}
