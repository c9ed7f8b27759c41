package injectechov5_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/labstack/echo/v5"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"github.com/tracemeta/tracemeta/inject"
	"github.com/tracemeta/tracemeta/render"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// The span the tests' tracing middleware puts into every request.
const (
	traceID     = "0af7651916cd43dd8448eb211c80319c"
	spanID      = "b7ad6b7169203331"
	sentryTrace = traceID + "-" + spanID + "-1"
)

// tagLen is the length of the tags inserted for the test span.
var tagLen = len(render.AppendMetaTags(nil, testSpan()))

func testSpan() tracecontext.SpanContext {
	sc, err := tracecontext.ParseSentryTrace(sentryTrace)
	if err != nil {
		panic(err)
	}
	return sc
}

const page = "<!DOCTYPE html><html><head><title>Shop</title></head><body><h1>Shop</h1></body></html>"

// traced stands in for the tracing middleware: it puts the server span
// into the request's context, where sentryecho for echo v5 puts its.
func traced(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		c.SetRequest(c.Request().WithContext(tracecontext.NewContext(c.Request().Context(), testSpan())))
		return next(c)
	}
}

// serve runs r on a real loopback server.
func serve(t *testing.T, r *echo.Echo) string {
	t.Helper()
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return srv.URL
}

// response is what a client received.
type response struct {
	status int
	header http.Header
	body   string
	length int64 // the Content-Length header, -1 without one
}

func do(t *testing.T, method, url string, header http.Header) response {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	require.NoError(t, err)
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := client.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err, "the body must arrive whole")
	return response{status: res.StatusCode, header: res.Header, body: string(b), length: res.ContentLength}
}

// client does not follow redirects.
var client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func get(t *testing.T, url string) response { return do(t, http.MethodGet, url, nil) }

// metaTags returns the content of each <meta name=...> in the page's <head>,
// as a browser SDK finds them.
func metaTags(t *testing.T, body string) map[string][]string {
	t.Helper()
	tags, err := metaTagsOf(body)
	require.NoError(t, err)
	return tags
}

func metaTagsOf(body string) (map[string][]string, error) {
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

// requireTags checks that body has one sentry-trace tag, naming the test
// span, in its <head>.
func requireTags(t *testing.T, body string) {
	t.Helper()
	require.Equal(t, []string{sentryTrace}, metaTags(t, body)["sentry-trace"], "page: %s", body)
}

// requireNoTags checks that body has no tags.
func requireNoTags(t *testing.T, body string) {
	t.Helper()
	require.NotContains(t, body, `name="sentry-trace"`)
}

// reasons records the reasons the middleware reports.
type reasons struct {
	mu   sync.Mutex
	list []inject.Reason
}

// option returns the skip hook that records into r.
func (r *reasons) option() inject.Option {
	return inject.WithSkipHook(func(_ *http.Request, reason inject.Reason) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.list = append(r.list, reason)
	})
}

func (r *reasons) get() []inject.Reason {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]inject.Reason(nil), r.list...)
}

// stripTags returns body without the tags inserted for the test span.
func stripTags(t *testing.T, body string) string {
	t.Helper()
	tags := string(render.AppendMetaTags(nil, testSpan()))
	require.Equal(t, 1, strings.Count(body, tags), "one set of tags in %q", body)
	return strings.Replace(body, tags, "", 1)
}

func cmp(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// fetchTags loads url and returns the page's meta tags; unlike do, it may
// run on any goroutine.
func fetchTags(url string, header http.Header) (map[string][]string, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	return metaTagsOf(string(b))
}
