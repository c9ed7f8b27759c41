package injectcaddy_test

import (
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"
)

// TestTracingExportsThePagesSpan runs Caddy's tracing directive with an OTLP
// exporter and checks that the span the page names is the one Caddy
// exports.
func TestTracingExportsThePagesSpan(t *testing.T) {
	var (
		mu    sync.Mutex
		spans = map[string]string{} // span id -> trace id
	)
	otlp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var req coltrace.ExportTraceServiceRequest
		if err := proto.Unmarshal(raw, &req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		for _, rs := range req.ResourceSpans {
			for _, ss := range rs.ScopeSpans {
				for _, s := range ss.Spans {
					spans[hex.EncodeToString(s.SpanId)] = hex.EncodeToString(s.TraceId)
				}
			}
		}
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	defer otlp.Close()
	// Caddy builds its tracer provider from these when the first tracing
	// handler is provisioned, and shuts it down, flushing, when the last
	// one is unloaded.
	t.Setenv("OTEL_TRACES_EXPORTER", "otlp")
	t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
	t.Setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", otlp.URL+"/v1/traces")
	t.Setenv("OTEL_BSP_SCHEDULE_DELAY", "50")

	up := newUpstream(t, false)
	base := startCaddy(t, "\ttracing\n\ttracemeta\n\treverse_proxy "+up.Listener.Addr().String()+"\n")
	_, page := navigate(t, base+"/page", "", nil)
	span := pageSpan(t, page)
	assert.Equal(t, span.SpanID, up.last(t).span.ParentSpanID, "the upstream continues the same span")
	require.NoError(t, caddy.Stop())

	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		traceID, ok := spans[span.SpanID.String()]
		mu.Unlock()
		if ok {
			assert.Equal(t, span.TraceID.String(), traceID)
			return
		}
		if time.Now().After(deadline) {
			mu.Lock()
			defer mu.Unlock()
			t.Fatalf("Caddy exported no span %s; got %v", span.SpanID, spans)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
