package collector_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/examples/internal/collector"
)

func TestParseEnvelope(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		wantErr  error
		wantType []string
		wantBody []string
	}{
		{
			name:     "length-prefixed item",
			body:     "{\"event_id\":\"e1\"}\n{\"type\":\"span\",\"length\":11}\n{\"a\":\"\\nb\"}\n",
			wantType: []string{"span"},
			wantBody: []string{`{"a":"\nb"}`},
		},
		{
			name:     "length-prefixed item holding a newline, no trailing newline",
			body:     "{}\n{\"type\":\"attachment\",\"length\":3}\na\nb",
			wantType: []string{"attachment"},
			wantBody: []string{"a\nb"},
		},
		{
			name:     "newline-delimited items",
			body:     "{}\n{\"type\":\"session\"}\n{\"sid\":\"1\"}\n{\"type\":\"span\"}\n{\"span_id\":\"2\"}",
			wantType: []string{"session", "span"},
			wantBody: []string{`{"sid":"1"}`, `{"span_id":"2"}`},
		},
		{
			name:     "blank lines between items",
			body:     "{}\n\n{\"type\":\"session\"}\n{}\n\n",
			wantType: []string{"session"},
			wantBody: []string{`{}`},
		},
		{name: "header only", body: "{\"event_id\":\"x\"}"},
		{name: "empty body", body: "", wantErr: collector.ErrMalformedEnvelope},
		{name: "header not JSON", body: "hello\n{}", wantErr: collector.ErrMalformedEnvelope},
		{name: "item header not JSON", body: "{}\nnope\n{}", wantErr: collector.ErrMalformedEnvelope},
		{name: "length past the end", body: "{}\n{\"type\":\"span\",\"length\":100}\n{}", wantErr: collector.ErrMalformedEnvelope},
		{name: "negative length", body: "{}\n{\"type\":\"span\",\"length\":-1}\n{}", wantErr: collector.ErrMalformedEnvelope},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, err := collector.ParseEnvelope([]byte(tt.body))
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			var types, bodies []string
			for _, it := range env.Items {
				types = append(types, it.Type)
				bodies = append(bodies, string(it.Payload))
			}
			assert.Equal(t, tt.wantType, types)
			assert.Equal(t, tt.wantBody, bodies)
		})
	}
}

