package injectfiberv3

import (
	"github.com/tracemeta/tracemeta/inject"
	injectfasthttp "github.com/tracemeta/tracemeta/inject/fasthttp"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// Option configures the handler of [NewHandler]. It is the option of
// injectfasthttp, which replays the responses of every framework on
// fasthttp: its options work here too.
type Option = injectfasthttp.Option

// WithInject passes opts to [inject.Middleware], which the handler runs the
// response through: [inject.WithSkipHook], [inject.WithRender] and the
// others mean what they mean there. Repeated calls add to the list. A nil
// option is skipped, as inject skips it.
func WithInject(opts ...inject.Option) Option { return injectfasthttp.WithInject(opts...) }

// WithSource sets the Source that the tags are read from, for a tracing SDK
// that runs in front of the handler (the sentrygo and otel modules of
// tracecontext provide them): the handler gives it to [inject.WithSource],
// and continues the trace itself only for requests in whose context it finds
// no span. The default is [tracecontext.ContextSource], which finds the
// trace the handler continued, or one the app stored with
// [tracecontext.NewContext] in front of it.
func WithSource(src tracecontext.Source) Option { return injectfasthttp.WithSource(src) }

// WithTraceContext sets the options of the trace the handler continues when
// no SDK did ([tracecontext.WithSampleRate], [tracecontext.WithPublicKey],
// [tracecontext.WithRelease], ...), as [tracecontext.Middleware] takes them.
// Like [tracecontext.Middleware], it ignores an invalid option; build the
// Propagator with [tracecontext.NewPropagator] to see the error, and pass it
// with [WithPropagator].
func WithTraceContext(opts ...tracecontext.Option) Option {
	return injectfasthttp.WithTraceContext(opts...)
}

// WithPropagator sets the Propagator that continues the trace when no SDK
// did. A nil p means one without options, the default.
func WithPropagator(p *tracecontext.Propagator) Option { return injectfasthttp.WithPropagator(p) }
