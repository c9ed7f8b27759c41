// Package inject puts the trace meta tags into the <head> of HTML responses
// as they stream out: [NewWriter] is the rewriter, [Middleware] wraps it
// around an http.Handler.
package inject
