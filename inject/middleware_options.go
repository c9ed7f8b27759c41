package inject

import "github.com/tracemeta/tracemeta/tracecontext"

// middlewareConfig holds the settings of the Middleware.
type middlewareConfig struct {
	source tracecontext.Source
}

func (c *middlewareConfig) setDefaults() { c.source = tracecontext.ContextSource() }

// WithSource sets the Source the middleware reads the active span from when
// it inserts the tags. The default is [tracecontext.ContextSource].
func WithSource(src tracecontext.Source) Option {
	return func(c *config) {
		if src != nil {
			c.source = src
		}
	}
}
