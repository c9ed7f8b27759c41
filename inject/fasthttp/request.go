package injectfasthttp

import (
	"net/http"
	"net/url"

	"github.com/valyala/fasthttp"
)

// NewRequest returns the net/http request for fctx's request, with the
// method, URL, protocol, headers, host and remote address, and no body: what
// [inject.Middleware] reads to decide whether a response gets the tags, and
// what [tracecontext.Propagator.ContinueRequest] continues the trace from.
// Its context is [context.Background]; give it the request's with
// [http.Request.WithContext]. It copies what it keeps, so that it outlives
// fctx, as the replay of a body stream does after the handler returned.
func NewRequest(fctx *fasthttp.RequestCtx) *http.Request {
	r := &http.Request{
		Method:     string(fctx.Method()),
		Proto:      string(fctx.Request.Header.Protocol()),
		Body:       http.NoBody,
		Host:       string(fctx.Host()),
		RequestURI: string(fctx.RequestURI()),
		RemoteAddr: fctx.RemoteAddr().String(),
	}
	var ok bool
	if r.ProtoMajor, r.ProtoMinor, ok = http.ParseHTTPVersion(r.Proto); !ok {
		r.Proto, r.ProtoMajor, r.ProtoMinor = "HTTP/1.1", 1, 1
	}
	u, err := url.ParseRequestURI(r.RequestURI)
	if err != nil {
		u = &url.URL{Path: string(fctx.Path())}
	}
	r.URL = u
	r.Header = copyHeader(fctx.Request.Header.VisitAll, func(k []byte) bool {
		return string(k) == "Host" // r.Host, as net/http has it
	})
	return r
}
