// Package datadogtest is a fake Datadog agent for tests, as net/http/httptest
// is a server: it receives what dd-trace-go's tracer sends and decodes the
// spans, so that a test can check that the span a page names is the one the
// tracer reports.
package datadogtest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/DataDog/dd-trace-go/v2/ddtrace/tracer"
	"github.com/tinylib/msgp/msgp"
)

// Span is a span as dd-trace-go sends it to the agent (the v0.4 trace
// payload, msgpack), with the fields a test reads.
type Span struct {
	Service  string             `json:"service"`
	Name     string             `json:"name"`
	Resource string             `json:"resource"`
	TraceID  uint64             `json:"trace_id"`
	SpanID   uint64             `json:"span_id"`
	ParentID uint64             `json:"parent_id"`
	Meta     map[string]string  `json:"meta"`
	Metrics  map[string]float64 `json:"metrics"`
}

// Agent is a fake Datadog agent on loopback that decodes the traces the
// tracer sends. It answers /info with 404, as an agent too old to announce
// its endpoints does, so the tracer sends the v0.4 msgpack payload.
type Agent struct {
	srv *httptest.Server

	mu    sync.Mutex
	spans []Span // every span received, in order
	errs  []error
}

// NewAgent starts an Agent; Close stops it.
func NewAgent() *Agent {
	a := &Agent{}
	a.srv = httptest.NewServer(http.HandlerFunc(a.serve))
	return a
}

func (a *Agent) serve(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/v0.4/traces":
		body, err := io.ReadAll(r.Body)
		if err == nil {
			err = a.decode(body)
		}
		if err != nil {
			a.mu.Lock()
			a.errs = append(a.errs, err)
			a.mu.Unlock()
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"rate_by_service":{}}`) // the tracer keeps its rates on a failed write
	case r.URL.Path == "/info":
		http.NotFound(w, r)
	default: // telemetry, stats: accepted and dropped
		w.WriteHeader(http.StatusAccepted)
	}
}

// decode reads a v0.4 payload: an array of traces, each an array of spans.
func (a *Agent) decode(body []byte) error {
	var js bytes.Buffer
	if _, err := msgp.CopyToJSON(&js, bytes.NewReader(body)); err != nil {
		return err
	}
	var traces [][]Span
	if err := json.Unmarshal(js.Bytes(), &traces); err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, trace := range traces {
		a.spans = append(a.spans, trace...)
	}
	return nil
}

// WaitSpan flushes the global tracer and returns the first span the agent
// received that match accepts, failing t after 20 seconds, or at once when
// the agent could not decode what the tracer sent.
func (a *Agent) WaitSpan(t testing.TB, match func(Span) bool) Span {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		tracer.Flush()
		a.mu.Lock()
		for _, s := range a.spans {
			if match(s) {
				a.mu.Unlock()
				return s
			}
		}
		errs := a.errs
		a.mu.Unlock()
		if len(errs) > 0 {
			t.Fatalf("fake agent: %v", errs)
		}
		if time.Now().After(deadline) {
			t.Fatal("the agent received no matching span in 20s")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Addr is the agent's host:port, for tracer.WithAgentAddr.
func (a *Agent) Addr() string { return strings.TrimPrefix(a.srv.URL, "http://") }

// Close stops the agent.
func (a *Agent) Close() { a.srv.Close() }

// StartTracer starts dd-trace-go's global tracer for service, reporting to a
// new Agent, with nothing but traces: no telemetry, remote configuration or
// startup log. stop stops the tracer, then the agent.
func StartTracer(service string) (a *Agent, stop func(), err error) {
	for k, v := range map[string]string{
		"DD_INSTRUMENTATION_TELEMETRY_ENABLED": "false",
		"DD_REMOTE_CONFIGURATION_ENABLED":      "false",
		"DD_TRACE_STARTUP_LOGS":                "false",
	} {
		if err := os.Setenv(k, v); err != nil {
			return nil, nil, err
		}
	}
	a = NewAgent()
	if err := tracer.Start(tracer.WithAgentAddr(a.Addr()), tracer.WithService(service), tracer.WithLogStartup(false)); err != nil {
		a.Close()
		return nil, nil, err
	}
	return a, func() { tracer.Stop(); a.Close() }, nil
}
