package render_test

import (
	"encoding/binary"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/render"
	"github.com/tracemeta/tracemeta/tracecontext"
)

const (
	// traceDecimal is the decimal of traceHex's lower 64 bits
	// (b136d5159a501700).
	traceDecimal = "12769628082215589632"
	// renderMillis is renderTime in Unix milliseconds.
	renderMillis = "1796558400123"
	datadogTags  = `<meta name="dd-trace-id" content="` + traceDecimal + `">` +
		`<meta name="dd-trace-time" content="` + renderMillis + `">`
)

// renderTime is the clock of the Datadog tests: 2026-12-06 12:00:00.123 UTC,
// with a sub-millisecond part that the tags leave out.
var renderTime = time.Date(2026, 12, 6, 12, 0, 0, 123_456_789, time.UTC)

func fixedClock() time.Time { return renderTime }

func TestAppendMetaTagsDatadog(t *testing.T) {
	clock := render.WithClock(fixedClock)
	tests := []struct {
		name    string
		sampled tracecontext.Decision
		opts    []render.Option
		want    string
	}{
		{
			name:    "datadog only",
			sampled: tracecontext.DecisionSampled,
			opts:    []render.Option{clock, render.WithFormats(render.Datadog)},
			want:    datadogTags,
		},
		{
			name:    "the decision does not change the pair",
			sampled: tracecontext.DecisionNotSampled,
			opts:    []render.Option{clock, render.WithFormats(render.Datadog)},
			want:    datadogTags,
		},
		{
			name:    "deferred decision",
			sampled: tracecontext.DecisionDeferred,
			opts:    []render.Option{clock, render.WithFormats(render.Datadog)},
			want:    datadogTags,
		},
		{
			name:    "every format, datadog last",
			sampled: tracecontext.DecisionSampled,
			opts:    []render.Option{render.WithFormats(render.Datadog | render.Traceparent | render.Baggage | render.SentryTrace), clock},
			want: sentryTraceTag + `-1">` + `<meta name="baggage" content="sentry-trace_id=` + traceHex + `">` +
				traceparentTag + `-01">` + datadogTags,
		},
		{
			name:    "xhtml",
			sampled: tracecontext.DecisionSampled,
			opts:    []render.Option{clock, render.WithXHTML(true), render.WithFormats(render.Datadog)},
			want: `<meta name="dd-trace-id" content="` + traceDecimal + `"/>` +
				`<meta name="dd-trace-time" content="` + renderMillis + `"/>`,
		},
		{
			name:    "default formats leave datadog out",
			sampled: tracecontext.DecisionSampled,
			opts:    []render.Option{clock},
			want:    sentryTraceTag + `-1">` + `<meta name="baggage" content="sentry-trace_id=` + traceHex + `">`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := spanContext(t, tt.sampled, tracecontext.DSC{TraceID: traceHex})
			got := render.AppendMetaTags([]byte("prefix"), sc, tt.opts...)
			assert.Equal(t, "prefix"+tt.want, string(got))
			assert.Equal(t, string(got), "prefix"+string(render.New(tt.opts...).AppendMetaTags(nil, sc)),
				"the package func and the method agree")
		})
	}
}

func TestDatadogTraceID(t *testing.T) {
	tests := []struct {
		name    string
		traceID string // 32 hex digits
		want    string // dd-trace-id, "" for no tags
	}{
		{name: "128-bit id: the lower half", traceID: "6750b0c4000000003f6c4cc3b0e4fc4e", want: "4570112125244341326"},
		{name: "64-bit id", traceID: "00000000000000003f6c4cc3b0e4fc4e", want: "4570112125244341326"},
		{name: "largest lower half", traceID: "0000000000000001ffffffffffffffff", want: "18446744073709551615"},
		{name: "smallest lower half", traceID: "ffffffffffffffff0000000000000001", want: "1"},
		{name: "lower half zero: no tags", traceID: "4bf92f3577b34da60000000000000000", want: ""},
	}
	r := render.New(render.WithFormats(render.Datadog), render.WithClock(fixedClock))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sc tracecontext.SpanContext
			tid, err := tracecontext.ParseTraceparent("00-" + tt.traceID + "-" + spanHex + "-01")
			require.NoError(t, err)
			sc = tid
			tags := string(r.AppendMetaTags(nil, sc))
			comment := string(r.AppendDatadogComment(nil, sc))
			if tt.want == "" {
				assert.Empty(t, tags)
				assert.Empty(t, comment)
				return
			}
			metas := parsePage(t, page(tags))
			assert.Equal(t, []metaTag{{Name: "dd-trace-id", Content: tt.want}, {Name: "dd-trace-time", Content: renderMillis}}, metas)
			assert.Equal(t, "<!-- DATADOG;trace-id="+tt.want+";trace-time="+renderMillis+" -->", comment)
		})
	}
}

