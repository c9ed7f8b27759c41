package tracecontext

import (
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Header names, in the canonical form of [http.CanonicalHeaderKey], so that
// reading them from an [http.Header] is a plain map lookup.
const (
	headerSentryTrace = "Sentry-Trace"
	headerBaggage     = "Baggage"
	headerTraceparent = "Traceparent"
	headerTracestate  = "Tracestate"
)

// Propagator continues traces from incoming requests and propagates them on
// outgoing ones, with one configuration. Build it once with [NewPropagator]
// and share it: its methods are safe for concurrent use. [Middleware],
// [Transport], [CORS] and [Continue] use [DefaultPropagator] when given no
// options, and build one from their options otherwise. The zero value is a
// Propagator with no options.
type Propagator struct {
	cfg        config
	sampleRate string       // cfg.sampleRate formatted for the DSC, when cfg.hasSampleRate
	reports    *reportClock // the rate limit of the error hook; nil: ownReports
	ownReports reportClock
	decoded    decodedValues // the incoming baggage values it decoded, reused
}

// reportClock holds when an error hook was last called, for its rate limit.
type reportClock struct {
	last atomic.Int64 // unix nanoseconds of the last call of the error hook
}

// NewPropagator returns a Propagator configured by opts. If an option is
// invalid, it returns a Propagator without that option and an error wrapping
// [ErrInvalidOption]; the Propagator is usable either way. The hook of
// [WithErrorHandler] is rate-limited per Propagator.
func NewPropagator(opts ...Option) (*Propagator, error) {
	p := &Propagator{cfg: newConfig(opts)}
	err := p.cfg.validate()
	if p.cfg.hasSampleRate {
		p.sampleRate = formatRate(p.cfg.sampleRate)
	}
	return p, err
}

// defaultPropagator is the Propagator without options behind the
// package-level functions called without options. It is never changed: it
// has no error hook, so no rate limit state either.
var defaultPropagator = &Propagator{cfg: newConfig(nil)}

// newPropagator is NewPropagator for the package-level functions, which
// cannot return an error: without options it is the default Propagator;
// with an error hook, the hook is rate-limited across the calls of those
// functions (see sharedClock), and receives the error of invalid options.
func newPropagator(opts []Option) *Propagator {
	if len(opts) == 0 {
		return defaultPropagator
	}
	p, err := NewPropagator(opts...)
	if p.cfg.errorHandler != nil {
		p.reports = sharedClock(p.cfg.errorHandler, p.cfg.errorInterval)
		if err != nil {
			p.cfg.errorHandler(err)
		}
	}
	return p
}

// clockKey identifies an error hook and its interval: the hook by the code
// of its function, which every closure of one function literal, and every
// method value of one method, share.
type clockKey struct {
	code     uintptr
	interval time.Duration
}

// maxSharedClocks bounds the rate limits that sharedClock keeps, whatever
// the program does: past it, the others share overflowClock.
const maxSharedClocks = 256

// The rate limits of the error hooks given to the package-level functions,
// shared across their calls: without them, a Propagator built per call (a
// Continue per request) would call its hook for every bad header. A
// process-wide table, keyed by clockKey, bounded by maxSharedClocks.
var (
	sharedClocks      sync.Map // clockKey -> *reportClock
	sharedClocksCount atomic.Int64
	overflowClock     reportClock
)

// sharedClock returns the rate limit of hook h at interval d that the
// package-level functions share. Hooks of one function share one limit:
// they are called at most once per interval between them, which the
// documented limit allows.
func sharedClock(h func(error), d time.Duration) *reportClock {
	key := clockKey{code: reflect.ValueOf(h).Pointer(), interval: d}
	if c, ok := sharedClocks.Load(key); ok {
		return c.(*reportClock)
	}
	if sharedClocksCount.Load() >= maxSharedClocks {
		return &overflowClock
	}
	c, loaded := sharedClocks.LoadOrStore(key, new(reportClock))
	if !loaded {
		sharedClocksCount.Add(1)
	}
	return c.(*reportClock)
}

// Continue returns the SpanContext of the server span of a request with
// headers h, for a one-off use; see [Propagator.Continue]. A service should
// build one [Propagator] and use its methods, or [Middleware].
func Continue(h http.Header, opts ...Option) SpanContext {
	return newPropagator(opts).Continue(h)
}

// Middleware returns net/http middleware that continues the trace of every
// request (see [Propagator.ContinueRequest]) and stores the server span's
// SpanContext in the request's context with [NewContext], where
// [FromContext], [ContextSource], [Transport] and tracemeta's renderers find
// it.
func Middleware(opts ...Option) func(http.Handler) http.Handler {
	return newPropagator(opts).Middleware
}

// Middleware is [Middleware] with p's configuration.
func (p *Propagator) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// NewRequestContext(r.Context(), p.ContinueRequest(r)), with the
		// span continued in place rather than copied there.
		c := &spanCtx{Context: r.Context(), hasOnce: true}
		p.continueInto(&c.sc, r.Header, r)
		next.ServeHTTP(w, r.WithContext(c))
	})
}

