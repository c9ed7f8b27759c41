package tracecontext

const (
	traceIDHexLen = 32
	spanIDHexLen  = 16
	// sentryTraceLen is "{trace_id}-{span_id}" without the sampled flag.
	sentryTraceLen = traceIDHexLen + 1 + spanIDHexLen
)

// ParseSentryTrace parses a sentry-trace header value:
//
//	[ \t]* trace_id "-" span_id [ "-" sampled ] [ \t]*
//
// where trace_id is 32 and span_id 16 lower-case hex digits, neither all
// zero, and sampled is "1" ([DecisionSampled]) or "0" ([DecisionNotSampled]);
// without it the decision is [DecisionDeferred].
//
// The grammar is what every Sentry SDK accepts: the JavaScript and Python
// SDKs match ^[ \t]*([0-9a-f]{32})?-?([0-9a-f]{16})?-?([01])?[ \t]*$ and
// sentry-go requires both ids and the separators. So upper-case hex (refused
// by JavaScript and Python), a missing id or separator, and a trailing "-"
// without a flag (refused by sentry-go) are errors, and a value this parser
// accepts is continued the same way by any SDK downstream.
//
// The returned SpanContext has TraceID, SpanID (the incoming span, which a
// continuing service makes its parent) and Sampled set. The error wraps
// [ErrInvalidTraceID], [ErrInvalidSpanID], [ErrInvalidSampled] or
// [ErrInvalidSentryTrace]. Valid input does not allocate.
func ParseSentryTrace(s string) (SpanContext, error) {
	sc, perr := parseSentryTrace(s)
	return sc, perr.wrap(s)
}

// parseSentryTrace is [ParseSentryTrace] without formatting the error, so
// that continuing a request from hostile headers costs no allocation unless
// the error is reported.
func parseSentryTrace(s string) (SpanContext, parseError) {
	var sc SpanContext
	if len(s) > maxTraceHeaderLen {
		return SpanContext{}, parseError{ErrInvalidSentryTrace, "too long"}
	}
	v := trimOWS(s)
	if len(v) < traceIDHexLen || !decodeLowerHex(sc.TraceID[:], v[:traceIDHexLen]) {
		return SpanContext{}, parseError{ErrInvalidTraceID, ""}
	}
	if !sc.TraceID.IsValid() {
		return SpanContext{}, parseError{ErrInvalidTraceID, "all zero"}
	}
	if len(v) == traceIDHexLen || v[traceIDHexLen] != '-' {
		return SpanContext{}, parseError{ErrInvalidSentryTrace, "no '-' after the trace id"}
	}
	if len(v) < sentryTraceLen || !decodeLowerHex(sc.SpanID[:], v[traceIDHexLen+1:sentryTraceLen]) {
		return SpanContext{}, parseError{ErrInvalidSpanID, ""}
	}
	if !sc.SpanID.IsValid() {
		return SpanContext{}, parseError{ErrInvalidSpanID, "all zero"}
	}
	switch rest := v[sentryTraceLen:]; {
	case rest == "":
		sc.Sampled = DecisionDeferred
	case rest == "-1":
		sc.Sampled = DecisionSampled
	case rest == "-0":
		sc.Sampled = DecisionNotSampled
	case rest[0] != '-':
		return SpanContext{}, parseError{ErrInvalidSentryTrace, "no '-' after the span id"}
	default:
		return SpanContext{}, parseError{ErrInvalidSampled, ""}
	}
	return sc, parseError{}
}

// SentryTrace returns the sentry-trace value of sc: "{trace_id}-{span_id}",
// followed by "-1" or "-0" unless the decision is deferred.
func (sc SpanContext) SentryTrace() string {
	var buf [32 + 1 + 16 + 2]byte
	return string(sc.AppendSentryTrace(buf[:0]))
}

// AppendSentryTrace appends the sentry-trace value of sc to dst.
func (sc SpanContext) AppendSentryTrace(dst []byte) []byte {
	dst = sc.TraceID.AppendHex(dst)
	dst = append(dst, '-')
	dst = sc.SpanID.AppendHex(dst)
	switch sc.Sampled {
	case DecisionSampled:
		dst = append(dst, "-1"...)
	case DecisionNotSampled:
		dst = append(dst, "-0"...)
	}
	return dst
}
