package tmdatadog

import (
	"context"
	"encoding/binary"

	"github.com/DataDog/dd-trace-go/v2/ddtrace/tracer"

	"github.com/tracemeta/tracemeta/tracecontext"
)

// Source returns a [tracecontext.Source] that reads the dd-trace-go span of
// a request's context: the one [tracer.SpanFromContext] finds, which is what
// dd-trace-go's contrib integrations (net/http, gin, echo, fiber, ...) and
// [tracer.StartSpanFromContext] put there.
//
// The SpanContext it reports:
//   - TraceID, the span's full 128-bit trace id (dd-trace-go v2 generates
//     128-bit ids by default; a 64-bit id has a zero upper half), so that
//     sentry-trace and traceparent carry the id the tracer propagates in
//     W3C headers, and the Datadog tags its lower 64 bits;
//   - SpanID, the span's 64-bit id: the span active when the tags are
//     rendered, the server span or a child span the handler started;
//   - the sampling decision from the trace's sampling priority: above zero
//     (auto keep, user keep) is [tracecontext.DecisionSampled], zero or below
//     (auto reject, user reject) is [tracecontext.DecisionNotSampled], and a
//     trace with no priority yet is [tracecontext.DecisionDeferred].
//
// It carries no DSC: a page rendered from a dd-trace-go span has no
// baggage tag. It reports no span when the context holds none, or when the
// span's ids are zero.
func Source() tracecontext.Source { return source{} }

type source struct{}

var _ tracecontext.Source = source{}

// SpanContext implements [tracecontext.Source].
func (source) SpanContext(ctx context.Context) (tracecontext.SpanContext, bool) {
	if ctx == nil {
		return tracecontext.SpanContext{}, false
	}
	span, ok := tracer.SpanFromContext(ctx)
	if !ok {
		return tracecontext.SpanContext{}, false
	}
	return spanContext(span.Context())
}

// spanContext converts a dd-trace-go span context.
func spanContext(dd *tracer.SpanContext) (tracecontext.SpanContext, bool) {
	if dd == nil {
		return tracecontext.SpanContext{}, false
	}
	sc := tracecontext.SpanContext{TraceID: tracecontext.TraceID(dd.TraceIDBytes())}
	binary.BigEndian.PutUint64(sc.SpanID[:], dd.SpanID())
	if !sc.IsValid() {
		return tracecontext.SpanContext{}, false
	}
	if p, ok := dd.SamplingPriority(); ok {
		sc.Sampled = decision(p)
	}
	return sc, true
}

// decision maps a Datadog sampling priority to a sampling decision:
// ext.PriorityAutoKeep (1) and ext.PriorityUserKeep (2) keep the trace,
// ext.PriorityAutoReject (0) and ext.PriorityUserReject (-1) drop it.
func decision(priority int) tracecontext.Decision {
	if priority > 0 {
		return tracecontext.DecisionSampled
	}
	return tracecontext.DecisionNotSampled
}
