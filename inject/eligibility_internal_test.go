package inject

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestCommonHTMLTypes checks that the Content-Type values contentTypeReason
// accepts without parsing are the ones parsing accepts too.
func TestCommonHTMLTypes(t *testing.T) {
	for _, ct := range commonHTMLTypes {
		t.Run(ct, func(t *testing.T) {
			assert.Equal(t, ReasonNone, parseContentTypeReason(ct))
			assert.Equal(t, ReasonNone, contentTypeReason(ct))
		})
	}
	for _, tt := range []struct {
		name string
		ct   string
		want Reason
	}{
		{"utf-16", "text/html; charset=utf-16", ReasonEncoding},
		{"plain", "text/plain; charset=utf-8", ReasonContentType},
		{"event stream", "text/event-stream", ReasonEventStream},
		{"upper case type", "TEXT/HTML; Charset=\"UTF-8\"", ReasonNone},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, contentTypeReason(tt.ct))
		})
	}
}

// lookedUpHeaders is readResponseHeaders by lookups alone, the way the
// rules read a large map, with describesBody looked up too.
func lookedUpHeaders(h http.Header) responseHeaders {
	var f responseHeaders
	f.encoding = h["Content-Encoding"]
	_, f.hasRange = h["Content-Range"]
	f.disposition = h["Content-Disposition"]
	f.contentType, f.hasType = h["Content-Type"]
	f.cacheControl = h["Cache-Control"]
	f.cdnControl = h["Cdn-Cache-Control"]
	f.surrogate = h["Surrogate-Control"]
	f.expires = h["Expires"]
	f.length, f.hasLength = h["Content-Length"]
	for _, k := range bodyDescribers {
		if _, ok := h[k]; ok {
			f.describesBody = true
		}
	}
	return f
}

// TestReadResponseHeaders checks that the one pass over a small header map
// reads what looking up each key reads, and that a large map, read by
// lookups, always has its body describers looked for.
func TestReadResponseHeaders(t *testing.T) {
	tests := []struct {
		name string
		h    http.Header
	}{
		{name: "none", h: http.Header{}},
		{name: "type and length", h: http.Header{"Content-Type": {"text/html"}, "Content-Length": {"2048"}}},
		{name: "type alone", h: http.Header{"Content-Type": {"text/html"}}},
		{name: "type and another", h: http.Header{"Content-Type": {"text/html"}, "Etag": {`"x"`}}},
		{name: "keys without values", h: http.Header{"Content-Type": nil, "Content-Length": {}, "Content-Range": nil}},
		{name: "every key", h: http.Header{
			"Content-Encoding": {"gzip"}, "Content-Range": {"bytes 0-1/2"}, "Content-Disposition": {"attachment"},
			"Cache-Control": {"public", "max-age=1"}, "Cdn-Cache-Control": {"no-store"}, "Surrogate-Control": {"max-age=3"},
			"Expires": {"0"}, "Content-Length": {"1"},
		}},
		{name: "non-canonical keys are not read", h: http.Header{"content-type": {"text/plain"}, "ETag": {`"x"`}, "cache-control": {"public"}}},
	}
	for _, k := range bodyDescribers {
		tests = append(tests, struct {
			name string
			h    http.Header
		}{name: k, h: http.Header{k: {"v"}, "Content-Type": {"text/html"}}})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.LessOrEqual(t, len(tt.h), smallHeader)
			assert.Equal(t, lookedUpHeaders(tt.h), readResponseHeaders(tt.h))
		})
	}
	t.Run("large map", func(t *testing.T) {
		h := http.Header{"Content-Type": {"text/html"}, "Content-Length": {"5"}, "Cache-Control": {"private"}}
		for i := 0; len(h) <= smallHeader; i++ {
			h["X-Extra-"+strconv.Itoa(i)] = []string{"v"}
		}
		want := lookedUpHeaders(h)
		want.describesBody = true
		assert.Equal(t, want, readResponseHeaders(h))
	})
}

// TestDefaultCachePolicy checks that the default policy, applied to the
// headers the rules read, judges as SharedCacheable given the map.
func TestDefaultCachePolicy(t *testing.T) {
	for _, h := range []http.Header{
		{},
		{"Cache-Control": {"public"}},
		{"Cache-Control": {"private, max-age=60"}},
		{"Cdn-Cache-Control": {"max-age=60"}},
		{"Surrogate-Control": {"no-store"}, "Cache-Control": {"max-age=60"}},
		{"Expires": {"Thu, 01 Jan 2099 00:00:00 GMT"}},
		{"Expires": {"Thu, 01 Jan 1970 00:00:00 GMT"}},
	} {
		h["Content-Type"] = []string{"text/html"}
		reason, sniff := fieldsReason(h, readResponseHeaders(h), nil, nil)
		wantReason, wantSniff := fieldsReason(h, readResponseHeaders(h), nil, SharedCacheable)
		assert.Equal(t, wantReason, reason, "%v", h)
		assert.Equal(t, wantSniff, sniff, "%v", h)
	}
}
