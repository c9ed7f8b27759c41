package collector

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// ErrMalformedEnvelope is returned for a body that is not a Sentry envelope.
var ErrMalformedEnvelope = errors.New("collector: malformed envelope")

// ErrMalformedItem is returned for an envelope item whose payload is not the
// JSON its type promises.
var ErrMalformedItem = errors.New("collector: malformed envelope item")

// Envelope is a parsed Sentry envelope: a header and its items.
type Envelope struct {
	Header EnvelopeHeader
	Items  []Item
}

// EnvelopeHeader is the first line of an envelope.
type EnvelopeHeader struct {
	EventID string `json:"event_id,omitempty"`
	DSN     string `json:"dsn,omitempty"`
	// Trace is the Dynamic Sampling Context of the trace the items belong
	// to, with every value as it was sent (strings, usually).
	Trace map[string]any `json:"trace,omitempty"`
	SDK   struct {
		Name    string `json:"name,omitempty"`
		Version string `json:"version,omitempty"`
	} `json:"sdk"`
}

// Item is one item of an envelope: its header fields and its raw payload.
type Item struct {
	Type        string `json:"type"`
	Length      *int   `json:"length,omitempty"`
	ContentType string `json:"content_type,omitempty"`
	ItemCount   int    `json:"item_count,omitempty"`
	// Payload is the item's body, valid as long as the parsed body is.
	Payload []byte `json:"-"`
}

// ParseEnvelope parses an envelope: a JSON header line, then for each item a
// JSON item header line and a payload of the header's length, or up to the
// next newline when the header has no length.
func ParseEnvelope(body []byte) (Envelope, error) {
	var env Envelope
	line, rest, _ := bytes.Cut(body, []byte{'\n'})
	if err := json.Unmarshal(line, &env.Header); err != nil {
		return Envelope{}, fmt.Errorf("%w: header: %w", ErrMalformedEnvelope, err)
	}
	for len(rest) > 0 {
		line, rest, _ = bytes.Cut(rest, []byte{'\n'})
		if len(bytes.TrimSpace(line)) == 0 {
			continue // blank lines between items are tolerated
		}
		var it Item
		if err := json.Unmarshal(line, &it); err != nil {
			return Envelope{}, fmt.Errorf("%w: item header %q: %w", ErrMalformedEnvelope, line, err)
		}
		if it.Length != nil {
			n := *it.Length
			if n < 0 || n > len(rest) {
				return Envelope{}, fmt.Errorf("%w: item length %d, %d bytes left", ErrMalformedEnvelope, n, len(rest))
			}
			it.Payload, rest = rest[:n], rest[n:]
			rest = bytes.TrimPrefix(rest, []byte{'\n'})
		} else {
			it.Payload, rest, _ = bytes.Cut(rest, []byte{'\n'})
		}
		env.Items = append(env.Items, it)
	}
	return env, nil
}

// DSC returns the envelope header's Dynamic Sampling Context with every value
// as a string, or nil when there is none.
func (h EnvelopeHeader) DSC() map[string]string {
	if len(h.Trace) == 0 {
		return nil
	}
	dsc := make(map[string]string, len(h.Trace))
	for k, v := range h.Trace {
		dsc[k] = stringify(v)
	}
	return dsc
}

// Spans returns the spans carried by the envelope's transaction and span
// items. Items of other types (sessions, client reports...) are ignored.
func (env Envelope) Spans(project string) ([]Span, error) {
	var spans []Span
	var errs []error
	for _, it := range env.Items {
		var got []Span
		var err error
		switch it.Type {
		case "transaction":
			got, err = transactionSpans(it.Payload)
		case "span":
			got, err = spanItemSpans(it.Payload)
		default:
			continue
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%w: %s: %w", ErrMalformedItem, it.Type, err))
			continue
		}
		spans = append(spans, got...)
	}
	dsc := env.Header.DSC()
	for i := range spans {
		spans[i].Project = project
		spans[i].DSC = dsc
		if spans[i].Service == "" {
			spans[i].Service = env.Header.SDK.Name
		}
	}
	return spans, errors.Join(errs...)
}

// event is the part of a transaction event the collector reads.
type event struct {
	Type        string    `json:"type"`
	Transaction string    `json:"transaction"`
	ServerName  string    `json:"server_name"`
	Start       timestamp `json:"start_timestamp"`
	End         timestamp `json:"timestamp"`
	Contexts    struct {
		Trace struct {
			TraceID      string         `json:"trace_id"`
			SpanID       string         `json:"span_id"`
			ParentSpanID string         `json:"parent_span_id"`
			Op           string         `json:"op"`
			Status       string         `json:"status"`
			Data         map[string]any `json:"data"`
		} `json:"trace"`
	} `json:"contexts"`
	Spans []spanJSON `json:"spans"`
	SDK   struct {
		Name string `json:"name"`
	} `json:"sdk"`
}

