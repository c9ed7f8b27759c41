package injectcaddy

import (
	"net/http"

	"github.com/tracemeta/tracemeta/tracecontext"
)

// upstreamSpan returns the span that the upstream's response header h names
// as its own, as a child of sc, the navigation's span: the description of a
// Server-Timing entry sentry-trace (or traceparent), or else a W3C
// traceresponse header (https://www.w3.org/TR/trace-context-2/#traceresponse-header).
// It reports false when h names no span, or one of another trace: an
// upstream that did not continue sc's trace gives the page nothing to
// continue.
//
// The span is as the upstream named it, not yet held to the trust rules
// (see adoptUpstream): Sampled is the decision of a sentry-trace entry, and
// sc's for a W3C name, whose flag is no Sentry sampling decision (a
// traceparent cannot say "deferred"); DSC is the DSC of the upstream's
// Server-Timing baggage when it names sc's trace, else zero.
func upstreamSpan(h http.Header, sc tracecontext.SpanContext) (tracecontext.SpanContext, bool) {
	t := parseServerTiming(h["Server-Timing"])
	var (
		named tracecontext.SpanContext
		err   error
	)
	sentry := false
	switch {
	case t.sentryTrace != "":
		named, err = tracecontext.ParseSentryTrace(t.sentryTrace)
		sentry = true
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
	out.DSC = tracecontext.DSC{}
	if sentry {
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

// adoptUpstream returns the span the page names when the upstream named up
// (from upstreamSpan) in the trace of sc, the navigation's span, and false
// when the page names sc instead:
//
//   - A DSC the upstream sends is held to the trust rules of p, as an
//     incoming one: one of another organization (or, with strict
//     continuation, without one when p has one) is refused, and with it the
//     upstream's span, which a page must never name with a DSC that is not
//     the trace's.
//   - A trace's decision is made once, at its head: when sc has one, it
//     stands, and so does sc's DSC. Only a trace still deferred takes the
//     upstream's decision, and its DSC when it sent one.
//   - The page's sampled flag and the sentry-sampled of its DSC agree.
func adoptUpstream(p *tracecontext.Propagator, sc, up tracecontext.SpanContext) (tracecontext.SpanContext, bool) {
	if !up.DSC.IsZero() {
		// The rules of an incoming trace, reused: p continues the
		// upstream's span only when its DSC passes them.
		cont := p.Continue(http.Header{
			"Sentry-Trace": {up.SentryTrace()},
			"Baggage":      {up.DSC.Baggage()},
		})
		if cont.TraceID != up.TraceID || cont.ParentSpanID != up.SpanID {
			return sc, false
		}
	}
	out := up
	switch {
	case sc.Sampled != tracecontext.DecisionDeferred:
		out.Sampled, out.DSC = sc.Sampled, sc.DSC
	case up.DSC.IsZero():
		out.DSC = sc.DSC
	}
	return agree(out), true
}

// agree returns sc with the sentry-sampled of its DSC saying what its
// sampled flag says, as tracecontext's Propagator makes every trace it
// continues say: for the decision an upstream's response gives a deferred
// trace (see adoptUpstream). A page whose sentry-trace and baggage disagree
// would make the browser SDK and dynamic sampling decide differently.
func agree(sc tracecontext.SpanContext) tracecontext.SpanContext {
	switch sc.Sampled {
	case tracecontext.DecisionSampled:
		sc.DSC.Sampled = "true"
	case tracecontext.DecisionNotSampled:
		sc.DSC.Sampled = "false"
	default:
		sc.DSC.Sampled = ""
	}
	return sc
}
