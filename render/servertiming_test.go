package render_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/render"
	"github.com/tracemeta/tracemeta/tracecontext"
)

func TestAppendServerTiming(t *testing.T) {
	const st = `sentry-trace;desc="` + traceHex + `-` + spanHex
	tests := []struct {
		name    string
		sampled tracecontext.Decision
		dsc     tracecontext.DSC
		opts    []render.Option
		want    string
	}{
		{
			name:    "sampled with DSC",
			sampled: tracecontext.DecisionSampled,
			dsc:     fullDSC(),
			want:    st + `-1", baggage;desc="` + fullBaggage + `"`,
		},
		{
			name:    "deferred decision has no flag",
			sampled: tracecontext.DecisionDeferred,
			dsc:     tracecontext.DSC{TraceID: traceHex},
			want:    st + `", baggage;desc="sentry-trace_id=` + traceHex + `"`,
		},
		{
			name:    "empty DSC has no baggage entry",
			sampled: tracecontext.DecisionNotSampled,
			want:    st + `-0"`,
		},
		{
			name:    "all formats",
			sampled: tracecontext.DecisionSampled,
			dsc:     tracecontext.DSC{Release: "r"},
			opts:    []render.Option{render.WithFormats(render.SentryTrace | render.Baggage | render.Traceparent)},
			want:    st + `-1", baggage;desc="sentry-release=r", traceparent;desc="00-` + traceHex + `-` + spanHex + `-01"`,
		},
		{
			name:    "baggage first",
			sampled: tracecontext.DecisionSampled,
			dsc:     tracecontext.DSC{Release: "r"},
			opts:    []render.Option{render.WithFormats(render.Baggage | render.Traceparent)},
			want:    `baggage;desc="sentry-release=r", traceparent;desc="00-` + traceHex + `-` + spanHex + `-01"`,
		},
		{
			name:    "traceparent alone",
			sampled: tracecontext.DecisionSampled,
			dsc:     tracecontext.DSC{Release: "r"},
			opts:    []render.Option{render.WithFormats(render.Traceparent)},
			want:    `traceparent;desc="00-` + traceHex + `-` + spanHex + `-01"`,
		},
		{
			name:    "XHTML does not matter",
			sampled: tracecontext.DecisionSampled,
			opts:    []render.Option{render.WithXHTML(true)},
			want:    st + `-1"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := spanContext(t, tt.sampled, tt.dsc)
			got := render.AppendServerTiming([]byte("x"), sc, tt.opts...)
			assert.Equal(t, "x"+tt.want, string(got))
			assert.Equal(t, tt.want, string(render.New(tt.opts...).AppendServerTiming(nil, sc)))
		})
	}
}

func TestAppendServerTimingRoundTrip(t *testing.T) {
	r := render.New(render.WithFormats(render.SentryTrace | render.Baggage | render.Traceparent))
	for _, h := range hostile {
		t.Run(h.name, func(t *testing.T) {
			dsc := fullDSC()
			dsc.Release = h.value
			dsc.Extra = []tracecontext.Member{{Key: "custom", Value: h.value}}
			sc := spanContext(t, tracecontext.DecisionSampled, dsc)
			v := string(r.AppendServerTiming(nil, sc))
			requireHeaderSafe(t, v)
			got := parseServerTiming(t, v)
			assert.Equal(t, map[string]string{
				"sentry-trace": sc.SentryTrace(),
				"baggage":      string(dsc.AppendBaggage(nil)),
				"traceparent":  sc.Traceparent(),
			}, got)
			assert.Equal(t, dsc, decodeBaggage(t, got["baggage"]))
		})
	}
}

// requireHeaderSafe fails unless every byte of v is HTAB or visible ASCII or
// SP: nothing that could end the header or be read as another charset.
func requireHeaderSafe(t testing.TB, v string) {
	t.Helper()
	for i := 0; i < len(v); i++ {
		c := v[i]
		require.True(t, c == '\t' || 0x20 <= c && c < 0x7f, "byte %#x at %d in header value %q", c, i, v)
	}
}
