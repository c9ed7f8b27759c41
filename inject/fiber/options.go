package injectfiber

import (
	"github.com/gofiber/fiber/v2"

	"github.com/tracemeta/tracemeta/inject"
	injectfasthttp "github.com/tracemeta/tracemeta/inject/fasthttp"
	"github.com/tracemeta/tracemeta/inject/internal/fasthttpkit"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// New is [Middleware].
//
// Deprecated: use [Middleware], the name every tracemeta adapter has.
func New(opts ...inject.Option) fiber.Handler { return Middleware(opts...) }

// NewHandler returns the handler of [Middleware] configured by opts.
//
// Deprecated: use [Middleware], with inject's options.
func NewHandler(opts ...Option) fiber.Handler {
	return fasthttpkit.Handler(fasthttpkit.NewLegacy(opts), &framework)
}

// Option configures the handler of [NewHandler].
//
// Deprecated: [Middleware] takes inject's options.
type Option = injectfasthttp.Option

// WithInject passes opts to [inject.Middleware].
//
// Deprecated: give opts to [Middleware] itself.
func WithInject(opts ...inject.Option) Option { return injectfasthttp.WithInject(opts...) }

// WithSource sets the Source that the tags are read from.
//
// Deprecated: use [inject.WithSource].
func WithSource(src tracecontext.Source) Option { return injectfasthttp.WithSource(src) }

// WithTraceContext sets the options of the trace the handler continues when
// no SDK did.
//
// Deprecated: use [inject.WithTraceContext].
func WithTraceContext(opts ...tracecontext.Option) Option {
	return injectfasthttp.WithTraceContext(opts...)
}

// WithPropagator sets the Propagator that continues the trace when no SDK
// did.
//
// Deprecated: use [inject.WithTraceContext] with the Propagator's options.
func WithPropagator(p *tracecontext.Propagator) Option { return injectfasthttp.WithPropagator(p) }
