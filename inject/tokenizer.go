package inject

import (
	"bytes"
	"encoding/binary"
	"strconv"
)

// This file holds a resumable HTML tokenizer for the push model of an
// io.Writer: it consumes whatever bytes a Write hands it, keeps every bit of
// progress in a few fields, and resumes on the next Write exactly where it
// stopped, so that a token split across writes (even one byte at a time) is
// read exactly as if it had arrived whole. It never looks back at bytes it
// has consumed: tag and attribute names it needs are kept, lower-cased and
// truncated, in small fixed arrays, which is why the Writer can forward or
// hold bytes without the tokenizer caring where they went.
//
// It follows the tokenizer of golang.org/x/net/html (the parser our tests use
// as the oracle), which implements the WHATWG data state and its tag, comment,
// doctype and bogus comment states
// (https://html.spec.whatwg.org/multipage/parsing.html#tokenization) with a
// few simplifications; where the two differ, x/net/html wins, because the
// differential tests compare against it. It does not implement the raw text
// states on its own: the Writer decides before the first start tag of such
// an element, except for <title> and <style>, whose text it reads past with
// [tokenizer.rawText] when it must look further for a charset meta. It never
// scans the text of a <script>, whose escapes are more complex.

// lexState is where the tokenizer is inside the token being read.
type lexState uint8

const (
	stData              lexState = iota // between tokens, or in a text run
	stTagOpen                           // after "<"
	stEndTagOpen                        // after "</"
	stTagName                           // in the name of a start or end tag
	stBeforeAttr                        // in a tag, before an attribute name or the closing ">"
	stAttrName                          // in an attribute name
	stAfterAttrName                     // after an attribute name, before "=" or the next attribute
	stBeforeAttrValue                   // after "=", before the value
	stAttrValueQuoted                   // in a quoted attribute value; tokenizer.quote closes it
	stAttrValueUnquoted                 // in an unquoted attribute value
	stMarkupOpen                        // after "<!"
	stMarkupDash                        // after "<!-"
	stDoctypeName                       // matching the "DOCTYPE" of "<!DOCTYPE"; tokenizer.matched bytes matched
	stDoctype                           // in a doctype, after "<!DOCTYPE", until ">"
	stComment                           // in a comment, after "<!--"
	stBogusComment                      // in a bogus comment ("<?", "<!x", "</ x"), until ">"
	stRawText                           // in the text of a <title> or <style>, until its end tag; tokenizer.raw names it
	stScript                            // in the text of a <script>, until its end tag; tokenizer.scr says where
	numStates
)

var stateNames = [numStates]string{
	stData:              "data",
	stTagOpen:           "tag open",
	stEndTagOpen:        "end tag open",
	stTagName:           "tag name",
	stBeforeAttr:        "before attribute name",
	stAttrName:          "attribute name",
	stAfterAttrName:     "after attribute name",
	stBeforeAttrValue:   "before attribute value",
	stAttrValueQuoted:   "attribute value (quoted)",
	stAttrValueUnquoted: "attribute value (unquoted)",
	stMarkupOpen:        "markup declaration open",
	stMarkupDash:        "markup declaration dash",
	stDoctypeName:       "doctype keyword",
	stDoctype:           "doctype",
	stComment:           "comment",
	stBogusComment:      "bogus comment",
	stRawText:           "raw text",
	stScript:            "script data",
}

// String returns the state's name, for test failures and debugging.
func (s lexState) String() string {
	if s < numStates {
		return stateNames[s]
	}
	return "lexState(" + strconv.Itoa(int(s)) + ")"
}

// event is what tokenizer.next stopped for.
type event uint8

const (
	evNone  event = iota // the input ran out inside a token or a text run
	evSpace              // a run of whitespace text ended; it began at tokenizer.start
	evText               // text began at tokenizer.start with a byte that is not whitespace
	evEnd                // a token of tokenizer.kind ended; it began at tokenizer.start
)

// tokenKind is the type of a token, as x/net/html's TokenType counts them.
type tokenKind uint8

const (
	kindNone     tokenKind = iota // no token: the unfinished token is dropped (a tag cut by the end of input)
	kindText                      // text
	kindStartTag                  // a start tag, self-closing or not
	kindEndTag                    // an end tag
	kindComment                   // a comment: "<!--x-->", "<!x>", "<?x>", "</ x>" and "</>"
	kindDoctype                   // "<!DOCTYPE ...>", any case
)

// String returns the kind's name.
func (k tokenKind) String() string {
	switch k {
	case kindNone:
		return "none"
	case kindText:
		return "text"
	case kindStartTag:
		return "start tag"
	case kindEndTag:
		return "end tag"
	case kindComment:
		return "comment"
	case kindDoctype:
		return "doctype"
	}
	return "tokenKind(" + strconv.Itoa(int(k)) + ")"
}

const (
	// maxName is the longest tag name the tokenizer keeps: "plaintext".
	// Longer names only need to be known as longer.
	maxName = 9
	// maxAttrName is the longest attribute name it keeps: "http-equiv".
	maxAttrName = 10
	// doctypeKeyword is matched case-insensitively after "<!".
	doctypeKeyword = "DOCTYPE"
)

