package inject_test

import (
	"context"
	"github.com/tracemeta/tracemeta/tracecontext"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/tracemeta/tracemeta/inject"
)

// The rules of eligibility.go, through the Middleware.

// responseCase is a handler's response: status, headers and body.
type responseCase struct {
	status int               // 0: no WriteHeader call
	header map[string]string // set before WriteHeader
	body   string
}

func (rc responseCase) handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		for k, v := range rc.header {
			w.Header().Set(k, v)
		}
		if rc.status != 0 {
			w.WriteHeader(rc.status)
		}
		if rc.body != "" {
			_, _ = io.WriteString(w, rc.body)
		}
	})
}

// TestPassthrough checks that every response the rules exclude comes out
// exactly as without the middleware (status, headers and bytes), and that
// the skip hook hears the rule's reason once.
func TestPassthrough(t *testing.T) {
	html := map[string]string{"Content-Type": "text/html; charset=utf-8"}
	with := func(kv ...string) map[string]string {
		h := map[string]string{"Content-Type": "text/html; charset=utf-8"}
		for i := 0; i < len(kv); i += 2 {
			h[kv[i]] = kv[i+1]
		}
		return h
	}
	tests := []struct {
		name    string
		method  string
		reqHdr  map[string]string
		resp    responseCase
		opts    []inject.Option
		want    inject.Reason
		wantLen bool // the response keeps its Content-Length
	}{
		{name: "HEAD, not HTML", method: http.MethodHead, resp: responseCase{header: map[string]string{"Content-Type": "application/json", "Content-Length": "2", "Etag": `"j"`}}, want: inject.ReasonMethod},
		{name: "HEAD, cacheable", method: http.MethodHead, resp: responseCase{header: with("Content-Length", strconv.Itoa(len(page)), "Etag", `"p"`, "Cache-Control", "public, max-age=60")}, want: inject.ReasonMethod},
		{name: "HEAD, fragment request", method: http.MethodHead, reqHdr: map[string]string{"Hx-Request": "true"}, resp: responseCase{header: with("Content-Length", strconv.Itoa(len(page)), "Etag", `"p"`)}, want: inject.ReasonMethod},
		{name: "PUT", method: http.MethodPut, resp: responseCase{header: html, body: page}, want: inject.ReasonMethod},
		{name: "OPTIONS", method: http.MethodOptions, resp: responseCase{header: html, body: page}, want: inject.ReasonMethod},
		{name: "htmx request", reqHdr: map[string]string{"HX-Request": "true"}, resp: responseCase{header: html, body: page}, want: inject.ReasonPartialRequest},
		{name: "htmx boosted", reqHdr: map[string]string{"HX-Request": "true", "HX-Boosted": "true"}, resp: responseCase{header: html, body: page}, want: inject.ReasonPartialRequest},
		{name: "Turbo frame", reqHdr: map[string]string{"Turbo-Frame": "messages"}, resp: responseCase{header: html, body: page}, want: inject.ReasonPartialRequest},
		{name: "fetch", reqHdr: map[string]string{"Sec-Fetch-Dest": "empty"}, resp: responseCase{header: html, body: page}, want: inject.ReasonPartialRequest},
		{name: "script destination", reqHdr: map[string]string{"Sec-Fetch-Dest": "script"}, resp: responseCase{header: html, body: page}, want: inject.ReasonPartialRequest},
		{name: "XMLHttpRequest", reqHdr: map[string]string{"X-Requested-With": "XMLHttpRequest"}, resp: responseCase{header: html, body: page}, want: inject.ReasonPartialRequest},
		{name: "skip predicate", resp: responseCase{header: html, body: page}, opts: []inject.Option{inject.WithSkip(func(*http.Request) bool { return true })}, want: inject.ReasonSkipped},
		{name: "204", resp: responseCase{status: http.StatusNoContent, header: html}, want: inject.ReasonStatus},
		{name: "304", resp: responseCase{status: http.StatusNotModified, header: with("Etag", `"x"`)}, want: inject.ReasonStatus},
		{name: "302 with body", resp: responseCase{status: http.StatusFound, header: with("Location", "/x"), body: page}, want: inject.ReasonStatus},
		{name: "206", resp: responseCase{status: http.StatusPartialContent, header: with("Content-Range", "bytes 0-9/100"), body: page[:10]}, want: inject.ReasonRange},
		{name: "Content-Range on 200", resp: responseCase{header: with("Content-Range", "bytes 0-9/100"), body: page}, want: inject.ReasonRange},
		{name: "gzip", resp: responseCase{header: with("Content-Encoding", "gzip"), body: page}, want: inject.ReasonContentEncoding},
		{name: "br", resp: responseCase{header: with("Content-Encoding", "br"), body: page}, want: inject.ReasonContentEncoding},
		{name: "identity then gzip", resp: responseCase{header: with("Content-Encoding", "identity, gzip"), body: page}, want: inject.ReasonContentEncoding},
		{name: "attachment", resp: responseCase{header: with("Content-Disposition", `attachment; filename="a.html"`), body: page}, want: inject.ReasonAttachment},
		{name: "attachment upper case", resp: responseCase{header: with("Content-Disposition", `ATTACHMENT`), body: page}, want: inject.ReasonAttachment},
		{name: "event stream", resp: responseCase{header: map[string]string{"Content-Type": "text/event-stream"}, body: "data: <head>\n\n"}, want: inject.ReasonEventStream},
		{name: "json", resp: responseCase{header: map[string]string{"Content-Type": "application/json"}, body: `{"a":"<head>"}`}, want: inject.ReasonContentType},
		{name: "xhtml", resp: responseCase{header: map[string]string{"Content-Type": "application/xhtml+xml"}, body: page}, want: inject.ReasonContentType},
		{name: "empty Content-Type", resp: responseCase{header: map[string]string{"Content-Type": ""}, body: page}, want: inject.ReasonContentType},
		{name: "sniffed plain text", resp: responseCase{body: "just text <head> here"}, want: inject.ReasonContentType},
		{name: "sniffed xml", resp: responseCase{body: `<?xml version="1.0"?><rss><head></head></rss>`}, want: inject.ReasonContentType},
		{name: "sniffed BOM", resp: responseCase{body: "\xef\xbb\xbf" + page}, want: inject.ReasonContentType},
		{name: "utf-16", resp: responseCase{header: map[string]string{"Content-Type": "text/html; charset=UTF-16LE"}, body: page}, want: inject.ReasonEncoding},
		{name: "utf-16 quoted", resp: responseCase{header: map[string]string{"Content-Type": `text/html;charset="utf-16"`}, body: page}, want: inject.ReasonEncoding},
		{name: "no-transform", resp: responseCase{header: with("Cache-Control", "private, no-transform"), body: page}, want: inject.ReasonNoTransform},
		{name: "public", resp: responseCase{header: with("Cache-Control", "public"), body: page}, want: inject.ReasonCacheable},
		{name: "s-maxage", resp: responseCase{header: with("Cache-Control", "s-maxage=60"), body: page}, want: inject.ReasonCacheable},
		{name: "max-age", resp: responseCase{header: with("Cache-Control", "max-age=600"), body: page}, want: inject.ReasonCacheable},
		{name: "max-age quoted", resp: responseCase{header: with("Cache-Control", `max-age="600"`), body: page}, want: inject.ReasonCacheable},
		{name: "private field list is still shared", resp: responseCase{header: with("Cache-Control", `private="Set-Cookie", max-age=60`), body: page}, want: inject.ReasonCacheable},
		{name: "Surrogate-Control", resp: responseCase{header: with("Surrogate-Control", "max-age=3600"), body: page}, want: inject.ReasonCacheable},
		{name: "CDN-Cache-Control", resp: responseCase{header: with("Cdn-Cache-Control", "max-age=60", "Cache-Control", "no-store"), body: page}, want: inject.ReasonCacheable},
		{name: "Expires in the future", resp: responseCase{header: with("Expires", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)), body: page}, want: inject.ReasonCacheable},
		{name: "Content-Length zero", resp: responseCase{header: with("Content-Length", "0")}, want: inject.ReasonEmpty, wantLen: true},
		{name: "no body", resp: responseCase{header: html}, want: inject.ReasonEmpty},
		{name: "nothing at all", resp: responseCase{}, want: inject.ReasonEmpty},
		{name: "fragment body", resp: responseCase{header: html, body: "<div>partial</div>"}, want: inject.ReasonFragment},
		{name: "no span", resp: responseCase{header: html, body: page}, opts: []inject.Option{inject.WithSource(tracecontext.SourceFunc(func(context.Context) (tracecontext.SpanContext, bool) {
			return tracecontext.SpanContext{}, false
		}))}, want: inject.ReasonNoSpan},
		{name: "invalid Content-Length", resp: responseCase{header: with("Content-Length", "12x"), body: page}, want: inject.ReasonFailed},
		{name: "lookahead", resp: responseCase{header: html, body: "<!--" + strings.Repeat("x", 100<<10) + "-->" + page}, opts: []inject.Option{inject.WithLookahead(1 << 10)}, want: inject.ReasonLookahead},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := tt.method
			if method == "" {
				method = http.MethodGet
			}
			newReq := func() *http.Request {
				r := httptest.NewRequest(method, "/", nil)
				for k, v := range tt.reqHdr {
					r.Header.Set(k, v)
				}
				return r
			}
			bare := httptest.NewRecorder()
			tt.resp.handler().ServeHTTP(bare, newReq())

			var s skips
			opts := append([]inject.Option{inject.WithSkipHook(s.hook)}, tt.opts...)
			got := serve(t, tt.resp.handler(), newReq(), opts...)

			assert.Equal(t, bare.Code, got.Code, "status")
			assert.Equal(t, bare.Header(), got.Header(), "headers")
			assert.Equal(t, bare.Body.String(), got.Body.String(), "body")
			assert.Equal(t, []inject.Reason{tt.want}, s.get())
			if tt.wantLen {
				assert.NotEmpty(t, got.Header().Get("Content-Length"))
			}
		})
	}
}