// ContinueRequest is [Propagator.Continue] for r's headers, with r passed to
// the sampler of [WithSampler].
func (p *Propagator) ContinueRequest(r *http.Request) SpanContext {
	var sc SpanContext
	p.continueInto(&sc, r.Header, r)
	return sc
}

// Continue returns the SpanContext of a new server span for a request with
// headers h:
//
//   - The incoming trace is read from sentry-trace, or, when that header is
//     missing or invalid, from W3C traceparent (unless
//     [WithAcceptTraceparent](false)). A repeated header is invalid. An
//     invalid header never fails: it is reported to the hook of
//     [WithErrorHandler] and the trace starts anew.
//   - An incoming trace is continued unless its organization differs (see
//     [WithOrgID] and [WithStrictTraceContinuation]): same TraceID, a new
//     SpanID, ParentSpanID the incoming span, and the incoming decision.
//     Otherwise a new trace starts here, with a new TraceID and no parent.
//   - A trace without a decision (new, or a deferred sentry-trace) is decided
//     here when a rate is configured ([WithSampleRate], [WithSampler]):
//     sampled exactly when sample_rand < rate. Otherwise it stays deferred.
//   - sample_rand is inherited from the incoming DSC; when there is none, it
//     is generated, consistent with an inherited decision (below the incoming
//     sample_rate when sampled, at or above it when not).
//   - The DSC is the incoming one, frozen, when the baggage has sentry-
//     entries for this trace (with sample_rand added when it had none, so
//     that every service downstream uses the same one). Otherwise it is built
//     here: trace_id, public_key, sample_rate, sample_rand, sampled, release,
//     environment and org_id from the options. A DSC whose sentry-trace_id is
//     not the incoming trace's is ignored.
//   - The other vendors' baggage members are kept apart in Baggage, and a
//     tracestate that came with a valid traceparent of the same trace in
//     TraceState.
func (p *Propagator) Continue(h http.Header) SpanContext {
	var sc SpanContext
	p.continueInto(&sc, h, nil)
	return sc
}

// continueInto is Continue, into sc, which is zero: the SpanContext is a few
// dozen words, which it fills where they are kept rather than copy them
// there.
func (p *Propagator) continueInto(sc *SpanContext, h http.Header, r *http.Request) {
	in := p.incoming(h)
	var upstream DSC
	third := p.incomingDSC(h, &in, &upstream)
	if in.IsValid() && !p.orgAllows(upstream.OrgID) {
		if p.shouldReport() {
			p.cfg.errorHandler(fmt.Errorf("%w: incoming sentry-org_id %q, ours %q (strict %t)",
				ErrOrgMismatch, truncate(upstream.OrgID, maxQuoted), p.cfg.orgID, p.cfg.strict))
		}
		in = traceHeader{}
	}

	sc.SpanID, sc.Baggage = NewSpanID(), third
	if in.IsValid() {
		sc.TraceID, sc.ParentSpanID, sc.Sampled, sc.TraceState = in.TraceID, in.SpanID, in.Sampled, in.TraceState
	} else {
		sc.TraceID = NewTraceID()
		upstream = DSC{}
	}
	d := p.decide(sc.TraceID, sc.Sampled, &upstream, in.IsValid(), r)
	sc.Sampled = d.sampled
	p.setDSC(sc, &upstream, d)
}

