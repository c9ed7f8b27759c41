package tracecontext

import "fmt"

// traceparentLen is the length of a version 00 traceparent:
// "00-{trace_id}-{parent_id}-{flags}".
const traceparentLen = 2 + 1 + traceIDHexLen + 1 + spanIDHexLen + 1 + 2

// flagSampled is the sampled bit of the W3C trace-flags.
const flagSampled = 0x01

// ParseTraceparent parses a W3C traceparent header value
// (https://www.w3.org/TR/trace-context/#traceparent-header):
//
//	version "-" trace-id "-" parent-id "-" trace-flags
//
// all lower-case hex. Version 00 must be exactly 55 characters. A higher
// version is parsed by its version 00 prefix, which must be followed by the
// end of the value or by '-' (§ "Versioning of traceparent"); version ff is
// invalid. An all-zero trace-id or parent-id is invalid. Spaces and tabs
// around the value are tolerated, as the W3C test suite requires.
//
// Sampled is [DecisionSampled] when the sampled bit of trace-flags is set and
// [DecisionNotSampled] otherwise: traceparent has no deferred state. Other
// flag bits are ignored (and written as zero by
// [SpanContext.AppendTraceparent]).
//
// The error wraps [ErrInvalidTraceparent], [ErrInvalidTraceID],
// [ErrInvalidSpanID] or [ErrInvalidSampled]. Valid input does not allocate.
func ParseTraceparent(s string) (SpanContext, error) {
	var sc SpanContext
	v := trimOWS(s)
	if len(v) < traceparentLen {
		return SpanContext{}, fmt.Errorf("%w: too short: %q", ErrInvalidTraceparent, s)
	}
	var version [1]byte
	if !decodeLowerHex(version[:], v[:2]) {
		return SpanContext{}, fmt.Errorf("%w: bad version: %q", ErrInvalidTraceparent, s)
	}
	switch {
	case version[0] == 0xff:
		return SpanContext{}, fmt.Errorf("%w: version ff: %q", ErrInvalidTraceparent, s)
	case version[0] == 0 && len(v) != traceparentLen:
		return SpanContext{}, fmt.Errorf("%w: version 00 must be %d characters: %q", ErrInvalidTraceparent, traceparentLen, s)
	case len(v) > traceparentLen && v[traceparentLen] != '-':
		return SpanContext{}, fmt.Errorf("%w: no '-' after trace-flags: %q", ErrInvalidTraceparent, s)
	}
	if v[2] != '-' || v[3+traceIDHexLen] != '-' || v[4+traceIDHexLen+spanIDHexLen] != '-' {
		return SpanContext{}, fmt.Errorf("%w: bad separators: %q", ErrInvalidTraceparent, s)
	}
	if !decodeLowerHex(sc.TraceID[:], v[3:3+traceIDHexLen]) {
		return SpanContext{}, fmt.Errorf("%w: %q", ErrInvalidTraceID, s)
	}
	if !sc.TraceID.IsValid() {
		return SpanContext{}, fmt.Errorf("%w: all zero: %q", ErrInvalidTraceID, s)
	}
	const spanStart = 4 + traceIDHexLen
	if !decodeLowerHex(sc.SpanID[:], v[spanStart:spanStart+spanIDHexLen]) {
		return SpanContext{}, fmt.Errorf("%w: %q", ErrInvalidSpanID, s)
	}
	if !sc.SpanID.IsValid() {
		return SpanContext{}, fmt.Errorf("%w: all zero: %q", ErrInvalidSpanID, s)
	}
	var flags [1]byte
	if !decodeLowerHex(flags[:], v[traceparentLen-2:traceparentLen]) {
		return SpanContext{}, fmt.Errorf("%w: %q", ErrInvalidSampled, s)
	}
	if flags[0]&flagSampled != 0 {
		sc.Sampled = DecisionSampled
	} else {
		sc.Sampled = DecisionNotSampled
	}
	return sc, nil
}

// maxTraceStateLen bounds the tracestate carried through. W3C requires
// propagating at least 512 characters and allows dropping the rest; a longer
// value is dropped whole rather than cut, since a cut could split an entry.
const maxTraceStateLen = 8192

// cleanTraceState returns the tracestate header value to carry through, or ""
// when it is too long or holds bytes outside printable ASCII (never valid in
// tracestate, and never to be passed on).
func cleanTraceState(s string) string {
	s = trimOWS(s)
	if len(s) > maxTraceStateLen {
		return ""
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e {
			return ""
		}
	}
	return s
}
