package collector_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/examples/internal/collector"
)

// browserEnvelope is what @sentry/browser 11.12.0 sent for one pageload in
// headless Chromium: a span v2 container of 13 spans continuing the trace
// 0af7651916cd43dd8448eb211c80319c from the server span b7ad6b7169203331.
func browserEnvelope(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/browser-spans.envelope")
	require.NoError(t, err)
	return b
}

func post(t *testing.T, h http.Handler, path string, body []byte, header http.Header) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func gzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, err := zw.Write(b)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

func TestCollectorEnvelope(t *testing.T) {
	body := browserEnvelope(t)
	tests := []struct {
		name   string
		body   []byte
		header http.Header
	}{
		{name: "plain, as the browser sends it", body: body, header: http.Header{"Content-Type": {"text/plain;charset=UTF-8"}}},
		{name: "gzip", body: gzipped(t, body), header: http.Header{"Content-Encoding": {"gzip"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := collector.New()
			rec := post(t, c, "/api/42/envelope/?sentry_key=abc123", tt.body, tt.header)
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			assert.Equal(t, "*", rec.Header().Get("Access-Control-Allow-Origin"))

			tr, ok := c.Trace("0af7651916cd43dd8448eb211c80319c")
			require.True(t, ok)
			assert.Len(t, tr.Spans, 13)
			pageload, ok := tr.Find(func(s collector.Span) bool { return s.Op == "pageload" })
			require.True(t, ok)
			assert.Equal(t, "b7ad6b7169203331", pageload.ParentSpanID)
			assert.Equal(t, "42", pageload.Project)
			assert.True(t, pageload.Segment)
			assert.Equal(t, "sentry.javascript.browser", pageload.Service)
			assert.Equal(t, map[string]string{
				"trace_id": "0af7651916cd43dd8448eb211c80319c", "public_key": "abc123", "sample_rate": "1",
				"sample_rand": "0.25", "sampled": "true", "release": "r1", "environment": "test",
			}, pageload.DSC)

			roots := tr.Tree()
			require.Len(t, roots, 1, "every browser span hangs under the pageload")
			assert.Equal(t, pageload.SpanID, roots[0].SpanID)
			assert.True(t, roots[0].Orphan, "the server span was not sent")
			assert.Len(t, roots[0].Children, 12)
		})
	}
}

func TestCollectorRejects(t *testing.T) {
	tests := []struct {
		name   string
		opts   []collector.Option
		body   []byte
		header http.Header
		code   int
	}{
		{name: "not an envelope", body: []byte("hello"), code: http.StatusBadRequest},
		{name: "bad gzip", body: []byte("not gzip"), header: http.Header{"Content-Encoding": {"gzip"}}, code: http.StatusBadRequest},
		{name: "unknown encoding", body: []byte("{}"), header: http.Header{"Content-Encoding": {"br"}}, code: http.StatusUnsupportedMediaType},
		{name: "too large", opts: []collector.Option{collector.WithMaxBodySize(10)}, body: []byte("{}\n{\"type\":\"session\"}\n{}"), code: http.StatusRequestEntityTooLarge},
		{name: "gzip bomb past the limit", opts: []collector.Option{collector.WithMaxBodySize(1000)}, body: gzipped(t, make([]byte, 100_000)),
			header: http.Header{"Content-Encoding": {"gzip"}}, code: http.StatusRequestEntityTooLarge},
		{name: "malformed item", body: []byte("{}\n{\"type\":\"transaction\"}\n{}"), code: http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := collector.New(tt.opts...)
			rec := post(t, c, "/api/1/envelope/", tt.body, tt.header)
			assert.Equal(t, tt.code, rec.Code, rec.Body.String())
			assert.Empty(t, c.Traces())
		})
	}
}

func TestCollectorPreflight(t *testing.T) {
	c := collector.New()
	req := httptest.NewRequest(http.MethodOptions, "/api/42/envelope/", nil)
	req.Header.Set("Origin", "http://127.0.0.1:8080")
	req.Header.Set("Access-Control-Request-Method", "POST")
	rec := httptest.NewRecorder()
	c.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusNoContent, rec.Code)
	assert.Equal(t, "*", rec.Header().Get("Access-Control-Allow-Origin"))
	assert.Contains(t, rec.Header().Get("Access-Control-Allow-Methods"), "POST")
	assert.Contains(t, rec.Header().Get("Access-Control-Allow-Headers"), "Content-Type")
}