// tokenizer is the resumable HTML tokenizer. The zero value is ready to read
// the start of a document.
type tokenizer struct {
	// pos is the stream offset of the next byte to consume: the number of
	// bytes consumed so far. It only grows.
	pos int64
	// start is the stream offset where the current token began: the "<" of a
	// markup token while state != stData, or the first byte of the text run
	// reported by the last evSpace or evText. start <= pos.
	start int64
	// state is where the tokenizer is; stData between tokens.
	state lexState
	// kind is the type of the token that the last evEnd ended; when state is
	// stComment, stBogusComment or stDoctype it is already the type of the
	// token being read.
	kind tokenKind
	// endTag is whether the tag being read (state stTagName to
	// stAttrValueUnquoted) is an end tag.
	endTag bool
	// quote is the byte that closes the attribute value in stAttrValueQuoted.
	quote byte
	// matched is how many bytes of doctypeKeyword stDoctypeName has matched,
	// 0 <= matched < len(doctypeKeyword).
	matched uint8
	// tail holds the last min(seen, 3) bytes of the comment's data (what
	// follows "<!--"), the last one at tail[2]; seen counts those bytes,
	// saturated at 3. A ">" ends the comment when the data before it is
	// empty or "-" ("<!-->", "<!--->"), or ends with "--" or "--!": the
	// rules of x/net/html's readComment, which track the same with a dash
	// count.
	tail [3]byte
	seen uint8
	// name holds the first nameLen bytes of the tag name, lower-cased (ASCII
	// only, as HTML does). nameLen > maxName means the name is longer than
	// name and never equal to one the Writer looks for.
	name    [maxName]byte
	nameLen uint8
	// tag is the element the tag just read names, among those the Writer
	// acts on; set with kind at the tag's ">".
	tag tagID
	// attr and attrLen do the same for the attribute name being read.
	attr    [maxAttrName]byte
	attrLen uint8
	// attrFirst is whether the attribute name being read is still empty: an
	// "=" there is part of the name (WHATWG 13.2.5.32).
	attrFirst bool
	// reportSpace makes next report a run of whitespace with evSpace.
	// Without it, as the Writer's tokenizers read, next reads on past the
	// run: the Writer ignores whitespace between the tokens of the prologue
	// and the head, and an event per run costs a round trip through its
	// scan loop. It does not change what the next events report, nor pos
	// when p ends in the run.
	reportSpace bool
	// charset is whether the start tag being read has an attribute named
	// "charset" or "http-equiv", one that declares the encoding or acts as
	// a header and must stay before the tags.
	charset bool
	// raw is the lower-case name of the element whose text stRawText reads
	// ("title" or "style"), and rawMatched how much of "</" + raw it has
	// matched: 0 when looking for "<", 1 after "<", 2 after "</", 2+k
	// after k bytes of the name. start is the offset of that "<".
	raw        string
	rawMatched int
	// scr is where stScript is in the text of a script.
	scr scriptState
	// rawEnd is whether the tag being read is the end tag of the raw text,
	// RCDATA or script data before it: until its ">", its bytes are still
	// that element's text, and the end of input makes them text for good.
	rawEnd bool

	// traceNames makes the tokenizer read the value of a start tag's first
	// "name" attribute and report in traceMeta whether it names a trace meta
	// tag (see isTraceMetaName): the Writer of [WithExistingTags] sets it
	// to find the tags a page already has. Without it no value is read.
	traceNames bool
	// traceMeta is whether the start tag just read has a first "name"
	// attribute naming a trace meta tag; only set with traceNames.
	traceMeta bool
	// nameDone is whether the tag being read had its first "name"
	// attribute, inName whether its value is being read, and val and
	// valLen hold the first bytes of that value (valLen > len(val) once
	// it is longer than any trace meta name).
	nameDone bool
	inName   bool
	val      [maxTraceName]byte
	valLen   uint8
}

// maxTraceName is the longest name of a trace meta tag: "sentry-trace".
const maxTraceName = len("sentry-trace")

// isTraceMetaName reports whether b, the value of a meta's name attribute,
// names one of the tags a browser SDK continues a trace from: sentry-trace
// and baggage (Sentry), traceparent (OpenTelemetry) or dd-trace-id
// (Datadog). Any ASCII case matches, so that a page whose tags differ from
// the SDKs' spelling only in case does not get a second set.
func isTraceMetaName(b []byte) bool {
	switch len(b) {
	case len("sentry-trace"):
		return equalLower(b, "sentry-trace")
	case len("traceparent"):
		return equalLower(b, "traceparent") || equalLower(b, "dd-trace-id")
	case len("baggage"):
		return equalLower(b, "baggage")
	}
	return false
}

// rawText makes the tokenizer read the text of the element named name, which
// must be "title" or "style" (RCDATA and raw text, whose only markup is
// their end tag), or "noscript" or "noframes" (raw text as a browser with
// scripting reads them), or "script" (script data, with its escapes), up to
// that end tag, which it then reports as usual.
func (z *tokenizer) rawText(name string) {
	z.state, z.raw, z.rawMatched = stRawText, name, 0
	if name == "script" {
		z.state, z.scr = stScript, scrData
	}
}

