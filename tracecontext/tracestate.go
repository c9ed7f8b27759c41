package tracecontext

import "strings"

// maxTraceStateMembers is the W3C limit on tracestate list-members
// (https://www.w3.org/TR/trace-context/#tracestate-header-field-values).
const maxTraceStateMembers = 32

// combineTraceState returns the tracestate to carry through from the values
// of the tracestate headers of a request: combined in order into one list, as
// W3C requires of repeated headers, with empty values ignored. It returns ""
// when the list is invalid (a malformed member, a repeated key, more than 32
// members, a value longer than maxTraceStateLen), since W3C says an invalid
// tracestate is discarded, not repaired.
func combineTraceState(values []string) string {
	var s string
	n, size := nonEmpty(values)
	if size > maxTraceStateLen {
		return "" // measured before joining, so a hostile list costs nothing
	}
	switch {
	case n == 0:
		return ""
	case n == 1:
		for _, v := range values {
			if trimOWS(v) != "" {
				s = trimOWS(v)
			}
		}
	default:
		parts := make([]string, 0, n)
		for _, v := range values {
			if v = trimOWS(v); v != "" {
				parts = append(parts, v)
			}
		}
		s = strings.Join(parts, ",")
	}
	if len(s) > maxTraceStateLen || !validTraceState(s) {
		return ""
	}
	return s
}

// nonEmpty returns the number of values that are not empty once trimmed, and
// the length of their join, counting no further than past maxTraceStateLen.
func nonEmpty(values []string) (n, size int) {
	for _, v := range values {
		if size > maxTraceStateLen {
			break
		}
		if v = trimOWS(v); v != "" {
			if n > 0 {
				size++
			}
			n++
			size += len(v)
		}
	}
	return n, size
}

// validTraceState reports whether s is a valid tracestate list.
func validTraceState(s string) bool {
	var keys [maxTraceStateMembers]string
	n := 0
	for rest := s; rest != ""; {
		var m string
		m, rest, _ = strings.Cut(rest, ",")
		if m = trimOWS(m); m == "" {
			continue
		}
		k, v, ok := strings.Cut(m, "=")
		if !ok || !validTraceStateKey(k) || !validTraceStateValue(v) || n == maxTraceStateMembers {
			return false
		}
		for _, seen := range keys[:n] {
			if seen == k {
				return false
			}
		}
		keys[n] = k
		n++
	}
	return true
}

// validTraceStateKey: simple-key = lcalpha 0*255(lcalpha / DIGIT / "_" /
// "-"/ "*" / "/"), or tenant-id "@" system-id, where tenant-id may start
// with a digit and has at most 241 characters, system-id at most 14.
func validTraceStateKey(k string) bool {
	tenant, system, multi := strings.Cut(k, "@")
	if !multi {
		return len(k) <= 256 && k != "" && isLCAlpha(k[0]) && keyChars(k[1:])
	}
	return tenant != "" && len(tenant) <= 241 && (isLCAlpha(tenant[0]) || isDigit(tenant[0])) && keyChars(tenant[1:]) &&
		system != "" && len(system) <= 14 && isLCAlpha(system[0]) && keyChars(system[1:])
}

func keyChars(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isLCAlpha(c) && !isDigit(c) && c != '_' && c != '-' && c != '*' && c != '/' {
			return false
		}
	}
	return true
}

func isLCAlpha(c byte) bool { return 'a' <= c && c <= 'z' }
func isDigit(c byte) bool   { return '0' <= c && c <= '9' }

// validTraceStateValue: 0*255(chr) nblk-chr, chr = %x20 / nblk-chr,
// nblk-chr = %x21-2B / %x2D-3C / %x3E-7E.
func validTraceStateValue(v string) bool {
	if v == "" || len(v) > 256 || v[len(v)-1] == ' ' {
		return false
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 || c > 0x7e || c == ',' || c == '=' {
			return false
		}
	}
	return true
}
