package inject_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/tracemeta/tracemeta/inject"
)

// FuzzMiddleware writes arbitrary bodies through the middleware in
// arbitrary writes, with or without Content-Type, Content-Length and a
// flush: the response is the body with the tags inserted once or the body
// untouched, never anything else, and a Content-Length sent is its length.
func FuzzMiddleware(f *testing.F) {
	f.Add([]byte(page), uint8(7), uint8(0), uint8(0))
	f.Add([]byte(page), uint8(1), uint8(3), uint8(40))
	f.Add([]byte("<div>fragment</div>"), uint8(3), uint8(1), uint8(0))
	f.Add([]byte("\xef\xbb\xbf<html><head></head></html>"), uint8(2), uint8(2), uint8(5))
	f.Add([]byte("<!-- <head> --><head><title>x</title>"), uint8(5), uint8(3), uint8(17))
	f.Add([]byte("plain text"), uint8(4), uint8(0), uint8(0))
	tags := []byte(tagsFor(testSpan(1)))
	f.Fuzz(func(t *testing.T, body []byte, size, mode, flushAt uint8) {
		h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			if mode&1 != 0 {
				w.Header().Set("Content-Type", "text/html")
			}
			if mode&2 != 0 {
				w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			}
			step := int(size%64) + 1
			for i := 0; i < len(body); i += step {
				if flushAt != 0 && i/step == int(flushAt%16) {
					w.(http.Flusher).Flush()
				}
				if _, err := w.Write(body[i:min(i+step, len(body))]); err != nil {
					t.Fatalf("write: %v", err)
				}
			}
		})
		var s skips
		rec := httptest.NewRecorder()
		withSpan(testSpan(1), inject.Middleware(inject.WithSkipHook(s.hook))(h)).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		got := rec.Body.Bytes()
		if len(s.get()) == 0 {
			i := bytes.Index(got, tags)
			if i < 0 || bytes.Count(got, tags) != bytes.Count(body, tags)+1 {
				t.Fatalf("injected, but the tags are not there once more than in the body: %q", got)
			}
			if rest := append(got[:i:i], got[i+len(tags):]...); !bytes.Equal(rest, body) {
				t.Fatalf("output minus the tags differs from the body:\n got %q\nwant %q", rest, body)
			}
		} else if !bytes.Equal(got, body) {
			t.Fatalf("skipped (%v) but changed:\n got %q\nwant %q", s.get(), got, body)
		}
		if cl := rec.Header().Get("Content-Length"); cl != "" && cl != strconv.Itoa(len(got)) {
			t.Fatalf("Content-Length %s, body %d bytes", cl, len(got))
		}
	})
}
