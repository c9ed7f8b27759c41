package main

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
	"github.com/stretchr/testify/require"
	"github.com/tinylib/msgp/msgp"
)

// agentSpan is a span as dd-trace-go sends it to the agent (the v0.4 trace
// payload, msgpack).
type agentSpan struct {
	Service  string             `json:"service"`
	Name     string             `json:"name"`
	Resource string             `json:"resource"`
	TraceID  uint64             `json:"trace_id"`
	SpanID   uint64             `json:"span_id"`
	ParentID uint64             `json:"parent_id"`
	Meta     map[string]string  `json:"meta"`
	Metrics  map[string]float64 `json:"metrics"`
}

// fakeAgent is a Datadog agent on loopback that decodes the traces the
// tracer sends. It answers /info with 404, as an agent too old to announce
// its endpoints does, so the tracer sends the v0.4 msgpack payload.
type fakeAgent struct {
	srv *httptest.Server

	mu    sync.Mutex
	spans []agentSpan // every span received, in order
	errs  []error
}

func newFakeAgent() *fakeAgent {
	a := &fakeAgent{}
	a.srv = httptest.NewServer(http.HandlerFunc(a.serve))
	return a
}

func (a *fakeAgent) serve(w http.ResponseWriter, r *http.Request) {
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
func (a *fakeAgent) decode(body []byte) error {
	var js bytes.Buffer
	if _, err := msgp.CopyToJSON(&js, bytes.NewReader(body)); err != nil {
		return err
	}
	var traces [][]agentSpan
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

// waitSpan flushes the tracer and returns the first span the agent received
// that match accepts, failing t after 20 seconds.
func (a *fakeAgent) waitSpan(t *testing.T, match func(agentSpan) bool) agentSpan {
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
		require.Empty(t, errs, "fake agent")
		if time.Now().After(deadline) {
			t.Fatal("the agent received no matching span in 20s")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// startTracer starts dd-trace-go reporting to a new fake agent, with nothing
// but traces (no telemetry, remote configuration or startup log).
func startTracer() (*fakeAgent, func()) {
	a := newFakeAgent()
	for k, v := range map[string]string{
		"DD_INSTRUMENTATION_TELEMETRY_ENABLED": "false",
		"DD_REMOTE_CONFIGURATION_ENABLED":      "false",
		"DD_TRACE_STARTUP_LOGS":                "false",
	} {
		if err := os.Setenv(k, v); err != nil {
			panic(err)
		}
	}
	if err := tracer.Start(
		tracer.WithAgentAddr(strings.TrimPrefix(a.srv.URL, "http://")),
		tracer.WithService("shop"),
		tracer.WithLogStartup(false),
	); err != nil {
		panic(err)
	}
	return a, func() { tracer.Stop(); a.srv.Close() }
}
