package tracecontext

import "fmt"

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
	var sc SpanContext
	v := trimOWS(s)
	if len(v) < traceIDHexLen || !decodeLowerHex(sc.TraceID[:], v[:traceIDHexLen]) {
		return SpanContext{}, fmt.Errorf("%w: %q", ErrInvalidTraceID, s)
	}
	if !sc.TraceID.IsValid() {
		return SpanContext{}, fmt.Errorf("%w: all zero: %q", ErrInvalidTraceID, s)
	}
	if len(v) == traceIDHexLen || v[traceIDHexLen] != '-' {
		return SpanContext{}, fmt.Errorf("%w: no '-' after the trace id: %q", ErrInvalidSentryTrace, s)
	}
	if len(v) < sentryTraceLen || !decodeLowerHex(sc.SpanID[:], v[traceIDHexLen+1:sentryTraceLen]) {
		return SpanContext{}, fmt.Errorf("%w: %q", ErrInvalidSpanID, s)
	}
	if !sc.SpanID.IsValid() {
		return SpanContext{}, fmt.Errorf("%w: all zero: %q", ErrInvalidSpanID, s)
	}
	switch rest := v[sentryTraceLen:]; {
	case rest == "":
		sc.Sampled = DecisionDeferred
	case rest == "-1":
		sc.Sampled = DecisionSampled
	case rest == "-0":
		sc.Sampled = DecisionNotSampled
	case rest[0] != '-':
		return SpanContext{}, fmt.Errorf("%w: no '-' after the span id: %q", ErrInvalidSentryTrace, s)
	default:
		return SpanContext{}, fmt.Errorf("%w: %q", ErrInvalidSampled, s)
	}
	return sc, nil
}
