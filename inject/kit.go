package inject

import (
	"net/http"

	"github.com/tracemeta/tracemeta/inject/internal/coreview"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// WithTraceContext sets the options of the trace that a framework adapter
// continues itself when no tracing SDK in front of it started one
// (inject/fasthttp, inject/fiber, inject/fiberv3): [tracecontext.WithSampleRate],
// [tracecontext.WithPublicKey], [tracecontext.WithRelease], ... as
// [tracecontext.Middleware] takes them; their NewMiddleware reports an
// invalid one. Repeated calls add to the list.
//
// The net/http [Middleware] continues no trace: it reads the span the
// Source finds, so it ignores this option; put [tracecontext.Middleware]
// with these options in front of it instead. So do the adapters built on
// it (inject/gin, inject/echo, inject/echov5).
func WithTraceContext(opts ...tracecontext.Option) Option { return traceContextOption(opts) }

// traceContextOption is the Option of WithTraceContext, which only the
// adapters read (see adapterSettings).
type traceContextOption []tracecontext.Option

func (traceContextOption) applyMiddleware(*middlewareConfig) {}

func init() { coreview.Read = adapterSettings }

// adapterSettings returns what the framework adapters read of opts, a
// []Option.
func adapterSettings(opts any) coreview.Settings {
	list, _ := opts.([]Option)
	c := newMiddlewareConfig(list)
	var s coreview.Settings
	if c.writer.source != tracecontext.ContextSource() {
		s.Source = c.writer.source
	}
	for _, o := range list {
		if tc, ok := o.(traceContextOption); ok {
			s.TraceContext = append(s.TraceContext, tc...)
		}
	}
	s.Logger = c.logger
	if hook := c.skipHook; hook != nil {
		s.Skipped = func(r *http.Request, reason uint8) { hook(r, Reason(reason)) }
	}
	return s
}