// scriptState is where the tokenizer is in the text of a script: the script
// data states of https://html.spec.whatwg.org/multipage/parsing.html#script-data-state,
// as x/net/html's readScript follows them.
type scriptState uint8

const (
	scrData                  scriptState = iota // script data
	scrLessThan                                 // after "<"
	scrEndTagOpen                               // after "</"; rawMatched bytes of "script" matched
	scrEscapeStart                              // after "<!"
	scrEscapeStartDash                          // after "<!-"
	scrEscaped                                  // in "<!--" ... "-->"
	scrEscapedDash                              // escaped, after "-"
	scrEscapedDashDash                          // escaped, after "--"
	scrEscapedLessThan                          // escaped, after "<"
	scrEscapedEndTagOpen                        // escaped, after "</"; rawMatched bytes of "script" matched
	scrDoubleEscapeStart                        // escaped, after "<" and rawMatched bytes of "script"
	scrDoubleEscaped                            // in "<!--<script>" ... "</script>"
	scrDoubleEscapedDash                        // double escaped, after "-"
	scrDoubleEscapedDashDash                    // double escaped, after "--"
	scrDoubleEscapedLessThan                    // double escaped, after "<"
	scrDoubleEscapeEnd                          // double escaped, after "</" and rawMatched bytes of "script"
)

// script reads the text of a script from p[i] on, and returns the offset it
// stopped at and whether it found the script's end tag, whose "</script" it
// then has consumed up to the byte that ends the name, as stRawText does.
func (z *tokenizer) script(p []byte, i int) (int, bool) {
	for i < len(p) {
		c := p[i]
		switch z.scr {
		case scrData:
			j := bytes.IndexByte(p[i:], '<')
			if j < 0 {
				return len(p), false
			}
			i += j
			z.start = z.at(i)
			z.scr = scrLessThan
		case scrLessThan:
			switch c {
			case '/':
				z.scr, z.rawMatched = scrEndTagOpen, 0
			case '!':
				z.scr = scrEscapeStart
			default:
				z.scr = scrData
				continue
			}
		case scrEndTagOpen, scrEscapedEndTagOpen, scrDoubleEscapeEnd:
			if z.rawMatched < len("script") {
				if lower(c) != "script"[z.rawMatched] {
					z.scr = z.scr.unmatched()
					continue
				}
				z.rawMatched++
				break
			}
			if byteClass[c]&clsNameEnd == 0 {
				z.scr = z.scr.unmatched()
				continue
			}
			if z.scr == scrDoubleEscapeEnd {
				z.scr = scrEscaped // c is consumed with the end tag
				break
			}
			return i, true
		case scrEscapeStart:
			if c != '-' {
				z.scr = scrData
				continue
			}
			z.scr = scrEscapeStartDash
		case scrEscapeStartDash:
			if c != '-' {
				z.scr = scrData
				continue
			}
			z.scr = scrEscapedDashDash
		case scrEscaped, scrEscapedDash, scrEscapedDashDash:
			switch {
			case c == '-':
				z.scr = min(z.scr+1, scrEscapedDashDash)
			case c == '<':
				z.start = z.at(i)
				z.scr = scrEscapedLessThan
			case c == '>' && z.scr == scrEscapedDashDash:
				z.scr = scrData
			default:
				z.scr = scrEscaped
			}
		case scrEscapedLessThan:
			switch {
			case c == '/':
				z.scr, z.rawMatched = scrEscapedEndTagOpen, 0
			case isAlpha(c):
				z.scr, z.rawMatched = scrDoubleEscapeStart, 0
				continue
			default:
				z.scr = scrData // as x/net/html: not the escaped state
				continue
			}
		case scrDoubleEscapeStart:
			if z.rawMatched < len("script") {
				if lower(c) != "script"[z.rawMatched] {
					z.scr = scrEscaped
					continue
				}
				z.rawMatched++
				break
			}
			if byteClass[c]&clsNameEnd == 0 {
				z.scr = scrEscaped
				continue
			}
			z.scr = scrDoubleEscaped
		case scrDoubleEscaped, scrDoubleEscapedDash, scrDoubleEscapedDashDash:
			switch {
			case c == '-':
				z.scr = min(z.scr+1, scrDoubleEscapedDashDash)
			case c == '<':
				z.scr = scrDoubleEscapedLessThan
			case c == '>' && z.scr == scrDoubleEscapedDashDash:
				z.scr = scrData
			default:
				z.scr = scrDoubleEscaped
			}
		case scrDoubleEscapedLessThan:
			if c != '/' {
				z.scr = scrDoubleEscaped
				continue
			}
			z.scr, z.rawMatched = scrDoubleEscapeEnd, 0
		}
		i++
	}
	return i, false
}

// unmatched is the state a failed match of "</script" in state s reads its
// byte again in.
func (s scriptState) unmatched() scriptState {
	switch s {
	case scrEscapedEndTagOpen:
		return scrEscaped
	case scrDoubleEscapeEnd:
		return scrDoubleEscaped
	}
	return scrData
}

