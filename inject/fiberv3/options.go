package injectfiberv3

import (
	"github.com/gofiber/fiber/v3"

	"github.com/tracemeta/tracemeta/inject"
	injectfasthttp "github.com/tracemeta/tracemeta/inject/fasthttp"
	"github.com/tracemeta/tracemeta/inject/internal/fasthttpkit"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// The names below are those of v0.1.0, kept for the programs that call
// them. [Middleware] takes inject's own options: [inject.WithSource] for
// the Source, [inject.WithTraceContext] for the trace it continues.

// Deprecated: use [Middleware].
func New(opts ...inject.Option) fiber.Handler { return Middleware(opts...) }

// Deprecated: use [Middleware] with inject's options.
func NewHandler(opts ...Option) fiber.Handler {
	return fasthttpkit.Handler(fasthttpkit.NewLegacy(opts), &framework)
}

// Deprecated: [Middleware] takes inject's options.
type Option = injectfasthttp.Option

// Deprecated: give the options to [Middleware].
func WithInject(opts ...inject.Option) Option { return injectfasthttp.WithInject(opts...) }

// Deprecated: use [inject.WithSource].
func WithSource(src tracecontext.Source) Option { return injectfasthttp.WithSource(src) }

// Deprecated: use [inject.WithTraceContext].
func WithTraceContext(opts ...tracecontext.Option) Option {
	return injectfasthttp.WithTraceContext(opts...)
}

// Deprecated: use [inject.WithTraceContext] with the Propagator's options.
func WithPropagator(p *tracecontext.Propagator) Option { return injectfasthttp.WithPropagator(p) }
