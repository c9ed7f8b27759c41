package templates_test

import (
	"html/template"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/inject"
	"github.com/tracemeta/tracemeta/render"
	"github.com/tracemeta/tracemeta/templates"
	"github.com/tracemeta/tracemeta/templates/internal/testpages"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// TestInjectMiddlewareAddsNoSecondSet serves pages through the inject
// middleware: pages that render the tags themselves get no second set, and a
// page that does not gets the middleware's, so the test fails if either side
// stops honouring the request's render.Once.
func TestInjectMiddlewareAddsNoSecondSet(t *testing.T) {
	sc := spanContext(t, simpleDSC())
	htmlPage := template.Must(template.New("page").Funcs(templates.FuncMap()).Parse(
		`<!DOCTYPE html><html><head><meta charset="utf-8"><title>t</title>{{traceMeta .}}</head><body><h1>t</h1></body></html>`))
	barePage := `<!DOCTYPE html><html><head><title>t</title></head><body><h1>t</h1></body></html>`

	tests := []struct {
		name  string
		serve http.HandlerFunc
	}{
		{name: "html/template traceMeta", serve: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			assert.NoError(t, htmlPage.Execute(w, r.Context()))
		}},
		{name: "templ MetaTags", serve: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			assert.NoError(t, testpages.Page("t").Render(r.Context(), w))
		}},
		{name: "templ MetaTags three times", serve: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			assert.NoError(t, testpages.Twice().Render(r.Context(), w))
		}},
		{name: "no tags in the page: the middleware's", serve: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, err := w.Write([]byte(barePage))
			assert.NoError(t, err)
		}},
		{name: "templ page without tags: the middleware's", serve: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			assert.NoError(t, testpages.Bare().Render(r.Context(), w))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var reasons []inject.Reason
			h := inject.Middleware(inject.WithSkipHook(func(_ *http.Request, reason inject.Reason) {
				mu.Lock()
				defer mu.Unlock()
				reasons = append(reasons, reason)
			}))(tt.serve)
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req = req.WithContext(tracecontext.NewContext(req.Context(), sc))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			require.Equal(t, http.StatusOK, rec.Code)

			body := rec.Body.String()
			names, metas, inHead := traceMetas(parsePage(t, body))
			assert.Equal(t, []string{"sentry-trace", "baggage"}, names, "one set of tags in %q", body)
			assert.Equal(t, wantMetas(sc), metas)
			assert.True(t, inHead)
			assert.Equal(t, 1, strings.Count(body, `name="sentry-trace"`))
			if cl := rec.Header().Get("Content-Length"); cl != "" {
				assert.Equal(t, cl, strconv.Itoa(len(body)), "Content-Length stays true")
			}
			mu.Lock()
			defer mu.Unlock()
			for _, r := range reasons {
				assert.Contains(t, []inject.Reason{inject.ReasonAlreadyRendered}, r, "skipped for %v", r)
			}
		})
	}
}

