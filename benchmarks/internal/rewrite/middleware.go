package rewrite

import (
	"net/http"
	"strings"

	"github.com/tracemeta/tracemeta/render"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// Middleware wraps impl as net/http middleware, the way such middleware is
// usually written: the tags of the span in the request's context are
// rendered per request, and a text/html body is written through a
// [Rewriter] into the response, with Content-Length removed. impl must write
// from the handler's goroutine: [TokenizerStream], which writes from its own,
// would race with the handler's Flush.
func Middleware(impl Impl) func(http.Handler) http.Handler {
	renderer := render.New()
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			sc, ok := tracecontext.FromContext(r.Context())
			if !ok || impl.New == nil {
				next.ServeHTTP(w, r)
				return
			}
			rw := &responseWriter{ResponseWriter: w, impl: impl, tags: renderer.AppendMetaTags(nil, sc)}
			next.ServeHTTP(rw, r)
			if rw.rewriter != nil {
				_ = rw.rewriter.Close()
			}
		})
	}
}

// responseWriter starts the Rewriter at the first write of an HTML body.
type responseWriter struct {
	http.ResponseWriter
	impl        Impl
	tags        []byte
	rewriter    Rewriter // nil until the first Write of an HTML body
	wroteHeader bool     // WriteHeader was forwarded
	passThrough bool     // the body is not HTML
}

func (w *responseWriter) WriteHeader(code int) {
	if w.wroteHeader {
		return
	}
	w.wroteHeader = true
	if strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
		w.Header().Del("Content-Length")
	} else {
		w.passThrough = true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *responseWriter) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if w.passThrough {
		return w.ResponseWriter.Write(p)
	}
	if w.rewriter == nil {
		w.rewriter = w.impl.New(w.ResponseWriter, w.tags)
	}
	return w.rewriter.Write(p)
}

func (w *responseWriter) Flush() {
	if w.rewriter != nil {
		_ = w.rewriter.Flush()
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
