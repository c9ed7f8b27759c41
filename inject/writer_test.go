package inject_test

import (
	"bytes"
	"context"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/inject"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// goldenTest is a document and what the Writer must make of it. In want,
// "@@" stands for the tags; a want without "@@" means skipped with reason.
type goldenTest struct {
	name   string
	in     string
	want   string
	reason inject.Reason
}

var goldenTests = []goldenTest{
	// After <head>.
	{name: "head", in: "<!doctype html><html><head><title>x</title></head><body>y</body></html>", want: "<!doctype html><html><head>@@<title>x</title></head><body>y</body></html>"},
	{name: "upper case", in: "<!DOCTYPE HTML><HTML><HEAD><TITLE>x</TITLE>", want: "<!DOCTYPE HTML><HTML><HEAD>@@<TITLE>x</TITLE>"},
	{name: "mixed case", in: "<!DocType html><Html><hEaD><title>", want: "<!DocType html><Html><hEaD>@@<title>"},
	{name: "head attributes", in: `<html><head lang="en" data-x='1'><title>`, want: `<html><head lang="en" data-x='1'>@@<title>`},
	{name: "quoted > in head attributes", in: `<html><head data-a="a>b" data-b='<head>'><title>`, want: `<html><head data-a="a>b" data-b='<head>'>@@<title>`},
	{name: "unquoted attribute", in: `<html><head data-a=x/><title>`, want: `<html><head data-a=x/>@@<title>`},
	{name: "newline in head tag", in: "<html><head\n>\n<title>", want: "<html><head\n>\n@@<title>"},
	{name: "self-closing head", in: "<html><head/><title>", want: "<html><head/>@@<title>"},
	{name: "head without html", in: "<head><title>x</title>", want: "<head>@@<title>x</title>"},
	{name: "head at end", in: "<!doctype html><html><head>", want: "<!doctype html><html><head>@@"},
	{name: "empty head", in: "<!doctype html><head></head><body>", want: "<!doctype html><head>@@</head><body>"},
	{name: "header is not head", in: "<!doctype html><html><header>h</header>", want: "<!doctype html><html>@@<header>h</header>"},
	{name: "heading is not head", in: "<!doctype html><html><heading><head>", want: "<!doctype html><html>@@<heading><head>"},
	{name: "headx is not head", in: "<!doctype html><headx><head>", want: "<!doctype html>@@<headx><head>"},
	{name: "whitespace before everything", in: "\n\n  <!doctype html>\n<html>\n<head>\n<title>", want: "\n\n  <!doctype html>\n<html>\n<head>\n@@<title>"},

	// After the charset metas that follow <head>.
	{name: "meta charset", in: `<!doctype html><head><meta charset="utf-8"><title>`, want: `<!doctype html><head><meta charset="utf-8">@@<title>`},
	{name: "meta charset upper case", in: `<HEAD><META CHARSET=UTF-8><TITLE>`, want: `<HEAD><META CHARSET=UTF-8>@@<TITLE>`},
	{name: "meta http-equiv", in: `<head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><title>`, want: `<head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">@@<title>`},
	{name: "metas, whitespace and comments", in: "<head>\n  <!-- enc -->\n  <meta charset=utf-8>\n  <meta http-equiv=X-UA-Compatible content=\"IE=edge\">\n  <meta name=viewport content=width=device-width>\n",
		want: "<head>\n  <!-- enc -->\n  <meta charset=utf-8>\n  <meta http-equiv=X-UA-Compatible content=\"IE=edge\">\n  @@<meta name=viewport content=width=device-width>\n"},
	{name: "self-closing meta charset", in: `<head><meta charset="utf-8" /><link rel=icon>`, want: `<head><meta charset="utf-8" />@@<link rel=icon>`},
	{name: "other meta first", in: `<head><meta name="viewport"><meta charset="utf-8">`, want: `<head>@@<meta name="viewport"><meta charset="utf-8">`},
	{name: "charset in a value only", in: `<head><meta name="charset" content="charset"><title>`, want: `<head>@@<meta name="charset" content="charset"><title>`},
	{name: "charset attribute on another tag", in: `<head><script charset=utf-8 src=a.js></script>`, want: `<head>@@<script charset=utf-8 src=a.js></script>`},
	{name: "meta charset then end", in: `<head><meta charset=utf-8>`, want: `<head><meta charset=utf-8>@@`},
	{name: "meta charset then end tag", in: `<head><meta charset=utf-8></head>`, want: `<head><meta charset=utf-8>@@</head>`},
	{name: "meta charset then text", in: `<head><meta charset=utf-8>text`, want: `<head><meta charset=utf-8>@@text`},
	{name: "meta with > in a value", in: `<head><meta charset=utf-8 data-x="a>b"><title>`, want: `<head><meta charset=utf-8 data-x="a>b">@@<title>`},
	{name: "doctype in head is skipped over", in: `<head><!doctype html><meta charset=utf-8><title>`, want: `<head><!doctype html><meta charset=utf-8>@@<title>`},

	// Without <head>: before the first token of the implied head.
	{name: "title first", in: "<!doctype html><title>x</title>", want: "<!doctype html>@@<title>x</title>"},
	{name: "title without doctype", in: "<title>x</title><p>y", want: "@@<title>x</title><p>y"},
	{name: "script first", in: "<script>var h = '<head>';</script><p>", want: "@@<script>var h = '<head>';</script><p>"},
	{name: "style first", in: "<style>p{}</style>", want: "@@<style>p{}</style>"},
	{name: "link first", in: "<link rel=stylesheet href=a.css>", want: "@@<link rel=stylesheet href=a.css>"},
	{name: "base first", in: "<base href=/>", want: "@@<base href=/>"},
	{name: "noscript first", in: "<noscript><p>js</p></noscript>", want: "@@<noscript><p>js</p></noscript>"},
	{name: "template first", in: "<template><p></template>", want: "@@<template><p></template>"},
	{name: "meta first", in: `<meta name=description content=x><title>`, want: `@@<meta name=description content=x><title>`},
	{name: "meta charset first", in: `<meta charset=utf-8><title>x</title>`, want: `<meta charset=utf-8>@@<title>x</title>`},
	{name: "meta charset then a late head", in: `<meta charset=utf-8><head lang=en><title>`, want: `<meta charset=utf-8>@@<head lang=en><title>`},
	{name: "charset metas in a row, implied head", in: "<html><meta charset=utf-8>\n<!--x--><META HTTP-EQUIV=X-UA-Compatible content=IE=edge><link rel=icon>", want: "<html><meta charset=utf-8>\n<!--x--><META HTTP-EQUIV=X-UA-Compatible content=IE=edge>@@<link rel=icon>"},
	{name: "meta charset after html", in: "<!doctype html>\n<html lang=en>\n<meta charset=utf-8>\n<title>", want: "<!doctype html>\n<html lang=en>\n<meta charset=utf-8>\n@@<title>"},
	{name: "body after html", in: "<!doctype html><html><body><p>", want: "<!doctype html><html>@@<body><p>"},
	{name: "div after doctype", in: "<!doctype html><div>", want: "<!doctype html>@@<div>"},
	{name: "text after doctype", in: "<!doctype html>hello", want: "<!doctype html>@@hello"},
	{name: "whitespace then text", in: "<!doctype html>\n  hello", want: "<!doctype html>\n  @@hello"},
	{name: "text after html", in: "<html>\n\t\f\r hi", want: "<html>\n\t\f\r @@hi"},
	{name: "NUL text", in: "<html>\x00<head>", want: "<html>@@\x00<head>"},
	{name: "lone < is text", in: "<!doctype html>< head>", want: "<!doctype html>@@< head>"},
	{name: "<1 is text", in: "<!doctype html><1><head>", want: "<!doctype html>@@<1><head>"},
	{name: "<< then head", in: "<!doctype html><<head>", want: "<!doctype html>@@<<head>"},
	{name: "end head first", in: "<!doctype html></head><body>", want: "<!doctype html>@@</head><body>"},
	{name: "end body first", in: "<html></body>", want: "<html>@@</body>"},
	{name: "end br first", in: "<html></br>", want: "<html>@@</br>"},
	{name: "other end tags are ignored", in: "<!doctype html></p></div ><head>", want: "<!doctype html></p></div ><head>@@"},
	{name: "html twice", in: "<html><html lang=x><head>", want: "<html><html lang=x><head>@@"},
	{name: "frameset", in: "<!doctype html><frameset>", want: "<!doctype html>@@<frameset>"},
	{name: "svg after doctype", in: "<!doctype html><svg><head/></svg>", want: "<!doctype html>@@<svg><head/></svg>"},
	{name: "html then end of input", in: "<!doctype html>\n<html>\n", want: "<!doctype html>\n<html>\n@@"},
	{name: "doctype then end of input", in: "<!doctype html>", want: "<!doctype html>@@"},
	{name: "tag cut short at the end", in: "<!doctype html><html><head lang=\"en", want: "<!doctype html><html>@@<head lang=\"en"},
	{name: "lone < at the end", in: "<!doctype html><", want: "<!doctype html>@@<"},
	{name: "</ at the end", in: "<html></", want: "<html>@@</"},
	{name: "<! at the end", in: "<html><!", reason: inject.ReasonEmpty},
	{name: "<!- at the end", in: "<html><!-", reason: inject.ReasonEmpty},
	{name: "<!DOC at the end", in: "<html><!DOC", reason: inject.ReasonEmpty},

	// Never inside comments, doctypes, attribute values, raw text.
	{name: "head in a comment", in: "<!doctype html><!-- <head> --><html><head>", want: "<!doctype html><!-- <head> --><html><head>@@"},
	{name: "conditional comments", in: "<!DOCTYPE html>\n<!--[if lt IE 9]><html class=\"ie\"><head><![endif]-->\n<!--[if gt IE 8]><!--><html><!--<![endif]-->\n<head>\n", want: "<!DOCTYPE html>\n<!--[if lt IE 9]><html class=\"ie\"><head><![endif]-->\n<!--[if gt IE 8]><!--><html><!--<![endif]-->\n<head>\n@@"},
	{name: "abrupt comments", in: "<!--><!---><!----><head>", want: "<!--><!---><!----><head>@@"},
	{name: "comment ended by --!>", in: "<!-- <head> --!><head>", want: "<!-- <head> --!><head>@@"},
	{name: "comment not ended by -- >", in: "<!doctype html><!-- -- ><head> -->x", want: "<!doctype html><!-- -- ><head> -->@@x"},
	{name: "comment not ended by <!--!>", in: "<!doctype html><!--!><head>-->x", want: "<!doctype html><!--!><head>-->@@x"},
	{name: "dashes in a comment", in: "<!doctype html><!-- a - b -- c --- d ---><head>", want: "<!doctype html><!-- a - b -- c --- d ---><head>@@"},
	{name: "bogus comment", in: "<!doctype html><!head><head>", want: "<!doctype html><!head><head>@@"},
	{name: "xml declaration", in: `<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE html><html xmlns="http://www.w3.org/1999/xhtml"><head>`, want: `<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE html><html xmlns="http://www.w3.org/1999/xhtml"><head>@@`},
	{name: "processing instruction with head", in: "<!doctype html><?php echo '<head>' ?><head>", want: "<!doctype html><?php echo '<head>@@' ?><head>"},
	{name: "CDATA is a bogus comment", in: "<!doctype html><![CDATA[<head>]]><head>", want: "<!doctype html><![CDATA[<head>@@]]><head>"},
	{name: "end tag-like bogus comment", in: "<!doctype html></ head><head>", want: "<!doctype html></ head><head>@@"},
	{name: "</> is nothing", in: "<!doctype html></><head>", want: "<!doctype html></><head>@@"},
	{name: "doctype with quoted >", in: `<!DOCTYPE html PUBLIC "a>b"><head>`, want: `<!DOCTYPE html PUBLIC "a>@@b"><head>`},
	{name: "XHTML doctype", in: `<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">` + "\n" + `<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en"><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8" />`,
		want: `<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">` + "\n" + `<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en"><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8" />@@`},
	{name: "doctype without space", in: "<!DOCTYPEhtml><head>", want: "<!DOCTYPEhtml><head>@@"},
	{name: "head in an html attribute", in: `<html data-h="<head>" data-i='<head>' data-j=<head>><head>`, want: `<html data-h="<head>" data-i='<head>' data-j=<head>@@><head>`},
	{name: "unquoted value ends at >", in: "<html a=b>c><head>", want: "<html a=b>@@c><head>"},
	{name: "attribute name with quote", in: `<html "a=">"><head>`, want: `<html "a=">"><head>@@`},
	{name: "equals first in attribute name", in: `<html =a=">"><head>`, want: `<html =a=">"><head>@@`},
	{name: "slash in attributes", in: `<html / a / b=c/ /><head>`, want: `<html / a / b=c/ /><head>@@`},
	{name: "script before head", in: "<!doctype html><script>document.write('<head>')</script><head>", want: "<!doctype html>@@<script>document.write('<head>')</script><head>"},
	{name: "textarea before head", in: "<!doctype html><textarea><head></textarea>", want: "<!doctype html>@@<textarea><head></textarea>"},
	{name: "title before head", in: "<html><title><head></title><head>", want: "<html>@@<title><head></title><head>"},
	{name: "head with NUL in name", in: "<html><head\x00><head>", want: "<html>@@<head\x00><head>"},
	{name: "html in the head lookahead", in: "<head><html lang=x><meta charset=utf-8>", want: "<head>@@<html lang=x><meta charset=utf-8>"},
	{name: "many attributes", in: "<html" + strings.Repeat(" a=1 b='2' c=\"3\"", 200) + "><head>", want: "<html" + strings.Repeat(" a=1 b='2' c=\"3\"", 200) + "><head>@@"},
	{name: "head twice", in: "<head><head><title>", want: "<head>@@<head><title>"},
	{name: "long tag name", in: "<html><" + strings.Repeat("h", 300) + "><head>", want: "<html>@@<" + strings.Repeat("h", 300) + "><head>"},

	// Byte order marks.
	{name: "UTF-8 BOM stays first", in: "\uFEFF<!doctype html><head><title>", want: "\uFEFF<!doctype html><head>@@<title>"},
	{name: "UTF-8 BOM then title", in: "\uFEFF<title>x", want: "\uFEFF@@<title>x"},
	{name: "UTF-8 BOM only", in: "\uFEFF", reason: inject.ReasonEmpty},
	{name: "UTF-16LE BOM", in: "\xFF\xFE<\x00h\x00t\x00m\x00l\x00>\x00", reason: inject.ReasonEncoding},
	{name: "UTF-16BE BOM", in: "\xFE\xFF\x00<\x00h\x00t\x00m\x00l\x00>", reason: inject.ReasonEncoding},
	{name: "UTF-32LE BOM", in: "\xFF\xFE\x00\x00<\x00\x00\x00", reason: inject.ReasonEncoding},
	{name: "half a BOM", in: "\xEF\xBB<html><head>", reason: inject.ReasonFragment},
	{name: "not a BOM", in: "\xFF<html><head>", reason: inject.ReasonFragment},

	// Fragments and plain text.
	{name: "div fragment", in: `<div id="writeResult">ok</div>`, reason: inject.ReasonFragment},
	{name: "htmx partial with head inside", in: "<tr><td><head></td></tr>", reason: inject.ReasonFragment},
	{name: "plain text", in: "hello <head>", reason: inject.ReasonFragment},
	{name: "JSON", in: `{"html":"<head>"}`, reason: inject.ReasonFragment},
	{name: "whitespace then fragment", in: "\n  <p>x</p>", reason: inject.ReasonFragment},
	{name: "comment then fragment", in: "<!-- c --><span>x</span><head>", reason: inject.ReasonFragment},
	{name: "body first", in: "<body><p>x", reason: inject.ReasonFragment},
	{name: "end tag first", in: "</div><head>", reason: inject.ReasonFragment},
	{name: "end head first", in: "</head><head>", reason: inject.ReasonFragment},
	{name: "svg first", in: "<svg><head/></svg>", reason: inject.ReasonFragment},
	{name: "lone < first", in: "< head>", reason: inject.ReasonFragment},
	{name: "< at the end, no document", in: "<", reason: inject.ReasonFragment},
	{name: "rss feed", in: `<?xml version="1.0"?><rss version="2.0"><channel><head>`, reason: inject.ReasonFragment},

	// Nothing to decide on.
	{name: "empty", in: "", reason: inject.ReasonEmpty},
	{name: "whitespace", in: " \n\t", reason: inject.ReasonEmpty},
	{name: "comment", in: "<!-- just a comment -->", reason: inject.ReasonEmpty},
	{name: "comment cut short", in: "<!doctype html><!-- <head>", reason: inject.ReasonEmpty},
	{name: "doctype cut short", in: "<!doctype html", reason: inject.ReasonEmpty},
	{name: "html tag cut short", in: "<!doctype html><html lang=", want: "<!doctype html>@@<html lang="},
	{name: "tag cut short, no document", in: "<he", reason: inject.ReasonEmpty},
}

func expandTags(want string) string { return strings.ReplaceAll(want, "@@", testTags) }

func TestWriterGolden(t *testing.T) {
	for _, tt := range goldenTests {
		t.Run(tt.name, func(t *testing.T) {
			res := writeWhole(t, tt.in, inject.WithContentType("text/html; charset=utf-8"))
			if tt.want == "" {
				assert.Equal(t, inject.StatusSkipped, res.status)
				assert.Equal(t, tt.reason, res.reason)
				assert.Equal(t, tt.in, res.out)
			} else {
				assert.Equal(t, inject.StatusInjected, res.status, "reason %v", res.reason)
				assert.Equal(t, expandTags(tt.want), res.out)
			}
			checkInvariants(t, tt.in, res)
		})
	}
}

// prescanTests are documents served without a charset in the Content-Type:
// the tags never push a charset meta out of the first 1024 bytes, which the
// browser's prescan reads.
var prescanTests = []goldenTest{
	// The prescan reads the title's or style's text; its end tag cut short by
	// the end of the input stays text, with the tags it would have after it.
	{name: "title's end tag cut short", in: "<!doctype html><title>t</title ", reason: inject.ReasonEmpty},
	{name: "style's end tag cut short", in: "<!doctype html><style>p{}</STYLE", reason: inject.ReasonEmpty},
	{name: "charset right after head", in: `<head><meta charset="utf-8"><title>x</title>`, want: `<head><meta charset="utf-8">@@<title>x</title>`},
	{name: "charset after viewport and title", in: `<head><meta name=viewport content=width=device-width><title>Shop</title><meta charset=utf-8><script src=a.js></script>`,
		want: `<head><meta name=viewport content=width=device-width><title>Shop</title><meta charset=utf-8>@@<script src=a.js></script>`},
	{name: "charset after a licence comment, a link and a style", in: "<!doctype html><html><head><!--" + strings.Repeat("licence ", 100) + "--><link rel=icon href=a.ico><style>p{}</style>\n<META HTTP-EQUIV=Content-Type CONTENT=\"text/html; charset=iso-8859-1\"><body>",
		want: "<!doctype html><html><head><!--" + strings.Repeat("licence ", 100) + "--><link rel=icon href=a.ico><style>p{}</style>\n<META HTTP-EQUIV=Content-Type CONTENT=\"text/html; charset=iso-8859-1\">@@<body>"},
	{name: "title text with markup", in: `<head><title>a </titl> <b> </title <meta charset=x></title><meta charset=utf-8><p>`, want: `<head><title>a </titl> <b> </title <meta charset=x></title><meta charset=utf-8>@@<p>`},
	{name: "title end tag in upper case", in: `<head><TITLE>x</TITLE ><meta charset=utf-8><p>`, want: `<head><TITLE>x</TITLE ><meta charset=utf-8>@@<p>`},
	{name: "no charset: before the end of the head", in: `<head><title>x</title><link rel=a></head><body>`, want: `<head><title>x</title><link rel=a>@@</head><body>`},
	{name: "no charset: before a script", in: `<head><title>x</title><script>Sentry.init()</script><meta charset=utf-8>`, want: `<head><title>x</title>@@<script>Sentry.init()</script><meta charset=utf-8>`},
	{name: "implied head", in: `<!doctype html><meta name=viewport><meta charset=utf-8><title>`, want: `<!doctype html><meta name=viewport><meta charset=utf-8>@@<title>`},
	{name: "past 1024 bytes the tags go in", in: "<head><!--" + strings.Repeat("x", 1100) + "--><title>x</title><meta charset=utf-8>", want: "<head><!--" + strings.Repeat("x", 1100) + "-->@@<title>x</title><meta charset=utf-8>"},
	{name: "a byte order mark decides", in: "\xEF\xBB\xBF<head><title>x</title><meta charset=utf-8>", want: "\xEF\xBB\xBF<head>@@<title>x</title><meta charset=utf-8>"},
	{name: "unfinished title", in: `<head><title>x`, reason: inject.ReasonEmpty},
}

// TestWriterPrescan checks the placement of the tags in documents served
// without a charset, against the expected output and against
// x/net/html/charset: the encoding the browser finds is the same.
func TestWriterPrescan(t *testing.T) {
	for _, tt := range prescanTests {
		t.Run(tt.name, func(t *testing.T) {
			res := writeWhole(t, tt.in)
			if tt.want == "" {
				assert.Equal(t, inject.StatusSkipped, res.status)
				assert.Equal(t, tt.reason, res.reason)
				assert.Equal(t, tt.in, res.out)
				return
			}
			assert.Equal(t, inject.StatusInjected, res.status, "reason %v", res.reason)
			assert.Equal(t, expandTags(tt.want), res.out)
			checkInvariants(t, tt.in, res)
			assert.Equal(t, encodingName([]byte(tt.in)), encodingName([]byte(res.out)))
			for split := range len(tt.in) + 1 {
				require.Equal(t, res, runWriter(t, tt.in, []int{split}, true), "flushed at %d", split)
			}
		})
	}
}

// TestWriterChunking checks that the output does not depend on how the
// input is split into writes.
func TestWriterChunking(t *testing.T) {
	inputs := goldenInputs()
	for _, doc := range corpusDocuments(t) {
		inputs = append(inputs, doc.data)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i, in := range inputs {
		want := writeWhole(t, in)
		if len(in) <= 512 {
			for split := 0; split <= len(in); split++ {
				got := runWriter(t, in, []int{split}, false)
				require.Equal(t, want, got, "input %d %q split at %d", i, in, split)
			}
			require.Equal(t, want, writeBytewise(t, in), "input %d %q written byte by byte", i, in)
		}
		for range 5 {
			chunks := randomChunks(rng, min(len(in), 4096))
			require.Equal(t, want, runWriter(t, in, chunks, false), "input %d split into %v", i, chunks)
		}
	}
}

// TestWriterChunkingFlush checks Flush between writes: it may only move the
// tags back to right after <head> (it cannot wait for a charset meta), and
// decides nothing else.
func TestWriterChunkingFlush(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i, in := range goldenInputs() {
		want := writeWhole(t, in)
		for range 20 {
			chunks := randomChunks(rng, len(in))
			got := runWriter(t, in, chunks, true)
			require.Equal(t, want.status, got.status, "input %d %q split into %v", i, in, chunks)
			require.Equal(t, want.reason, got.reason)
			checkInvariants(t, in, got)
			if got.out != want.out {
				k, _ := splitInsertion(in, got.out, testTags)
				wantK, _ := splitInsertion(in, want.out, testTags)
				require.Less(t, k, wantK, "a flush moves the tags before where they go without one")
			}
		}
	}
}

func goldenInputs() []string {
	var ins []string
	for _, tt := range goldenTests {
		ins = append(ins, tt.in)
	}
	return ins
}

func TestWriterLookahead(t *testing.T) {
	long := "<!--" + strings.Repeat("x", 100) + "-->"
	tests := []struct {
		name      string
		lookahead int
		in        string
		want      string
		reason    inject.Reason
	}{
		{name: "head within", lookahead: 64, in: "<!doctype html><html><head><title>", want: "<!doctype html><html><head>@@<title>"},
		{name: "head right at the end", lookahead: 27, in: "<!doctype html><html><head><title>", want: "<!doctype html><html><head>@@<title>"},
		{name: "head one byte past", lookahead: 26, in: "<!doctype html><html><head><title>", reason: inject.ReasonLookahead},
		{name: "long comment", lookahead: 64, in: "<!doctype html>" + long + "<head>", reason: inject.ReasonLookahead},
		{name: "long tag", lookahead: 64, in: `<html data-x="` + strings.Repeat("y", 100) + `"><head>`, reason: inject.ReasonLookahead},
		{name: "long whitespace", lookahead: 64, in: strings.Repeat(" ", 100) + "<head>", reason: inject.ReasonLookahead},
		{name: "after head, in a comment", lookahead: 64, in: "<head>" + long + "<meta charset=utf-8>", reason: inject.ReasonLookahead},
		{name: "after head, in a tag: insert before it", lookahead: 64, in: "<head><meta charset=utf-8><link href=\"" + long + "\">", want: "<head><meta charset=utf-8>@@<link href=\"" + long + "\">"},
		{name: "after head, in whitespace: insert there", lookahead: 64, in: "<head><meta charset=utf-8>" + strings.Repeat(" ", 100) + "<title>", want: "<head><meta charset=utf-8>" + strings.Repeat(" ", 64-26) + "@@" + strings.Repeat(" ", 100-64+26) + "<title>"},
		{name: "zero means the default", lookahead: 0, in: "<!doctype html>" + long + "<head>", want: "<!doctype html>" + long + "<head>@@"},
		{name: "negative means the default", lookahead: -1, in: "<!doctype html>" + long + "<head>", want: "<!doctype html>" + long + "<head>@@"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := []inject.WriterOption{inject.WithLookahead(tt.lookahead), inject.WithContentType("text/html; charset=utf-8")}
			for _, res := range []writeResult{writeWhole(t, tt.in, opts...), writeBytewise(t, tt.in, opts...)} {
				if tt.want == "" {
					assert.Equal(t, inject.StatusSkipped, res.status)
					assert.Equal(t, tt.reason, res.reason)
					assert.Equal(t, tt.in, res.out)
				} else {
					assert.Equal(t, inject.StatusInjected, res.status)
					assert.Equal(t, expandTags(tt.want), res.out)
				}
			}
		})
	}
}

// TestWriterHoldsLittle checks that the Writer forwards what it need not
// hold: everything but the token it is reading before the decision, and all
// from the insertion point after <head>.
func TestWriterHoldsLittle(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // what dst has after the write
	}{
		{name: "doctype and comment", in: "<!doctype html><!-- c -->", want: "<!doctype html><!-- c -->"},
		{name: "unfinished comment", in: "<!doctype html><!-- c", want: "<!doctype html><!-- c"},
		{name: "unfinished tag", in: "<!doctype html><html lang", want: "<!doctype html>"},
		{name: "html tag", in: "<!doctype html><html lang=en>\n", want: "<!doctype html><html lang=en>\n"},
		{name: "after head", in: "<html><head>\n<meta charset=utf-8>\n<!--", want: "<html><head>\n<meta charset=utf-8>\n<!--"},
		{name: "after head, in a tag", in: "<html><head>\n<meta charset=utf-8>\n<title", want: "<html><head>\n<meta charset=utf-8>\n"},
		{name: "partial BOM", in: "\xEF\xBB", want: ""},
		{name: "BOM", in: "\uFEFF<", want: "\uFEFF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var dst bytes.Buffer
			w := inject.NewWriter(&dst, []byte(testTags))
			n, err := w.Write([]byte(tt.in))
			require.NoError(t, err)
			require.Equal(t, len(tt.in), n)
			assert.Equal(t, tt.want, dst.String())
			assert.Equal(t, inject.StatusScanning, w.Status())
			require.NoError(t, w.Close())
			assert.Equal(t, tt.in, strings.Replace(dst.String(), testTags, "", 1))
		})
	}
}

