package conformance

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"github.com/tracemeta/tracemeta/inject"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// The helpers the adapters' own tests share.

// ServeHandler runs h on a loopback server until the test ends, and returns
// its base URL.
func ServeHandler(t testing.TB, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// ServeOn runs serve on a loopback listener until the test ends, then
// stops it with shutdown, and returns the base URL.
func ServeOn(t testing.TB, serve func(net.Listener) error, shutdown func() error) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- serve(ln) }()
	t.Cleanup(func() {
		// Keep-alive connections the client holds would keep a
		// graceful shutdown waiting; the client puts a connection back
		// into its pool only after the response's body was read, so one
		// may come back after the first close: close them until serve
		// returns.
		client.CloseIdleConnections()
		require.NoError(t, shutdown())
		// A server whose Serve had not yet taken the listener when
		// shutdown ran (fasthttp's Shutdown closes only the listeners
		// it knows) would accept forever: close it here too.
		_ = ln.Close()
		deadline := time.After(10 * time.Second)
		for {
			select {
			case err := <-done:
				if err != nil && !errors.Is(err, http.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
					t.Errorf("serving: %v", err)
				}
				return
			case <-time.After(20 * time.Millisecond):
				client.CloseIdleConnections()
			case <-deadline:
				t.Errorf("serving: still running 10 s after shutdown")
				return
			}
		}
	})
	return "http://" + ln.Addr().String()
}

// Do sends a request with header and returns the response, read whole.
func Do(t testing.TB, method, url string, header http.Header) Response {
	t.Helper()
	res, err := Fetch(method, url, header)
	require.NoError(t, err, "%s %s", method, url)
	return res
}

// Get is Do for a GET without headers.
func Get(t testing.TB, url string) Response { return Do(t, http.MethodGet, url, nil) }

// Fetch is Do for any goroutine: it returns the error.
func Fetch(method, url string, header http.Header) (Response, error) {
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		return Response{}, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := client.Do(req)
	if err != nil {
		return Response{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return Response{}, err
	}
	return Response{Status: res.StatusCode, Header: res.Header, Body: string(b), Length: res.ContentLength}, nil
}

// CloseIdleConnections closes the connections the helpers' client keeps.
func CloseIdleConnections() { client.CloseIdleConnections() }

// MetaTags returns the content of each <meta name=...> in the page's <head>,
// as a browser SDK finds them.
func MetaTags(t testing.TB, body string) map[string][]string {
	t.Helper()
	tags, err := MetaTagsOf(body)
	require.NoError(t, err)
	return tags
}

// MetaTagsOf is MetaTags for any goroutine.
func MetaTagsOf(body string) (map[string][]string, error) {
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	tags := map[string][]string{}
	var walk func(n *html.Node, inHead bool)
	walk = func(n *html.Node, inHead bool) {
		if n.Type == html.ElementNode && n.Data == "head" {
			inHead = true
		}
		if inHead && n.Type == html.ElementNode && n.Data == "meta" {
			var name, content string
			for _, a := range n.Attr {
				switch a.Key {
				case "name":
					name = a.Val
				case "content":
					content = a.Val
				}
			}
			if name != "" {
				tags[name] = append(tags[name], content)
			}
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch, inHead)
		}
	}
	walk(doc, false)
	return tags, nil
}

// FetchTags loads url and returns the page's meta tags, on any goroutine.
func FetchTags(url string, header http.Header) (map[string][]string, error) {
	res, err := Fetch(http.MethodGet, url, header)
	if err != nil {
		return nil, err
	}
	return MetaTagsOf(res.Body)
}

// TagSpan returns the span the one set of tags in body names.
func TagSpan(t testing.TB, body string) tracecontext.SpanContext {
	t.Helper()
	tags := MetaTags(t, body)
	require.Len(t, tags["sentry-trace"], 1, "one sentry-trace tag in %s", body)
	require.Len(t, tags["baggage"], 1, "one baggage tag in %s", body)
	sc, err := tracecontext.ParseSentryTrace(tags["sentry-trace"][0])
	require.NoError(t, err)
	return sc
}

