package inject_test

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/tracemeta/tracemeta/inject"
)

// benchPages are 100 KB pages, built once.
var benchPages = func() []struct{ name, data string } {
	const size = 100 << 10
	body := func(b *strings.Builder) {
		for b.Len() < size-200 {
			b.WriteString("<article class=\"post\"><h2><a href=\"/posts/42\">A post about streaming HTML</a></h2>\n" +
				"<p>Lorem ipsum dolor sit amet, <em>consectetur</em> adipiscing elit &mdash; sed do eiusmod tempor.</p>\n" +
				"<!-- post footer --><footer data-id=\"42\">caf\u00e9 \u65e5\u672c</footer></article>\n")
		}
		b.WriteString("</main></body></html>\n")
	}
	var head, noHead, prologue, fragment strings.Builder
	head.WriteString("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width\">\n<title>Blog</title>\n<link rel=\"stylesheet\" href=\"/app.css\">\n</head>\n<body><main>\n")
	body(&head)
	noHead.WriteString("<!DOCTYPE html>\n<html lang=\"en\">\n<body><main>\n")
	body(&noHead)
	prologue.WriteString("<!DOCTYPE html>\n<!--\n")
	for prologue.Len() < 70<<10 {
		prologue.WriteString("  Licensed under the Apache License, Version 2.0: see LICENSE -- all rights reserved.\n")
	}
	prologue.WriteString("-->\n<html><head><title>t</title></head><body><main>\n")
	body(&prologue)
	fragment.WriteString("<main>\n")
	body(&fragment)
	return []struct{ name, data string }{
		{"head", head.String()},                   // <head> near the start
		{"no-head-tag", noHead.String()},          // the implied head: before <body>
		{"no-head-within-cap", prologue.String()}, // a 70 KB comment first: the whole lookahead is scanned
		{"fragment", fragment.String()},           // decided on the first tag
	}
}()

// benchSink copies what it is given into a buffer it reuses, as a socket's
// buffer would: a write costs a memcpy.
type benchSink struct{ buf []byte }

func (s *benchSink) Write(p []byte) (int, error) {
	if len(p) > len(s.buf) {
		s.buf = make([]byte, len(p))
	}
	return copy(s.buf, p), nil
}

// readOnlyReader hides the WriterTo of a bytes.Reader, so that io.Copy copies
// through a buffer, as from a file or a template engine.
type readOnlyReader struct{ io.Reader }

// BenchmarkWriter compares the Writer with io.Copy of the same 100 KB page
// to the same benchSink: "copy" is io.Copy(benchSink, page), "writer" is io.Copy(w,
// page) through a reused Writer, "write-32k" are Write calls of 32 KiB,
// plain and through the Writer.
//
//	go test -run '^$' -bench BenchmarkWriter -benchmem -count 5 ./inject/
func BenchmarkWriter(b *testing.B) {
	tags := []byte(testTags)
	for _, page := range benchPages {
		data := []byte(page.data)
		b.Run("page="+page.name+"/via=io.Copy/impl=plain", func(b *testing.B) {
			dst := &benchSink{buf: make([]byte, 64<<10)}
			// The Writer reads through a buffer it keeps; so does the
			// baseline, not to count io.Copy's allocation against it.
			buf := make([]byte, 32<<10)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := io.CopyBuffer(dst, readOnlyReader{bytes.NewReader(data)}, buf); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("page="+page.name+"/via=io.Copy/impl=writer", func(b *testing.B) {
			dst := &benchSink{buf: make([]byte, 64<<10)}
			w := inject.NewWriter(dst, tags)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				w.Reset(dst, tags)
				if _, err := io.Copy(w, readOnlyReader{bytes.NewReader(data)}); err != nil {
					b.Fatal(err)
				}
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("page="+page.name+"/via=Write-32k/impl=plain", func(b *testing.B) {
			dst := &benchSink{buf: make([]byte, 64<<10)}
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				for p := data; len(p) > 0; {
					n := min(len(p), 32<<10)
					if _, err := dst.Write(p[:n]); err != nil {
						b.Fatal(err)
					}
					p = p[n:]
				}
			}
		})
		b.Run("page="+page.name+"/via=Write-32k/impl=writer", func(b *testing.B) {
			dst := &benchSink{buf: make([]byte, 64<<10)}
			w := inject.NewWriter(dst, tags)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				w.Reset(dst, tags)
				for p := data; len(p) > 0; {
					n := min(len(p), 32<<10)
					if _, err := w.Write(p[:n]); err != nil {
						b.Fatal(err)
					}
					p = p[n:]
				}
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkWriterPassThrough is one Write after the decision, against the
// same Write to dst directly.
func BenchmarkWriterPassThrough(b *testing.B) {
	chunk := bytes.Repeat([]byte("<p>x</p>\n"), 512)
	b.Run("impl=plain", func(b *testing.B) {
		dst := &benchSink{buf: make([]byte, len(chunk))}
		b.SetBytes(int64(len(chunk)))
		b.ReportAllocs()
		for b.Loop() {
			_, _ = dst.Write(chunk)
		}
	})
	b.Run("impl=writer", func(b *testing.B) {
		dst := &benchSink{buf: make([]byte, len(chunk))}
		w := inject.NewWriter(dst, []byte(testTags))
		_, _ = w.Write([]byte("<!doctype html><head><title>"))
		b.SetBytes(int64(len(chunk)))
		b.ReportAllocs()
		for b.Loop() {
			_, _ = w.Write(chunk)
		}
	})
}

// BenchmarkWriterScan is the cost of finding the insertion point of a
// typical head, to an io.Discard: what the Writer adds to a page's copy.
func BenchmarkWriterScan(b *testing.B) {
	head := []byte("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Blog</title>\n")
	tags := []byte(testTags)
	w := inject.NewWriter(io.Discard, tags)
	b.SetBytes(int64(len(head)))
	b.ReportAllocs()
	for b.Loop() {
		w.Reset(io.Discard, tags)
		_, _ = w.Write(head)
	}
}

// BenchmarkNewWriter is the fixed cost of one small response: a new Writer,
// a 2 KB page in one Write, Close. Against "copy", the same Write to dst.
func BenchmarkNewWriter(b *testing.B) {
	var page bytes.Buffer
	page.WriteString("<!DOCTYPE html>\n<html lang=\"en\" class=\"no-js\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>A small page</title>\n</head>\n<body>\n")
	for page.Len() < 2<<10-20 {
		page.WriteString("<p>Lorem ipsum dolor sit amet.</p>\n")
	}
	page.WriteString("</body></html>\n")
	data := page.Bytes()
	tags := []byte(testTags)
	b.Run("impl=copy", func(b *testing.B) {
		dst := &benchSink{buf: make([]byte, 4<<10)}
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			_, _ = dst.Write(data)
		}
	})
	b.Run("impl=writer", func(b *testing.B) {
		dst := &benchSink{buf: make([]byte, 4<<10)}
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			w := inject.NewWriter(dst, tags)
			_, _ = w.Write(data)
			_ = w.Close()
		}
	})
}
