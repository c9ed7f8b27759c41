package collector

import (
	"compress/flate"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
)

// ErrUnsupportedEncoding is returned for a request body whose
// Content-Encoding the collector cannot decode.
var ErrUnsupportedEncoding = errors.New("collector: unsupported content encoding")

// ErrBodyTooLarge is returned for a request body past the configured limit.
var ErrBodyTooLarge = errors.New("collector: body too large")

const (
	defaultMaxTraces   = 1000
	defaultMaxBodySize = 20 << 20 // Sentry's own limit for a decompressed envelope is 200 MiB; examples never come near 20.
)

// Option configures a [Collector].
type Option func(*config)

type config struct {
	maxTraces int
	maxBody   int64
	onSpans   func([]Span)
	logger    *slog.Logger
}

// WithMaxTraces sets how many traces the collector keeps; the oldest is
// dropped when a new one would exceed it. The default is 1000.
func WithMaxTraces(n int) Option { return func(c *config) { c.maxTraces = n } }

// WithMaxBodySize sets the largest request body accepted, after decoding.
// The default is 20 MiB.
func WithMaxBodySize(n int64) Option { return func(c *config) { c.maxBody = n } }

// WithOnSpans sets a func called with the spans of every accepted envelope
// or event, after they are stored. It must not block.
func WithOnSpans(f func([]Span)) Option { return func(c *config) { c.onSpans = f } }

// WithLogger sets where rejected requests are logged. The default discards
// them.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// Collector stores the spans sent to it and serves them. Create it with
// [New]; it is an [http.Handler] and safe for concurrent use.
type Collector struct {
	cfg config
	mux *http.ServeMux

	mu      sync.Mutex
	traces  map[string]*Trace // by trace id
	order   []string          // trace ids, oldest first
	changed chan struct{}     // closed and replaced whenever a span is stored
}

// New returns an empty Collector configured by opts.
func New(opts ...Option) *Collector {
	cfg := config{maxTraces: defaultMaxTraces, maxBody: defaultMaxBodySize}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.maxTraces <= 0 {
		cfg.maxTraces = defaultMaxTraces
	}
	if cfg.maxBody <= 0 {
		cfg.maxBody = defaultMaxBodySize
	}
	if cfg.logger == nil {
		cfg.logger = slog.New(slog.DiscardHandler)
	}
	c := &Collector{cfg: cfg, traces: make(map[string]*Trace), changed: make(chan struct{})}
	c.mux = http.NewServeMux()
	c.mux.HandleFunc("POST /api/{project}/envelope/", c.handleEnvelope)
	c.mux.HandleFunc("POST /api/{project}/store/", c.handleStore)
	c.mux.HandleFunc("POST /api/{project}/integration/otlp/v1/traces", c.handleOTLP)
	c.mux.HandleFunc("OPTIONS /api/{project}/{endpoint}/", handlePreflight)
	c.mux.HandleFunc("GET /traces", c.handleTraces)
	c.mux.HandleFunc("GET /traces/{id}", c.handleTrace)
	c.mux.HandleFunc("GET /{$}", c.handleIndex)
	return c
}

// DSN returns the DSN that sends to the collector served at serverURL
// (http://127.0.0.1:port) for the given public key and project id.
func DSN(serverURL, publicKey, project string) (string, error) {
	u, err := url.Parse(serverURL)
	if err != nil {
		return "", fmt.Errorf("collector: server URL %q: %w", serverURL, err)
	}
	if u.Scheme == "" || u.Host == "" {
		return "", fmt.Errorf("collector: server URL %q has no scheme or host", serverURL)
	}
	u.User = url.User(publicKey)
	u.Path = "/" + project
	return u.String(), nil
}

// ServeHTTP serves the ingestion endpoints and the views of the traces.
func (c *Collector) ServeHTTP(w http.ResponseWriter, r *http.Request) { c.mux.ServeHTTP(w, r) }

// Add stores spans as if they had arrived in an envelope.
func (c *Collector) Add(spans ...Span) {
	if len(spans) == 0 {
		return
	}
	c.mu.Lock()
	for _, s := range spans {
		t, ok := c.traces[s.TraceID]
		if !ok {
			t = &Trace{TraceID: s.TraceID}
			c.traces[s.TraceID] = t
			c.order = append(c.order, s.TraceID)
			if len(c.order) > c.cfg.maxTraces {
				delete(c.traces, c.order[0])
				c.order = slices.Delete(c.order, 0, 1)
			}
		}
		t.Spans = append(t.Spans, s)
	}
	close(c.changed)
	c.changed = make(chan struct{})
	c.mu.Unlock()
	if c.cfg.onSpans != nil {
		c.cfg.onSpans(slices.Clone(spans))
	}
}

