package injectcaddy_test

import (
	"testing"

	"github.com/caddyserver/caddy/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTracingExportsThePagesSpan runs Caddy's tracing directive with an OTLP
// exporter and checks that the span the page names is the one Caddy
// exports.
func TestTracingExportsThePagesSpan(t *testing.T) {
	otlp := newOTLPCollector(t)
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

	assert.Equal(t, span.TraceID.String(), otlp.waitTrace(t, span.SpanID.String()), "Caddy exported the span the page names")
}
