package render

// EscapeAttrTail escapes s as the renderer escapes a value appended after
// prefix into a slice of capacity capacity (at least len(prefix)+len(s)): the
// in-place path that baggage takes.
func EscapeAttrTail(prefix, s string, capacity int) []byte {
	dst := make([]byte, 0, max(capacity, len(prefix)+len(s)))
	dst = append(dst, prefix...)
	start := len(dst)
	dst = append(dst, s...)
	return escapeTail(dst, start, attrEscapedLen(dst[start:]))
}