// transactionSpans returns the segment span of a transaction event
// (contexts.trace) followed by its child spans.
func transactionSpans(payload []byte) ([]Span, error) {
	var ev event
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, err
	}
	tc := ev.Contexts.Trace
	if tc.TraceID == "" || tc.SpanID == "" {
		return nil, fmt.Errorf("no contexts.trace in event %q", ev.Transaction)
	}
	service := ev.ServerName
	if service == "" {
		service = ev.SDK.Name
	}
	spans := []Span{{
		TraceID:      tc.TraceID,
		SpanID:       tc.SpanID,
		ParentSpanID: tc.ParentSpanID,
		Op:           tc.Op,
		Name:         ev.Transaction,
		Service:      service,
		Segment:      true,
		Status:       tc.Status,
		Start:        ev.Start.Time,
		End:          ev.End.Time,
		Kind:         KindTransaction,
		Attributes:   stringMap(tc.Data),
	}}
	for _, sj := range ev.Spans {
		s := sj.span()
		s.Kind = KindTransaction
		s.Service = service
		if s.TraceID == "" {
			s.TraceID = tc.TraceID
		}
		spans = append(spans, s)
	}
	return spans, nil
}

// spanItemSpans reads the payload of a "span" item: the span v2 container
// {"version": 2, "items": [...]}, or a single span.
func spanItemSpans(payload []byte) ([]Span, error) {
	var container struct {
		Items []spanJSON `json:"items"`
	}
	if err := json.Unmarshal(payload, &container); err != nil {
		return nil, err
	}
	if container.Items == nil {
		var one spanJSON
		if err := json.Unmarshal(payload, &one); err != nil {
			return nil, err
		}
		container.Items = []spanJSON{one}
	}
	spans := make([]Span, 0, len(container.Items))
	for _, sj := range container.Items {
		s := sj.span()
		if s.TraceID == "" || s.SpanID == "" {
			return nil, errors.New("span without trace_id or span_id")
		}
		s.Kind = KindSpan
		spans = append(spans, s)
	}
	return spans, nil
}

// spanJSON is a span in any of the shapes Sentry SDKs send: the child spans
// of a transaction and the v1 span item (op, description, timestamp, data),
// and span v2 (name, end_timestamp, typed attributes).
type spanJSON struct {
	TraceID      string                     `json:"trace_id"`
	SpanID       string                     `json:"span_id"`
	ParentSpanID string                     `json:"parent_span_id"`
	Op           string                     `json:"op"`
	Name         string                     `json:"name"`
	Description  string                     `json:"description"`
	Status       any                        `json:"status"`
	IsSegment    bool                       `json:"is_segment"`
	Start        timestamp                  `json:"start_timestamp"`
	End          timestamp                  `json:"end_timestamp"`
	Timestamp    timestamp                  `json:"timestamp"`
	Data         map[string]any             `json:"data"`
	Attributes   map[string]json.RawMessage `json:"attributes"`
}

func (sj spanJSON) span() Span {
	s := Span{
		TraceID:      sj.TraceID,
		SpanID:       sj.SpanID,
		ParentSpanID: sj.ParentSpanID,
		Op:           sj.Op,
		Name:         sj.Name,
		Segment:      sj.IsSegment,
		Status:       stringify(sj.Status),
		Start:        sj.Start.Time,
		End:          sj.End.Time,
		Attributes:   stringMap(sj.Data),
	}
	if s.Name == "" {
		s.Name = sj.Description
	}
	if s.End.IsZero() {
		s.End = sj.Timestamp.Time
	}
	if len(sj.Attributes) > 0 && s.Attributes == nil {
		s.Attributes = make(map[string]string, len(sj.Attributes))
	}
	for k, raw := range sj.Attributes {
		// Span v2 attributes are {"type": "string", "value": ...}.
		var typed struct {
			Value any `json:"value"`
		}
		if err := json.Unmarshal(raw, &typed); err == nil && typed.Value != nil {
			s.Attributes[k] = stringify(typed.Value)
		} else {
			s.Attributes[k] = string(raw)
		}
	}
	if s.Op == "" {
		s.Op = s.Attributes["sentry.op"]
	}
	if s.Service == "" {
		s.Service = s.Attributes["sentry.sdk.name"]
	}
	return s
}

// timestamp is a Sentry timestamp: seconds since the epoch as a number (the
// JavaScript and Python SDKs) or an RFC 3339 string (sentry-go).
type timestamp struct{ time.Time }

func (t *timestamp) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			t.Time = fromSeconds(f)
			return nil
		}
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return fmt.Errorf("timestamp %q: %w", s, err)
		}
		t.Time = v
		return nil
	}
	if string(b) == "null" {
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("timestamp %s: %w", b, err)
	}
	t.Time = fromSeconds(f)
	return nil
}

func fromSeconds(f float64) time.Time {
	if math.IsNaN(f) || math.IsInf(f, 0) || f <= 0 || f > 1e11 {
		return time.Time{}
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC()
}

func stringMap(m map[string]any) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = stringify(v)
	}
	return out
}

func stringify(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Sprint(v)
		}
		return strings.TrimSpace(string(b))
	}
}