// Traces returns a copy of every stored trace, oldest first.
func (c *Collector) Traces() []Trace {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]Trace, 0, len(c.order))
	for _, id := range c.order {
		out = append(out, c.traces[id].clone())
	}
	return out
}

// Trace returns a copy of the trace with the given id.
func (c *Collector) Trace(id string) (Trace, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.traces[strings.ToLower(id)]
	if !ok {
		return Trace{}, false
	}
	return t.clone(), true
}

// Reset forgets every trace.
func (c *Collector) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.traces = make(map[string]*Trace)
	c.order = nil
}

// WaitSpan returns the first stored span for which match returns true,
// waiting for it until ctx is done.
func (c *Collector) WaitSpan(ctx context.Context, match func(Span) bool) (Span, error) {
	for {
		c.mu.Lock()
		changed := c.changed
		for _, id := range c.order {
			if s, ok := c.traces[id].Find(match); ok {
				c.mu.Unlock()
				return s, nil
			}
		}
		c.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return Span{}, fmt.Errorf("collector: waiting for a span: %w", context.Cause(ctx))
		}
	}
}

func (t *Trace) clone() Trace {
	return Trace{TraceID: t.TraceID, Spans: slices.Clone(t.Spans)}
}

// setCORS lets a page of any origin post to the collector, as Sentry's
// ingestion does: the browser SDK sends from the page's origin.
func setCORS(h http.Header) {
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Allow-Methods", "POST, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "Content-Type, Content-Encoding, X-Sentry-Auth, sentry-trace, baggage")
	h.Set("Access-Control-Expose-Headers", "X-Sentry-Rate-Limits, Retry-After")
	h.Set("Access-Control-Max-Age", "600")
}

func handlePreflight(w http.ResponseWriter, _ *http.Request) {
	setCORS(w.Header())
	w.WriteHeader(http.StatusNoContent)
}

func (c *Collector) handleEnvelope(w http.ResponseWriter, r *http.Request) {
	setCORS(w.Header())
	body, err := c.readBody(r)
	if err != nil {
		c.reject(w, r, err)
		return
	}
	env, err := ParseEnvelope(body)
	if err != nil {
		c.reject(w, r, err)
		return
	}
	spans, err := env.Spans(r.PathValue("project"))
	c.Add(spans...)
	if err != nil {
		// The well-formed items were stored; say what was wrong with the rest.
		c.reject(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, "{\"id\":%q}\n", env.Header.EventID)
}

func (c *Collector) handleStore(w http.ResponseWriter, r *http.Request) {
	setCORS(w.Header())
	body, err := c.readBody(r)
	if err != nil {
		c.reject(w, r, err)
		return
	}
	// The store endpoint takes one bare event; only transactions carry spans.
	env := Envelope{Items: []Item{{Type: "transaction", Payload: body}}}
	var ev struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(body, &ev); err != nil {
		c.reject(w, r, fmt.Errorf("%w: %w", ErrMalformedItem, err))
		return
	}
	if ev.Type == "transaction" {
		spans, err := env.Spans(r.PathValue("project"))
		c.Add(spans...)
		if err != nil {
			c.reject(w, r, err)
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, "{}\n")
}

func (c *Collector) reject(w http.ResponseWriter, r *http.Request, err error) {
	c.cfg.logger.Warn("collector: rejected", "path", r.URL.Path, "err", err)
	code := http.StatusBadRequest
	switch {
	case errors.Is(err, ErrBodyTooLarge):
		code = http.StatusRequestEntityTooLarge
	case errors.Is(err, ErrUnsupportedEncoding):
		code = http.StatusUnsupportedMediaType
	}
	http.Error(w, err.Error(), code)
}

// readBody reads the request body, decoding gzip and deflate, up to the
// configured limit.
func (c *Collector) readBody(r *http.Request) ([]byte, error) {
	var body io.Reader = http.MaxBytesReader(nil, r.Body, c.cfg.maxBody)
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(body)
		if err != nil {
			return nil, fmt.Errorf("%w: gzip: %w", ErrMalformedEnvelope, err)
		}
		defer zr.Close()
		body = zr
	case "deflate":
		zr := flate.NewReader(body)
		defer zr.Close()
		body = zr
	default:
		return nil, fmt.Errorf("%w: %q", ErrUnsupportedEncoding, enc)
	}
	b, err := io.ReadAll(io.LimitReader(body, c.cfg.maxBody+1))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge) || int64(len(b)) > c.cfg.maxBody:
		return nil, fmt.Errorf("%w: over %d bytes", ErrBodyTooLarge, c.cfg.maxBody)
	case err != nil:
		return nil, fmt.Errorf("collector: reading body: %w", err)
	}
	return b, nil
}
