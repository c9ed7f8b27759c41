package injectcaddy_test

import (
	"compress/gzip"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	injectcaddy "github.com/tracemeta/tracemeta/inject/caddy"
)

// TestStubbornUpstream checks upstreams that compress their page whatever
// they are asked for: a gzip or zstd page gets the tags, sent or streamed,
// and goes out in its coding (or encode's); anything else passes through
// exactly as it came.
func TestStubbornUpstream(t *testing.T) {
	page := "<!doctype html><html><head><title>x</title></head><body>" + strings.Repeat("<p>stubborn</p>", 100) + "</body></html>"
	gz := func(s string) []byte { return gzipped([]byte(s), gzip.DefaultCompression) }
	zs := func(s string) []byte {
		zw, _ := zstd.NewWriter(nil)
		defer zw.Close()
		return zw.EncodeAll([]byte(s), nil)
	}
	for _, tc := range []struct {
		name, coding string
		body         []byte
		length       bool // the upstream sends Content-Length
		tags         bool // the page gets the tags
	}{
		{"gzip", "gzip", gz(page), true, true},
		{"zstd", "zstd", zs(page), true, true},
		{"gzip without length", "gzip", gz(page), false, true},
		{"zstd without length", "zstd", zs(page), false, true},
		{"gzip members", "gzip", append(gz(page[:100]), gz(page[100:])...), true, true},
		{"corrupt gzip", "gzip", append(gz(page)[:40], "garbage"...), true, false},
		{"brotli", "br", []byte("\x0b\x02\x80hello\x03"), true, false},
	} {
		for _, encode := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/encode=%v", tc.name, encode), func(t *testing.T) {
				up := httpUpstream(t, func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", "text/html; charset=utf-8")
					w.Header().Set("Content-Encoding", tc.coding)
					w.Header().Set("Etag", `"v1"`)
					if tc.length {
						w.Header().Set("Content-Length", fmt.Sprint(len(tc.body)))
					}
					if !tc.length {
						// Streamed: net/http sets no Content-Length
						// once the handler has flushed.
						_ = http.NewResponseController(w).Flush()
					}
					_, _ = w.Write(tc.body)
				})
				site := "\ttracemeta\n\treverse_proxy " + up + "\n"
				if encode {
					site = "\tencode gzip\n" + site
				}
				res, raw := getAcceptingGzip(t, startCaddy(t, site)+"/")
				if !tc.tags {
					assert.Equal(t, tc.coding, res.Header.Get("Content-Encoding"))
					assert.Equal(t, tc.body, raw, "passed through byte for byte")
					return
				}
				body := decode(t, res.Header.Get("Content-Encoding"), raw)
				assert.True(t, pageSpan(t, body).IsValid())
				switch {
				case encode:
					// Streamed too: encode decides on its first write,
					// which the handler makes long enough.
					assert.Equal(t, "gzip", res.Header.Get("Content-Encoding"), "encode compresses the decoded page")
				default:
					assert.Equal(t, tc.coding, res.Header.Get("Content-Encoding"), "the page is encoded again as it came")
				}
				assert.Equal(t, page, stripTags(body), "the page, with the tags")
				assert.NotEqual(t, `"v1"`, res.Header.Get("Etag"), "no strong validator of the compressed bytes")
			})
		}
	}
}

// TestDecodeLimit checks that, while as many pages as the limit are being
// decoded, a compressed page passes through untagged, exactly as it came,
// and that the next one is decoded again once they are done.
func TestDecodeLimit(t *testing.T) {
	page := "<!doctype html><html><head><title>x</title></head><body>" + strings.Repeat("<p>busy</p>", 100) + "</body></html>"
	body := gzipped([]byte(page), gzip.DefaultCompression)
	up := httpUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write(body)
	})
	base := startCaddy(t, "\ttracemeta\n\treverse_proxy "+up+"\n")
	release := injectcaddy.HoldDecodes()
	res, raw := getAcceptingGzip(t, base+"/")
	release()
	assert.Equal(t, "gzip", res.Header.Get("Content-Encoding"))
	assert.Equal(t, body, raw, "passed through as it came")

	res, raw = getAcceptingGzip(t, base+"/")
	assert.Equal(t, "gzip", res.Header.Get("Content-Encoding"))
	assert.True(t, pageSpan(t, decode(t, "gzip", raw)).IsValid(), "decoded and tagged again")
}

// getAcceptingGzip GETs url as a navigation that accepts gzip, and returns
// the response and its body as sent.
func getAcceptingGzip(t testing.TB, url string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	req.Header.Set("Accept", "text/html")
	req.Header.Set("Accept-Encoding", "gzip")
	return fetchRaw(t, req)
}
