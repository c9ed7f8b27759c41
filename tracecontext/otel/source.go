package tmotel

import (
	"context"
	"slices"
	"strings"

	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/trace"

	"github.com/tracemeta/tracemeta/tracecontext"
)

// Option configures the [tracecontext.Source] returned by [Source].
type Option func(*config)

type config struct {
	headDSC tracecontext.DSC // the DSC of a trace this service starts, for Sentry
}

// WithHeadDSC sets the DSC rendered when the request's baggage carries none:
// when this service, as far as Sentry is concerned, is the head of the trace.
// Set the fields that describe this service (PublicKey of the Sentry project
// the browser reports to, Release, Environment, SampleRate); the Source fills
// TraceID from the span and Sampled from its sampled flag, and marks the DSC
// frozen. Without it such a page carries no baggage and the Sentry browser
// SDK reports its pageload without a DSC, which dynamic sampling needs.
//
// A DSC that arrived from upstream is always rendered as it is instead.
func WithHeadDSC(d tracecontext.DSC) Option {
	return func(c *config) {
		c.headDSC = d
		c.headDSC.Extra = slices.Clone(d.Extra)
	}
}

// Source returns a [tracecontext.Source] that reads the OpenTelemetry span
// context and W3C baggage of a request's context: what an instrumented
// handler (otelhttp, or a span started with a [trace.Tracer]) and the
// baggage propagator put there.
//
// The SpanContext it reports:
//   - TraceID and SpanID of [trace.SpanContextFromContext]: the span active
//     when the tags are rendered, a child span included, or the remote span
//     context of the caller when the handler started no span of its own;
//   - the sampling decision from the sampled trace flag: set is
//     [tracecontext.DecisionSampled], clear is
//     [tracecontext.DecisionNotSampled], since a W3C trace context always
//     carries a decision;
//   - ParentSpanID, when the span is one the SDK recorded (it exposes its
//     parent, as the SDK's spans do) and its parent belongs to the same trace;
//   - TraceState, the W3C tracestate of the span context, carried unchanged;
//   - from the baggage of [baggage.FromContext], the members whose key starts
//     with "sentry-" as the DSC, frozen, since they came from upstream,
//     unless their sentry-trace_id names another trace (the handler started
//     a new trace and the DSC is stale); the other members as
//     [tracecontext.SpanContext.Baggage], which tracemeta propagates to
//     outgoing requests but never renders into a page.
//
// OpenTelemetry keeps baggage in a map, so the members are put in key order.
// When the baggage carries no DSC, the one set with [WithHeadDSC] is
// reported. It reports no span when the context holds no valid span context.
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

// parented is implemented by the spans of the OpenTelemetry SDK
// (sdktrace.ReadOnlySpan); reading it through an interface keeps the SDK out
// of this package's dependencies.
type parented interface {
	Parent() trace.SpanContext
}

// SpanContext implements [tracecontext.Source].
func (s source) SpanContext(ctx context.Context) (tracecontext.SpanContext, bool) {
	if ctx == nil {
		return tracecontext.SpanContext{}, false
	}
	osc := trace.SpanContextFromContext(ctx)
	if !osc.IsValid() {
		return tracecontext.SpanContext{}, false
	}
	sc := tracecontext.SpanContext{
		TraceID:    tracecontext.TraceID(osc.TraceID()),
		SpanID:     tracecontext.SpanID(osc.SpanID()),
		Sampled:    tracecontext.DecisionNotSampled,
		TraceState: osc.TraceState().String(),
	}
	if osc.IsSampled() {
		sc.Sampled = tracecontext.DecisionSampled
	}
	if p, ok := trace.SpanFromContext(ctx).(parented); ok {
		if parent := p.Parent(); parent.IsValid() && parent.TraceID() == osc.TraceID() {
			sc.ParentSpanID = tracecontext.SpanID(parent.SpanID())
		}
	}
	if b := fromOTel(baggage.FromContext(ctx)); b.Len() > 0 {
		sc.DSC = tracecontext.DSCFromBaggage(b)
		sc.Baggage = b.ThirdParty()
		if sc.DSC.TraceID != "" && sc.DSC.TraceID != sc.TraceID.String() {
			// The baggage came with a request whose trace the
			// handler did not continue: its DSC names another trace.
			sc.DSC = tracecontext.DSC{}
		}
	}
	if sc.DSC.IsZero() && !s.cfg.headDSC.IsZero() {
		sc.DSC = s.cfg.headDSC
		// Extra is shared by every request: a copy keeps a caller that
		// changes its SpanContext from changing the next one.
		sc.DSC.Extra = slices.Clone(sc.DSC.Extra)
		sc.DSC.TraceID = sc.TraceID.String()
		sc.DSC.Sampled = "false"
		if sc.Sampled == tracecontext.DecisionSampled {
			sc.DSC.Sampled = "true"
		}
		sc.DSC.Frozen = true
	}
	return sc, true
}

// fromOTel converts OpenTelemetry baggage, in key order. OpenTelemetry
// accepts any UTF-8 key in process (baggage.NewMemberRaw), W3C baggage only
// tokens: a member whose key (or a property's) is not one is dropped alone,
// rather than with the others.
func fromOTel(ob baggage.Baggage) tracecontext.Baggage {
	if ob.Len() == 0 {
		return tracecontext.Baggage{}
	}
	oms := ob.Members()
	slices.SortFunc(oms, func(a, b baggage.Member) int { return strings.Compare(a.Key(), b.Key()) })
	members := make([]tracecontext.Member, 0, len(oms))
	for _, om := range oms {
		m := tracecontext.Member{Key: om.Key(), Value: om.Value()}
		for _, op := range om.Properties() {
			v, ok := op.Value()
			m.Properties = append(m.Properties, tracecontext.Property{Key: op.Key(), Value: v, HasValue: ok})
		}
		members = append(members, m)
	}
	if b, err := tracecontext.NewBaggage(members...); err == nil {
		return b
	}
	members = slices.DeleteFunc(members, func(m tracecontext.Member) bool {
		_, err := tracecontext.NewBaggage(m)
		return err != nil
	})
	b, _ := tracecontext.NewBaggage(members...) // every member passed alone
	return b
}
