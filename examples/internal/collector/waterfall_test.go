package collector

import (
	"hash/fnv"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
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
	colors := serviceColors([]string{"frontend", "orders", "sentry.javascript.browser"})
	assert.Equal(t, []service{
		{Name: "frontend", Color: colors["frontend"]},
		{Name: "orders", Color: colors["orders"]},
		{Name: "sentry.javascript.browser", Color: browserColor},
	}, w.Services, "one colour per service, listed in the order of the rows")
	assert.Zero(t, w.Clipped)

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
	assert.Equal(t, colors["frontend"], edge.ParentColor)
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
	assert.Contains(t, one, `left:25.000%;width:75.000%;background:`+browserColor)
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
}

func TestServiceLabel(t *testing.T) {
	for in, want := range map[string]string{
		"sentry.javascript.browser": "browser",
		"sentry.javascript.node":    "node",
		"unknown_service:caddy":     "caddy",
		"unknown_service:":          "unknown_service:",
		"orders":                    "orders",
	} {
		assert.Equal(t, want, serviceLabel(in), in)
	}
}

// vitalTrace is pageTrace with what the browser reports after its pageload:
// an LCP measured until the page was hidden, ten times the pageload's 300 ms,
// and an interaction that starts once the pageload has ended.
func vitalTrace(start time.Time) Trace {
	ms := func(n int) time.Time { return start.Add(time.Duration(n) * time.Millisecond) }
	t := pageTrace(start)
	t.Spans = append(t.Spans,
		Span{TraceID: t.TraceID, SpanID: "f", ParentSpanID: "b", Op: "ui.webvital.lcp", Name: "body > img", Service: "sentry.javascript.browser", Segment: true, Start: ms(100), End: ms(3100)},
		Span{TraceID: t.TraceID, SpanID: "g", ParentSpanID: "b", Op: "ui.interaction.click", Name: "body > button", Service: "sentry.javascript.browser", Segment: true, Start: ms(5000), End: ms(5200)},
	)
	return t
}

// TestNewWaterfallVitalOutlastsPageload checks that the axis ends with the
// pageload and the servers' spans, so that the server spans keep their
// width, and that the spans the browser reports past it are clipped.
func TestNewWaterfallVitalOutlastsPageload(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	plain, vital := newWaterfall(pageTrace(start)), newWaterfall(vitalTrace(start))
	assert.Equal(t, 400*time.Millisecond, vital.Duration, "the pageload's end, not the vital's")
	assert.Equal(t, plain.Ticks, vital.Ticks)
	assert.Equal(t, 2, vital.Clipped)

	rows := map[string]row{}
	for _, r := range vital.Rows {
		rows[r.SpanID] = r
	}
	for _, r := range plain.Rows {
		assert.InDelta(t, r.Left, rows[r.SpanID].Left, 1e-9, r.SpanID)
		assert.InDelta(t, r.Width, rows[r.SpanID].Width, 1e-9, r.SpanID)
		assert.False(t, rows[r.SpanID].ClipEnd, r.SpanID)
	}
	server := rows["a"]
	assert.GreaterOrEqual(t, server.Width, 5.0, "the frontend's 40 ms span stays readable beside a 3 s vital")

	lcp := rows["f"]
	assert.True(t, lcp.ClipEnd)
	assert.False(t, lcp.ClipStart)
	assert.InDelta(t, 25, lcp.Left, 1e-9)
	assert.InDelta(t, 75, lcp.Width, 1e-9, "drawn to the axis' end")
	assert.Equal(t, 3*time.Second, lcp.Duration(), "its own duration, for the duration column")

	click := rows["g"]
	assert.True(t, click.ClipEnd, "starts after the axis: a marker at its end")
	assert.InDelta(t, minBarPercent, click.Width, 1e-9)
}

// TestNewWaterfallAxisWithoutFrame checks that a trace with no pageload and
// no server span keeps an axis over every span.
func TestNewWaterfallAxisWithoutFrame(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	w := newWaterfall(Trace{TraceID: "t", Spans: []Span{
		{SpanID: "a", Op: "ui.interaction.click", Service: "sentry.javascript.browser", Start: start, End: start.Add(200 * time.Millisecond)},
		{SpanID: "b", Op: "ui.webvital.cls", Service: "sentry.javascript.browser", Start: start.Add(100 * time.Millisecond), End: start.Add(time.Second)},
	}})
	assert.Equal(t, time.Second, w.Duration)
	assert.Zero(t, w.Clipped)
	require.Len(t, w.Rows, 2)
	assert.InDelta(t, 90, w.Rows[1].Width, 1e-9)
}

