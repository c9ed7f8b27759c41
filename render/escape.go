package render

import "unicode/utf8"

// attrSpecial marks the bytes that HTML attribute escaping looks at. Bytes
// 0x80 and above are only candidates: a valid UTF-8 sequence is copied as it
// is, an invalid byte is replaced. It is never modified.
var attrSpecial = func() (t [256]bool) {
	for _, c := range `&'<>"` {
		t[c] = true
	}
	// A raw CR in an attribute value reaches the DOM as LF (HTML's input
	// stream normalises newlines), so it is written as a character reference.
	t['\r'] = true
	// Every HTML parser turns NUL in an attribute value into U+FFFD.
	t[0] = true
	for c := 0x80; c < 0x100; c++ {
		t[c] = true
	}
	return t
}()

// replacement is U+FFFD in UTF-8.
const replacement = "\uFFFD"

// attrEscape returns the escape of the byte at s[0] and the length of the
// input it stands for; esc is "" when the input is copied as it is (a valid
// UTF-8 sequence).
//
// & ' < > " are the characters x/net/html's escape writes as references,
// which keeps a value safe in an attribute of any quoting and in text. CR
// and NUL cannot reach the DOM as themselves, so they are written as what a
// parser reads (&#13; keeps the CR; NUL is always U+FFFD). An invalid UTF-8
// byte is replaced by U+FFFD, as a browser decoding the UTF-8 page would, so
// the page holds exactly the value a parser reads back.
func attrEscape(s []byte) (esc string, n int) {
	switch c := s[0]; c {
	case '&':
		return "&amp;", 1
	case '\'':
		// "&#39;" is shorter than "&apos;", which HTML4 lacks.
		return "&#39;", 1
	case '<':
		return "&lt;", 1
	case '>':
		return "&gt;", 1
	case '"':
		// "&#34;" is shorter than "&quot;".
		return "&#34;", 1
	case '\r':
		return "&#13;", 1
	case 0:
		return replacement, 1
	}
	r, n := utf8.DecodeRune(s)
	if r == utf8.RuneError && n == 1 {
		return replacement, 1
	}
	return "", n
}

// attrEscapedLen returns the length of s once HTML-attribute-escaped.
func attrEscapedLen(s []byte) int {
	n := len(s)
	for i := 0; i < len(s); {
		if !attrSpecial[s[i]] {
			i++
			continue
		}
		esc, w := attrEscape(s[i:])
		if esc != "" {
			n += len(esc) - w
		}
		i += w
	}
	return n
}

// appendAttrEscaped appends s to dst, HTML-attribute-escaped. It copies the
// runs between special bytes whole, as x/net/html's escape does.
//
// dst may share its array with s if the bytes dst appends never overtake
// those s has left to read: see escapeTail.
func appendAttrEscaped(dst, s []byte) []byte {
	run := 0 // start of the run of bytes not yet copied
	for i := 0; i < len(s); {
		if !attrSpecial[s[i]] {
			i++
			continue
		}
		esc, w := attrEscape(s[i:])
		if esc == "" {
			i += w
			continue
		}
		dst = append(dst, s[run:i]...)
		dst = append(dst, esc...)
		i += w
		run = i
	}
	return append(dst, s[run:]...)
}

// escapeTail escapes dst[start:] in place, given n, its escaped length, and
// returns dst[:start+n]. It grows dst only when the escaped value is longer
// and cap(dst) lacks room for both the value and its escape, so a value that
// needs no escaping costs one scan and nothing else.
//
// The raw bytes are moved to the end of the room, then escaped forward into
// place. No escape is shorter than its input, so once in bytes are consumed
// the output holds out <= n-(raw-in) bytes: the next write, at start+out,
// stays before the next byte to read, at start+n+in.
func escapeTail(dst []byte, start, n int) []byte {
	raw := len(dst) - start
	if n == raw {
		return dst
	}
	end := start + n + raw
	if end > cap(dst) {
		grown := make([]byte, len(dst), end)
		copy(grown, dst)
		dst = grown
	}
	dst = dst[:end]
	copy(dst[start+n:], dst[start:start+raw])
	return appendAttrEscaped(dst[:start], dst[start+n:end])
}
