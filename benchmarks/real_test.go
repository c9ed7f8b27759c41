package benchmarks_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/benchmarks/internal/corpus"
)

// traceTag opens the sentry-trace tag of the benchmark trace, whatever the
// span: the full chain continues the incoming trace with a span of its own.
var traceTag = []byte(`<meta name="sentry-trace" content="771a43a4192642f0b136d5159a501700-`)

// checkTags asserts that body has the tags once, in the head, when wrapped,
// and none when bare, so that no figure comes from a chain that did nothing.
func checkTags(t *testing.T, impl string, body []byte) {
	t.Helper()
	n := bytes.Count(body, traceTag)
	if impl == "bare" {
		assert.Zero(t, n, "tags in the bare page")
		return
	}
	require.Equal(t, 1, n, "sets of tags")
	assert.Less(t, bytes.Index(body, traceTag), bytes.Index(body, []byte("<body")), "the tags are in the head")
	assert.Contains(t, string(body), `<meta name="baggage" content="sentry-trace_id=771a43a4192642f0b136d5159a501700,`)
}

// TestRealHandlers checks that every chain of BenchmarkHandler does what it
// is measured doing, through httptest.
func TestRealHandlers(t *testing.T) {
	for _, rh := range realHandlers() {
		bare := readBody(t, rh.h)
		for _, c := range chains() {
			t.Run(rh.name+"/"+c.name, func(t *testing.T) {
				body := readBody(t, c.wrap(rh.h))
				checkTags(t, c.name, body)
				if c.name != "bare" {
					assert.Equal(t, string(bare), string(bytes.Replace(body, body[bytes.Index(body, traceTag):bytes.Index(body, traceTag)+tagsLen(body)], nil, 1)),
						"the page is the bare page plus the tags")
				}
			})
		}
	}
}

// tagsLen returns the length of the two tags at the sentry-trace tag of body.
func tagsLen(body []byte) int {
	at := bytes.Index(body, traceTag)
	end := bytes.Index(body[at:], []byte(`<meta name="baggage"`))
	end += bytes.IndexByte(body[at+end:], '>') + 1
	return end
}

// loopbackBody fetches url from the loopback server as BenchmarkLoopback
// does, and returns the body of its 200 response.
func loopbackBody(t *testing.T, l *loopback, url string) []byte {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	require.NoError(t, err)
	incoming(req.Header)
	resp, err := l.client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	return body
}

func readBody(t *testing.T, h http.Handler) []byte {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/products", nil)
	incoming(req.Header)
	req = req.WithContext(spanContext(req.Context()))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.Code)
	return rec.Body.Bytes()
}

// TestLoopbackServes checks the loopback server of BenchmarkLoopback: every
// path serves its page, with the tags once when wrapped.
func TestLoopbackServes(t *testing.T) {
	l, err := startLoopback()
	require.NoError(t, err)
	for _, rh := range realHandlers() {
		for _, c := range chains() {
			t.Run(rh.name+"/"+c.name, func(t *testing.T) {
				checkTags(t, c.name, loopbackBody(t, l, l.url+"/"+c.name+"/"+rh.name))
			})
		}
	}
	small, _ := corpus.ByName("small-2K")
	for _, r := range frameworkRoutes {
		t.Run(r.impl, func(t *testing.T) {
			body := loopbackBody(t, l, r.url(l))
			impl := r.impl
			if strings.HasSuffix(impl, "-bare") {
				impl = "bare"
				assert.Equal(t, string(small.HTML), string(body), "the page as it is")
			}
			checkTags(t, impl, body)
		})
	}
	before, err := l.stats()
	require.NoError(t, err)
	_, err = l.command("gc")
	require.NoError(t, err)
	after, err := l.stats()
	require.NoError(t, err)
	assert.Greater(t, after.cpu, before.cpu, "the server's CPU time grows")
	assert.GreaterOrEqual(t, after.allocs, before.allocs)
}
