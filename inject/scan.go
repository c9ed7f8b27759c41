package inject

import (
	"github.com/tracemeta/tracemeta/render"
)

// This file decides where the tags go. It reads the tokens of the document's
// start the way the HTML tree construction would
// (https://html.spec.whatwg.org/multipage/parsing.html#tree-construction):
//
//   - "initial", "before html" and "before head" ignore whitespace, and keep
//     comments and doctypes out of the head; <html> only sets attributes.
//     So these pass, and make the body a document when they are a doctype
//     or <html>.
//   - <head> opens the head element, and so does an element that belongs in
//     it (a meta, a title...) when it comes first: the parser creates the
//     head itself. In the head, the tags go right before the first token
//     that is not whitespace, a comment or a charset meta ("in head" keeps
//     those there).
//   - Any other token (text that is not whitespace, any other start tag, the
//     end tags </head>, </body>, </html> and </br>) makes the parser create
//     the head element itself, or close it: put right before that token, the
//     tags land in the head. Other end tags are ignored by the parser, and
//     so here.
//
// The tags always go right before a token the Writer has read whole, never
// before bytes it has let go: so it holds at most the token it is reading,
// a Flush can send everything else, and the output is the same for every
// way the document is split into writes and flushes.
//
// When the Content-Type names no charset, the browser looks for a charset
// meta in the first 1024 bytes (https://html.spec.whatwg.org/multipage/parsing.html#prescan-a-byte-stream-to-determine-its-encoding),
// which the tags must not push out: until the Writer has read a charset meta
// or 1024 bytes, it reads on past the head's metas, links, bases, titles and
// styles, so that the tags go after the charset meta wherever it stands
// among them.
//
// A body whose first such token comes before any doctype, <html> or <head>
// and is not an element of the head is not a document but a fragment, and
// gets no tags.

// prescanLen is how many bytes of a document a browser reads for a charset
// meta when the Content-Type names none.
const prescanLen = 1024

// Byte order marks (https://encoding.spec.whatwg.org/#decode).
const (
	bomUTF8    = "\xEF\xBB\xBF"
	bomUTF16BE = "\xFE\xFF"
	bomUTF16LE = "\xFF\xFE"
)

// scan reads p, the next bytes of the document, until the Writer decides or
// its lookahead runs out.
func (w *Writer) scan(p []byte) {
	// Only the lookahead's bytes are scanned: z.pos moves by the bytes
	// consumed from p, so p cut once stays within it.
	if left := max(int64(w.cfg.lookahead)-w.z.pos, 0); int64(len(p)) > left {
		p = p[:left]
	}
	for len(p) > 0 && w.phase != scanDecided {
		var n int
		if w.phase == scanBOM {
			n = w.readBOM(p)
			w.z.pos += int64(n)
		} else {
			var ev event
			n, ev = w.z.next(p)
			if ev != evNone {
				switch w.phase {
				case scanPrologue:
					w.prologue(ev)
				case scanHead:
					w.inHead(ev)
				default:
					w.checkHead(ev)
				}
			}
		}
		p = p[n:]
	}
	if w.phase != scanDecided && w.z.pos >= int64(w.cfg.lookahead) {
		// Out of lookahead. In the head the tags can go here, unless
		// the Writer is inside a comment, a doctype or a title's text;
		// before it there is no place for them.
		switch {
		case w.phase == scanCheck:
			// No tags of the page's own in the head's first bytes.
			w.insert(w.pending)
		case w.phase == scanHead && (w.z.inTag() && !w.z.rawEnd || w.z.state == stData):
			w.insert(w.safePoint())
		default:
			w.skip(ReasonLookahead)
		}
	}
}

// readBOM reads the first bytes of the document, looking for a byte order
// mark, and returns how many of p it consumed. A UTF-8 one stays first, as
// it must; the others announce UTF-16 (or UTF-32), which the tags, and the
// tokenizer, are not written in.
func (w *Writer) readBOM(p []byte) int {
	for i, c := range p {
		switch w.bomLen {
		case 0:
			if c != bomUTF8[0] && c != bomUTF16BE[0] && c != bomUTF16LE[0] {
				w.phase = scanPrologue
				return i
			}
		case 1:
			switch first := w.bom[0]; {
			case first == bomUTF16BE[0] && c == bomUTF16BE[1],
				first == bomUTF16LE[0] && c == bomUTF16LE[1]:
				w.skip(ReasonEncoding)
				return i + 1
			case first != bomUTF8[0] || c != bomUTF8[1]:
				// Bytes that are not a BOM, so text: no document starts so.
				w.skip(ReasonFragment)
				return i + 1
			}
		case 2:
			if c != bomUTF8[2] {
				w.skip(ReasonFragment)
			} else {
				w.phase = scanPrologue
				w.charsetKnown = true // the BOM decides the encoding
			}
			return i + 1
		}
		w.bom[w.bomLen] = c
		w.bomLen++
	}
	return len(p)
}

