package templates

import (
	"context"
	"sync"

	"github.com/tracemeta/tracemeta/render"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// span returns the valid span context active in ctx, if any. A nil ctx has
// none, whatever the Source would do with it.
func (c *config) span(ctx context.Context) (tracecontext.SpanContext, bool) {
	if ctx == nil {
		return tracecontext.SpanContext{}, false
	}
	sc, ok := c.source.SpanContext(ctx)
	if !ok || !sc.IsValid() {
		return tracecontext.SpanContext{}, false
	}
	return sc, true
}

// appendTags appends the meta tags for the span active in ctx, after
// claiming the response with [render.Claim]; nothing when there is no span or
// the tags were already rendered for the response.
func (c *config) appendTags(dst []byte, ctx context.Context) []byte {
	sc, ok := c.span(ctx)
	if !ok {
		c.report(ctx, ReasonNoSpan)
		return dst
	}
	if !render.Claim(ctx) {
		c.report(ctx, ReasonAlreadyRendered)
		return dst
	}
	return c.renderer.AppendMetaTags(dst, sc)
}

// tagsBufferSize holds the default tags with a typical DSC.
const tagsBufferSize = 1024

// bufPool holds the buffers the component renders the tags into before it
// writes them: a stack buffer would escape through the io.Writer. A buffer
// never grows past the tags of the largest DSC, whose baggage
// tracecontext caps at 8192 bytes before escaping, so any buffer may go back.
var bufPool = sync.Pool{New: func() any {
	b := make([]byte, 0, tagsBufferSize)
	return &b
}}

func getBuffer() *[]byte { return bufPool.Get().(*[]byte) }

func putBuffer(b *[]byte) {
	*b = (*b)[:0]
	bufPool.Put(b)
}