// incomingDSC sets dsc, which is zero, to the DSC of h's baggage, when it
// belongs to the incoming trace in, and returns the other vendors' members.
func (p *Propagator) incomingDSC(h http.Header, in *traceHeader, dsc *DSC) Baggage {
	bp := baggageParser{decoded: &p.decoded}
	bp.parse(dsc, h[headerBaggage]...)
	if bp.problems.failed != 0 && p.shouldReport() {
		p.cfg.errorHandler(fmt.Errorf("baggage header: %w", bp.problems.err()))
	}
	dsc.Frozen = !dsc.isZero()
	third := Baggage{members: bp.members}
	if in.IsValid() && dsc.TraceID != "" && !in.TraceID.equalHex(dsc.TraceID) {
		if p.shouldReport() {
			p.cfg.errorHandler(fmt.Errorf("baggage header: %w: sentry-trace_id %q is not the trace %s",
				ErrInvalidBaggage, truncate(dsc.TraceID, maxQuoted), in.TraceID))
		}
		*dsc = DSC{}
	}
	return third
}

// sampling is the head-based sampling decision for one server span.
type sampling struct {
	sampled       Decision // the decision: inherited, made here, or still deferred
	randMicros    uint32   // the sample_rand generated here, in millionths, when not inherited
	randInherited bool     // the upstream DSC had a valid sample_rand
	decidedHere   bool     // the decision was made here, at rate
	rate          float64  // the rate of a decision made here
	fromSampler   bool     // rate came from the sampler of WithSampler
}

// decide makes the sampling decision of a span of trace with the incoming
// decision sampled and the upstream DSC (zero for a new trace), as
// [Propagator.Continue] describes: sample_rand is inherited, or generated
// consistent with an inherited decision; a trace without a decision is
// decided here when a rate is configured, sampled exactly when sample_rand <
// rate. It depends on nothing but its arguments, the configuration and the
// random source.
func (p *Propagator) decide(trace TraceID, sampled Decision, upstream *DSC, continued bool, r *http.Request) sampling {
	d := sampling{sampled: sampled}
	randValue, inherited := parseSampleRand(upstream.SampleRand)
	d.randInherited = inherited
	if !inherited {
		upstreamRate, hasRate := parseSampleRate(upstream.SampleRate)
		d.randMicros = newSampleRand(sampled, upstreamRate, hasRate)
		randValue = float64(d.randMicros) / sampleRandScale
	}
	if sampled != DecisionDeferred {
		return d
	}
	switch {
	case p.cfg.sampler != nil:
		d.rate = clampRate(p.cfg.sampler(SamplingContext{Request: r, TraceID: trace, Continued: continued}))
		d.fromSampler = true
	case p.cfg.hasSampleRate:
		d.rate = p.cfg.sampleRate
	default:
		return d // no rate: the decision stays deferred
	}
	d.decidedHere = true
	d.sampled = DecisionNotSampled
	if randValue < d.rate {
		d.sampled = DecisionSampled
	}
	return d
}

// setDSC sets the DSC of sc after the decision d: the upstream one, frozen,
// with the sample_rand generated here when it had none; or, for a trace
// that starts here, one built from the options.
func (p *Propagator) setDSC(sc *SpanContext, upstream *DSC, d sampling) {
	// The strings made here (a sampler's rate, the trace id, sample_rand)
	// are laid out in one buffer and converted once: one allocation.
	var scratch [32 + traceIDHexLen + 8]byte
	buf := scratch[:0]
	if d.fromSampler {
		buf = strconv.AppendFloat(buf, d.rate, 'f', -1, 64)
	}
	rateEnd := len(buf)
	fromUpstream := !upstream.isZero()
	if !fromUpstream {
		buf = sc.TraceID.AppendHex(buf)
	}
	randStart := len(buf)
	if !d.randInherited {
		buf = appendSampleRand(buf, d.randMicros)
	}
	all := string(buf)
	randStr := all[randStart:]

	if fromUpstream {
		sc.DSC = *upstream
		if !d.randInherited {
			sc.DSC.SampleRand = randStr
		}
		// The decision is the sentry-trace flag's: the DSC says the same,
		// even where the upstream's baggage disagreed with its flag (-0
		// and sentry-sampled=true), so that the browser SDK and dynamic
		// sampling never read two decisions.
		sc.DSC.Sampled = sc.Sampled.dscValue()
		return
	}
	sc.DSC = DSC{
		TraceID:     all[rateEnd:randStart],
		PublicKey:   p.cfg.publicKey,
		SampleRand:  randStr,
		Release:     p.cfg.release,
		Environment: p.cfg.environment,
		OrgID:       p.cfg.orgID,
	}
	switch {
	case d.fromSampler:
		sc.DSC.SampleRate = all[:rateEnd]
	case d.decidedHere:
		sc.DSC.SampleRate = p.sampleRate
	}
	sc.DSC.Sampled = sc.Sampled.dscValue()
}

