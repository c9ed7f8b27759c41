package inject_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"

	"github.com/tracemeta/tracemeta/inject"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// exampleSpan stands in for the tracing middleware (tracecontext.Middleware,
// sentryhttp, otelhttp): it puts the server span into the request's context.
func exampleSpan(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sc, _ := tracecontext.ParseSentryTrace("0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-1")
		next.ServeHTTP(w, r.WithContext(tracecontext.NewContext(r.Context(), sc)))
	})
}

func ExampleMiddleware() {
	page := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<!DOCTYPE html><html><head><title>Shop</title></head><body>...</body></html>")
	})

	handler := exampleSpan(inject.Middleware()(page))

	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	fmt.Println(rec.Body.String())
	// Output:
	// <!DOCTYPE html><html><head><meta name="sentry-trace" content="0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-1"><title>Shop</title></head><body>...</body></html>
}

// router has the Use method of chi's and gorilla/mux's routers, which take
// func(http.Handler) http.Handler middleware as it is.
type router struct {
	*http.ServeMux
	middleware []func(http.Handler) http.Handler
}

func (r *router) Use(mw ...func(http.Handler) http.Handler) {
	r.middleware = append(r.middleware, mw...)
}

func (r *router) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	var h http.Handler = r.ServeMux
	for i := len(r.middleware) - 1; i >= 0; i-- {
		h = r.middleware[i](h)
	}
	h.ServeHTTP(w, req)
}

// The middleware is a plain func(http.Handler) http.Handler: with chi
// (r.Use(inject.Middleware())), gorilla/mux (r.Use(...) takes it as a
// mux.MiddlewareFunc) or echo (e.Use(echo.WrapMiddleware(inject.Middleware()))),
// it goes after the tracing middleware and after compression.
func ExampleMiddleware_router() {
	r := &router{ServeMux: http.NewServeMux()}
	r.Use(exampleSpan)       // the tracing middleware, e.g. tracecontext.Middleware()
	r.Use(inject.Middleware( // then the injector
		inject.WithSkipHook(func(r *http.Request, reason inject.Reason) {
			fmt.Printf("%s not rewritten: %s\n", r.URL.Path, reason)
		}),
	))
	r.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "<html><head><title>Home</title></head></html>")
	})
	r.HandleFunc("/api", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":true}`)
	})

	for _, path := range []string{"/", "/api"} {
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		fmt.Println(strings.Count(rec.Body.String(), `<meta name="sentry-trace"`), "tag set in", path)
	}
	// Output:
	// 1 tag set in /
	// /api not rewritten: content-type
	// 0 tag set in /api
}

// A reverse proxy in front of apps that may render their own tags: with
// WithExistingTags, a page whose head has them keeps them (the browser SDK
// reads the first set), and a page without gets the proxy's, however the
// upstream streams it.
func ExampleWithExistingTags() {
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<!DOCTYPE html><html><head>")
		if r.URL.Path == "/traced" {
			io.WriteString(w, `<meta name="sentry-trace" content="771a43a4192642f0b136d5159a501700-b0e6f15b45c36b12-1">`)
		}
		w.(http.Flusher).Flush() // a streamed page: the proxy flushes too
		io.WriteString(w, "<title>App</title></head><body><header>...</header></body></html>")
	}))
	defer app.Close()
	target, _ := url.Parse(app.URL)
	proxy := httputil.NewSingleHostReverseProxy(target)

	handler := exampleSpan(inject.Middleware(inject.WithExistingTags())(proxy))

	for _, path := range []string{"/traced", "/plain"} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Accept", "text/html")
		handler.ServeHTTP(rec, req)
		fmt.Println(rec.Body.String())
	}
	// Output:
	// <!DOCTYPE html><html><head><meta name="sentry-trace" content="771a43a4192642f0b136d5159a501700-b0e6f15b45c36b12-1"><title>App</title></head><body><header>...</header></body></html>
	// <!DOCTYPE html><html><head><meta name="sentry-trace" content="0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-1"><title>App</title></head><body><header>...</header></body></html>
}
