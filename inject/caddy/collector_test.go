package injectcaddy_test

import (
	"bytes"
	"compress/gzip"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"
)

// sentrySpan is what the collector keeps of a span a Sentry SDK sent.
type sentrySpan struct {
	TraceID, SpanID, ParentSpanID, Op, SDK string
	DSC                                    map[string]any
}

// collector receives the envelopes Sentry SDKs send to a DSN on loopback
// (https://develop.sentry.dev/sdk/foundations/transport/envelopes/): the
// transactions of @sentry/node and the spans (v2 containers) of
// @sentry/browser.
type collector struct {
	*httptest.Server
	mu    sync.Mutex
	spans []sentrySpan
}

func newCollector(t testing.TB) *collector {
	c := &collector{}
	c.Server = httptest.NewServer(http.HandlerFunc(c.serve))
	t.Cleanup(c.Close)
	return c
}

// DSN returns the DSN of a project with the public key on the collector.
func (c *collector) DSN(key string) string {
	return "http://" + key + "@" + c.Listener.Addr().String() + "/1"
}

func (c *collector) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	if r.Method == http.MethodOptions {
		w.Header().Set("Access-Control-Allow-Headers", "*")
		w.Header().Set("Access-Control-Allow-Methods", "POST")
		return
	}
	var body io.Reader = http.MaxBytesReader(w, r.Body, 20<<20)
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		body = zr
	}
	raw, err := io.ReadAll(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	spans := parseEnvelope(raw)
	c.mu.Lock()
	c.spans = append(c.spans, spans...)
	c.mu.Unlock()
	_, _ = w.Write([]byte(`{}`))
}

// parseEnvelope returns the spans of the transaction and span items of an
// envelope; what it cannot read is left out.
func parseEnvelope(raw []byte) []sentrySpan {
	var header struct {
		Trace map[string]any `json:"trace"`
		SDK   struct {
			Name string `json:"name"`
		} `json:"sdk"`
	}
	line, rest, _ := bytes.Cut(raw, []byte{'\n'})
	if json.Unmarshal(line, &header) != nil {
		return nil
	}
	var out []sentrySpan
	for len(rest) > 0 {
		line, rest, _ = bytes.Cut(rest, []byte{'\n'})
		var item struct {
			Type   string `json:"type"`
			Length *int   `json:"length"`
		}
		if len(bytes.TrimSpace(line)) == 0 || json.Unmarshal(line, &item) != nil {
			continue
		}
		var payload []byte
		if item.Length != nil && *item.Length >= 0 && *item.Length <= len(rest) {
			payload, rest = rest[:*item.Length], bytes.TrimPrefix(rest[*item.Length:], []byte{'\n'})
		} else {
			payload, rest, _ = bytes.Cut(rest, []byte{'\n'})
		}
		type span struct {
			TraceID      string `json:"trace_id"`
			SpanID       string `json:"span_id"`
			ParentSpanID string `json:"parent_span_id"`
			Op           string `json:"op"`
			Attributes   map[string]struct {
				Value any `json:"value"`
			} `json:"attributes"`
		}
		var spans []span
		switch item.Type {
		case "transaction":
			var tx struct {
				Contexts struct {
					Trace span `json:"trace"`
				} `json:"contexts"`
			}
			if json.Unmarshal(payload, &tx) == nil {
				spans = append(spans, tx.Contexts.Trace)
			}
		case "span":
			var box struct {
				Items []span `json:"items"`
			}
			if json.Unmarshal(payload, &box) == nil && len(box.Items) > 0 {
				spans = box.Items
			} else {
				var s span
				if json.Unmarshal(payload, &s) == nil {
					spans = append(spans, s)
				}
			}
		}
		for _, s := range spans {
			op := s.Op
			if a, ok := s.Attributes["sentry.op"]; ok && op == "" {
				op, _ = a.Value.(string)
			}
			out = append(out, sentrySpan{TraceID: s.TraceID, SpanID: s.SpanID, ParentSpanID: s.ParentSpanID, Op: op, SDK: header.SDK.Name, DSC: header.Trace})
		}
	}
	return out
}

// waitSpan waits for a span that match accepts, and returns it.
func (c *collector) waitSpan(t testing.TB, what string, match func(sentrySpan) bool) sentrySpan {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		c.mu.Lock()
		for _, s := range c.spans {
			if match(s) {
				c.mu.Unlock()
				return s
			}
		}
		c.mu.Unlock()
		time.Sleep(50 * time.Millisecond)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	require.FailNow(t, "no "+what+" arrived", "spans: %+v", c.spans)
	return sentrySpan{}
}

// otlpCollector receives the spans an OpenTelemetry exporter sends it over
// OTLP/HTTP in protobuf.
type otlpCollector struct {
	*httptest.Server
	mu    sync.Mutex
	spans map[string]string // span id -> trace id
}

func newOTLPCollector(t testing.TB) *otlpCollector {
	c := &otlpCollector{spans: map[string]string{}}
	c.Server = httptest.NewServer(http.HandlerFunc(c.serve))
	t.Cleanup(c.Close)
	return c
}

func (c *otlpCollector) serve(w http.ResponseWriter, r *http.Request) {
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
	c.mu.Lock()
	for _, rs := range req.ResourceSpans {
		for _, ss := range rs.ScopeSpans {
			for _, s := range ss.Spans {
				c.spans[hex.EncodeToString(s.SpanId)] = hex.EncodeToString(s.TraceId)
			}
		}
	}
	c.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-protobuf")
}

// waitTrace waits for the span spanID and returns its trace id.
func (c *otlpCollector) waitTrace(t testing.TB, spanID string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c.mu.Lock()
		traceID, ok := c.spans[spanID]
		c.mu.Unlock()
		if ok {
			return traceID
		}
		if time.Now().After(deadline) {
			c.mu.Lock()
			defer c.mu.Unlock()
			require.FailNow(t, "Caddy exported no span "+spanID, "spans: %v", c.spans)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
