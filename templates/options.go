package templates

import (
	"github.com/tracemeta/tracemeta/render"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// Option configures [FuncMap] and [MetaTags].
type Option func(*config)

// config holds the settings shared by every entry point of the package.
type config struct {
	source   tracecontext.Source // never nil
	renderer render.Renderer
}

// newConfig returns the defaults with opts applied; nil options are ignored.
func newConfig(opts []Option) config {
	c := config{source: tracecontext.ContextSource(), renderer: render.New()}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	return c
}

// WithSource sets the Source the span is read from when a template renders.
// The default is [tracecontext.ContextSource]; a nil src keeps it.
func WithSource(src tracecontext.Source) Option {
	return func(c *config) {
		if src != nil {
			c.source = src
		}
	}
}

// WithRender configures the renderer of the meta tags, for example
// WithRender(render.WithFormats(render.DefaultFormats|render.Traceparent))
// for OpenTelemetry's document-load instrumentation, or
// WithRender(render.WithXHTML(true)). The default is [render.New]().
func WithRender(opts ...render.Option) Option {
	r := render.New(opts...)
	return func(c *config) { c.renderer = r }
}
