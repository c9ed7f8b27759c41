package tmsentrygo_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/stretchr/testify/require"
)

// collector is a local Sentry ingestion endpoint: it accepts the envelopes a
// real sentry-go client sends to POST /api/<project>/envelope/ and keeps what
// they carried.
type collector struct {
	srv *httptest.Server

	mu        sync.Mutex
	envelopes []envelope
	errs      []error // malformed envelopes; a test fails on any
}

// envelope is one received envelope: its header and its items.
type envelope struct {
	Header envelopeHeader
	Items  []envelopeItem
}

type envelopeHeader struct {
	EventID string            `json:"event_id"`
	Trace   map[string]string `json:"trace"`
}

type envelopeItem struct {
	Type    string
	Payload []byte
}

// event is the part of a transaction or error event the tests look at.
type event struct {
	Type        string `json:"type"`
	Transaction string `json:"transaction"`
	Message     string `json:"message"`
	Contexts    struct {
		Trace traceContext `json:"trace"`
	} `json:"contexts"`
	Spans []traceContext `json:"spans"`
}

type traceContext struct {
	TraceID      string `json:"trace_id"`
	SpanID       string `json:"span_id"`
	ParentSpanID string `json:"parent_span_id"`
	Op           string `json:"op"`
}

// received is an event with the DSC of the envelope that carried it.
type received struct {
	event
	DSC map[string]string
}

func newCollector(t *testing.T) *collector {
	t.Helper()
	c := &collector{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/{project}/envelope/", c.serve)
	c.srv = httptest.NewServer(mux)
	t.Cleanup(c.srv.Close)
	t.Cleanup(func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		require.Empty(t, c.errs, "malformed envelopes")
	})
	return c
}

// dsn returns a DSN that makes a client send to c.
func (c *collector) dsn() string {
	return "http://public-key@" + c.srv.Listener.Addr().String() + "/42"
}

func (c *collector) serve(w http.ResponseWriter, r *http.Request) {
	env, err := parseEnvelope(r.Body)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		c.errs = append(c.errs, err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	c.envelopes = append(c.envelopes, env)
	w.WriteHeader(http.StatusOK)
}

// parseEnvelope reads the envelope format: a JSON header line, then items,
// each a JSON item header line and a payload of the length it gives (or up
// to the next newline when it gives none).
// https://develop.sentry.dev/sdk/data-model/envelopes/
func parseEnvelope(body io.Reader) (envelope, error) {
	br := bufio.NewReader(body)
	var env envelope
	line, err := br.ReadBytes('\n')
	if err != nil && err != io.EOF {
		return env, fmt.Errorf("envelope header: %w", err)
	}
	if err := json.Unmarshal(line, &env.Header); err != nil {
		return env, fmt.Errorf("envelope header %q: %w", line, err)
	}
	for {
		line, err := br.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) == 0 {
			if err == io.EOF {
				return env, nil
			}
			if err != nil {
				return env, fmt.Errorf("item header: %w", err)
			}
			continue
		}
		var ih struct {
			Type   string          `json:"type"`
			Length json.RawMessage `json:"length"`
		}
		if err := json.Unmarshal(line, &ih); err != nil {
			return env, fmt.Errorf("item header %q: %w", line, err)
		}
		var payload []byte
		if len(ih.Length) > 0 {
			n, err := strconv.Atoi(string(ih.Length))
			if err != nil {
				return env, fmt.Errorf("item length %q: %w", ih.Length, err)
			}
			payload = make([]byte, n)
			if _, err := io.ReadFull(br, payload); err != nil {
				return env, fmt.Errorf("item payload: %w", err)
			}
		} else {
			payload, err = br.ReadBytes('\n')
			if err != nil && err != io.EOF {
				return env, fmt.Errorf("item payload: %w", err)
			}
			payload = bytes.TrimSuffix(payload, []byte("\n"))
		}
		env.Items = append(env.Items, envelopeItem{Type: ih.Type, Payload: payload})
	}
}

// events returns the received events of the given item type ("transaction"
// or "event"), each with the DSC from its envelope header.
func (c *collector) events(t *testing.T, typ string) []received {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []received
	for _, env := range c.envelopes {
		for _, it := range env.Items {
			if it.Type != typ {
				continue
			}
			var ev event
			require.NoError(t, json.Unmarshal(it.Payload, &ev), "%s payload %s", typ, it.Payload)
			out = append(out, received{event: ev, DSC: env.Header.Trace})
		}
	}
	return out
}

// newClient returns a real sentry-go client that sends to c, with the
// transport sentry-go uses by default, and flushes it when the test ends.
func (c *collector) newClient(t *testing.T, opts sentry.ClientOptions) *sentry.Client {
	t.Helper()
	opts.Dsn = c.dsn()
	if opts.Release == "" {
		opts.Release = "shop@1.2.3"
	}
	if opts.Environment == "" {
		opts.Environment = "test"
	}
	client, err := sentry.NewClient(opts)
	require.NoError(t, err)
	t.Cleanup(func() { client.Close() })
	return client
}

// flush waits until client has delivered everything to the collector.
func flush(t *testing.T, client *sentry.Client) {
	t.Helper()
	require.True(t, client.Flush(5*time.Second), "flush timed out")
}
