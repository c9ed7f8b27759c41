package tmsentrygo

import (
	"context"
	"slices"
	"strings"

	"github.com/getsentry/sentry-go"

	"github.com/tracemeta/tracemeta/tracecontext"
)

// Option configures the [tracecontext.Source] returned by [Source].
type Option func(*config)

type config struct {
	transactionSpan bool // name the transaction, not the active child span
}

// WithTransactionSpan makes the tags name the transaction (the server span of
// the request) as the parent of the pageload, instead of the span active in
// the context, which may be a child span such as a template render.
//
// The default, the active span, says the most about where the page was
// built, but sentry-go drops a child span that is still unfinished when its
// transaction finishes: then the pageload would name a parent that was never
// reported. Turn this on when the rendering span may outlive the request.
func WithTransactionSpan(on bool) Option { return func(c *config) { c.transactionSpan = on } }

// Source returns a [tracecontext.Source] that reads the trace context that
// sentry-go holds for a request: the span in the context (put there by
// sentryhttp, [sentry.StartTransaction] or [sentry.StartSpan]) when tracing is
// enabled, and the propagation context of the hub in the context when it is
// not (tracing without performance).
//
// The span is read from the context with [sentry.SpanFromContext], never from
// the hub's scope, whose span is simply the last one started on that hub.
//
// The SpanContext it reports:
//   - TraceID, SpanID, ParentSpanID and the sampling decision of the active
//     span (see [WithTransactionSpan]);
//   - the DSC of the span's transaction ([sentry.Span.ToBaggage] of the
//     transaction), frozen, with an upstream sentry-sample_rand kept. Reading
//     it freezes the transaction's DSC, as propagating it would. A child
//     span's DSC is never used: sentry-go rebuilds it from local settings and
//     overwrites the transaction's, losing a DSC that arrived from upstream.
//     sentryhttpclient does that on every outgoing request; when the
//     transaction has lost its upstream DSC so, the Source restores it from
//     the request's propagation context, which [sentry.ContinueTrace] set
//     from the same headers.
//
// sentry-go v0.50.0 reports a transaction with a DSC it rebuilds from the
// local client when it sends it, so for a continued trace the envelope's DSC
// is not the upstream one the page carries; both name the same trace and
// decision.
//
// With tracing disabled (ClientOptions.EnableTracing false) sentry-go still
// creates the transaction, but marks it not sampled whatever the upstream
// decided, and reports errors with the scope's propagation context. The
// Source then reports the hub's propagation context instead (the values of
// [sentry.Hub.GetTraceparent] and [sentry.Hub.GetBaggage]), with the DSC
// built from the scope when nothing came from upstream, as sentry-go does for
// the error events of the request. sentry-go does not keep the incoming
// sampling decision there; the Source takes it from the frozen DSC's
// sentry-sampled, the head's decision, and leaves it deferred otherwise.
//
// Only a hub bound to the context ([sentry.SetHubOnContext], as sentryhttp
// does) is read: the process-wide [sentry.CurrentHub] has one propagation
// context for every request, and rendering it would join every visitor into
// one trace. For the same reason the request's hub must have its own
// propagation context, set by [sentry.ContinueTrace] as sentryhttp and the
// other sentry-go integrations do: a hub cloned without it shares the
// propagation context of the hub it was cloned from. Without a span or a hub
// in the context the Source reports no span.
//
// A nil Option is skipped.
func Source(opts ...Option) tracecontext.Source {
	var c config
	for _, o := range opts {
		if o != nil { // a nil Option is skipped, as tracecontext and inject skip theirs
			o(&c)
		}
	}
	return source{cfg: c}
}

type source struct {
	cfg config
}

var _ tracecontext.Source = source{}

