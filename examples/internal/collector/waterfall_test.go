package collector

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pageTrace is a frontend request, its call to the orders API, and the
// browser's pageload under it, 400 ms in all.
func pageTrace(start time.Time) Trace {
	ms := func(n int) time.Time { return start.Add(time.Duration(n) * time.Millisecond) }
	t := Trace{TraceID: "0af7651916cd43dd8448eb211c80319c", Spans: []Span{
		{SpanID: "b", ParentSpanID: "a", Op: "pageload", Name: "/", Service: "sentry.javascript.browser", Start: ms(100), End: ms(400),
			DSC: map[string]string{"trace_id": "0af7651916cd43dd8448eb211c80319c", "public_key": "demo"}},
		{SpanID: "a", Op: "http.server", Name: "GET /", Service: "frontend", Start: ms(0), End: ms(40)},
		{SpanID: "c", ParentSpanID: "a", Op: "http.client", Name: "GET /api/orders", Service: "frontend", Start: ms(10), End: ms(30)},
		{SpanID: "d", ParentSpanID: "c", Op: "http.server", Name: "GET /api/orders", Service: "orders", Start: ms(12), End: ms(28)},
		{SpanID: "e", ParentSpanID: "b", Op: "resource.script", Name: "/static/sentry.js", Service: "sentry.javascript.browser"},
	}}
	for i := range t.Spans {
		t.Spans[i].TraceID = t.TraceID
	}
	return t
}

func TestNewWaterfall(t *testing.T) {
	w := newWaterfall(pageTrace(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)))
	assert.Equal(t, 400*time.Millisecond, w.Duration)
	assert.Equal(t, 5, w.Spans)
	assert.Equal(t, map[string]string{"trace_id": "0af7651916cd43dd8448eb211c80319c", "public_key": "demo"}, w.DSC)
	assert.Equal(t, []tick{{0, "0"}, {25, "100ms"}, {50, "200ms"}, {75, "300ms"}, {100, "400ms"}}, w.Ticks)
	assert.Equal(t, []service{
		{Name: "frontend", Color: palette[0]},
		{Name: "orders", Color: palette[1]},
		{Name: "sentry.javascript.browser", Color: palette[2]},
	}, w.Services, "one colour per service, in the order of the rows")

	type want struct {
		span        string
		depth       int
		left, width float64
		timed       bool
		fromPage    bool
	}
	tests := []want{
		{span: "a", depth: 0, left: 0, width: 10, timed: true},
		{span: "c", depth: 1, left: 2.5, width: 5, timed: true},
		{span: "d", depth: 2, left: 3, width: 4, timed: true},
		{span: "b", depth: 1, left: 25, width: 75, timed: true, fromPage: true},
		{span: "e", depth: 2}, // no times: a row without a bar
	}
	require.Len(t, w.Rows, len(tests))
	for i, tt := range tests {
		t.Run(tt.span, func(t *testing.T) {
			r := w.Rows[i]
			assert.Equal(t, tt.span, r.SpanID, "tree order")
			assert.Equal(t, tt.depth, r.Depth)
			assert.InDelta(t, tt.left, r.Left, 1e-9)
			assert.InDelta(t, tt.width, r.Width, 1e-9)
			assert.Equal(t, tt.timed, r.Timed)
			assert.Equal(t, tt.fromPage, r.FromPage, "only the pageload under the server span is the browser-to-server edge")
		})
	}
	edge := w.Rows[3]
	assert.Equal(t, "http.server  GET /", edge.ParentLabel)
	assert.Equal(t, "frontend", edge.ParentSvc)
	assert.Equal(t, palette[0], edge.ParentColor)
}

func TestNewWaterfallUntimed(t *testing.T) {
	w := newWaterfall(Trace{TraceID: "t", Spans: []Span{{SpanID: "a", Op: "pageload"}, {SpanID: "b", ParentSpanID: "a"}}})
	assert.Zero(t, w.Duration)
	require.Len(t, w.Rows, 2)
	for _, r := range w.Rows {
		assert.False(t, r.Timed)
		assert.False(t, r.FromPage, "a browser span under a browser span is no edge")
	}
	assert.Equal(t, "0", w.Ticks[4].Label)
}

func TestShortDuration(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want string
	}{
		{0, "0"},
		{-time.Second, "0"},
		{850 * time.Microsecond, "850µs"},
		{12345 * time.Microsecond, "12.3ms"},
		{316400 * time.Microsecond, "316ms"},
		{1254 * time.Millisecond, "1.25s"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, shortDuration(tt.in), tt.in.String())
	}
}

// TestWaterfallView serves the HTML view of one trace and of all.
func TestWaterfallView(t *testing.T) {
	c := New()
	start := time.Now().Add(-time.Minute)
	c.Add(pageTrace(start).Spans...)
	c.Add(Span{TraceID: "ffffffffffffffffffffffffffffffff", SpanID: "z", Op: "http.server", Name: "GET /other", Service: "orders"})
	srv := httptest.NewServer(c)
	defer srv.Close()
	get := func(path string) string {
		resp, err := http.Get(srv.URL + path)
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return string(b)
	}

	one := get("/?trace=0af7651916cd43dd8448eb211c80319c")
	assert.Contains(t, one, `<section id="0af7651916cd43dd8448eb211c80319c">`)
	assert.NotContains(t, one, "ffffffffffffffffffffffffffffffff", "only the trace asked for")
	assert.Contains(t, one, `class="r edge"`)
	assert.Contains(t, one, "continued the trace of <b>http.server  GET /</b> [frontend]")
	assert.Contains(t, one, `left:25.000%;width:75.000%;background:`+palette[2])
	assert.NotContains(t, one, `http-equiv="refresh"`, "a settled trace stops reloading")

	all := get("/")
	assert.Contains(t, all, "ffffffffffffffffffffffffffffffff")
	assert.Contains(t, all, "0af7651916cd43dd8448eb211c80319c")
	assert.Contains(t, all, `http-equiv="refresh"`)

	missing := get("/?trace=00000000000000000000000000000001")
	assert.Contains(t, missing, "No such trace (yet).")
	assert.Contains(t, missing, `http-equiv="refresh"`, "keeps reloading until the trace arrives")
}

func TestNewWaterfallDSC(t *testing.T) {
	server := map[string]string{"trace_id": "t", "transaction": "GET /api/orders"}
	page := map[string]string{"trace_id": "t", "public_key": "demo"}
	tests := []struct {
		name  string
		spans []Span
		want  map[string]string
	}{
		{name: "the browser's, though it arrived last", want: page, spans: []Span{
			{SpanID: "a", Op: "http.server", Service: "orders", DSC: server},
			{SpanID: "b", ParentSpanID: "a", Op: "pageload", Service: "sentry.javascript.browser", DSC: page},
		}},
		{name: "the first, without a browser span", want: server, spans: []Span{
			{SpanID: "a", Op: "http.server", Service: "orders", DSC: server},
			{SpanID: "b", ParentSpanID: "a", Op: "http.server", Service: "payment", DSC: page},
		}},
		{name: "none", spans: []Span{{SpanID: "a"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, newWaterfall(Trace{TraceID: "t", Spans: tt.spans}).DSC)
		})
	}
	assert.Equal(t, "browser", serviceLabel("sentry.javascript.browser"))
	assert.Equal(t, "orders", serviceLabel("orders"))
}