// dscValue is the sentry-sampled of a DSC that agrees with the decision:
// "true", "false", or "" for a deferred one.
func (d Decision) dscValue() string {
	switch d {
	case DecisionSampled:
		return "true"
	case DecisionNotSampled:
		return "false"
	}
	return ""
}

// incoming returns the valid incoming trace of h, or the zero traceHeader.
func (p *Propagator) incoming(h http.Header) traceHeader {
	var in traceHeader
	var perr parseError
	switch v := h[headerSentryTrace]; len(v) {
	case 0:
	case 1:
		in, perr = parseSentryTrace(v[0])
		if !perr.ok() && p.shouldReport() {
			p.cfg.errorHandler(fmt.Errorf("sentry-trace header: %w", perr.wrap(v[0])))
		}
	default:
		if p.shouldReport() {
			p.cfg.errorHandler(fmt.Errorf("%w: %d sentry-trace headers, the first %q", ErrInvalidSentryTrace, len(v), truncate(v[0], maxQuoted)))
		}
	}
	if p.cfg.ignoreTraceparent {
		return in
	}
	var tp traceHeader
	switch v := h[headerTraceparent]; len(v) {
	case 0:
		return in
	case 1:
		tp, perr = parseTraceparent(v[0])
		if !perr.ok() {
			if !in.IsValid() && p.shouldReport() {
				p.cfg.errorHandler(fmt.Errorf("traceparent header: %w", perr.wrap(v[0])))
			}
			return in
		}
	default:
		// W3C: a request with two traceparent headers starts a new trace.
		if !in.IsValid() && p.shouldReport() {
			p.cfg.errorHandler(fmt.Errorf("%w: %d traceparent headers, the first %q", ErrInvalidTraceparent, len(v), truncate(v[0], maxQuoted)))
		}
		return in
	}
	if in.IsValid() && in.TraceID != tp.TraceID {
		return in
	}
	if !in.IsValid() {
		in = tp
	}
	in.TraceState = combineTraceState(h[headerTracestate])
	return in
}

// orgAllows reports whether a trace with the incoming sentry-org_id may be
// continued, by the matrix of the Sentry specification
// (https://develop.sentry.dev/sdk/telemetry/traces/#stricttracecontinuation):
//
//	incoming  ours  default   strict
//	1         1     continue  continue
//	none      1     continue  new trace
//	1         none  continue  new trace
//	none      none  continue  continue
//	1         2     new trace new trace
func (p *Propagator) orgAllows(incoming string) bool {
	ours := p.cfg.orgID
	if incoming != "" && ours != "" {
		return incoming == ours
	}
	if p.cfg.strict {
		return incoming == "" && ours == ""
	}
	return true
}

// shouldReport reports whether the error hook is to be called now, and
// claims the call: at most one per errorInterval.
func (p *Propagator) shouldReport() bool {
	if p.cfg.errorHandler == nil {
		return false
	}
	interval := int64(p.cfg.errorInterval)
	if interval == 0 {
		return true
	}
	clock := p.reports
	if clock == nil {
		clock = &p.ownReports
	}
	now := time.Now().UnixNano()
	last := clock.last.Load()
	if last != 0 && now-last < interval {
		return false
	}
	return clock.last.CompareAndSwap(last, now)
}
