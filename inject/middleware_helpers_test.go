package inject_test

import (
	"bufio"
	"bytes"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"github.com/tracemeta/tracemeta/inject"
	"github.com/tracemeta/tracemeta/render"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// page is a small document with its insertion point right after <head>.
const page = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>t</title></head><body><p>hello</p></body></html>\n"

// testSpan returns a valid, sampled span whose ids derive from n, with a
// DSC naming the same trace.
func testSpan(n uint64) tracecontext.SpanContext {
	var sc tracecontext.SpanContext
	for i := range 8 {
		sc.TraceID[8+i] = byte(n >> (56 - 8*i))
		sc.SpanID[i] = byte(n >> (56 - 8*i))
	}
	sc.TraceID[0] = 0xab
	sc.SpanID[0] |= 0x80
	sc.Sampled = tracecontext.DecisionSampled
	sc.DSC = tracecontext.DSC{TraceID: sc.TraceID.String(), PublicKey: "key", SampleRate: "1"}
	return sc
}

// tagsFor returns the tags the default Middleware inserts for sc.
func tagsFor(sc tracecontext.SpanContext) string {
	return string(render.New().AppendMetaTags(nil, sc))
}

// injected returns page with the tags for sc at its insertion point.
func injected(sc tracecontext.SpanContext) string {
	return strings.Replace(page, "<title>", tagsFor(sc)+"<title>", 1)
}

// withSpan puts sc into the request's context before h runs, as a tracing
// middleware outside inject.Middleware does.
func withSpan(sc tracecontext.SpanContext, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(tracecontext.NewContext(r.Context(), sc)))
	})
}

// skips records the reasons a Middleware reported through its skip hook.
type skips struct {
	mu      sync.Mutex
	reasons []inject.Reason
}

func (s *skips) hook(_ *http.Request, reason inject.Reason) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reasons = append(s.reasons, reason)
}

func (s *skips) get() []inject.Reason {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]inject.Reason(nil), s.reasons...)
}

// serve runs req through h wrapped by a Middleware with opts and a span,
// into a recorder.
func serve(t *testing.T, h http.Handler, req *http.Request, opts ...inject.Option) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	withSpan(testSpan(1), inject.Middleware(opts...)(h)).ServeHTTP(rec, req)
	return rec
}

// metaContents parses doc with x/net/html and returns the content of every
// <meta name=...> element by name, and the number of <script> elements.
func metaContents(t *testing.T, doc string) (metas map[string][]string, scripts int) {
	t.Helper()
	root, err := html.Parse(strings.NewReader(doc))
	require.NoError(t, err)
	metas = map[string][]string{}
	var walk func(n *html.Node, inHead bool)
	walk = func(n *html.Node, inHead bool) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "head":
				inHead = true
			case "script":
				scripts++
			case "meta":
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
					require.True(t, inHead, "meta %q outside <head>", name)
					metas[name] = append(metas[name], content)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inHead)
		}
	}
	walk(root, false)
	return metas, scripts
}

// fakeWriter is a minimal ResponseWriter with no optional interface, which
// records every WriteHeader call.
type fakeWriter struct {
	header http.Header
	codes  []int
	body   bytes.Buffer
}

func newFakeWriter() *fakeWriter { return &fakeWriter{header: http.Header{}} }

func (f *fakeWriter) Header() http.Header         { return f.header }
func (f *fakeWriter) Write(p []byte) (int, error) { return f.body.Write(p) }
func (f *fakeWriter) WriteHeader(code int)        { f.codes = append(f.codes, code) }

// panicOnSecondWriteHeaderWriter fails the test by panicking if the
// middleware ever sends a second final status to the wrapped writer.
type panicOnSecondWriteHeaderWriter struct {
	fakeWriter
	final bool
}

func (p *panicOnSecondWriteHeaderWriter) WriteHeader(code int) {
	if code >= 200 {
		if p.final {
			panic("WriteHeader called twice")
		}
		p.final = true
	}
	p.fakeWriter.WriteHeader(code)
}

// flushWriter adds http.Flusher to fakeWriter and counts the flushes.
type flushWriter struct {
	*fakeWriter
	flushes int
}

func (f *flushWriter) Flush() { f.flushes++ }

// hijackWriter adds http.Hijacker to fakeWriter.
type hijackWriter struct {
	*fakeWriter
	conn net.Conn
}

func (h *hijackWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return h.conn, bufio.NewReadWriter(bufio.NewReader(h.conn), bufio.NewWriter(h.conn)), nil
}

// flushHijackWriter has both.
type flushHijackWriter struct {
	*flushWriter
	*hijackWriter
}

func (f flushHijackWriter) Header() http.Header         { return f.flushWriter.Header() }
func (f flushHijackWriter) Write(p []byte) (int, error) { return f.flushWriter.Write(p) }
func (f flushHijackWriter) WriteHeader(code int)        { f.flushWriter.WriteHeader(code) }
