package inject_test

import (
	"context"
	"fmt"
	"os"

	"github.com/tracemeta/tracemeta/inject"
	"github.com/tracemeta/tracemeta/tracecontext"
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

// ExampleWithContext shows a Writer that renders the tags itself, at the
// insertion point, for the span in a context, as the Middleware does: here
// for a page written to a file or a cache rather than an http.ResponseWriter.
func ExampleWithContext() {
	sc, _ := tracecontext.ParseSentryTrace("0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-1")
	ctx := tracecontext.NewContext(context.Background(), sc)

	w := inject.NewWriter(os.Stdout, nil, inject.WithContext(ctx), inject.WithContentType("text/html; charset=utf-8"))
	_, _ = w.WriteString("<!DOCTYPE html><html><head><title>Shop</title></head></html>")
	_ = w.Close()
	fmt.Println()
	// Output:
	// <!DOCTYPE html><html><head><meta name="sentry-trace" content="0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-1"><title>Shop</title></head></html>
}