func TestWriterFlush(t *testing.T) {
	t.Run("after head, sends every complete token and moves nothing", func(t *testing.T) {
		var dst recordingDst
		w := inject.NewWriter(&dst, []byte(testTags))
		_, err := w.Write([]byte("<html><head>\n<meta charset=utf-8>\n<!-- c"))
		require.NoError(t, err)
		require.NoError(t, w.Flush())
		assert.Equal(t, inject.StatusScanning, w.Status())
		assert.Equal(t, "<html><head>\n<meta charset=utf-8>\n<!-- c", dst.String())
		assert.Equal(t, 1, dst.flushes)
		_, err = w.Write([]byte(" --><meta charset=x><title>"))
		require.NoError(t, err)
		assert.Equal(t, inject.StatusInjected, w.Status())
		assert.Equal(t, "<html><head>\n<meta charset=utf-8>\n<!-- c --><meta charset=x>"+testTags+"<title>", dst.String())
	})
	t.Run("before head, holds the unfinished token", func(t *testing.T) {
		var dst recordingDst
		w := inject.NewWriter(&dst, []byte(testTags), inject.WithContentType("text/html; charset=utf-8"))
		_, err := w.Write([]byte("<!doctype html>\n<html>\n<he"))
		require.NoError(t, err)
		require.NoError(t, w.Flush())
		assert.Equal(t, inject.StatusScanning, w.Status())
		assert.Equal(t, "<!doctype html>\n<html>\n", dst.String())
		assert.Equal(t, 1, dst.flushes)
		_, err = w.Write([]byte("ad><title>"))
		require.NoError(t, err)
		require.NoError(t, w.Close())
		assert.Equal(t, "<!doctype html>\n<html>\n<head>"+testTags+"<title>", dst.String())
	})
	t.Run("dst with Flush() error", func(t *testing.T) {
		dst := &errFlushDst{}
		w := inject.NewWriter(dst, nil)
		require.ErrorIs(t, w.Flush(), errDstFlush)
	})
}