// SpanContext implements [tracecontext.Source].
func (s source) SpanContext(ctx context.Context) (tracecontext.SpanContext, bool) {
	if ctx == nil {
		return tracecontext.SpanContext{}, false
	}
	span := sentry.SpanFromContext(ctx)
	hub := sentry.GetHubFromContext(ctx)
	if span != nil {
		if hub == nil {
			// sentryhttp binds the hub to the context before it starts
			// the transaction, so the span's context has it.
			hub = sentry.GetHubFromContext(span.Context())
		}
		if tracingEnabled(spanHub(span)) {
			return s.fromSpan(span, hub)
		}
	}
	if hub == nil {
		return tracecontext.SpanContext{}, false
	}
	if tracingEnabled(hub) {
		// No span in the context. The scope's span, if any, is the last
		// one started on this request's hub; read it the safe way rather
		// than through hub.GetBaggage, which would take a child span's DSC.
		if scopeSpan := hub.Scope().GetSpan(); scopeSpan != nil {
			return s.fromSpan(scopeSpan, hub)
		}
	}
	return fromHub(hub, span)
}

// fromSpan reads the trace header of span (or of its transaction) and the DSC
// of its transaction. hub, if not nil, is the request's hub.
func (s source) fromSpan(span *sentry.Span, hub *sentry.Hub) (tracecontext.SpanContext, bool) {
	txn := span.GetTransaction()
	if s.cfg.transactionSpan && txn != nil {
		span = txn
	}
	sc := tracecontext.SpanContext{
		TraceID:      tracecontext.TraceID(span.TraceID),
		SpanID:       tracecontext.SpanID(span.SpanID),
		ParentSpanID: tracecontext.SpanID(span.ParentSpanID),
		Sampled:      decision(span.Sampled),
	}
	if !sc.IsValid() {
		return tracecontext.SpanContext{}, false
	}
	if txn != nil {
		// The transaction's ToBaggage returns its frozen DSC, or freezes
		// one built from the client's settings at the head of a trace.
		sc.DSC = parseDSC(txn.ToBaggage())
		if txn.ParentSpanID != (sentry.SpanID{}) && hub != nil {
			sc.DSC = restoreUpstreamDSC(sc.DSC, hub, txn)
		}
		if !ofTrace(sc.DSC, sc.TraceID) {
			// sentry-go takes the baggage of a request whose
			// sentry-trace it could not continue: a DSC of another
			// trace. Describe the trace this transaction started.
			sc.DSC = parseDSC(sentry.DynamicSamplingContextFromTransaction(txn).String())
		}
	}
	return sc, true
}

// restoreUpstreamDSC returns the DSC that txn, a transaction that continued
// an upstream trace, arrived with, if sentry-go has overwritten it since.
//
// A child span's ToBaggage replaces its transaction's DSC with one built from
// the local client, and sentryhttpclient calls it for every outgoing request:
// after the first one the transaction has lost the upstream DSC. The scope's
// propagation context, which sentry.ContinueTrace set from the same headers,
// still holds it. It is read from a clone of the scope without its span,
// since the hub only reports the propagation context when the scope has no
// span, and the request's scope must not change.
//
// sentry-go legitimately changes one entry of a frozen DSC: sample_rate, to
// the rate it sampled with, when a TracesSampler is set or the upstream made
// no decision. The restored DSC keeps that change; the overwritten DSC holds
// the rate sentry-go sampled with.
func restoreUpstreamDSC(current tracecontext.DSC, hub *sentry.Hub, txn *sentry.Span) tracecontext.DSC {
	scope := hub.Scope().Clone()
	scope.SetSpan(nil)
	pc := sentry.NewHub(nil, scope)
	tp, ok := sentry.ParseTraceParentContext([]byte(pc.GetTraceparent()))
	if !ok || tp.TraceID != txn.TraceID {
		return current // not this transaction's propagation context
	}
	upstream := parseDSC(pc.GetBaggage())
	if upstream.IsZero() {
		// The sentry-trace came without a DSC: ContinueTrace froze an
		// empty one, and so did the transaction until it was overwritten.
		return tracecontext.DSC{}
	}
	if !ofTrace(upstream, tracecontext.TraceID(txn.TraceID)) {
		return current
	}
	if sameExceptSampleRate(current, upstream) {
		return current
	}
	client := hub.Client()
	if upstream.Sampled == "" || (client.IsEnabled() && client.Options().TracesSampler != nil) {
		upstream.SampleRate = current.SampleRate
	}
	return upstream
}

