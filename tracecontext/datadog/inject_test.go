package tmdatadog_test

import (
	"encoding/binary"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	httptrace "github.com/DataDog/dd-trace-go/contrib/net/http/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"github.com/tracemeta/tracemeta/inject"
	"github.com/tracemeta/tracemeta/render"
	"github.com/tracemeta/tracemeta/tracecontext"
	tmdatadog "github.com/tracemeta/tracemeta/tracecontext/datadog"
	"github.com/tracemeta/tracemeta/tracecontext/datadog/datadogtest"
)

const everyFormat = render.SentryTrace | render.Baggage | render.Traceparent | render.Datadog

// page is the app's HTML; cacheControl, when set, is its Cache-Control.
func app(cacheControl, head string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if cacheControl != "" {
			w.Header().Set("Cache-Control", cacheControl)
		}
		_, _ = io.WriteString(w, "<!DOCTYPE html><html><head><title>shop</title>"+head+"</head><body>hi</body></html>")
	})
}

// tracedServer serves h behind dd-trace-go's net/http integration, with the
// tracemeta middleware inside it, as the package doc shows.
func tracedServer(t *testing.T, h http.Handler, opts ...inject.Option) *httptest.Server {
	t.Helper()
	opts = append([]inject.Option{
		inject.WithSource(tmdatadog.Source()),
		inject.WithRender(render.WithFormats(everyFormat)),
	}, opts...)
	mux := httptrace.NewServeMux(httptrace.WithService("shop"))
	mux.Handle("/", inject.Middleware(opts...)(h))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// metas returns the content of each <meta name> of the page, by name, and
// the names in order.
func metas(t *testing.T, page string) (map[string]string, []string) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	require.NoError(t, err)
	byName := map[string]string{}
	var order []string
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "meta" {
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
				byName[name] = content
				order = append(order, name)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return byName, order
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	return string(body)
}

// TestMixedStackNamesTheAgentSpan serves a page through dd-trace-go's
// net/http integration and the tracemeta middleware with every format, and
// checks that sentry-trace, traceparent and the Datadog tags all name the
// server span that the tracer reports to the agent.
func TestMixedStackNamesTheAgentSpan(t *testing.T) {
	srv := tracedServer(t, app("", ""))
	before := time.Now().UnixMilli()
	page := get(t, srv.URL+"/checkout")
	after := time.Now().UnixMilli()

	tags, order := metas(t, page)
	require.Equal(t, []string{"sentry-trace", "traceparent", "dd-trace-id", "dd-trace-time"}, order,
		"every format once (no baggage: a dd-trace-go span carries no DSC)")
	st, err := tracecontext.ParseSentryTrace(tags["sentry-trace"])
	require.NoError(t, err)
	tp, err := tracecontext.ParseTraceparent(tags["traceparent"])
	require.NoError(t, err)
	assert.Equal(t, st.TraceID, tp.TraceID, "sentry-trace and traceparent name one trace")
	assert.Equal(t, st.SpanID, tp.SpanID, "and one span")
	assert.Equal(t, tracecontext.DecisionSampled, st.Sampled)
	ddTrace, err := strconv.ParseUint(tags["dd-trace-id"], 10, 64)
	require.NoError(t, err)
	assert.Equal(t, binary.BigEndian.Uint64(st.TraceID[8:]), ddTrace, "dd-trace-id is the lower 64 bits")
	ms, err := strconv.ParseInt(tags["dd-trace-time"], 10, 64)
	require.NoError(t, err)
	assert.True(t, before <= ms && ms <= after, "dd-trace-time %d is the render time, in [%d, %d]", ms, before, after)

	span := agent.WaitSpan(t, func(s datadogtest.Span) bool { return s.Service == "shop" && s.TraceID == ddTrace })
	t.Logf("agent: span %q service=%s trace_id=%d _dd.p.tid=%s span_id=%d priority=%v",
		span.Name, span.Service, span.TraceID, span.Meta["_dd.p.tid"], span.SpanID, span.Metrics["_sampling_priority_v1"])
	t.Logf("page: dd-trace-id=%s sentry-trace=%s traceparent=%s", tags["dd-trace-id"], tags["sentry-trace"], tags["traceparent"])
	assert.Equal(t, "http.request", span.Name)
	assert.Equal(t, binary.BigEndian.Uint64(st.SpanID[:]), span.SpanID, "the tags name the server span")
	assert.Equal(t, hex.EncodeToString(st.TraceID[:8]), span.Meta["_dd.p.tid"], "the upper half of the 128-bit id")
	assert.Positive(t, span.Metrics["_sampling_priority_v1"])
}

// TestDatadogTagsNeverOnACacheablePage: a page a shared cache may store gets
// no tags, Datadog's included, and a page with its own dd-trace-id keeps it
// alone under WithExistingTags.
func TestDatadogTagsNeverOnACacheablePage(t *testing.T) {
	own := `<meta name="dd-trace-id" content="42"><meta name="dd-trace-time" content="1">`
	tests := []struct {
		name  string
		h     http.Handler
		opts  []inject.Option
		want  []string
		wants map[string]string
	}{
		{name: "private page", h: app("private, max-age=60", ""), want: []string{"sentry-trace", "traceparent", "dd-trace-id", "dd-trace-time"}},
		{name: "public page", h: app("public, max-age=60", ""), want: nil},
		{name: "s-maxage", h: app("s-maxage=60", ""), want: nil},
		{name: "max-age without private", h: app("max-age=60", ""), want: nil},
		{
			name:  "the page's own dd-trace-id",
			h:     app("", own),
			opts:  []inject.Option{inject.WithExistingTags()},
			want:  []string{"dd-trace-id", "dd-trace-time"},
			wants: map[string]string{"dd-trace-id": "42", "dd-trace-time": "1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := tracedServer(t, tt.h, tt.opts...)
			tags, order := metas(t, get(t, srv.URL+"/"))
			assert.Equal(t, tt.want, order)
			for k, v := range tt.wants {
				assert.Equal(t, v, tags[k])
			}
		})
	}
}
