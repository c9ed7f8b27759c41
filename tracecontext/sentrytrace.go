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
	t, perr := parseSentryTrace(s)
	return t.spanContext(), perr.wrap(s)
}

// traceHeader is what a sentry-trace or traceparent header gives: the
// incoming trace and span, and the decision; and, for a continued trace,
// the tracestate. It is a SpanContext's first fields alone, which a
// continuation copies and clears several times.
type traceHeader struct {
	TraceID    TraceID
	SpanID     SpanID
	Sampled    Decision
	TraceState string
}

// IsValid reports whether t has a valid trace id and span id.
func (t *traceHeader) IsValid() bool { return t.TraceID.IsValid() && t.SpanID.IsValid() }

// spanContext returns the SpanContext of t's ids and decision.
func (t traceHeader) spanContext() SpanContext {
	return SpanContext{TraceID: t.TraceID, SpanID: t.SpanID, Sampled: t.Sampled}
}

// parseSentryTrace is [ParseSentryTrace] without formatting the error, so
// that continuing a request from hostile headers costs no allocation unless
// the error is reported.
func parseSentryTrace(s string) (traceHeader, parseError) {
	var sc traceHeader
	if len(s) > maxTraceHeaderLen {
		return traceHeader{}, parseError{ErrInvalidSentryTrace, "too long"}
	}
	v := trimOWS(s)
	if len(v) < traceIDHexLen || !decodeLowerHex(sc.TraceID[:], v[:traceIDHexLen]) {
		return traceHeader{}, parseError{ErrInvalidTraceID, ""}
	}
	if !sc.TraceID.IsValid() {
		return traceHeader{}, parseError{ErrInvalidTraceID, "all zero"}
	}
	if len(v) == traceIDHexLen || v[traceIDHexLen] != '-' {
		return traceHeader{}, parseError{ErrInvalidSentryTrace, "no '-' after the trace id"}
	}
	if len(v) < sentryTraceLen || !decodeLowerHex(sc.SpanID[:], v[traceIDHexLen+1:sentryTraceLen]) {
		return traceHeader{}, parseError{ErrInvalidSpanID, ""}
	}
	if !sc.SpanID.IsValid() {
		return traceHeader{}, parseError{ErrInvalidSpanID, "all zero"}
	}
	switch rest := v[sentryTraceLen:]; {
	case rest == "":
		sc.Sampled = DecisionDeferred
	case rest == "-1":
		sc.Sampled = DecisionSampled
	case rest == "-0":
		sc.Sampled = DecisionNotSampled
	case rest[0] != '-':
		return traceHeader{}, parseError{ErrInvalidSentryTrace, "no '-' after the span id"}
	default:
		return traceHeader{}, parseError{ErrInvalidSampled, ""}
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