// RequireTags checks that body has one sentry-trace tag, naming Span, in
// its <head>.
func RequireTags(t testing.TB, body string) {
	t.Helper()
	require.Equal(t, []string{Span.SentryTrace()}, MetaTags(t, body)["sentry-trace"], "page: %s", body)
}

// RequireNoTags checks that body has no tags.
func RequireNoTags(t testing.TB, body string) {
	t.Helper()
	require.NotContains(t, body, `name="sentry-trace"`)
}

// StripTags returns body without the one set of Tags it must hold.
func StripTags(t testing.TB, body string) string {
	t.Helper()
	require.Equal(t, 1, strings.Count(body, string(Tags)), "one set of tags in %q", body)
	return strings.Replace(body, string(Tags), "", 1)
}

// WithoutTags returns page without the sentry-trace and baggage tags
// inserted one after the other, whatever span they name, and whether it
// found them.
func WithoutTags(page string) (string, bool) {
	start := strings.Index(page, `<meta name="sentry-trace"`)
	if start < 0 {
		return page, false
	}
	rest := page[start:]
	i := strings.Index(rest, `<meta name="baggage"`)
	if i < 0 {
		return page, false
	}
	end := strings.IndexByte(rest[i:], '>')
	if end < 0 {
		return page, false
	}
	return page[:start] + rest[i+end+1:], true
}

// Reasons records the reasons a middleware reports to its skip hook.
type Reasons struct {
	mu   sync.Mutex
	list []inject.Reason
}

// Option returns the skip hook that records into r.
func (r *Reasons) Option() inject.Option {
	return inject.WithSkipHook(func(_ *http.Request, reason inject.Reason) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.list = append(r.list, reason)
	})
}

// Get returns the reasons recorded so far.
func (r *Reasons) Get() []inject.Reason {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]inject.Reason(nil), r.list...)
}

// ChunkedReader yields Data in pieces of N bytes, and then Err (io.EOF
// when nil); Close records that it was closed.
type ChunkedReader struct {
	Data   []byte
	N      int
	Err    error
	mu     sync.Mutex
	Closed bool
}

// Read reads the next piece.
func (r *ChunkedReader) Read(p []byte) (int, error) {
	if len(r.Data) == 0 {
		if r.Err != nil {
			return 0, r.Err
		}
		return 0, io.EOF
	}
	n := min(len(p), r.N, len(r.Data))
	copy(p, r.Data[:n])
	r.Data = r.Data[n:]
	return n, nil
}

// Close records the close.
func (r *ChunkedReader) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Closed = true
	return nil
}

// IsClosed reports whether Close was called.
func (r *ChunkedReader) IsClosed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.Closed
}

// Client returns the client of the helpers: it follows no redirect and
// asks for no compression, so that responses arrive as sent.
func Client() *http.Client { return client }

// ErrOf returns the error of an adapter's NewMiddleware, for
// [Target.NewMiddleware].
func ErrOf[M any](newMiddleware func(opts ...inject.Option) (M, error)) func(opts ...inject.Option) error {
	return func(opts ...inject.Option) error {
		_, err := newMiddleware(opts...)
		return err
	}
}

// BenchPage is the page of BenchHandlers: small, so that the cost measured
// is the per-request one.
var BenchPage = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Shop</title></head><body>" +
	strings.Repeat("<p>product</p>", 64) + "</body></html>"

// BenchHandlers measures a GET of a page from each handler, by name, with
// Span in the request's context: the framework bare, behind its adapter,
// and whatever else is worth comparing. Each must answer 200.
func BenchHandlers(b *testing.B, handlers []NamedHandler) {
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req = req.WithContext(tracecontext.NewContext(req.Context(), Span))
	for _, bc := range handlers {
		b.Run(bc.Name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				bc.Handler.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatal(rec.Code)
				}
			}
		})
	}
}

// NamedHandler is a handler of BenchHandlers.
type NamedHandler struct {
	Name    string
	Handler http.Handler
}