func TestAppendDatadogComment(t *testing.T) {
	sc := spanContext(t, tracecontext.DecisionSampled, fullDSC())
	want := "<!-- DATADOG;trace-id=" + traceDecimal + ";trace-time=" + renderMillis + " -->"
	for _, f := range []render.Format{0, render.DefaultFormats, render.Datadog} {
		r := render.New(render.WithFormats(f), render.WithClock(fixedClock))
		assert.Equal(t, "x"+want, string(r.AppendDatadogComment([]byte("x"), sc)), "formats %b", f)
	}
	assert.Equal(t, want, string(render.AppendDatadogComment(nil, sc, render.WithClock(fixedClock))))
	assert.Equal(t, "x", string(render.AppendDatadogComment([]byte("x"), tracecontext.SpanContext{})), "invalid span context")
	var zero render.Renderer
	assert.Equal(t, want[:len(want)-len(renderMillis)-4], // the zero Renderer reads time.Now
		string(zero.AppendDatadogComment(nil, sc))[:len(want)-len(renderMillis)-4])
}

// TestDatadogClock checks that the default clock is the time of the render,
// not of New, and that a nil clock is time.Now.
func TestDatadogClock(t *testing.T) {
	sc := spanContext(t, tracecontext.DecisionSampled, tracecontext.DSC{})
	for _, opts := range [][]render.Option{
		{render.WithFormats(render.Datadog)},
		{render.WithFormats(render.Datadog), render.WithClock(nil)},
	} {
		r := render.New(opts...)
		time.Sleep(5 * time.Millisecond)
		before := time.Now().UnixMilli()
		metas := parsePage(t, page(string(r.AppendMetaTags(nil, sc))))
		after := time.Now().UnixMilli()
		require.Len(t, metas, 2)
		ms, err := strconv.ParseInt(metas[1].Content, 10, 64)
		require.NoError(t, err)
		assert.GreaterOrEqual(t, ms, before)
		assert.LessOrEqual(t, ms, after)
	}
	ticks := 0
	r := render.New(render.WithFormats(render.Datadog), render.WithClock(func() time.Time {
		ticks++
		return renderTime.Add(time.Duration(ticks) * time.Second)
	}))
	first := string(r.AppendMetaTags(nil, sc))
	second := string(r.AppendMetaTags(nil, sc))
	assert.Contains(t, first, `content="1796558401123"`)
	assert.Contains(t, second, `content="1796558402123"`, "the clock is read at every render")
}

// TestDatadogAllocsRealClock: reading time.Now costs no allocation either
// (the table of TestAppendMetaTagsAllocs uses a fixed clock, to compare).
func TestDatadogAllocsRealClock(t *testing.T) {
	sc := spanContext(t, tracecontext.DecisionSampled, fullDSC())
	r := render.New(render.WithFormats(render.SentryTrace | render.Baggage | render.Traceparent | render.Datadog))
	buf := make([]byte, 0, 4096)
	assert.Zero(t, testing.AllocsPerRun(100, func() { buf = r.AppendMetaTags(buf[:0], sc) }), "AppendMetaTags")
	assert.Zero(t, testing.AllocsPerRun(100, func() { buf = r.AppendDatadogComment(buf[:0], sc) }), "AppendDatadogComment")
	assert.Contains(t, string(buf), "trace-id="+traceDecimal)
}

// FuzzDatadogTraceID renders the Datadog tags and comment of arbitrary trace
// ids and reads them back as the browser SDK does: the meta contents, and the
// comment's key=value pairs after "DATADOG;".
func FuzzDatadogTraceID(f *testing.F) {
	f.Add([]byte(traceHex), int64(1796558400123))
	f.Add([]byte("0000000000000000ffffffffffffffff"), int64(0))
	f.Add([]byte("ffffffffffffffff0000000000000000"), int64(-1))
	f.Fuzz(func(t *testing.T, raw []byte, ms int64) {
		var sc tracecontext.SpanContext
		copy(sc.TraceID[:], raw)
		sc.SpanID = tracecontext.SpanID{1}
		now := time.UnixMilli(ms)
		r := render.New(render.WithFormats(render.Datadog), render.WithClock(func() time.Time { return now }))
		tags := string(r.AppendMetaTags(nil, sc))
		comment := string(r.AppendDatadogComment(nil, sc))
		lower := binary.BigEndian.Uint64(sc.TraceID[8:])
		if !sc.IsValid() || lower == 0 {
			assert.Empty(t, tags)
			assert.Empty(t, comment)
			return
		}
		metas := parsePage(t, page(tags))
		require.Len(t, metas, 2)
		id, err := strconv.ParseUint(metas[0].Content, 10, 64)
		require.NoError(t, err)
		assert.Equal(t, lower, id)
		assert.Equal(t, metaTag{Name: "dd-trace-time", Content: strconv.FormatInt(now.UnixMilli(), 10)}, metas[1])

		body, ok := strings.CutPrefix(comment, "<!-- DATADOG;")
		require.True(t, ok, comment)
		body, ok = strings.CutSuffix(body, " -->")
		require.True(t, ok, comment)
		require.NotContains(t, body, "--", "the comment ends only at its end")
		values := map[string]string{}
		for pair := range strings.SplitSeq(body, ";") {
			k, v, ok := strings.Cut(pair, "=")
			require.True(t, ok, comment)
			values[k] = v
		}
		assert.Equal(t, map[string]string{"trace-id": metas[0].Content, "trace-time": metas[1].Content}, values)
	})
}
