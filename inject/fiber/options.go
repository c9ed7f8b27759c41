package injectfiber

// This file is shared, byte for byte but for the package clause, by
// inject/fiber and inject/fiberv3; TestSharedFilesInSync in inject/fiberv3
// checks it.

import (
	"github.com/tracemeta/tracemeta/inject"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// Option configures the handler of [NewHandler].
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

// WithInject passes opts to [inject.Middleware], which the handler runs the
// response through: [inject.WithSkipHook], [inject.WithRender] and the
// others mean what they mean there. Repeated calls add to the list. A nil
// option is skipped, as inject skips it.
func WithInject(opts ...inject.Option) Option {
	return func(c *config) { c.inject = append(c.inject, opts...) }
}

// WithSource sets the Source that the tags are read from, for a tracing SDK
// that runs in front of the handler (the sentrygo and otel modules of
// tracecontext provide them): the handler gives it to [inject.WithSource],
// and continues the trace itself only for requests in whose context it finds
// no span. The default is [tracecontext.ContextSource], which finds the
// trace the handler continued, or one the app stored with
// [tracecontext.NewContext] in front of it.
func WithSource(src tracecontext.Source) Option {
	return func(c *config) { c.source = src }
}

// WithTraceContext sets the options of the trace the handler continues when
// no SDK did ([tracecontext.WithSampleRate], [tracecontext.WithPublicKey],
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
