package render

// EscapeAttrTail escapes s as the renderer escapes a value appended after
// prefix into a slice of capacity capacity (at least len(prefix)+len(s)): the
// in-place path that baggage takes.
func EscapeAttrTail(prefix, s string, capacity int) []byte {
	dst := make([]byte, 0, max(capacity, len(prefix)+len(s)))
	dst = append(dst, prefix...)
	start := len(dst)
	dst = append(dst, s...)
	return escapeTail(dst, start, attrEscapedLen(dst[start:]), false)
}

// EscapeQuotedTail is EscapeAttrTail for the Server-Timing quoted-string
// escape. ok is false when s cannot be carried in a quoted-string.
func EscapeQuotedTail(prefix, s string, capacity int) (b []byte, ok bool) {
	if !quotable([]byte(s)) {
		return nil, false
	}
	dst := make([]byte, 0, max(capacity, len(prefix)+len(s)))
	dst = append(dst, prefix...)
	start := len(dst)
	dst = append(dst, s...)
	return escapeTail(dst, start, quotedEscapedLen(dst[start:]), true), true
}