// Byte classes, for the loops that run over names and unquoted values.
const (
	clsSpace       = 1 << iota // HTML whitespace
	clsNameEnd                 // ends a tag or attribute name: whitespace, "/", ">"
	clsUnquotedEnd             // ends an unquoted attribute value: whitespace, ">"
	clsAttrNameEnd             // ends an attribute name after its first byte: whitespace, "/", ">", "="
)

var byteClass = func() (t [256]uint8) {
	for _, c := range []byte(" \n\t\r\f") {
		t[c] |= clsSpace | clsNameEnd | clsUnquotedEnd
	}
	t['/'] |= clsNameEnd
	t['>'] |= clsNameEnd | clsUnquotedEnd
	for c := range t {
		if t[c]&clsNameEnd != 0 {
			t[c] |= clsAttrNameEnd
		}
	}
	t['='] |= clsAttrNameEnd
	return t
}()

// isSpace reports whether c is HTML whitespace (x/net/html's whitespace set;
// the WHATWG's ASCII whitespace plus the CR the input stream turns into LF).
func isSpace(c byte) bool { return byteClass[c]&clsSpace != 0 }

// isAlpha reports whether c is an ASCII letter, which may begin a tag name.
func isAlpha(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

// lower lower-cases an ASCII letter, as HTML does with tag and attribute
// names.
func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// tagID names an element the Writer acts on: one that belongs in the head,
// ends it, or whose text the tokenizer reads as raw text. The tokenizer
// finds it once per tag, so that the Writer's decisions compare bytes, not
// names.
type tagID uint8

const (
	tagOther tagID = iota // an element the Writer does not act on by name
	tagHTML
	tagHead
	tagBody
	tagBR
	tagBase
	tagBasefont
	tagBgsound
	tagLink
	tagMeta
	tagNoframes
	tagNoscript
	tagScript
	tagStyle
	tagTemplate
	tagTitle
	tagTextarea
	tagXMP
	tagIframe
	tagNoembed
	tagPlaintext
	numTags
)

// tagNames are the names of the tagIDs, lower case, as in the document;
// the raw text readers keep them without a copy.
var tagNames = [numTags]string{
	tagOther: "", tagHTML: "html", tagHead: "head", tagBody: "body", tagBR: "br",
	tagBase: "base", tagBasefont: "basefont", tagBgsound: "bgsound", tagLink: "link",
	tagMeta: "meta", tagNoframes: "noframes", tagNoscript: "noscript", tagScript: "script",
	tagStyle: "style", tagTemplate: "template", tagTitle: "title", tagTextarea: "textarea",
	tagXMP: "xmp", tagIframe: "iframe", tagNoembed: "noembed", tagPlaintext: "plaintext",
}

// String returns the element's name, or "other".
func (t tagID) String() string {
	if t == tagOther || t >= numTags {
		return "other"
	}
	return tagNames[t]
}

// lookupTag returns the tagID of the lower-case tag name name, tagOther for
// any other.
func lookupTag(name []byte) tagID {
	switch string(name) {
	case "html":
		return tagHTML
	case "head":
		return tagHead
	case "body":
		return tagBody
	case "br":
		return tagBR
	case "base":
		return tagBase
	case "basefont":
		return tagBasefont
	case "bgsound":
		return tagBgsound
	case "link":
		return tagLink
	case "meta":
		return tagMeta
	case "noframes":
		return tagNoframes
	case "noscript":
		return tagNoscript
	case "script":
		return tagScript
	case "style":
		return tagStyle
	case "template":
		return tagTemplate
	case "title":
		return tagTitle
	case "textarea":
		return tagTextarea
	case "xmp":
		return tagXMP
	case "iframe":
		return tagIframe
	case "noembed":
		return tagNoembed
	case "plaintext":
		return tagPlaintext
	}
	return tagOther
}

// isHeadElement reports whether the element goes into the head when it
// comes before the body ("in head" insertion mode).
func (t tagID) isHeadElement() bool {
	switch t {
	case tagBase, tagBasefont, tagBgsound, tagLink, tagMeta, tagNoframes,
		tagNoscript, tagScript, tagStyle, tagTemplate, tagTitle:
		return true
	}
	return false
}

// tagName returns the lower-cased name of the tag just read, or nil when it
// is longer than the tokenizer keeps. It is valid until the next call of
// next.
func (z *tokenizer) tagName() []byte {
	if z.nameLen > maxName {
		return nil
	}
	return z.name[:z.nameLen]
}

// startTag begins reading a start or end tag whose name begins with c.
func (z *tokenizer) startTag(end bool, c byte) {
	z.state = stTagName
	z.endTag = end
	z.charset, z.rawEnd = false, false
	z.traceMeta, z.nameDone, z.inName = false, false, false
	z.name[0] = lower(c)
	z.nameLen = 1
}

// readTag reads the start or end tag whose "<" is p[i] in one go, when the
// whole tag is in p: most are, and a loop over p's bytes in registers is
// several times faster than the states below, which store every step. It
// returns the offset just past the tag's ">" and sets what the states
// would have (kind, endTag, name, charset). When p is not a tag or ends
// before the tag's ">", it returns false and changes nothing, and the states
// read the tag from its "<". The two must agree on every input; the
// tokenizer tests and FuzzTokenizer feed the same documents whole and
// split.
func (z *tokenizer) readTag(p []byte, i int) (int, bool) {
	k := i + 1
	end := false
	if k < len(p) && p[k] == '/' {
		end = true
		k++
	}
	if k >= len(p) || !isAlpha(p[k]) {
		return 0, false
	}
	nameStart := k
	for k < len(p) && byteClass[p[k]]&clsNameEnd == 0 {
		k++
	}
	nameEnd := k
	charset, traceMeta, nameDone := false, false, !z.traceNames || end
	for {
		// Before an attribute name, or the closing ">".
		for k < len(p) && isSpace(p[k]) {
			k++
		}
		if k >= len(p) {
			return 0, false
		}
		if p[k] == '>' {
			break
		}
		// The attribute name; an "=" that begins it is part of it, and a
		// "/" makes an empty one, skipped below.
		a := k
		if p[k] == '=' {
			k++
		}
		for k < len(p) && byteClass[p[k]]&clsAttrNameEnd == 0 {
			k++
		}
		if !end && isCharsetAttr(p[a:k]) {
			charset = true
		}
		isName := !nameDone && k-a == len("name") && equalLower(p[a:k], "name")
		nameDone = nameDone || isName
		for k < len(p) && isSpace(p[k]) {
			k++
		}
		if k >= len(p) {
			return 0, false
		}
		switch p[k] {
		case '/':
			k++
			continue
		case '=':
			k++
		default:
			continue // the next attribute, or ">"
		}
		// The value.
		for k < len(p) && isSpace(p[k]) {
			k++
		}
		if k >= len(p) {
			return 0, false
		}
		switch q := p[k]; q {
		case '>':
			// No value: ">" ends the tag.
		case '"', '\'':
			j := bytes.IndexByte(p[k+1:], q)
			if j < 0 {
				return 0, false
			}
			if isName {
				traceMeta = isTraceMetaName(p[k+1 : k+1+j])
			}
			k += j + 2
		default:
			v := k
			for k++; k < len(p) && byteClass[p[k]]&clsUnquotedEnd == 0; k++ {
			}
			if isName {
				traceMeta = isTraceMetaName(p[v:k])
			}
		}
	}
	z.state, z.kind, z.endTag = stData, kindStartTag, end
	if end {
		z.kind = kindEndTag
	}
	z.charset, z.traceMeta, z.rawEnd = charset, traceMeta, false
	z.nameLen = keepName(z.name[:], 0, p[nameStart:nameEnd])
	z.tag = lookupTag(z.tagName())
	return k + 1, true
}

const (
	// doctypeWord is "!doctype" ("!" and doctypeKeyword lower-cased), the 8
	// bytes after a doctype's "<", as a little-endian word; doctypeCase sets
	// bit 5 of the bytes of its letters, which lower-cases an ASCII letter
	// and maps no other byte to a lower-case letter. TestDoctypeWord checks
	// them.
	doctypeWord = 0x65707974636f6421
	doctypeCase = 0x2020202020202000
)

// readDoctype reads the doctype whose "<" is p[i] in one go, when the whole
// of it is in p, and returns the offset just past its ">": nearly every page
// starts with one, and the states below read "<!DOCTYPE" a byte at a time.
// It matches "<!DOCTYPE" in any ASCII case with one compare of 8 bytes, then
// jumps to the ">" as stDoctype does. When p does not hold a whole doctype
// there, it returns false and the states read the token from its "<".
func readDoctype(p []byte, i int) (int, bool) {
	if len(p)-i < 1+8 || p[i+1] != '!' {
		return 0, false
	}
	if binary.LittleEndian.Uint64(p[i+1:])|doctypeCase != doctypeWord {
		return 0, false
	}
	k := i + 1 + 8
	j := bytes.IndexByte(p[k:], '>')
	if j < 0 {
		return 0, false
	}
	return k + j + 1, true
}

// isCharsetAttr reports whether b is, in any ASCII case, the name of an
// attribute that makes a meta a charset meta.
func isCharsetAttr(b []byte) bool {
	switch len(b) {
	case len("charset"):
		return equalLower(b, "charset")
	case len("http-equiv"):
		return equalLower(b, "http-equiv")
	}
	return false
}

// equalLower reports whether b lower-cased (ASCII only, as HTML's names are)
// is s, which is lower case and as long as b.
func equalLower(b []byte, s string) bool {
	for i, c := range b {
		if lower(c) != s[i] {
			return false
		}
	}
	return true
}

// keepName appends b, the next bytes of a tag or attribute name, lower-cased,
// to the first n bytes kept in name, and returns the new count: at most
// len(name), or len(name)+1 once the name is longer than name holds.
func keepName(name []byte, n uint8, b []byte) uint8 {
	k := int(n)
	if k > len(name) {
		return n
	}
	if k+len(b) > len(name) {
		b = b[:len(name)-k]
		n = uint8(len(name) + 1)
	} else {
		n = uint8(k + len(b))
	}
	for i, c := range b {
		name[k+i] = lower(c)
	}
	return n
}

// endAttrName notes, at the end of a start tag's attribute name, whether it
// is one that makes a meta a charset meta.
func (z *tokenizer) endAttrName() {
	if z.endTag || z.attrLen > maxAttrName {
		return
	}
	switch string(z.attr[:z.attrLen]) {
	case "charset", "http-equiv":
		z.charset = true
	case "name":
		if z.traceNames && !z.nameDone {
			z.nameDone, z.inName, z.valLen = true, true, 0
		}
	}
}

// keepValue appends b, the next bytes of the value of the tag's first name
// attribute, to val.
func (z *tokenizer) keepValue(b []byte) {
	k := int(z.valLen)
	if k > len(z.val) {
		return
	}
	if k+len(b) > len(z.val) {
		z.valLen = uint8(len(z.val) + 1)
		return
	}
	z.valLen = uint8(k + copy(z.val[k:], b))
}

// endValue ends the value of the tag's first name attribute.
func (z *tokenizer) endValue() {
	z.inName = false
	z.traceMeta = int(z.valLen) <= len(z.val) && isTraceMetaName(z.val[:z.valLen])
}

// next consumes bytes of p until it has something to report, and returns
// how many it consumed and what it found. It stops right after the ">" that
// ends a token (evEnd), after a run of whitespace text (evSpace), or at the
// first byte of other text (evText, having consumed the run up to the next
// "<"). With evNone it has consumed all of p. It may report an event having
// consumed nothing: a "<" read earlier turned out to be text.
//
// Each state has a reader of its own, as x/net/html's token.go has: it reads
// p from i on while the tokenizer stays in its state, and returns where it
// stopped and what it found, evNone to go on in the state it left. z.pos is
// the stream offset of p[0] until next returns.
func (z *tokenizer) next(p []byte) (int, event) {
	i := 0
	ev := evNone
	for i < len(p) && ev == evNone {
		switch z.state {
		case stData:
			i, ev = z.readData(p, i)
		case stTagOpen:
			i, ev = z.readTagOpen(p, i)
		case stEndTagOpen:
			i, ev = z.readEndTagOpen(p, i)
		case stTagName:
			i = z.readTagName(p, i)
		case stBeforeAttr:
			i, ev = z.readBeforeAttr(p, i)
		case stAttrName:
			i = z.readAttrName(p, i)
		case stAfterAttrName:
			i = z.readAfterAttrName(p, i)
		case stBeforeAttrValue:
			i = z.readBeforeAttrValue(p, i)
		case stAttrValueQuoted:
			i = z.readAttrValueQuoted(p, i)
		case stAttrValueUnquoted:
			i = z.readAttrValueUnquoted(p, i)
		case stMarkupOpen, stMarkupDash, stDoctypeName:
			i = z.readMarkupOpen(p, i)
		case stDoctype, stBogusComment:
			i, ev = z.readToGreater(p, i)
		case stComment:
			i, ev = z.readComment(p, i)
		case stRawText:
			i = z.readRawText(p, i)
		case stScript:
			i = z.readScriptData(p, i)
		default:
			panic("inject: tokenizer in unknown " + z.state.String())
		}
	}
	z.pos += int64(i)
	return i, ev
}

// at returns the stream offset of p[i], the input of the running next.
func (z *tokenizer) at(i int) int64 { return z.pos + int64(i) }

// readData reads between tokens: a whole tag or doctype in one go when p
// holds it, else the "<" that begins one, or a run of text.
func (z *tokenizer) readData(p []byte, i int) (int, event) {
	c := p[i]
	z.start = z.at(i)
	switch {
	case c == '<':
		if end, ok := readDoctype(p, i); ok {
			z.kind = kindDoctype
			return end, evEnd
		}
		if end, ok := z.readTag(p, i); ok {
			return end, evEnd
		}
		z.state = stTagOpen
		return i + 1, evNone
	case isSpace(c):
		for i++; i < len(p) && isSpace(p[i]); i++ {
		}
		if !z.reportSpace {
			return i, evNone
		}
		return i, evSpace
	}
	if j := bytes.IndexByte(p[i:], '<'); j >= 0 {
		return i + j, evText
	}
	return len(p), evText
}

// readTagOpen reads the byte after "<".
func (z *tokenizer) readTagOpen(p []byte, i int) (int, event) {
	switch c := p[i]; {
	case isAlpha(c):
		z.startTag(false, c)
	case c == '/':
		z.state = stEndTagOpen
	case c == '!':
		z.state = stMarkupOpen
	case c == '?':
		z.state, z.kind = stBogusComment, kindComment
	default:
		// The "<" was text; c is read again in the data state.
		z.state = stData
		return i, evText
	}
	return i + 1, evNone
}

// readEndTagOpen reads the byte after "</".
func (z *tokenizer) readEndTagOpen(p []byte, i int) (int, event) {
	switch c := p[i]; {
	case c == '>':
		// "</>" is no token at all; x/net/html reports it as an empty
		// comment, and so do we.
		z.state, z.kind = stData, kindComment
		return i + 1, evEnd
	case isAlpha(c):
		z.startTag(true, c)
		return i + 1, evNone
	}
	z.state, z.kind = stBogusComment, kindComment
	return i, evNone
}

// readTagName reads a tag name, keeping its first maxName bytes.
func (z *tokenizer) readTagName(p []byte, i int) int {
	for ; i < len(p) && byteClass[p[i]]&clsNameEnd == 0; i++ {
		if z.nameLen < maxName {
			z.name[z.nameLen] = lower(p[i])
		}
		if z.nameLen <= maxName {
			z.nameLen++
		}
	}
	if i < len(p) {
		if isSpace(p[i]) {
			i++
		}
		z.state = stBeforeAttr
	}
	return i
}

// readBeforeAttr reads in a tag, before an attribute name or the ">" that
// ends the tag.
func (z *tokenizer) readBeforeAttr(p []byte, i int) (int, event) {
	switch c := p[i]; {
	case isSpace(c):
		return i + 1, evNone
	case c == '>':
		z.state, z.kind = stData, kindStartTag
		if z.endTag {
			z.kind = kindEndTag
		}
		z.tag = lookupTag(z.tagName())
		return i + 1, evEnd
	}
	z.state = stAttrName
	z.attrLen = 0
	z.attrFirst = true
	return i, evNone
}

// readAttrName reads an attribute name, keeping its first maxAttrName bytes.
func (z *tokenizer) readAttrName(p []byte, i int) int {
	for ; i < len(p); i++ {
		c := p[i]
		if byteClass[c]&clsNameEnd != 0 || c == '=' && !z.attrFirst {
			z.endAttrName()
			z.state = stAfterAttrName
			return i
		}
		z.attrFirst = false
		if z.attrLen < maxAttrName {
			z.attr[z.attrLen] = lower(c)
		}
		if z.attrLen <= maxAttrName {
			z.attrLen++
		}
	}
	return i
}

// readAfterAttrName reads after an attribute name: an "=" and its value may
// follow, or the next attribute.
func (z *tokenizer) readAfterAttrName(p []byte, i int) int {
	switch c := p[i]; {
	case isSpace(c):
		return i + 1
	case c == '/':
		z.state, z.inName = stBeforeAttr, false
		return i + 1
	case c == '=':
		z.state = stBeforeAttrValue
		return i + 1
	}
	z.state, z.inName = stBeforeAttr, false
	return i
}

// readBeforeAttrValue reads after an attribute's "=", before its value.
func (z *tokenizer) readBeforeAttrValue(p []byte, i int) int {
	switch c := p[i]; {
	case isSpace(c):
		return i + 1
	case c == '>':
		z.state, z.inName = stBeforeAttr, false
		return i
	case c == '"' || c == '\'':
		z.state, z.quote = stAttrValueQuoted, c
		return i + 1
	}
	z.state = stAttrValueUnquoted
	if z.inName {
		z.keepValue(p[i : i+1])
	}
	return i + 1
}

// readAttrValueQuoted reads a quoted attribute value up to its closing
// quote.
func (z *tokenizer) readAttrValueQuoted(p []byte, i int) int {
	j := bytes.IndexByte(p[i:], z.quote)
	if j < 0 {
		if z.inName {
			z.keepValue(p[i:])
		}
		return len(p)
	}
	if z.inName {
		z.keepValue(p[i : i+j])
		z.endValue()
	}
	z.state = stBeforeAttr
	return i + j + 1
}

// readAttrValueUnquoted reads an unquoted attribute value.
func (z *tokenizer) readAttrValueUnquoted(p []byte, i int) int {
	v := i
	for i < len(p) && byteClass[p[i]]&clsUnquotedEnd == 0 {
		i++
	}
	if z.inName {
		z.keepValue(p[v:i])
	}
	if i < len(p) {
		if z.inName {
			z.endValue()
		}
		if isSpace(p[i]) {
			i++
		}
		z.state = stBeforeAttr
	}
	return i
}

// readMarkupOpen reads after "<!": "--" begins a comment, "DOCTYPE" in any
// case a doctype, anything else a bogus comment.
func (z *tokenizer) readMarkupOpen(p []byte, i int) int {
	c := p[i]
	switch z.state {
	case stMarkupOpen:
		if c == '-' {
			z.state = stMarkupDash
			return i + 1
		}
		z.state, z.matched = stDoctypeName, 0
	case stMarkupDash:
		if c == '-' {
			z.state, z.kind = stComment, kindComment
			z.seen = 0
			return i + 1
		}
		// "<!-" then not "-": the "-" already failed to match "DOCTYPE",
		// so it is a bogus comment; c is read again.
		z.state, z.kind = stBogusComment, kindComment
	case stDoctypeName:
		if lower(c) != lower(doctypeKeyword[z.matched]) {
			// x/net/html backs up to just after "<!" and reads a bogus
			// comment to the next ">"; the bytes matched so far are
			// letters, so that ">" is at c or after it.
			z.state, z.kind = stBogusComment, kindComment
			return i
		}
		if z.matched++; int(z.matched) == len(doctypeKeyword) {
			z.state, z.kind = stDoctype, kindDoctype
		}
		return i + 1
	}
	return i
}

// readToGreater reads a doctype or a bogus comment, which the next ">" ends.
func (z *tokenizer) readToGreater(p []byte, i int) (int, event) {
	j := bytes.IndexByte(p[i:], '>')
	if j < 0 {
		return len(p), evNone
	}
	z.state = stData
	return i + j + 1, evEnd
}

// readComment reads a comment: only a ">" can end it, so it jumps from one
// to the next.
func (z *tokenizer) readComment(p []byte, i int) (int, event) {
	for {
		j := bytes.IndexByte(p[i:], '>')
		if j < 0 {
			z.pushComment(p[i:])
			return len(p), evNone
		}
		if z.commentEndsBefore(p[i : i+j]) {
			z.state = stData
			return i + j + 1, evEnd
		}
		z.pushComment(p[i : i+j+1])
		i += j + 1
	}
}

// readRawText reads the text of a title, style or another element whose
// only markup is its end tag, until "</" and its name.
func (z *tokenizer) readRawText(p []byte, i int) int {
	for i < len(p) {
		c := p[i]
		switch m := z.rawMatched; {
		case m == 0:
			j := bytes.IndexByte(p[i:], '<')
			if j < 0 {
				return len(p)
			}
			i += j
			z.start = z.at(i)
			z.rawMatched = 1
			i++
		case m == 1 && c == '/', m > 1 && m < 2+len(z.raw) && lower(c) == z.raw[m-2]:
			z.rawMatched++
			i++
		case m == 2+len(z.raw) && byteClass[c]&clsNameEnd != 0:
			// "</title" and a byte that ends the name, as x/net/html's
			// readRawEndTag: the end tag, whose rest the tag states read
			// from c.
			z.rawEndTag(z.raw)
			return i
		default:
			// Not the end tag: text, and c is read again.
			z.rawMatched = 0
		}
	}
	return i
}

// rawEndTag goes on reading, in the tag states, the end tag named name that
// ends the raw text, RCDATA or script data read so far.
func (z *tokenizer) rawEndTag(name string) {
	z.state, z.endTag, z.charset, z.rawMatched, z.rawEnd = stTagName, true, false, 0, true
	z.nameLen = uint8(copy(z.name[:], name))
}

// readScriptData reads the text of a script, until its end tag.
func (z *tokenizer) readScriptData(p []byte, i int) int {
	i, end := z.script(p, i)
	if end {
		// "</script" and a byte that ends the name: the end tag, whose
		// rest the tag states read from p[i].
		z.rawEndTag("script")
	}
	return i
}

// commentEndsBefore reports whether a ">" that follows b, the next bytes of
// the comment's data, ends the comment.
func (z *tokenizer) commentEndsBefore(b []byte) bool {
	// last3 is the data's last three bytes, zeros before its start.
	var last3 [3]byte
	n := min(len(b), 3)
	copy(last3[3-n:], b[len(b)-n:])
	seen := int(z.seen) + len(b)
	for k := 2 - n; k >= 0; k-- {
		last3[k] = z.tail[k+n]
	}
	switch {
	case seen == 0:
		return true // "<!-->"
	case seen == 1:
		return last3[2] == '-' // "<!--->"
	case last3[1] == '-' && last3[2] == '-':
		return true // "-->"
	case seen >= 3 && last3[0] == '-' && last3[1] == '-' && last3[2] == '!':
		return true // "--!>"
	}
	return false
}

// pushComment records b, the next bytes of the comment's data.
func (z *tokenizer) pushComment(b []byte) {
	if len(b) >= 3 {
		copy(z.tail[:], b[len(b)-3:])
	} else {
		copy(z.tail[:], z.tail[len(b):])
		copy(z.tail[3-len(b):], b)
	}
	z.seen = uint8(min(int(z.seen)+len(b), 3))
}

// eof reports what the token left unfinished at the end of the input becomes,
// as x/net/html reads it: kindNone when there is none or when it is dropped
// (a tag cut short), kindText for a lone "<" or "</", kindComment or
// kindDoctype for those, which the end of input closes.
func (z *tokenizer) eof() tokenKind {
	switch z.state {
	case stTagOpen, stEndTagOpen:
		return kindText
	case stMarkupOpen, stMarkupDash, stDoctypeName, stComment, stBogusComment:
		return kindComment
	case stDoctype:
		return kindDoctype
	}
	return kindNone
}

// inTag reports whether the tokenizer is inside a token whose type or tag name
// is not known yet, or inside a tag: the bytes from start must be held while
// the Writer may still insert before them.
func (z *tokenizer) inTag() bool {
	switch z.state {
	case stData, stDoctype, stComment, stBogusComment, stRawText, stScript:
		return false
	}
	return true
}
