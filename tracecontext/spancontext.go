package tracecontext

// Decision is a sampling decision. A trace's decision is made once, at its
// head, and inherited by every service and the browser downstream.
type Decision uint8

const (
	// DecisionDeferred means no decision was made yet: the sentry-trace
	// header has no flag, and the next service decides.
	DecisionDeferred Decision = iota
	// DecisionSampled means the trace is recorded.
	DecisionSampled
	// DecisionNotSampled means the trace is not recorded.
	DecisionNotSampled
)

// String returns "deferred", "sampled" or "not-sampled".
func (d Decision) String() string {
	switch d {
	case DecisionDeferred:
		return "deferred"
	case DecisionSampled:
		return "sampled"
	case DecisionNotSampled:
		return "not-sampled"
	}
	return "invalid"
}

// SpanContext is what one service knows of the span active in a request and
// of the trace it belongs to. It is a plain value: copy it freely.
type SpanContext struct {
	// TraceID identifies the trace.
	TraceID TraceID
	// SpanID identifies the span that the tags name as the parent of whatever
	// continues the trace (the server span of the request).
	SpanID SpanID
	// ParentSpanID is the span that SpanID continues; zero at the head of a
	// trace.
	ParentSpanID SpanID
	// Sampled is the sampling decision of the trace.
	Sampled Decision
	// DSC is the Dynamic Sampling Context: the sentry- entries of baggage.
	DSC DSC
	// Baggage holds the baggage members of other vendors (keys not starting
	// with "sentry-") that arrived with the request, for the application to
	// read. They are never rendered into a page, and [Transport] does not
	// forward them: another vendor's baggage is that vendor's to propagate,
	// and a service in the middle must not leak an upstream's data further.
	Baggage Baggage
	// TraceState is the W3C tracestate header that arrived with a
	// traceparent, carried through unchanged.
	TraceState string
}

// IsValid reports whether sc has a valid trace id and span id. Nothing is
// rendered or propagated for an invalid SpanContext.
func (sc SpanContext) IsValid() bool { return sc.TraceID.IsValid() && sc.SpanID.IsValid() }
