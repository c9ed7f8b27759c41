package injectcaddy_test

import (
	"regexp"
)

// traceMetaTag matches one of the meta tags tracemeta renders.
var traceMetaTag = regexp.MustCompile(`<meta name="(?:sentry-trace|baggage|traceparent)" content="[^"]*">`)

// stripTags returns page without the trace meta tags.
func stripTags(page string) string { return traceMetaTag.ReplaceAllString(page, "") }
