package injectcaddy

import "strings"

// maxServerTimingBytes bounds how much of an upstream's Server-Timing header
// is read: room for a baggage description of tracecontext.MaxBaggageBytes
// and the entries around it. The rest is ignored.
const maxServerTimingBytes = 16 << 10

// timing holds the descriptions of the Server-Timing entries that carry a
// trace (https://w3c.github.io/server-timing/#the-server-timing-header-field),
// as render.Renderer.AppendServerTiming writes them and the Sentry SDKs read
// them: sentry-trace;desc="...", baggage;desc="...", traceparent;desc="...".
// The first entry of each name wins.
type timing struct {
	sentryTrace, baggage, traceparent string
}

// parseServerTiming reads the trace entries of the Server-Timing header
// values, within maxServerTimingBytes. A malformed entry is skipped up to the
// next comma outside a quoted string; nothing is ever an error.
func parseServerTiming(values []string) timing {
	var t timing
	budget := maxServerTimingBytes
	for _, v := range values {
		if len(v) > budget {
			break
		}
		budget -= len(v)
		t.parse(v)
	}
	return t
}

// parse reads the entries of one header value:
//
//	server-timing-metric = metric-name *( OWS ";" OWS server-timing-param )
//	server-timing-param  = param-name OWS "=" OWS ( token / quoted-string )
func (t *timing) parse(s string) {
	i := 0
	for i < len(s) {
		i = skipOWS(s, i)
		if i < len(s) && s[i] == ',' {
			i++
			continue
		}
		name, j := readToken(s, i)
		if name == "" {
			i = skipEntry(s, i)
			continue
		}
		dst := t.slot(name)
		i = j
		ok := true
		for ok {
			i = skipOWS(s, i)
			if i >= len(s) || s[i] == ',' {
				break
			}
			if s[i] != ';' {
				ok = false
				break
			}
			i = skipOWS(s, i+1)
			param, j := readToken(s, i)
			if param == "" {
				ok = false
				break
			}
			i = skipOWS(s, j)
			if i >= len(s) || s[i] != '=' {
				// A parameter without a value: allowed, nothing to read.
				continue
			}
			i = skipOWS(s, i+1)
			var value string
			if i < len(s) && s[i] == '"' {
				value, i, ok = readQuoted(s, i)
			} else {
				value, i = readToken(s, i)
				ok = value != ""
			}
			if ok && dst != nil && *dst == "" && strings.EqualFold(param, "desc") {
				*dst = value
			}
		}
		if !ok {
			i = skipEntry(s, i)
		}
	}
}

// slot returns where the description of the entry name goes, or nil for an
// entry that carries no trace or whose description is read already.
func (t *timing) slot(name string) *string {
	var p *string
	switch {
	case strings.EqualFold(name, "sentry-trace"):
		p = &t.sentryTrace
	case strings.EqualFold(name, "baggage"):
		p = &t.baggage
	case strings.EqualFold(name, "traceparent"):
		p = &t.traceparent
	default:
		return nil
	}
	if *p != "" {
		return nil
	}
	return p
}

func skipOWS(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

// readToken returns the RFC 9110 token at s[i:] and the index after it.
func readToken(s string, i int) (string, int) {
	j := i
	for j < len(s) && isTokenByte(s[j]) {
		j++
	}
	return s[i:j], j
}

func isTokenByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// readQuoted reads the quoted-string at s[i:] (s[i] == '"'), returns its
// content with the quoted-pairs resolved, the index after it, and false when
// it is not terminated or holds a byte a quoted-string may not (read up to
// its end all the same, so that the next entry is found).
func readQuoted(s string, i int) (string, int, bool) {
	start := i + 1
	for j := start; j < len(s); j++ {
		switch c := s[j]; {
		case c == '"':
			return s[start:j], j + 1, true
		case c == '\\', c < 0x20 && c != '\t', c == 0x7f:
			return readQuotedSlow(s, start)
		}
	}
	return "", len(s), false
}

// readQuotedSlow is readQuoted for a string with quoted-pairs, which needs a
// copy, or with a byte it may not hold.
func readQuotedSlow(s string, start int) (string, int, bool) {
	var b strings.Builder
	ok := true
	for j := start; j < len(s); j++ {
		c := s[j]
		switch {
		case c == '"':
			if !ok {
				return "", j + 1, false
			}
			return b.String(), j + 1, true
		case c == '\\':
			j++
			if j == len(s) {
				return "", j, false
			}
			c = s[j]
		}
		if c < 0x20 && c != '\t' || c == 0x7f {
			ok = false
		}
		if ok {
			b.WriteByte(c)
		}
	}
	return "", len(s), false
}

// skipEntry returns the index after the comma that ends the entry at s[i:],
// commas inside quoted strings excepted, or len(s).
func skipEntry(s string, i int) int {
	quoted := false
	for ; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if quoted {
				i++
			}
		case '"':
			quoted = !quoted
		case ',':
			if !quoted {
				return i + 1
			}
		}
	}
	return i
}
