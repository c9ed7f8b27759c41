package tracecontext

import (
	"net/http"
	"strings"
)

// CORS returns middleware that lets browsers send the trace headers
// cross-origin; see [Propagator.CORS].
func CORS(opts ...Option) func(http.Handler) http.Handler {
	return newPropagator(opts).CORS
}

// CORSAllowedHeaders returns the request headers that a browser SDK sends to
// continue a trace: "sentry-trace" and "baggage", and "traceparent" with
// [WithTraceparent]. Add them to the allowed headers of a CORS layer that
// answers preflight requests itself, without calling the handlers it wraps
// (rs/cors's AllowedHeaders, for instance), when [CORS] cannot be placed
// outside it.
func CORSAllowedHeaders(opts ...Option) []string {
	return newPropagator(opts).corsHeaders()
}

func (p *Propagator) corsHeaders() []string {
	if p.cfg.emitTraceparent {
		return []string{"sentry-trace", "baggage", "traceparent"}
	}
	return []string{"sentry-trace", "baggage"}
}

// CORS returns middleware that adds the trace headers ([CORSAllowedHeaders])
// to the Access-Control-Allow-Headers of the responses to CORS preflight
// requests (OPTIONS with Access-Control-Request-Method), so that a browser
// SDK on another origin may send them. It only adds to what the
// application's own CORS layer decided, and only when that layer allowed the
// request (the response has Access-Control-Allow-Origin): it never allows an
// origin, a method or another header, and does nothing for an application
// without CORS. Other requests go through untouched.
//
// The CORS layer may run inside it (wrapped by it) or outside it: the
// headers are merged when the response's header is written, whoever writes
// it. So that a CORS layer inside does not refuse a preflight for the trace
// headers it does not know, they are removed from the request's
// Access-Control-Request-Headers before it sees them (on a copy of the
// request). A CORS layer outside that answers preflights itself never
// reaches this middleware; give it [CORSAllowedHeaders] instead.
func (p *Propagator) CORS(next http.Handler) http.Handler {
	names := p.corsHeaders()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodOptions || r.Header.Get("Access-Control-Request-Method") == "" {
			next.ServeHTTP(w, r)
			return
		}
		if requested := r.Header.Values("Access-Control-Request-Headers"); len(requested) > 0 {
			if rest, removed := withoutNames(requested, names); removed {
				r2 := new(http.Request)
				*r2 = *r
				r2.Header = r.Header.Clone()
				if rest == "" {
					r2.Header.Del("Access-Control-Request-Headers")
				} else {
					r2.Header.Set("Access-Control-Request-Headers", rest)
				}
				r = r2
			}
		}
		cw := &corsWriter{ResponseWriter: w, names: names}
		next.ServeHTTP(cw, r)
		cw.merge() // a handler that wrote nothing: net/http sends the header after it returns
	})
}

// withoutNames returns the comma-separated list of values less names
// (case-insensitive), and whether any was removed.
func withoutNames(values, names []string) (string, bool) {
	var kept []string
	removed := false
	for _, v := range values {
		for _, tok := range strings.Split(v, ",") {
			tok = trimOWS(tok)
			if tok == "" {
				continue
			}
			if containsFold(names, tok) {
				removed = true
				continue
			}
			kept = append(kept, tok)
		}
	}
	return strings.Join(kept, ","), removed
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// corsWriter merges the trace headers into the allowed headers of a
// preflight response just before its header is written.
type corsWriter struct {
	http.ResponseWriter
	names  []string // the headers to allow
	merged bool     // merge ran; never reset
}

// WriteHeader merges before a final status; 1xx responses go out as they are.
func (w *corsWriter) WriteHeader(code int) {
	if code >= 200 {
		w.merge()
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *corsWriter) Write(b []byte) (int, error) {
	w.merge()
	return w.ResponseWriter.Write(b)
}

// FlushError merges, then flushes the wrapped writer. [http.ResponseController]
// calls it before it would unwrap, so a flush cannot send the header unmerged.
func (w *corsWriter) FlushError() error {
	w.merge()
	return http.NewResponseController(w.ResponseWriter).Flush()
}

// Unwrap returns the wrapped writer, for [http.ResponseController].
func (w *corsWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *corsWriter) merge() {
	if w.merged {
		return
	}
	w.merged = true
	h := w.ResponseWriter.Header()
	if h.Get("Access-Control-Allow-Origin") == "" {
		return // the application did not allow this request: allow nothing
	}
	existing := h.Values("Access-Control-Allow-Headers")
	var have []string
	for _, v := range existing {
		for _, tok := range strings.Split(v, ",") {
			if tok = trimOWS(tok); tok != "" {
				have = append(have, tok)
			}
		}
	}
	all := append([]string(nil), have...)
	for _, n := range w.names {
		if !containsFold(have, n) {
			all = append(all, n)
		}
	}
	if len(all) == len(have) && len(existing) <= 1 {
		return
	}
	h.Set("Access-Control-Allow-Headers", strings.Join(all, ", "))
}
