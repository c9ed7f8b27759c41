package injectcaddy_test

import (
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ownTagsPages are heads an upstream may send: with tags of its own (own),
// which the page must keep alone, or with look-alikes that are not tags,
// where the page must get exactly one set.
var ownTagsPages = []struct {
	name string
	head string
	own  bool
}{
	{"own", `<meta charset="utf-8"><title>Shop</title><meta name="sentry-trace" content="0123456789abcdef0123456789abcdef-0123456789abcdef-1"><meta name="baggage" content="sentry-trace_id=0123456789abcdef0123456789abcdef">`, true},
	{"own after header in a script", `<title>Shop</title><script>document.body.innerHTML = "<header>Shop</header>";</script><meta name="sentry-trace" content="0123456789abcdef0123456789abcdef-0123456789abcdef-1">`, true},
	{"own upper case", `<TITLE>Shop</TITLE><META NAME="sentry-trace" CONTENT="0123456789abcdef0123456789abcdef-0123456789abcdef-1">`, true},
	{"own traceparent", `<title>Shop</title><meta name="traceparent" content="00-0123456789abcdef0123456789abcdef-0123456789abcdef-01">`, true},
	{"own after a long head", `<title>Shop</title>` + strings.Repeat(`<link rel="preload" href="/a.js" as="script">`, 60) + `<meta name="sentry-trace" content="0123456789abcdef0123456789abcdef-0123456789abcdef-1">`, true},
	{"in a comment", `<title>Shop</title><!-- <meta name="sentry-trace" content="x"> -->`, false},
	{"in a script", `<title>Shop</title><script>document.write('<meta name="sentry-trace" content="x">')</script>`, false},
	{"in the title", `<title><meta name="sentry-trace" content="x"></title>`, false},
	{"in an attribute", `<meta content="sentry-trace" name="description"><title>Shop</title>`, false},
	{"none", `<meta charset="utf-8"><title>Shop</title>`, false},
}

// streamedPage is an upstream that sends ownTagsPages[?page] in chunks of
// ?chunk bytes (0: the whole page with its Content-Length), flushing after
// each, gzip-compressed when ?gzip=1 and the request accepts it.
func streamedPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	i, _ := strconv.Atoi(q.Get("page"))
	chunk, _ := strconv.Atoi(q.Get("chunk"))
	page := "<!DOCTYPE html>\n<html lang=\"en\">\n<head>" + ownTagsPages[i].head + "</head>\n<body><header>Shop</header>" +
		strings.Repeat("<p>Lorem ipsum dolor sit amet.</p>\n", 30) + "</body></html>\n"
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	var out io.Writer = w
	flush := func() { _ = http.NewResponseController(w).Flush() }
	if q.Get("gzip") == "1" && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		defer zw.Close()
		out = zw
		flush = func() { _ = zw.Flush(); _ = http.NewResponseController(w).Flush() }
	} else if chunk == 0 {
		h.Set("Content-Length", strconv.Itoa(len(page)))
	}
	if chunk == 0 {
		_, _ = io.WriteString(out, page)
		return
	}
	for len(page) > 0 {
		n := min(chunk, len(page))
		_, _ = io.WriteString(out, page[:n])
		page = page[n:]
		flush()
	}
}

// TestOwnTagsStreamed proxies pages with and without tags of their own,
// whole or streamed in flushed chunks (the head split across writes, flushes
// inside it), identity or gzip, with and without encode: a page with its own
// tags keeps them alone; every other page gets exactly one set.
func TestOwnTagsStreamed(t *testing.T) {
	up := httpUpstream(t, streamedPage)
	for _, encode := range []bool{false, true} {
		site := "\ttracemeta\n\treverse_proxy " + up + "\n"
		if encode {
			site = "\tencode gzip\n" + site
		}
		base := startCaddy(t, site)
		for i, pg := range ownTagsPages {
			for _, chunk := range []int{0, 1, 7, 100} {
				for _, gz := range []bool{false, true} {
					name := fmt.Sprintf("encode=%v/%s/chunk=%d/gzip=%v", encode, pg.name, chunk, gz)
					t.Run(name, func(t *testing.T) {
						url := fmt.Sprintf("%s/?page=%d&chunk=%d&gzip=%d", base, i, chunk, map[bool]int{false: 0, true: 1}[gz])
						res, page := navigate(t, url, "gzip", nil)
						require.Equal(t, http.StatusOK, res.StatusCode)
						m := metas(t, page)
						if pg.own {
							assert.Equal(t, 1, len(m["sentry-trace"])+len(m["traceparent"]), "the page's own tag alone:\n%s", page)
							assert.NotContains(t, page, "sentry-sample_rate", "no second set")
							return
						}
						require.Len(t, m["sentry-trace"], 1, "one set:\n%s", page)
						assert.NotEqual(t, "x", m["sentry-trace"][0])
						assert.Len(t, m["baggage"], 1)
					})
				}
			}
		}
	}
}