// prologue acts on a token read before the head.
func (w *Writer) prologue(ev event) {
	z := &w.z
	switch ev {
	case evSpace:
		// Ignored before the head.
	case evText:
		w.implied(z.start)
	case evEnd:
		switch z.kind {
		case kindDoctype:
			w.document = true
		case kindStartTag:
			switch {
			case z.tag == tagHTML:
				w.document = true
			case z.tag == tagHead:
				w.openHead()
			case z.tag.isHeadElement():
				// The parser opens the head for it.
				w.openHead()
				w.inHead(ev)
			default:
				w.implied(z.start)
			}
		case kindEndTag:
			switch z.tag {
			case tagHead:
				if w.document {
					// An empty head: with WithExistingTags, the
					// head's elements may still come after it.
					w.found(z.start, ev)
					return
				}
				w.implied(z.start)
			case tagBody, tagHTML, tagBR:
				w.implied(z.start)
			default:
				// Ignored by the parser; a fragment when first.
				if !w.document {
					w.skip(ReasonFragment)
				}
			}
		}
	}
}

// inHead acts on a token read in the head, before the insertion point: the
// tags go right before the first that is not whitespace, a comment or a
// charset meta, or, while the charset prescan needs it, one of the elements
// the Writer reads past (see prescanPasses).
func (w *Writer) inHead(ev event) {
	z := &w.z
	switch {
	case ev == evSpace:
		return
	case ev == evEnd && (z.kind == kindComment || z.kind == kindDoctype):
		return
	case ev == evEnd && z.traceMeta && z.kind == kindStartTag && z.tag == tagMeta:
		// WithExistingTags, and the page has its own tags.
		w.skip(ReasonExistingTags)
		return
	case ev == evEnd && z.kind == kindStartTag && z.tag == tagMeta && z.charset:
		w.charsetSeen = true
		return
	case w.prescanPasses(ev):
		return
	}
	w.found(z.start, ev)
}

// found handles the insertion point, right before the token just read (ev),
// which begins at stream offset at: the Writer inserts the tags there, or
// with WithExistingTags reads on to the end of the head first, holding the
// bytes from at on.
func (w *Writer) found(at int64, ev event) {
	if !w.cfg.existing {
		w.insert(at)
		return
	}
	w.phase, w.pending = scanCheck, at
	w.checkHead(ev)
}

// checkHead acts on a token read in the head after the insertion point,
// with WithExistingTags: a trace meta tag of the page's own means no tags;
// the end of the head without one means the tags at the insertion point.
// It follows the "in head" and "after head" insertion modes: the text of a
// title, style, script, noscript or noframes is read past as text (noscript
// as a browser with scripting reads it); the content of a template is not
// the head's; after </head>, whitespace, comments and the elements that
// belong in the head (which the parser puts back into it) may still come;
// the head ends at </body>, </html>, </br>, text that is not whitespace, or
// a start tag of an element that does not belong in it.
func (w *Writer) checkHead(ev event) {
	z := &w.z
	switch ev {
	case evSpace:
		return
	case evText:
		if w.templates == 0 {
			w.insert(w.pending)
		}
		return
	}
	switch z.kind {
	case kindStartTag:
		switch t := z.tag; t {
		case tagMeta:
			if z.traceMeta && w.templates == 0 {
				w.skip(ReasonExistingTags)
			}
			return
		case tagHTML, tagHead:
			return // ignored in the head
		case tagNoscript:
			if w.afterHead && w.templates == 0 {
				w.insert(w.pending) // a body element after </head>
				return
			}
			z.rawText("noscript")
			return
		case tagTitle, tagStyle, tagScript, tagNoframes:
			z.rawText(tagNames[t])
			return
		case tagTemplate:
			w.templates++
			return
		case tagTextarea, tagXMP, tagIframe, tagNoembed:
			if w.templates > 0 {
				// Body elements in a template's content: their text
				// has no markup but their end tag.
				z.rawText(tagNames[t])
				return
			}
		case tagPlaintext:
			// All that follows is its text: no tag of the page's can.
			w.insert(w.pending)
			return
		}
		if w.templates == 0 && !z.tag.isHeadElement() {
			w.insert(w.pending)
		}
	case kindEndTag:
		switch {
		case z.tag == tagTemplate:
			w.templates = max(w.templates-1, 0)
		case w.templates > 0:
		case z.tag == tagHead:
			w.afterHead = true
		case z.tag == tagBody, z.tag == tagHTML, z.tag == tagBR:
			w.insert(w.pending)
		}
	}
}