// TestWaterfallViewClipped checks the HTML of a clipped span and of the
// server span beside it.
func TestWaterfallViewClipped(t *testing.T) {
	c := New()
	c.Add(vitalTrace(time.Now().Add(-time.Minute)).Spans...)
	rec := httptest.NewRecorder()
	c.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/?trace=0af7651916cd43dd8448eb211c80319c", nil))
	page := rec.Body.String()
	colors := serviceColors([]string{"frontend"})
	assert.Contains(t, page, `class="bar" style="left:0.000%;width:10.000%;background:`+colors["frontend"], "the server span, a tenth of the axis")
	assert.Contains(t, page, `class="bar clipend" style="right:0;width:75.000%;background:`+browserColor+`" title="runs past the end of the axis: 3s in all"`)
	assert.Contains(t, page, `3s ▸`)
	assert.Contains(t, page, `▸ 2 spans of the browser run past the axis`)
}

// TestServiceColors checks that a service gets the same colour whatever
// the order its spans arrive in and whichever services share its trace, and
// that the services of one trace get distinct colours.
func TestServiceColors(t *testing.T) {
	// a name that hashes to the same palette entry as "frontend"
	h := func(name string) uint32 {
		f := fnv.New32a()
		f.Write([]byte(name))
		return f.Sum32() % uint32(len(palette))
	}
	clash := ""
	for i := 0; clash == ""; i++ {
		if name := "svc" + strconv.Itoa(i); h(name) == h("frontend") {
			clash = name
		}
	}
	tests := []struct {
		name  string
		names []string
	}{
		{name: "alone", names: []string{"frontend"}},
		{name: "with others", names: []string{"orders", "frontend", "payment"}},
		{name: "other order", names: []string{"payment", "frontend", "orders", "frontend"}},
		{name: "with the browser", names: []string{"sentry.javascript.browser", "frontend"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			colors := serviceColors(tt.names)
			assert.Equal(t, palette[h("frontend")], colors["frontend"])
			seen := map[string]string{}
			for svc, c := range colors {
				assert.Empty(t, seen[c], "%s and %s share %s", svc, seen[c], c)
				seen[c] = svc
			}
		})
	}
	both := serviceColors([]string{clash, "frontend"})
	assert.Equal(t, palette[h("frontend")], both["frontend"], "the name that sorts first keeps its entry")
	assert.NotEqual(t, both["frontend"], both[clash], "a clash within one trace takes the next entry")
	assert.Equal(t, browserColor, serviceColors([]string{"sentry.javascript.browser"})["sentry.javascript.browser"])

	many := make([]string, 2*len(palette))
	for i := range many {
		many[i] = "s" + strconv.Itoa(i)
	}
	assert.Len(t, serviceColors(many), len(many), "more services than colours still get one each")
}

// TestWaterfallViewColorsStable renders two traces whose services arrive in
// opposite orders and checks that each service has the same colour in both.
func TestWaterfallViewColorsStable(t *testing.T) {
	start := time.Now().Add(-time.Minute)
	trace := func(id string, services ...string) []Span {
		var spans []Span
		for i, svc := range services {
			spans = append(spans, Span{TraceID: id, SpanID: id[:4] + strconv.Itoa(i), Op: "http.server", Service: svc,
				Start: start.Add(time.Duration(i) * time.Millisecond), End: start.Add(10 * time.Millisecond)})
		}
		return spans
	}
	c := New()
	c.Add(trace("11111111111111111111111111111111", "frontend", "orders", "payment")...)
	c.Add(trace("22222222222222222222222222222222", "payment", "orders", "frontend")...)
	legend := regexp.MustCompile(`<span title="([^"]+)"><i style="background:(#[0-9a-f]{6})">`)
	colorsOf := func(id string) map[string]string {
		rec := httptest.NewRecorder()
		c.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/?trace="+id, nil))
		out := map[string]string{}
		for _, m := range legend.FindAllStringSubmatch(rec.Body.String(), -1) {
			out[m[1]] = m[2]
		}
		return out
	}
	first, second := colorsOf("11111111111111111111111111111111"), colorsOf("22222222222222222222222222222222")
	require.Len(t, first, 3)
	assert.Equal(t, first, second)
	assert.Len(t, slices.Compact(slices.Sorted(maps.Values(first))), 3, "three services, three colours")
}
