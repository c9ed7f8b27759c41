package injectfiber

// This file is shared, byte for byte but for the package clause, by
// inject/fiber and inject/fiberv3; TestSharedFilesInSync in inject/fiberv3
// checks it.

import (
	"net/http"
	"net/url"

	"github.com/valyala/fasthttp"
)

// newRequest returns the net/http request for fctx's request, with the
// method, URL, protocol, headers, host and remote address, and no body.
// It copies what it keeps: the request outlives fctx when a body stream is
// replayed after the handler returned.
func newRequest(fctx *fasthttp.RequestCtx) *http.Request {
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
