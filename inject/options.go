package inject

import (
	"github.com/tracemeta/tracemeta/render"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// Option configures a [Writer] or the [Middleware].
type Option func(*config)

type config struct {
	source    tracecontext.Source
	render    []render.Option
	lookahead int
}

// WithSource sets the Source the middleware reads the active span from. The
// default is [tracecontext.ContextSource].
func WithSource(src tracecontext.Source) Option { return func(c *config) { c.source = src } }
