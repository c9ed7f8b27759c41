package fasthttpkit

import (
	"context"
	"net/http"

	"github.com/valyala/fasthttp"
)

// run is the state of one request through a Rewriter: the net/http request
// built from the fasthttp one and the writer the response is replayed
// into. Runs are pooled, and emptied before they go back, so that a request
// costs none of their allocations and sees nothing of the one before.
type run struct {
	requestBuilder
	rw responseWriter
}

// getRun returns an empty run from the pool.
func (p *Rewriter) getRun() *run {
	if rn, ok := p.runs.Get().(*run); ok {
		return rn
	}
	return new(run)
}

// putRun empties rn and gives it back to the pool.
func (p *Rewriter) putRun(rn *run) {
	rn.requestBuilder.reset()
	rn.rw.reset()
	p.runs.Put(rn)
}

// request returns rn's request, built from fctx's as [NewRequest] builds
// it, valid until rn goes back to the pool.
func (p *Rewriter) request(rn *run, fctx *fasthttp.RequestCtx) *http.Request {
	return rn.build(fctx, p.intern, &p.addrs)
}

// setContext makes ctx the context of r, a run's request, in place: r is
// the run's, and no other request is made for it.
func setContext(r *http.Request, ctx context.Context) {
	// WithContext, inlined, makes its copy on the stack.
	*r = *r.WithContext(ctx)
}