// prescanPasses reports whether the Writer reads on past the token just read
// so that the tags do not push a charset meta that may follow out of the
// browser's prescan: the Content-Type names no charset, no charset meta was
// read yet, the token begins within prescanLen bytes, and it is the start
// or end of an element that may stand before a charset meta in the head
// without a script running (void metas, links and bases, and the text of
// titles and styles, which the tokenizer then reads past).
func (w *Writer) prescanPasses(ev event) bool {
	z := &w.z
	if w.charsetKnown || w.charsetSeen || z.start >= prescanLen || ev != evEnd {
		return false
	}
	switch z.kind {
	case kindStartTag:
		switch z.tag {
		case tagMeta, tagLink, tagBase:
			return true
		case tagTitle, tagStyle:
			z.rawText(tagNames[z.tag])
			return true
		}
	case kindEndTag:
		return z.tag == tagTitle || z.tag == tagStyle
	}
	return false
}

// implied handles a token that makes the parser open the head by itself:
// in a document the tags go right before it; otherwise the body is a
// fragment.
func (w *Writer) implied(at int64) {
	if !w.document {
		w.skip(ReasonFragment)
		return
	}
	w.insert(at)
}

// openHead notes that the head element is open: the tags go in it.
func (w *Writer) openHead() {
	w.document = true
	w.phase = scanHead
}

// insert decides to put the tags at stream offset at, rendering them with
// tagsFunc when it is set: only now, so that they name the span active at
// the insertion point and claim the request's tags only when inserted.
func (w *Writer) insert(at int64) {
	if !w.render() {
		return
	}
	w.phase, w.status, w.at = scanDecided, StatusInjected, at
}

// skip decides to insert nothing.
func (w *Writer) skip(r Reason) {
	w.phase, w.status, w.reason, w.at = scanDecided, StatusSkipped, r, -1
}

// render renders the tags with tagsFunc, when set, and reports whether there
// are tags to insert; if not, the Writer skips with tagsFunc's reason.
func (w *Writer) render() bool {
	var tags []byte
	var r Reason
	switch {
	case w.tagsFunc != nil:
		tags, r = w.tagsFunc(w.tagBuf[:0])
	case w.ctx != nil && w.tags == nil:
		tags, r = renderFor(w.ctx, render.OnceFromContext(w.ctx), w.tagBuf[:0], w.cfg.source, w.cfg.renderer)
	default:
		return true
	}
	if r != ReasonNone {
		w.tags = nil
		w.skip(r)
		return false
	}
	w.tags, w.tagBuf = tags, tags
	return true
}

// decideEOF decides at the end of the input, which closes the unfinished
// token as x/net/html would.
func (w *Writer) decideEOF() {
	z := &w.z
	switch w.phase {
	case scanBOM:
		if w.bomLen > 0 {
			w.skip(ReasonFragment) // the start of a BOM, so text
		} else {
			w.skip(ReasonEmpty)
		}
	case scanCheck:
		// The head ended with the input, without tags of its own.
		w.insert(w.pending)
	case scanHead:
		switch {
		case z.inTag() && !z.rawEnd:
			// A tag cut short is dropped: the tags can go before it.
			w.insert(z.start)
		case z.state == stData:
			w.insert(z.pos)
		default:
			// In a comment, a doctype or a title's text (its end tag
			// cut short included), which the end of input closes: the
			// tags would become part of it.
			w.skip(ReasonEmpty)
		}
	case scanPrologue:
		switch {
		case z.eof() == kindText:
			// A "<" or "</" at the end is text.
			w.implied(z.start)
		case z.eof() == kindComment:
			// A "<!" cut short becomes a comment, which would end up in
			// the head after the tags but is outside it without them.
			w.skip(ReasonEmpty)
		case z.inTag():
			// A tag cut short is dropped: the tags can go before it.
			if !w.document {
				w.skip(ReasonEmpty)
				return
			}
			w.insert(z.start)
		case z.state == stData && w.document:
			// <html> and no more: the parser still creates the head.
			w.insert(z.pos)
		default:
			// Nothing but whitespace and comments, or a doctype cut
			// short, which has gone out already.
			w.skip(ReasonEmpty)
		}
	}
}
