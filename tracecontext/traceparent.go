package tracecontext

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
	t, perr := parseTraceparent(s)
	return t.spanContext(), perr.wrap(s)
}

// parseTraceparent is [ParseTraceparent] without formatting the error.
func parseTraceparent(s string) (traceHeader, parseError) {
	var sc traceHeader
	if len(s) > maxTraceHeaderLen {
		return traceHeader{}, parseError{ErrInvalidTraceparent, "too long"}
	}
	v := trimOWS(s)
	if len(v) < traceparentLen {
		return traceHeader{}, parseError{ErrInvalidTraceparent, "too short"}
	}
	var version [1]byte
	if !decodeLowerHex(version[:], v[:2]) {
		return traceHeader{}, parseError{ErrInvalidTraceparent, "bad version"}
	}
	switch {
	case version[0] == 0xff:
		return traceHeader{}, parseError{ErrInvalidTraceparent, "version ff"}
	case version[0] == 0 && len(v) != traceparentLen:
		return traceHeader{}, parseError{ErrInvalidTraceparent, "version 00 must be 55 characters"}
	case len(v) > traceparentLen && v[traceparentLen] != '-':
		return traceHeader{}, parseError{ErrInvalidTraceparent, "no '-' after trace-flags"}
	}
	if v[2] != '-' || v[3+traceIDHexLen] != '-' || v[4+traceIDHexLen+spanIDHexLen] != '-' {
		return traceHeader{}, parseError{ErrInvalidTraceparent, "bad separators"}
	}
	if !decodeLowerHex(sc.TraceID[:], v[3:3+traceIDHexLen]) {
		return traceHeader{}, parseError{ErrInvalidTraceID, ""}
	}
	if !sc.TraceID.IsValid() {
		return traceHeader{}, parseError{ErrInvalidTraceID, "all zero"}
	}
	const spanStart = 4 + traceIDHexLen
	if !decodeLowerHex(sc.SpanID[:], v[spanStart:spanStart+spanIDHexLen]) {
		return traceHeader{}, parseError{ErrInvalidSpanID, ""}
	}
	if !sc.SpanID.IsValid() {
		return traceHeader{}, parseError{ErrInvalidSpanID, "all zero"}
	}
	var flags [1]byte
	if !decodeLowerHex(flags[:], v[traceparentLen-2:traceparentLen]) {
		return traceHeader{}, parseError{ErrInvalidSampled, ""}
	}
	if flags[0]&flagSampled != 0 {
		sc.Sampled = DecisionSampled
	} else {
		sc.Sampled = DecisionNotSampled
	}
	return sc, parseError{}
}

// Traceparent returns the W3C traceparent value of sc:
// "00-{trace_id}-{span_id}-{flags}", with flags 01 when sampled and 00
// otherwise (a deferred decision is not sampled for W3C consumers).
func (sc SpanContext) Traceparent() string {
	var buf [2 + 1 + 32 + 1 + 16 + 1 + 2]byte
	return string(sc.AppendTraceparent(buf[:0]))
}

// AppendTraceparent appends the W3C traceparent value of sc to dst.
func (sc SpanContext) AppendTraceparent(dst []byte) []byte {
	dst = append(dst, "00-"...)
	dst = sc.TraceID.AppendHex(dst)
	dst = append(dst, '-')
	dst = sc.SpanID.AppendHex(dst)
	if sc.Sampled == DecisionSampled {
		return append(dst, "-01"...)
	}
	return append(dst, "-00"...)
}

// maxTraceStateLen bounds the tracestate carried through. W3C requires
// propagating at least 512 characters; a longer list is dropped whole rather
// than cut, since a cut could split an entry.
const maxTraceStateLen = 8192