// TestInjectMiddlewareStreamedOverHTTP serves pages whose head is flushed
// to the client before or after traceMeta runs, over HTTP/1.1 and HTTP/2:
// whichever entry point renders first, the client gets exactly one set.
func TestInjectMiddlewareStreamedOverHTTP(t *testing.T) {
	sc := spanContext(t, simpleDSC())
	rest := template.Must(template.New("rest").Funcs(templates.FuncMap()).Parse(
		`{{traceMeta .}}<title>t</title></head><body><h1>t</h1></body></html>`))
	whole := template.Must(template.New("whole").Funcs(templates.FuncMap()).Parse(
		`<!DOCTYPE html><html><head>{{traceMeta .}}<title>t</title></head><body><h1>t</h1></body></html>`))
	mux := http.NewServeMux()
	// The middleware inserts at the flush, so traceMeta renders nothing.
	mux.HandleFunc("/flush-first", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, err := w.Write([]byte(`<!DOCTYPE html><html><head>`))
		assert.NoError(t, err)
		w.(http.Flusher).Flush()
		assert.NoError(t, rest.Execute(w, r.Context()))
	})
	// traceMeta renders first, the flush comes after.
	mux.HandleFunc("/template-first", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		assert.NoError(t, whole.Execute(w, r.Context()))
		w.(http.Flusher).Flush()
	})
	// The templ page, sniffed: no Content-Type set.
	mux.HandleFunc("/templ", func(w http.ResponseWriter, r *http.Request) {
		assert.NoError(t, testpages.Page("t").Render(r.Context(), w))
	})
	h := inject.Middleware()(mux)
	withSpan := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(tracecontext.NewContext(r.Context(), sc)))
	})
	h1 := httptest.NewServer(withSpan)
	defer h1.Close()
	h2 := httptest.NewUnstartedServer(withSpan)
	h2.EnableHTTP2 = true
	h2.StartTLS()
	defer h2.Close()

	for _, srv := range []*httptest.Server{h1, h2} {
		for _, path := range []string{"/flush-first", "/template-first", "/templ"} {
			resp, err := srv.Client().Get(srv.URL + path)
			require.NoError(t, err)
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			require.NoError(t, resp.Body.Close())
			names, metas, inHead := traceMetas(parsePage(t, string(body)))
			assert.Equal(t, []string{"sentry-trace", "baggage"}, names, "%s %s: %q", resp.Proto, path, body)
			assert.Equal(t, wantMetas(sc), metas, "%s %s", resp.Proto, path)
			assert.True(t, inHead, "%s %s", resp.Proto, path)
		}
	}
}

// TestInjectMiddlewarePageTagsWin streams pages that render the tags first
// thing after their charset meta, with the render options for OpenTelemetry,
// through the inject middleware (default formats) on a real server, flushed
// after <head> and after each write: the page keeps exactly its own set,
// traceparent included, and the middleware reports it found the tags
// rendered.
func TestInjectMiddlewarePageTagsWin(t *testing.T) {
	sc := spanContext(t, simpleDSC())
	withTP := templates.WithRender(render.WithFormats(render.DefaultFormats | render.Traceparent))
	page := template.Must(template.New("page").Funcs(templates.FuncMap(withTP)).Parse(
		`<meta charset="utf-8">{{traceMeta .}}<title>t</title></head><body><h1>t</h1></body></html>`))
	var mu sync.Mutex
	var reasons []inject.Reason
	mw := inject.Middleware(inject.WithSkipHook(func(_ *http.Request, r inject.Reason) {
		mu.Lock()
		defer mu.Unlock()
		reasons = append(reasons, r)
	}))
	mux := http.NewServeMux()
	mux.HandleFunc("/template", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, err := io.WriteString(w, "<!DOCTYPE html><html><head>")
		assert.NoError(t, err)
		w.(http.Flusher).Flush()
		assert.NoError(t, page.Execute(flushEach{w}, r.Context()))
	})
	mux.HandleFunc("/templ", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		assert.NoError(t, testpages.First(withTP).Render(r.Context(), flushEach{w}))
	})
	h := mw(mux)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(tracecontext.NewContext(r.Context(), sc)))
	}))
	defer srv.Close()
	for _, path := range []string{"/template", "/templ"} {
		resp, err := srv.Client().Get(srv.URL + path)
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		names, metas, inHead := traceMetas(parsePage(t, string(body)))
		assert.Equal(t, []string{"sentry-trace", "baggage", "traceparent"}, names, "%s: the page's own set: %q", path, body)
		assert.Equal(t, []string{sc.Traceparent()}, metas["traceparent"], path)
		assert.True(t, inHead, path)
	}
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []inject.Reason{inject.ReasonAlreadyRendered, inject.ReasonAlreadyRendered}, reasons)
}

// flushEach flushes after every write, as a streaming handler may.
type flushEach struct{ w http.ResponseWriter }

func (f flushEach) Write(p []byte) (int, error) {
	n, err := f.w.Write(p)
	f.w.(http.Flusher).Flush()
	return n, err
}
