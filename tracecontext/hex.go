package tracecontext

// lowerHex maps an ASCII byte to its value as a lower-case hex digit, or to
// 0xff. Upper-case digits are invalid in every format of this package: W3C
// trace-context requires lower case, and the Sentry JavaScript and Python SDKs
// match [0-9a-f] only.
var lowerHex = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for c := byte('0'); c <= '9'; c++ {
		t[c] = c - '0'
	}
	for c := byte('a'); c <= 'f'; c++ {
		t[c] = c - 'a' + 10
	}
	return t
}()

// decodeLowerHex decodes s, exactly 2*len(dst) lower-case hex digits, into
// dst in place, and reports whether s was valid. It does not allocate.
func decodeLowerHex(dst []byte, s string) bool {
	if len(s) != 2*len(dst) {
		return false
	}
	for i := range dst {
		hi, lo := lowerHex[s[2*i]], lowerHex[s[2*i+1]]
		if hi > 0xf || lo > 0xf {
			return false
		}
		dst[i] = hi<<4 | lo
	}
	return true
}

// maxTraceHeaderLen bounds a sentry-trace or traceparent value, whitespace
// included, so that a hostile one is refused without being read: a valid one
// has 55 characters, and a future traceparent version is unlikely to need ten
// times as many.
const maxTraceHeaderLen = 512

// trimOWS removes the optional whitespace (spaces and horizontal tabs) of
// RFC 9110 around a header value.
func trimOWS(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}
