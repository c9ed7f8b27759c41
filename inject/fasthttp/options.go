package injectfasthttp

import (
	"github.com/tracemeta/tracemeta/inject"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// Option configures [Middleware] and [NewAdapter], and the Fiber adapters
// (inject/fiber, inject/fiberv3), whose options are these.
type Option func(*config)

type config struct {
	inject     []inject.Option
	source     tracecontext.Source      // nil: tracecontext.ContextSource
	propagator *tracecontext.Propagator // continues the trace when source has none
}

func newConfig(opts []Option) config {
	var c config
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	if c.propagator == nil {
		c.propagator = new(tracecontext.Propagator) // no options
	}
	return c
}

// injectOptions returns the options the handler gives [inject.Middleware]:
// the Source of [WithSource] first, so that one given with [WithInject]
// wins.
func (c config) injectOptions() []inject.Option {
	if c.source == nil {
		return c.inject
	}
	return append([]inject.Option{inject.WithSource(c.source)}, c.inject...)
}

// WithInject passes opts to [inject.Middleware], which the response is run
// through: [inject.WithSkipHook], [inject.WithRender] and the
// others mean what they mean there. Repeated calls add to the list. A nil
// option is skipped, as inject skips it.
func WithInject(opts ...inject.Option) Option {
	return func(c *config) { c.inject = append(c.inject, opts...) }
}

// WithSource sets the Source that the tags are read from, for a tracing SDK
// that runs in front of the handler (the sentrygo and otel modules of
// tracecontext provide them): it goes to [inject.WithSource], and the trace
// is continued only for requests in whose context it finds no span. The
// default is [tracecontext.ContextSource], which finds the trace continued
// here, or one the app stored with [tracecontext.NewContext] in front.
func WithSource(src tracecontext.Source) Option {
	return func(c *config) { c.source = src }
}

// WithTraceContext sets the options of the trace continued when no SDK
// started one ([tracecontext.WithSampleRate], [tracecontext.WithPublicKey],
// [tracecontext.WithRelease], ...), as [tracecontext.Middleware] takes them.
// Like [tracecontext.Middleware], it ignores an invalid option; build the
// Propagator with [tracecontext.NewPropagator] to see the error, and pass it
// with [WithPropagator].
func WithTraceContext(opts ...tracecontext.Option) Option {
	return func(c *config) {
		p, _ := tracecontext.NewPropagator(opts...) // usable either way
		c.propagator = p
	}
}

// WithPropagator sets the Propagator that continues the trace when no SDK
// did. A nil p means one without options, the default.
func WithPropagator(p *tracecontext.Propagator) Option {
	return func(c *config) { c.propagator = p }
}
