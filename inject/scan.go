package inject

// This file decides where the tags go. It reads the tokens of the document's
// start the way the HTML tree construction would
// (https://html.spec.whatwg.org/multipage/parsing.html#tree-construction):
//
//   - "initial", "before html" and "before head" ignore whitespace, and keep
//     comments and doctypes out of the head; <html> only sets attributes.
//     So these pass, and make the body a document when they are a doctype
//     or <html>.
//   - <head> opens the head element: the tags go right after it, or after
//     the charset metas that follow it ("in head" keeps whitespace and
//     comments there, so those may stand between).
//   - Any other token (text that is not whitespace, any other start tag, the
//     end tags </head>, </body>, </html> and </br>) makes the parser create
//     the head element itself and, for an element that belongs there, put
//     the token into it. Put right before that token, the tags land in that
//     implied head. Other end tags are ignored by the parser, and so here.
//
// A body whose first such token comes before any doctype, <html> or <head>
// and is not an element of the head is not a document but a fragment, and
// gets no tags.

// Byte order marks (https://encoding.spec.whatwg.org/#decode).
const (
	bomUTF8    = "\xEF\xBB\xBF"
	bomUTF16BE = "\xFE\xFF"
	bomUTF16LE = "\xFF\xFE"
)

// scan reads p, the next bytes of the document, until the Writer decides or
// its lookahead runs out.
func (w *Writer) scan(p []byte) {
	for len(p) > 0 && w.stage != stagePass {
		left := int64(w.cfg.lookahead) - w.z.pos
		if left <= 0 {
			break
		}
		q := p
		if int64(len(q)) > left {
			q = q[:left]
		}
		var n int
		if w.stage == stageBOM {
			n = w.scanBOM(q)
			w.z.pos += int64(n)
		} else {
			var ev event
			n, ev = w.z.next(q)
			if ev != evNone {
				if w.stage == stagePrologue {
					w.prologue(ev)
				} else {
					w.inHead(ev)
				}
			}
		}
		p = p[n:]
	}
	if w.stage != stagePass && w.z.pos >= int64(w.cfg.lookahead) {
		// Out of lookahead. After <head> the place is known, only
		// perhaps not final; before it there is none.
		if w.stage == stageHead {
			w.insert(w.cand)
		} else {
			w.skip(ReasonLookahead)
		}
	}
}

// scanBOM reads the first bytes of the document, looking for a byte order
// mark, and returns how many of p it consumed. A UTF-8 one stays first, as
// it must; the others announce UTF-16 (or UTF-32), which the tags, and the
// tokenizer, are not written in.
func (w *Writer) scanBOM(p []byte) int {
	for i, c := range p {
		switch w.bomLen {
		case 0:
			if c != bomUTF8[0] && c != bomUTF16BE[0] && c != bomUTF16LE[0] {
				w.stage = stagePrologue
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
				w.stage = stagePrologue
			}
			return i + 1
		}
		w.bom[w.bomLen] = c
		w.bomLen++
	}
	return len(p)
}

// prologue acts on a token read before the insertion point.
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
			case z.tagIs("html"):
				w.document = true
			case z.tagIs("head"):
				w.document = true
				w.openHead()
			case z.tagIs("meta") && z.charset:
				w.openHead()
			case isHeadElement(z.tagName()):
				w.insert(z.start)
			default:
				w.implied(z.start)
			}
		case kindEndTag:
			switch string(z.tagName()) {
			case "head", "body", "html", "br":
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

// inHead acts on a token read after <head> (or the implied head's first
// charset meta), while the tags may still move past a charset meta.
func (w *Writer) inHead(ev event) {
	z := &w.z
	switch {
	case ev == evSpace:
		return
	case ev == evEnd && (z.kind == kindComment || z.kind == kindDoctype):
		return
	case ev == evEnd && z.kind == kindStartTag && z.tagIs("meta") && z.charset:
		w.cand = z.pos
		return
	}
	w.insert(w.cand)
}

// isHeadElement reports whether an element named name goes into the head
// when it comes before the body ("in head" insertion mode).
func isHeadElement(name []byte) bool {
	switch string(name) {
	case "base", "basefont", "bgsound", "link", "meta", "noframes",
		"noscript", "script", "style", "template", "title":
		return true
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

// openHead starts the lookahead for charset metas after an opened head: the
// tags go at the current offset, or after those metas.
func (w *Writer) openHead() {
	if w.render() {
		w.stage, w.cand = stageHead, w.z.pos
	}
}

// insert decides to put the tags at stream offset at.
func (w *Writer) insert(at int64) {
	if w.stage != stageHead && !w.render() {
		return
	}
	w.stage, w.status, w.at = stagePass, StatusInjected, at
}

// skip decides to insert nothing.
func (w *Writer) skip(r Reason) {
	w.stage, w.status, w.reason, w.at = stagePass, StatusSkipped, r, -1
}

// render renders the tags with tagsFunc, when set, and reports whether there
// are tags to insert; if not, the Writer skips with tagsFunc's reason.
func (w *Writer) render() bool {
	if w.tagsFunc == nil {
		return true
	}
	tags, r := w.tagsFunc(w.tagBuf[:0])
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
	switch w.stage {
	case stageBOM:
		if w.bomLen > 0 {
			w.skip(ReasonFragment) // the start of a BOM, so text
		} else {
			w.skip(ReasonEmpty)
		}
	case stageHead:
		w.insert(w.cand)
	case stagePrologue:
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
