package tracecontext

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"time"
)

// Option configures a [Propagator], and so [Middleware], [Transport], [CORS]
// and [Continue].
type Option func(*config)

// config is the state every Option writes. The zero value is not valid:
// newConfig sets the defaults.
type config struct {
	sampleRate    float64 // used when hasSampleRate and sampler is nil
	hasSampleRate bool    // a rate was configured: traces are decided at the head
	sampler       func(SamplingContext) float64

	publicKey   string
	release     string
	environment string
	orgID       string
	strict      bool // strict trace continuation

	emitTraceparent   bool
	ignoreTraceparent bool // incoming traceparent not continued (zero value: accepted)

	targets       []string
	patterns      []*regexp.Regexp
	targetsSet    bool // WithPropagationTargets or WithPropagationPatterns was given
	errorHandler  func(error)
	errorInterval time.Duration

	invalid []error // options that were ignored, for NewPropagator's error
}

func newConfig(opts []Option) config {
	c := config{errorInterval: time.Second}
	for _, opt := range opts {
		if opt != nil {
			opt(&c)
		}
	}
	return c
}

// validate drops settings that cannot be used and reports them.
func (c *config) validate() error {
	if c.hasSampleRate && !validRate(c.sampleRate) {
		c.invalid = append(c.invalid, fmt.Errorf("%w: sample rate %v not in [0, 1]", ErrInvalidOption, c.sampleRate))
		c.hasSampleRate = false
	}
	if c.errorInterval < 0 {
		c.invalid = append(c.invalid, fmt.Errorf("%w: negative error interval %v", ErrInvalidOption, c.errorInterval))
		c.errorInterval = time.Second
	}
	return errors.Join(c.invalid...)
}

func validRate(r float64) bool { return r >= 0 && r <= 1 } // false for NaN

// SamplingContext is what a sampler of [WithSampler] decides from.
type SamplingContext struct {
	// Request is the incoming request, or nil when the trace is continued
	// from headers alone ([Propagator.Continue]).
	Request *http.Request
	// TraceID is the id of the trace being decided.
	TraceID TraceID
	// Continued reports that the trace came from upstream without a
	// decision (a deferred sentry-trace); false at the head of a new trace.
	Continued bool
}

// WithSampleRate makes a service the head of its traces decide them: a new
// trace, or an incoming one without a decision, is sampled with probability
// rate, a number in [0, 1]. Without WithSampleRate or [WithSampler] the
// decision is left deferred, as the Sentry SDKs do in "tracing without
// performance" mode: the browser, or the next service, decides, from the same
// sample_rand.
func WithSampleRate(rate float64) Option {
	return func(c *config) { c.sampleRate, c.hasSampleRate = rate, true }
}

// WithSampler is [WithSampleRate] with a rate chosen per trace, as Sentry's
// tracesSampler. It is called only when there is no inherited decision, and
// a rate it returns outside [0, 1] (or NaN) counts as 0. It takes precedence
// over WithSampleRate.
func WithSampler(sampler func(SamplingContext) float64) Option {
	return func(c *config) { c.sampler = sampler }
}

// WithPublicKey sets the sentry-public_key of the DSC of traces this service
// starts: the public key of the project's DSN.
func WithPublicKey(key string) Option { return func(c *config) { c.publicKey = key } }

// WithRelease sets the sentry-release of the DSC of traces this service
// starts.
func WithRelease(release string) Option { return func(c *config) { c.release = release } }

// WithEnvironment sets the sentry-environment of the DSC of traces this
// service starts.
func WithEnvironment(env string) Option { return func(c *config) { c.environment = env } }

// WithOrgID sets the Sentry organization id of this service: the sentry-org_id
// of the DSC of traces it starts, and what an incoming trace's sentry-org_id
// is checked against. An incoming trace of another organization is never
// continued.
func WithOrgID(id string) Option { return func(c *config) { c.orgID = id } }

// WithStrictTraceContinuation makes continuing a trace require that the
// incoming sentry-org_id and the one of [WithOrgID] are both present and
// equal, or both absent, as the Sentry option strictTraceContinuation
// (https://develop.sentry.dev/sdk/telemetry/traces/#stricttracecontinuation).
// Without it a trace is continued unless both are present and differ.
func WithStrictTraceContinuation(strict bool) Option {
	return func(c *config) { c.strict = strict }
}

// WithTraceparent makes [Transport], [Headers] and [CORS] also emit and allow
// the W3C traceparent header (and tracestate, when one arrived), for
// OpenTelemetry services downstream. Off by default, as in the Sentry SDKs
// (propagateTraceparent).
func WithTraceparent(emit bool) Option { return func(c *config) { c.emitTraceparent = emit } }

// WithAcceptTraceparent sets whether an incoming W3C traceparent is continued
// when there is no valid sentry-trace header. On by default, so that a trace
// started by an OpenTelemetry service goes on through this one.
func WithAcceptTraceparent(accept bool) Option {
	return func(c *config) { c.ignoreTraceparent = !accept }
}

// WithPropagationTargets sets which outgoing requests [Transport] adds the
// trace headers to: those whose full URL contains one of targets (and those
// matching a pattern of [WithPropagationPatterns]). It replaces the default,
// which is every request to localhost or a loopback address (127.0.0.0/8,
// [::1]) on any port. With no targets and no patterns, nothing is
// propagated. Repeated calls add to the list.
func WithPropagationTargets(targets ...string) Option {
	return func(c *config) {
		c.targets = append(c.targets, targets...)
		c.targetsSet = true
	}
}

// WithPropagationPatterns is [WithPropagationTargets] with regular
// expressions, matched against the full URL (unanchored, as
// [regexp.Regexp.MatchString]). Nil patterns are ignored.
func WithPropagationPatterns(patterns ...*regexp.Regexp) Option {
	return func(c *config) {
		for _, p := range patterns {
			if p != nil {
				c.patterns = append(c.patterns, p)
			}
		}
		c.targetsSet = true
	}
}

// WithErrorHandler sets a hook that receives why an incoming header was not
// used: an error wrapping [ErrInvalidSentryTrace], [ErrInvalidTraceparent],
// [ErrInvalidTraceID], [ErrInvalidSpanID], [ErrInvalidSampled],
// [ErrInvalidBaggage], [ErrBaggageTooLarge] or [ErrOrgMismatch]. A bad header
// never fails a request: the trace starts anew (or the bad baggage members are
// dropped) and the hook is told. Headers come from clients, so the hook is
// rate-limited: at most one call per interval of [WithErrorInterval] (default
// one second); the others are dropped. The limit holds per [Propagator],
// and across the calls of the package-level functions ([Continue],
// [Middleware], [Transport], [CORS]) per hook function and interval: a
// Continue per request with the same hook reports at most once per interval.
// The hook also receives, once per Propagator built and not rate-limited,
// the error of invalid options. It may be called concurrently
// from several requests (with a zero interval), and must not block.
func WithErrorHandler(h func(error)) Option { return func(c *config) { c.errorHandler = h } }

// WithErrorInterval sets the minimum interval between two calls of the hook
// of [WithErrorHandler]. Zero reports every error.
func WithErrorInterval(d time.Duration) Option { return func(c *config) { c.errorInterval = d } }

// formatRate returns a sample rate as the DSC carries it: the shortest
// decimal that parses back to r ("0.25", "1", "0").
func formatRate(r float64) string { return strconv.FormatFloat(r, 'f', -1, 64) }

// clampRate returns r, or 0 when r is not a valid rate.
func clampRate(r float64) float64 {
	if !validRate(r) || math.IsNaN(r) {
		return 0
	}
	return r
}