func TestWriterStatusString(t *testing.T) {
	assert.Equal(t, "scanning", inject.StatusScanning.String())
	assert.Equal(t, "injected", inject.StatusInjected.String())
	assert.Equal(t, "skipped", inject.StatusSkipped.String())
	assert.Equal(t, "Status(9)", inject.Status(9).String())
	assert.Equal(t, "none", inject.ReasonNone.String())
	assert.Equal(t, "fragment", inject.ReasonFragment.String())
	assert.Equal(t, "lookahead", inject.ReasonLookahead.String())
	assert.Equal(t, "Reason(200)", inject.Reason(200).String())
	for r := inject.ReasonNone; r <= inject.ReasonNoTransform; r++ {
		assert.NotContains(t, r.String(), "Reason(", "reason %d has no name", r)
	}
}

// TestWriterResetForgetsDocument checks that a pooled Writer carries nothing
// of one document into the next: the context of WithContext and the
// Content-Type are per document, given to NewWriter or Reset, and a Reset
// without them forgets them.
func TestWriterResetForgetsDocument(t *testing.T) {
	const doc = `<html><head><title>t</title></head><body>`
	ctx1 := tracecontext.NewContext(context.Background(), testSpan(1))
	ctx2 := tracecontext.NewContext(context.Background(), testSpan(2))

	var out bytes.Buffer
	w := inject.NewWriter(&out, nil, inject.WithContext(ctx1), inject.WithContentType("text/html; charset=utf-8"))
	write := func() string {
		t.Helper()
		_, err := w.Write([]byte(doc))
		require.NoError(t, err)
		require.NoError(t, w.Close())
		s := out.String()
		out.Reset()
		return s
	}
	require.Equal(t, `<html><head>`+tagsFor(testSpan(1))+`<title>t</title></head><body>`, write())

	w.Reset(&out, nil, inject.WithContext(ctx2))
	require.Equal(t, `<html><head><title>t</title>`+tagsFor(testSpan(2))+`</head><body>`, write(),
		"the second request's trace, and no charset known: after the title, for the prescan")

	w.Reset(&out, nil)
	require.Equal(t, doc, write(), "no context, no tags: nothing of the last request's trace")

	w.Reset(&out, []byte(testTags), inject.WithContext(ctx1))
	require.Equal(t, `<html><head><title>t</title>`+testTags+`</head><body>`, write(), "tags given are inserted as given")
}
