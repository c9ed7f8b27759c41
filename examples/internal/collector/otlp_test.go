package collector

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	common "go.opentelemetry.io/proto/otlp/common/v1"
	resource "go.opentelemetry.io/proto/otlp/resource/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

func str(k, v string) *common.KeyValue {
	return &common.KeyValue{Key: k, Value: &common.AnyValue{Value: &common.AnyValue_StringValue{StringValue: v}}}
}

// TestOTLP posts an OTLP/HTTP export, as Caddy's tracing sends it, to the
// path of Sentry's OTLP endpoint.
func TestOTLP(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	traceID := []byte{0x0a, 0xf7, 0x65, 0x19, 0x16, 0xcd, 0x43, 0xdd, 0x84, 0x48, 0xeb, 0x21, 0x1c, 0x80, 0x31, 0x9c}
	remoteParent := uint32(tracepb.SpanFlags_SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK | tracepb.SpanFlags_SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK)
	export := &tracepb.TracesData{ResourceSpans: []*tracepb.ResourceSpans{{
		Resource: &resource.Resource{Attributes: []*common.KeyValue{str("service.name", "Caddy")}},
		ScopeSpans: []*tracepb.ScopeSpans{{Spans: []*tracepb.Span{
			{
				TraceId: traceID, SpanId: []byte{1, 2, 3, 4, 5, 6, 7, 8}, ParentSpanId: []byte{9, 9, 9, 9, 9, 9, 9, 9}, Flags: remoteParent,
				Name: "GET /", Kind: tracepb.Span_SPAN_KIND_SERVER,
				StartTimeUnixNano: uint64(start.UnixNano()), EndTimeUnixNano: uint64(start.Add(12 * time.Millisecond).UnixNano()),
				Attributes: []*common.KeyValue{str("http.request.method", "GET"), {Key: "http.response.status_code", Value: &common.AnyValue{Value: &common.AnyValue_IntValue{IntValue: 200}}}},
				Status:     &tracepb.Status{Code: tracepb.Status_STATUS_CODE_ERROR},
			},
			{
				TraceId: traceID, SpanId: []byte{1, 2, 3, 4, 5, 6, 7, 9}, ParentSpanId: []byte{1, 2, 3, 4, 5, 6, 7, 8},
				Name: "internal", Kind: tracepb.Span_SPAN_KIND_INTERNAL,
			},
		}}},
	}}}
	body, err := proto.Marshal(export)
	require.NoError(t, err)

	c := New()
	post := func(contentType string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/api/1/integration/otlp/v1/traces", bytes.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		rec := httptest.NewRecorder()
		c.ServeHTTP(rec, req)
		return rec
	}
	assert.Equal(t, http.StatusUnsupportedMediaType, post("application/json").Code, "OTLP/JSON is not taken")
	assert.Empty(t, c.Traces())

	rec := post("application/x-protobuf")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, "application/x-protobuf", rec.Header().Get("Content-Type"))
	tr, ok := c.Trace("0af7651916cd43dd8448eb211c80319c")
	require.True(t, ok)
	require.Len(t, tr.Spans, 2)
	assert.Equal(t, Span{
		TraceID: "0af7651916cd43dd8448eb211c80319c", SpanID: "0102030405060708", ParentSpanID: "0909090909090909",
		Op: "http.server", Name: "GET /", Service: "Caddy", Segment: true, Status: "internal_error",
		Start: start, End: start.Add(12 * time.Millisecond), Kind: KindOTLP, Project: "1",
		Attributes: map[string]string{"http.request.method": "GET", "http.response.status_code": "200"},
	}, tr.Spans[0])
	child := tr.Spans[1]
	assert.Equal(t, "0102030405060708", child.ParentSpanID)
	assert.False(t, child.Segment, "a local parent")
	assert.Empty(t, child.Op, "not an HTTP span")
	assert.True(t, child.Start.IsZero(), "no timestamp: no time")

	req := httptest.NewRequest(http.MethodPost, "/api/1/integration/otlp/v1/traces", bytes.NewReader([]byte{0xff, 0xff}))
	req.Header.Set("Content-Type", "application/x-protobuf")
	bad := httptest.NewRecorder()
	c.ServeHTTP(bad, req)
	assert.Equal(t, http.StatusBadRequest, bad.Code)
}