func sameExceptSampleRate(a, b tracecontext.DSC) bool {
	a.SampleRate, b.SampleRate = "", ""
	return a.Baggage() == b.Baggage()
}

// fromHub reads the propagation context of hub, for tracing without
// performance. span, if not nil, is the transaction sentry-go started anyway;
// it only supplies the upstream parent span id.
func fromHub(hub *sentry.Hub, span *sentry.Span) (tracecontext.SpanContext, bool) {
	tp, ok := sentry.ParseTraceParentContext([]byte(hub.GetTraceparent()))
	if !ok {
		return tracecontext.SpanContext{}, false
	}
	sc := tracecontext.SpanContext{
		TraceID: tracecontext.TraceID(tp.TraceID),
		// GetTraceparent writes the propagation context's own span id
		// where a sentry-trace header has the parent's.
		SpanID:  tracecontext.SpanID(tp.ParentSpanID),
		Sampled: decision(tp.Sampled),
	}
	if !sc.IsValid() {
		return tracecontext.SpanContext{}, false
	}
	if span != nil && tracecontext.TraceID(span.TraceID) == sc.TraceID {
		sc.ParentSpanID = tracecontext.SpanID(span.ParentSpanID)
	}

	dsc := parseDSC(hub.GetBaggage())
	if dsc.IsZero() || !ofTrace(dsc, sc.TraceID) {
		// Nothing came from upstream, or a DSC of another trace came
		// with a request whose sentry-trace was missing or invalid.
		dsc = tracecontext.DSC{}
		if client := hub.Client(); client.IsEnabled() {
			// As sentry-go does for the events of a trace whose head it is.
			dsc = parseDSC(sentry.DynamicSamplingContextFromScope(hub.Scope(), client).String())
		}
	}
	sc.DSC = dsc
	// The propagation context drops the incoming decision, and a span
	// started with tracing disabled always says not sampled; the DSC keeps
	// the head's decision.
	switch dsc.Sampled {
	case "true":
		sc.Sampled = tracecontext.DecisionSampled
	case "false":
		sc.Sampled = tracecontext.DecisionNotSampled
	}
	return sc, true
}

// spanHub returns the hub that span reports to, as sentry-go finds it.
func spanHub(span *sentry.Span) *sentry.Hub {
	if hub := sentry.GetHubFromContext(span.Context()); hub != nil {
		return hub
	}
	return sentry.CurrentHub()
}

// tracingEnabled reports whether spans started on hub are sampled for real.
// sentry-go marks every span not sampled when EnableTracing is off, so the
// span's decision is not the trace's.
func tracingEnabled(hub *sentry.Hub) bool {
	if hub == nil {
		return false
	}
	client := hub.Client()
	return client.IsEnabled() && client.Options().EnableTracing
}

func decision(s sentry.Sampled) tracecontext.Decision {
	switch s {
	case sentry.SampledTrue:
		return tracecontext.DecisionSampled
	case sentry.SampledFalse:
		return tracecontext.DecisionNotSampled
	}
	return tracecontext.DecisionDeferred
}

// ofTrace reports whether d may describe the trace id: a DSC names its trace,
// and one naming another trace is stale.
func ofTrace(d tracecontext.DSC, id tracecontext.TraceID) bool {
	return d.TraceID == "" || d.TraceID == id.String()
}

// parseDSC reads the DSC from a baggage value written by sentry-go, frozen.
// sentry-go keeps the DSC in a map and writes it in map order, so the
// entries this version does not know are sorted by key.
func parseDSC(baggage string) tracecontext.DSC {
	// ParseBaggage keeps every valid member when it also reports an
	// invalid one; sentry-go writes only valid ones.
	b, _ := tracecontext.ParseBaggage(baggage)
	d := tracecontext.DSCFromBaggage(b)
	slices.SortFunc(d.Extra, func(a, b tracecontext.Member) int { return strings.Compare(a.Key, b.Key) })
	return d
}
