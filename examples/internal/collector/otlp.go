package collector

import (
	"encoding/hex"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"time"

	common "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

// KindOTLP is a span that arrived over OTLP, from an OpenTelemetry SDK such
// as Caddy's tracing.
const KindOTLP Kind = "otlp"

// handleOTLP takes an OTLP/HTTP export of traces in protobuf
// (https://opentelemetry.io/docs/specs/otlp/#otlphttp), at the path of
// Sentry's OTLP endpoint, so that an OpenTelemetry exporter is pointed at the
// collector exactly as at Sentry.
func (c *Collector) handleOTLP(w http.ResponseWriter, r *http.Request) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-protobuf" {
		c.reject(w, r, fmt.Errorf("%w: OTLP content type %q (only application/x-protobuf)", ErrUnsupportedEncoding, mt))
		return
	}
	body, err := c.readBody(r)
	if err != nil {
		c.reject(w, r, err)
		return
	}
	// An ExportTraceServiceRequest has the wire format of TracesData
	// (resource_spans, field 1), which spares the collector the gRPC
	// service's dependencies.
	var req tracepb.TracesData
	if err := proto.Unmarshal(body, &req); err != nil {
		c.reject(w, r, fmt.Errorf("%w: OTLP: %w", ErrMalformedEnvelope, err))
		return
	}
	c.Add(otlpSpans(&req, r.PathValue("project"))...)
	// An empty body is an ExportTraceServiceResponse: every span accepted.
	w.Header().Set("Content-Type", "application/x-protobuf")
	w.WriteHeader(http.StatusOK)
}

// otlpSpans converts the spans of an OTLP export. The service is the
// resource's service.name; the op is http.server or http.client for a
// server or client span of an HTTP request, as Sentry derives it.
func otlpSpans(req *tracepb.TracesData, project string) []Span {
	var out []Span
	for _, rs := range req.GetResourceSpans() {
		service := attributes(rs.GetResource().GetAttributes())["service.name"]
		for _, ss := range rs.GetScopeSpans() {
			for _, s := range ss.GetSpans() {
				attrs := attributes(s.GetAttributes())
				span := Span{
					TraceID:    hex.EncodeToString(s.GetTraceId()),
					SpanID:     hex.EncodeToString(s.GetSpanId()),
					Name:       s.GetName(),
					Service:    service,
					Start:      unixNano(s.GetStartTimeUnixNano()),
					End:        unixNano(s.GetEndTimeUnixNano()),
					Kind:       KindOTLP,
					Project:    project,
					Attributes: attrs,
				}
				if p := s.GetParentSpanId(); len(p) > 0 {
					span.ParentSpanID = hex.EncodeToString(p)
				}
				// A span without a parent, or whose parent is in another
				// process, is the root of what this service sent.
				remote := s.GetFlags()&uint32(tracepb.SpanFlags_SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK) != 0 &&
					s.GetFlags()&uint32(tracepb.SpanFlags_SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK) != 0
				span.Segment = span.ParentSpanID == "" || remote
				_, isHTTP := attrs["http.request.method"]
				if _, old := attrs["http.method"]; old {
					isHTTP = true
				}
				switch {
				case isHTTP && s.GetKind() == tracepb.Span_SPAN_KIND_SERVER:
					span.Op = "http.server"
				case isHTTP && s.GetKind() == tracepb.Span_SPAN_KIND_CLIENT:
					span.Op = "http.client"
				}
				switch s.GetStatus().GetCode() {
				case tracepb.Status_STATUS_CODE_OK:
					span.Status = "ok"
				case tracepb.Status_STATUS_CODE_ERROR:
					span.Status = "internal_error"
				}
				out = append(out, span)
			}
		}
	}
	return out
}

// attributes returns the scalar attributes of an OTLP attribute list as
// strings.
func attributes(kvs []*common.KeyValue) map[string]string {
	if len(kvs) == 0 {
		return nil
	}
	out := make(map[string]string, len(kvs))
	for _, kv := range kvs {
		switch v := kv.GetValue().GetValue().(type) {
		case *common.AnyValue_StringValue:
			out[kv.GetKey()] = v.StringValue
		case *common.AnyValue_IntValue:
			out[kv.GetKey()] = strconv.FormatInt(v.IntValue, 10)
		case *common.AnyValue_DoubleValue:
			out[kv.GetKey()] = strconv.FormatFloat(v.DoubleValue, 'g', -1, 64)
		case *common.AnyValue_BoolValue:
			out[kv.GetKey()] = strconv.FormatBool(v.BoolValue)
		}
	}
	return out
}

// unixNano returns the time of an OTLP timestamp, or the zero time for 0.
func unixNano(ns uint64) time.Time {
	if ns == 0 || ns > 1<<63-1 {
		return time.Time{}
	}
	return time.Unix(0, int64(ns)).UTC()
}