func TestEnvelopeSpans(t *testing.T) {
	const traceID = "771a43a4192642f0b136d5159a501700"
	// What sentry-go sends: RFC 3339 timestamps, server_name.
	transaction := `{"type":"transaction","transaction":"GET /orders","server_name":"orders",` +
		`"start_timestamp":"2026-01-02T03:04:05.000Z","timestamp":"2026-01-02T03:04:05.250Z",` +
		`"contexts":{"trace":{"trace_id":"` + traceID + `","span_id":"aaaaaaaaaaaaaaaa","parent_span_id":"bbbbbbbbbbbbbbbb","op":"http.server","status":"ok"}},` +
		`"spans":[{"span_id":"cccccccccccccccc","parent_span_id":"aaaaaaaaaaaaaaaa","op":"http.client","description":"POST http://payment/pay",` +
		`"start_timestamp":"2026-01-02T03:04:05.100Z","timestamp":"2026-01-02T03:04:05.200Z"}]}`
	// What @sentry/browser streams: a span v2 container, epoch seconds.
	spanV2 := `{"version":2,"items":[{"trace_id":"` + traceID + `","span_id":"dddddddddddddddd","parent_span_id":"aaaaaaaaaaaaaaaa",` +
		`"name":"/checkout","is_segment":true,"status":"ok","start_timestamp":1767323045.5,"end_timestamp":1767323046,` +
		`"attributes":{"sentry.op":{"type":"string","value":"pageload"},"sentry.sdk.name":{"type":"string","value":"sentry.javascript.browser"},"n":{"type":"integer","value":3}}}]}`
	// A standalone v1 span item (web vitals in the static lifecycle).
	spanV1 := `{"trace_id":"` + traceID + `","span_id":"eeeeeeeeeeeeeeee","parent_span_id":"dddddddddddddddd","op":"ui.webvital.lcp",` +
		`"description":"body > img","start_timestamp":1767323045.6,"timestamp":1767323045.6,"data":{"sentry.origin":"auto"}}`
	body := fmt.Sprintf("{\"trace\":{\"trace_id\":%q,\"public_key\":\"pk\",\"sample_rate\":\"1\",\"sampled\":true}}\n"+
		"{\"type\":\"transaction\",\"length\":%d}\n%s\n{\"type\":\"span\"}\n%s\n{\"type\":\"span\"}\n%s\n{\"type\":\"client_report\"}\n{}\n",
		traceID, len(transaction), transaction, spanV2, spanV1)

	env, err := collector.ParseEnvelope([]byte(body))
	require.NoError(t, err)
	spans, err := env.Spans("7")
	require.NoError(t, err)
	require.Len(t, spans, 4)
	wantDSC := map[string]string{"trace_id": traceID, "public_key": "pk", "sample_rate": "1", "sampled": "true"}

	tests := []struct {
		name string
		got  collector.Span
		want collector.Span
	}{
		{"transaction segment", spans[0], collector.Span{
			TraceID: traceID, SpanID: "aaaaaaaaaaaaaaaa", ParentSpanID: "bbbbbbbbbbbbbbbb", Op: "http.server", Name: "GET /orders",
			Service: "orders", Segment: true, Status: "ok", Kind: collector.KindTransaction,
			Start: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), End: time.Date(2026, 1, 2, 3, 4, 5, 250e6, time.UTC),
		}},
		{"transaction child inherits the trace id", spans[1], collector.Span{
			TraceID: traceID, SpanID: "cccccccccccccccc", ParentSpanID: "aaaaaaaaaaaaaaaa", Op: "http.client", Name: "POST http://payment/pay",
			Service: "orders", Kind: collector.KindTransaction,
			Start: time.Date(2026, 1, 2, 3, 4, 5, 100e6, time.UTC), End: time.Date(2026, 1, 2, 3, 4, 5, 200e6, time.UTC),
		}},
		{"span v2", spans[2], collector.Span{
			TraceID: traceID, SpanID: "dddddddddddddddd", ParentSpanID: "aaaaaaaaaaaaaaaa", Op: "pageload", Name: "/checkout",
			Service: "sentry.javascript.browser", Segment: true, Status: "ok", Kind: collector.KindSpan,
			Start: time.Unix(1767323045, 5e8).UTC(), End: time.Unix(1767323046, 0).UTC(),
			Attributes: map[string]string{"sentry.op": "pageload", "sentry.sdk.name": "sentry.javascript.browser", "n": "3"},
		}},
		{"span v1", spans[3], collector.Span{
			TraceID: traceID, SpanID: "eeeeeeeeeeeeeeee", ParentSpanID: "dddddddddddddddd", Op: "ui.webvital.lcp", Name: "body > img",
			Kind: collector.KindSpan, Attributes: map[string]string{"sentry.origin": "auto"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.want.Project = "7"
			tt.want.DSC = wantDSC
			got := tt.got
			if tt.want.Start.IsZero() {
				// Float seconds lose sub-microsecond precision; compare to the millisecond.
				assert.WithinDuration(t, time.Unix(1767323045, 6e8), got.Start, time.Millisecond)
				assert.WithinDuration(t, time.Unix(1767323045, 6e8), got.End, time.Millisecond)
				got.Start, got.End = time.Time{}, time.Time{}
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestEnvelopeSpansMalformedItems(t *testing.T) {
	tests := []struct {
		name string
		item string
	}{
		{"transaction without contexts.trace", "{\"type\":\"transaction\"}\n{\"transaction\":\"x\"}"},
		{"transaction not JSON", "{\"type\":\"transaction\"}\n{oops"},
		{"span without ids", "{\"type\":\"span\"}\n{\"items\":[{\"name\":\"x\"}]}"},
		{"span items not a list", "{\"type\":\"span\"}\n{\"items\":3}"},
		{"bad timestamp", "{\"type\":\"span\"}\n{\"trace_id\":\"a\",\"span_id\":\"b\",\"start_timestamp\":\"yesterday\"}"},
	}
	good := "{\"type\":\"span\"}\n{\"trace_id\":\"t\",\"span_id\":\"s\"}"
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, err := collector.ParseEnvelope([]byte("{}\n" + tt.item + "\n" + good))
			require.NoError(t, err)
			spans, err := env.Spans("1")
			require.ErrorIs(t, err, collector.ErrMalformedItem)
			require.Len(t, spans, 1, "the well-formed item is kept")
			assert.Equal(t, "s", spans[0].SpanID)
		})
	}
}

// FuzzParseEnvelope checks that any body parses or fails cleanly, and that
// an envelope written back with explicit lengths parses to the same items.
func FuzzParseEnvelope(f *testing.F) {
	f.Add([]byte("{}\n{\"type\":\"span\",\"length\":2}\n{}\n"))
	f.Add([]byte("{\"trace\":{\"trace_id\":\"x\"}}\n{\"type\":\"transaction\"}\n{\"contexts\":{}}"))
	f.Add([]byte("{}\n\n\n{\"type\":\"a\",\"length\":0}\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		env, err := collector.ParseEnvelope(body)
		if err != nil {
			return
		}
		_, _ = env.Spans("1") // must not panic
		var buf bytes.Buffer
		buf.WriteString("{}\n")
		for _, it := range env.Items {
			hdr, err := json.Marshal(map[string]any{"type": it.Type, "length": len(it.Payload)})
			require.NoError(t, err)
			buf.Write(hdr)
			buf.WriteByte('\n')
			buf.Write(it.Payload)
			buf.WriteByte('\n')
		}
		again, err := collector.ParseEnvelope(buf.Bytes())
		require.NoError(t, err)
		require.Len(t, again.Items, len(env.Items))
		for i := range env.Items {
			assert.Equal(t, env.Items[i].Type, again.Items[i].Type)
			assert.Equal(t, string(env.Items[i].Payload), string(again.Items[i].Payload))
		}
	})
}
