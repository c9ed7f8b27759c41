package templates

import (
	"context"
	"log/slog"

	"github.com/tracemeta/tracemeta/render"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// Option configures [FuncMap] and [MetaTags].
type Option func(*config)

// config holds the settings shared by every entry point of the package.
type config struct {
	source   tracecontext.Source // never nil
	renderer render.Renderer
	skipHook func(ctx context.Context, reason Reason) // told why the tags were not rendered; nil means none
	logger   *slog.Logger                             // debug records of the same; nil means none
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

// WithSkipHook sets a function that [FuncMap]'s traceMeta and [MetaTags] call
// when they render no tags, with the reason: the request has no span (a
// Source that is not the one the tracing middleware fills, or the template
// executed with another context), or the tags were rendered already for the
// response. It runs on the goroutine executing the template.
func WithSkipHook(hook func(ctx context.Context, reason Reason)) Option {
	return func(c *config) { c.skipHook = hook }
}

// WithLogger makes [FuncMap]'s traceMeta and [MetaTags] log at debug level
// why they rendered no tags. The default logs nothing.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) { c.logger = l }
}