// TestSharedCacheable checks the default cache policy on its own.
func TestSharedCacheable(t *testing.T) {
	tests := []struct {
		name   string
		header http.Header
		want   bool
	}{
		{name: "none", header: http.Header{}, want: false},
		{name: "public", header: http.Header{"Cache-Control": {"public"}}, want: true},
		{name: "PUBLIC spaced", header: http.Header{"Cache-Control": {" PUBLIC , max-age=0"}}, want: true},
		{name: "s-maxage zero", header: http.Header{"Cache-Control": {"s-maxage=0"}}, want: true},
		{name: "max-age", header: http.Header{"Cache-Control": {"max-age=1"}}, want: true},
		{name: "max-age huge", header: http.Header{"Cache-Control": {"max-age=99999999999999999999999"}}, want: true},
		{name: "max-age zero", header: http.Header{"Cache-Control": {"max-age=0"}}, want: false},
		{name: "max-age invalid", header: http.Header{"Cache-Control": {"max-age=abc"}}, want: false},
		{name: "private", header: http.Header{"Cache-Control": {"private, max-age=60"}}, want: false},
		{name: "no-store", header: http.Header{"Cache-Control": {"public, no-store"}}, want: false},
		{name: "two header lines", header: http.Header{"Cache-Control": {"no-cache", "max-age=60"}}, want: true},
		{name: "Surrogate-Control no-store", header: http.Header{"Surrogate-Control": {"no-store, max-age=60"}}, want: false},
		{name: "Surrogate-Control zero", header: http.Header{"Surrogate-Control": {"max-age=0"}}, want: false},
		{name: "CDN-Cache-Control", header: http.Header{"Cdn-Cache-Control": {"public"}}, want: true},
		{name: "Expires future", header: http.Header{"Expires": {time.Now().Add(time.Minute).UTC().Format(http.TimeFormat)}}, want: true},
		{name: "Expires future but private", header: http.Header{"Cache-Control": {"private"}, "Expires": {time.Now().Add(time.Minute).UTC().Format(http.TimeFormat)}}, want: false},
		{name: "Expires past", header: http.Header{"Expires": {"Thu, 01 Jan 1970 00:00:00 GMT"}}, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, inject.SharedCacheable(tt.header))
		})
	}
}
