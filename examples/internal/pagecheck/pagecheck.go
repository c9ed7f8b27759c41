// Package pagecheck reads the trace meta tags out of an HTML page, the way a
// browser SDK finds them, for the examples' tests.
package pagecheck

import (
	"fmt"
	"io"
	"strings"

	"golang.org/x/net/html"
)

// MetaTags parses the HTML document r and returns the content of every
// <meta name=...> element, by name, in document order.
func MetaTags(r io.Reader) (map[string][]string, error) {
	doc, err := html.Parse(r)
	if err != nil {
		return nil, fmt.Errorf("pagecheck: %w", err)
	}
	tags := make(map[string][]string)
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode || n.Data != "meta" {
			continue
		}
		var name, content string
		var hasContent bool
		for _, a := range n.Attr {
			switch strings.ToLower(a.Key) {
			case "name":
				name = a.Val
			case "content":
				content, hasContent = a.Val, true
			}
		}
		if name != "" && hasContent {
			tags[name] = append(tags[name], content)
		}
	}
	return tags, nil
}
