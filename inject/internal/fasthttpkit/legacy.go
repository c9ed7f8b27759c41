package fasthttpkit

import (
	"github.com/tracemeta/tracemeta/inject"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// Legacy is what the deprecated options of v0.1.0 (injectfasthttp.Option,
// which the Fiber adapters' Option is) set.
type Legacy struct {
	Inject     []inject.Option          // inject's options, in order
	Propagator *tracecontext.Propagator // nil: built from inject.WithTraceContext
}

// NewLegacy returns the Kit configured by the deprecated options opts.
func NewLegacy[O ~func(*Legacy)](opts []O) *Kit {
	var c Legacy
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	k, _ := New(c.Inject, c.Propagator, false)
	return k
}
