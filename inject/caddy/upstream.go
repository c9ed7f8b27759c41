package injectcaddy

import (
	"net/http"

	"github.com/tracemeta/tracemeta/tracecontext"
)

// upstreamSpan returns the span that the upstream's response header h names
// as its own, as a child of sc, Caddy's span: the description of a
// Server-Timing entry sentry-trace (or traceparent), or else a W3C
// traceresponse header (https://www.w3.org/TR/trace-context-2/#traceresponse-header).
// It reports false when h names no span, or one of another trace: an
// upstream that did not continue Caddy's trace gives the page nothing to
// continue. The DSC is the upstream's Server-Timing baggage when it has one
// for the trace, else sc's.
func upstreamSpan(h http.Header, sc tracecontext.SpanContext) (tracecontext.SpanContext, bool) {
	t := parseServerTiming(h["Server-Timing"])
	var (
		named tracecontext.SpanContext
		err   error
	)
	switch {
	case t.sentryTrace != "":
		named, err = tracecontext.ParseSentryTrace(t.sentryTrace)
	case t.traceparent != "":
		named, err = tracecontext.ParseTraceparent(t.traceparent)
	default:
		tr := h["Traceresponse"]
		if len(tr) != 1 {
			return sc, false
		}
		named, err = tracecontext.ParseTraceparent(tr[0])
	}
	if err != nil || named.TraceID != sc.TraceID || named.SpanID == sc.SpanID {
		return sc, false
	}
	out := sc
	out.SpanID = named.SpanID
	out.ParentSpanID = sc.SpanID
	if named.Sampled != tracecontext.DecisionDeferred {
		out.Sampled = named.Sampled
	}
	if t.baggage != "" {
		b, _ := tracecontext.ParseBaggage(t.baggage) // the members kept are enough
		if d := tracecontext.DSCFromBaggage(b); d.TraceID == sc.TraceID.String() {
			out.DSC = d
		}
	}
	return out, true
}