func TestCollectorStore(t *testing.T) {
	c := collector.New()
	event := `{"type":"transaction","transaction":"GET /","server_name":"web",` +
		`"contexts":{"trace":{"trace_id":"11111111111111111111111111111111","span_id":"2222222222222222","op":"http.server"}}}`
	rec := post(t, c, "/api/3/store/", gzipped(t, []byte(event)), http.Header{"Content-Encoding": {"gzip"}})
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	rec = post(t, c, "/api/3/store/", []byte(`{"message":"an error event has no spans"}`), nil)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())

	traces := c.Traces()
	require.Len(t, traces, 1)
	require.Len(t, traces[0].Spans, 1)
	assert.Equal(t, "web", traces[0].Spans[0].Service)
	assert.Equal(t, "GET /", traces[0].Spans[0].Name)
}

func TestCollectorViews(t *testing.T) {
	c := collector.New()
	require.Equal(t, http.StatusOK, post(t, c, "/api/42/envelope/", browserEnvelope(t), nil).Code)
	srv := httptest.NewServer(c)
	defer srv.Close()

	get := func(path string) (*http.Response, string) {
		resp, err := http.Get(srv.URL + path)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp, string(b)
	}

	resp, body := get("/traces")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var list []struct {
		TraceID string `json:"trace_id"`
		Count   int    `json:"span_count"`
		Tree    []struct {
			Op       string            `json:"op"`
			Orphan   bool              `json:"orphan"`
			Children []json.RawMessage `json:"children"`
		} `json:"tree"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &list))
	require.Len(t, list, 1)
	assert.Equal(t, "0af7651916cd43dd8448eb211c80319c", list[0].TraceID)
	assert.Equal(t, 13, list[0].Count)
	require.Len(t, list[0].Tree, 1)
	assert.Equal(t, "pageload", list[0].Tree[0].Op)
	assert.Len(t, list[0].Tree[0].Children, 12)

	resp, body = get("/traces/0AF7651916CD43DD8448EB211C80319C")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, body, `"span_count": 13`)

	resp, _ = get("/traces/ffffffffffffffffffffffffffffffff")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)

	resp, body = get("/")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
	assert.Contains(t, body, "0af7651916cd43dd8448eb211c80319c")
	assert.Contains(t, body, "parent b7ad6b7169203331 not received")
}

func TestCollectorMaxTraces(t *testing.T) {
	c := collector.New(collector.WithMaxTraces(2))
	for _, id := range []string{"a", "b", "c"} {
		c.Add(collector.Span{TraceID: id, SpanID: "s" + id})
	}
	var ids []string
	for _, tr := range c.Traces() {
		ids = append(ids, tr.TraceID)
	}
	assert.Equal(t, []string{"b", "c"}, ids, "the oldest trace is dropped")
	c.Reset()
	assert.Empty(t, c.Traces())
}

func TestCollectorWaitSpan(t *testing.T) {
	hooked := make(chan collector.Span, 2)
	c := collector.New(collector.WithOnSpans(func(spans []collector.Span) {
		for _, s := range spans {
			hooked <- s
		}
	}))
	go func() {
		time.Sleep(20 * time.Millisecond)
		c.Add(collector.Span{TraceID: "t", SpanID: "1", Op: "http.server"})
		c.Add(collector.Span{TraceID: "t", SpanID: "2", Op: "pageload"})
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := c.WaitSpan(ctx, func(s collector.Span) bool { return s.Op == "pageload" })
	require.NoError(t, err)
	assert.Equal(t, "2", s.SpanID)
	assert.Equal(t, "1", (<-hooked).SpanID)
	assert.Equal(t, "2", (<-hooked).SpanID)

	short, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	_, err = c.WaitSpan(short, func(s collector.Span) bool { return s.Op == "never" })
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestDSN(t *testing.T) {
	dsn, err := collector.DSN("http://127.0.0.1:9999", "pk", "42")
	require.NoError(t, err)
	assert.Equal(t, "http://pk@127.0.0.1:9999/42", dsn)
	for _, bad := range []string{"127.0.0.1:9999", "::", ""} {
		_, err := collector.DSN(bad, "pk", "1")
		assert.Error(t, err, bad)
	}
}

// TestSentryGo sends a transaction with the real sentry-go client and finds
// it in the collector, continued from an upstream trace with its DSC.
func TestSentryGo(t *testing.T) {
	c := collector.New()
	srv := httptest.NewServer(c)
	defer srv.Close()
	dsn, err := collector.DSN(srv.URL, "pk", "5")
	require.NoError(t, err)
	client, err := sentry.NewClient(sentry.ClientOptions{
		Dsn: dsn, EnableTracing: true, TracesSampleRate: 1, ServerName: "orders", Release: "r9", Environment: "test",
	})
	require.NoError(t, err)
	hub := sentry.NewHub(client, sentry.NewScope())
	ctx := sentry.SetHubOnContext(context.Background(), hub)

	const upstream = "4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1"
	const baggage = "sentry-trace_id=4bf92f3577b34da6a3ce929d0e0e4736,sentry-public_key=pk,sentry-sample_rate=1,sentry-sample_rand=0.5,sentry-sampled=true"
	tx := sentry.StartTransaction(ctx, "GET /orders", sentry.WithOpName("http.server"), sentry.ContinueFromHeaders(upstream, baggage))
	child := tx.StartChild("db.query", sentry.WithDescription("SELECT 1"))
	child.Finish()
	tx.Finish()
	require.True(t, client.Flush(5*time.Second))

	wait, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := c.WaitSpan(wait, func(s collector.Span) bool { return s.Op == "db.query" })
	require.NoError(t, err)
	tr, ok := c.Trace("4bf92f3577b34da6a3ce929d0e0e4736")
	require.True(t, ok)
	var out strings.Builder
	require.NoError(t, collector.WriteText(&out, tr))
	t.Log("\n" + out.String())

	root, ok := tr.Find(func(s collector.Span) bool { return s.Op == "http.server" })
	require.True(t, ok)
	assert.Equal(t, "00f067aa0ba902b7", root.ParentSpanID)
	assert.Equal(t, "GET /orders", root.Name)
	assert.Equal(t, "orders", root.Service)
	assert.Equal(t, root.SpanID, s.ParentSpanID)
	t.Logf("DSC sent by sentry-go: %v", root.DSC)
	assert.Equal(t, "pk", root.DSC["public_key"], "the upstream DSC is frozen")
	assert.Equal(t, "4bf92f3577b34da6a3ce929d0e0e4736", root.DSC["trace_id"])
	assert.False(t, root.Start.IsZero())
	assert.GreaterOrEqual(t, root.Duration(), s.Duration())
}

func ExampleWriteText() {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tr := collector.Trace{TraceID: "0af7651916cd43dd8448eb211c80319c", Spans: []collector.Span{
		{SpanID: "b", ParentSpanID: "a", Op: "pageload", Name: "/", Service: "browser", Start: start.Add(30 * time.Millisecond), End: start.Add(400 * time.Millisecond)},
		{SpanID: "a", Op: "http.server", Name: "GET /", Service: "frontend", Start: start, End: start.Add(25 * time.Millisecond)},
		{SpanID: "c", ParentSpanID: "a", Op: "http.client", Name: "GET /api/orders", Service: "frontend", Start: start.Add(2 * time.Millisecond), End: start.Add(20 * time.Millisecond)},
		{SpanID: "d", ParentSpanID: "c", Op: "http.server", Name: "GET /api/orders", Service: "orders", Start: start.Add(3 * time.Millisecond), End: start.Add(19 * time.Millisecond)},
		{SpanID: "e", ParentSpanID: "x", Op: "resource.script", Name: "/sentry.js", Service: "browser"},
	}}
	if err := collector.WriteText(os.Stdout, tr); err != nil {
		fmt.Println(err)
	}
	// Output:
	// trace 0af7651916cd43dd8448eb211c80319c (5 spans)
	// ├─ resource.script  /sentry.js  [browser]  (parent x not received)
	// └─ http.server  GET /  [frontend]  25ms
	//    ├─ http.client  GET /api/orders  [frontend]  18ms
	//    │  └─ http.server  GET /api/orders  [orders]  16ms
	//    └─ pageload  /  [browser]  370ms
}
