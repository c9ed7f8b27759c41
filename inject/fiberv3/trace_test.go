package injectfiberv3_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/gofiber/fiber/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/inject"
	"github.com/tracemeta/tracemeta/inject/fiberv3"
	"github.com/tracemeta/tracemeta/render"
	"github.com/tracemeta/tracemeta/tracecontext"
)

const (
	upstreamTrace   = "5b8efff798038103d269b633813fc60c"
	upstreamSpan    = "eee19b7ec3c1b174"
	upstreamBaggage = "sentry-trace_id=" + upstreamTrace + ",sentry-public_key=abc,sentry-sample_rate=0.5," +
		"sentry-sample_rand=0.123456,sentry-sampled=true,sentry-release=edge%409,othervendor=secret"
)

// seen records the span each request's handler found in its context.
type seen struct {
	mu    sync.Mutex
	spans map[string]tracecontext.SpanContext
}

func (s *seen) handler(c fiber.Ctx) error {
	if sc, ok := tracecontext.FromContext(c.Context()); ok {
		s.mu.Lock()
		s.spans[strings.Clone(c.Path())] = sc // Fiber's strings live as long as the request
		s.mu.Unlock()
	}
	return c.Next()
}

func (s *seen) span(path string) (tracecontext.SpanContext, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sc, ok := s.spans[path]
	return sc, ok
}

// tracedApp returns an app with handler in front of a recorder of the span
// each handler sees, and the routes.
func tracedApp(t testing.TB, front []fiber.Handler, handler fiber.Handler) (string, *seen) {
	t.Helper()
	s := &seen{spans: map[string]tracecontext.SpanContext{}}
	app := fiber.New(fiber.Config{Views: engine()})
	for _, h := range front {
		app.Use(h)
	}
	app.Use(handler, s.handler)
	routes(app)
	return serve(t, app), s
}

func tagSpan(t testing.TB, body string) tracecontext.SpanContext {
	t.Helper()
	tags := metaTags(t, body)
	require.Len(t, tags["sentry-trace"], 1, "one sentry-trace tag in %s", body)
	require.Len(t, tags["baggage"], 1, "one baggage tag in %s", body)
	sc, err := tracecontext.ParseSentryTrace(tags["sentry-trace"][0])
	require.NoError(t, err)
	return sc
}

// TestContinuesTrace checks the trace the handler continues when no SDK
// did: the tags name the span the page's handlers see in c.Context().
func TestContinuesTrace(t *testing.T) {
	t.Parallel()
	base, s := tracedApp(t, nil, injectfiberv3.NewHandler(injectfiberv3.WithTraceContext(
		tracecontext.WithSampleRate(1),
		tracecontext.WithPublicKey("pk"),
		tracecontext.WithRelease("shop@1.0.0"),
	)))
	tests := []struct {
		name    string
		path    string
		header  http.Header
		trace   string // the trace id the tags must name; "" for a new one
		baggage []string
	}{
		{name: "new trace", path: "/render", baggage: []string{"sentry-public_key=pk", "sentry-release=shop%401.0.0", "sentry-sampled=true"}},
		{name: "sentry-trace and baggage", path: "/string", trace: upstreamTrace,
			header:  http.Header{"Sentry-Trace": {upstreamTrace + "-" + upstreamSpan + "-1"}, "Baggage": {upstreamBaggage}},
			baggage: []string{"sentry-release=edge%409", "sentry-sample_rand=0.123456"}},
		{name: "traceparent", path: "/stream", trace: upstreamTrace,
			header: http.Header{"Traceparent": {"00-" + upstreamTrace + "-" + upstreamSpan + "-01"}}},
		{name: "a file", path: "/file", baggage: []string{"sentry-public_key=pk"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := do(t, http.MethodGet, base+tt.path, tt.header)
			require.Equal(t, http.StatusOK, got.status)
			sc := tagSpan(t, got.body)
			handler, ok := s.span(tt.path)
			require.True(t, ok, "the handler found the trace in c.Context()")
			assert.Equal(t, handler.SentryTrace(), sc.SentryTrace(), "the tags name the handler's span")
			if tt.trace != "" {
				assert.Equal(t, tt.trace, sc.TraceID.String())
				assert.Equal(t, upstreamSpan, handler.ParentSpanID.String())
			}
			bag := metaTags(t, got.body)["baggage"][0]
			for _, b := range tt.baggage {
				assert.Contains(t, bag, b)
			}
			assert.NotContains(t, bag, "othervendor")
		})
	}
}

// TestPageRendersItsOwnTags loads a page whose template renders the tags
// itself with templates.FuncMap: it keeps its own set, and the handler,
// which would render traceparent too, inserts none.
func TestPageRendersItsOwnTags(t *testing.T) {
	t.Parallel()
	base, s := tracedApp(t, nil, injectfiberv3.Middleware(inject.WithRender(render.WithFormats(render.DefaultFormats|render.Traceparent))))
	got := do(t, http.MethodGet, base+"/own", nil)
	sc := tagSpan(t, got.body)
	assert.Empty(t, metaTags(t, got.body)["traceparent"], "the page's own set, without traceparent")
	handler, ok := s.span("/own")
	require.True(t, ok)
	assert.Equal(t, handler.SentryTrace(), sc.SentryTrace())

	// The same handler inserts its set, with traceparent, elsewhere.
	got = do(t, http.MethodGet, base+"/render", nil)
	tagSpan(t, got.body)
	assert.Len(t, metaTags(t, got.body)["traceparent"], 1)
}

// spanKey is where the fake SDK of TestSourceInFront keeps its span.
type spanKey struct{}

// TestSourceInFront checks the handler behind a tracing SDK, given the SDK's
// Source with either constructor: it leaves the trace to the SDK, with or
// without an incoming trace, and the tags name the SDK's span.
func TestSourceInFront(t *testing.T) {
	t.Parallel()
	sdk := tracecontext.Continue(nil)
	front := func(c fiber.Ctx) error {
		c.SetContext(context.WithValue(c.Context(), spanKey{}, sdk))
		return c.Next()
	}
	src := tracecontext.SourceFunc(func(ctx context.Context) (tracecontext.SpanContext, bool) {
		sc, ok := ctx.Value(spanKey{}).(tracecontext.SpanContext)
		return sc, ok
	})
	constructors := []struct {
		name    string
		handler fiber.Handler
	}{
		{"NewHandler(WithSource)", injectfiberv3.NewHandler(injectfiberv3.WithSource(src))},
		{"Middleware(inject.WithSource)", injectfiberv3.Middleware(inject.WithSource(src))},
		{"Middleware(inject.WithSource, more options)", injectfiberv3.Middleware(inject.WithSource(src), inject.WithServerTiming(true))},
	}
	incoming := http.Header{"Sentry-Trace": {upstreamTrace + "-" + upstreamSpan + "-1"}}
	for _, ctor := range constructors {
		base, s := tracedApp(t, []fiber.Handler{front}, ctor.handler)
		for _, path := range []string{"/render", "/writer"} {
			for _, header := range []http.Header{nil, incoming} {
				got := do(t, http.MethodGet, base+path, header)
				assert.Equal(t, sdk.SentryTrace(), tagSpan(t, got.body).SentryTrace(), "%s %s", ctor.name, path)
				handler, ok := s.span(path)
				assert.False(t, ok, "%s %s: no trace of the handler's own in c.Context(), found %s", ctor.name, path, handler.SentryTrace())
			}
		}
	}
}

// TestTraceStoredInFront checks that a trace the app stored with
// tracecontext.NewContext in front of the handler is the one in the tags.
func TestTraceStoredInFront(t *testing.T) {
	t.Parallel()
	app := tracecontext.Continue(http.Header{"Sentry-Trace": {upstreamTrace + "-" + upstreamSpan}})
	front := func(c fiber.Ctx) error {
		c.SetContext(tracecontext.NewContext(c.Context(), app))
		return c.Next()
	}
	base, s := tracedApp(t, []fiber.Handler{front}, injectfiberv3.Middleware())
	got := do(t, http.MethodGet, base+"/string", nil)
	assert.Equal(t, app.SentryTrace(), tagSpan(t, got.body).SentryTrace())
	handler, _ := s.span("/string")
	assert.Equal(t, app.SentryTrace(), handler.SentryTrace())
}

// TestServerTiming checks that inject's options reach the middleware.
func TestServerTiming(t *testing.T) {
	t.Parallel()
	base, _ := tracedApp(t, nil, injectfiberv3.Middleware(nil, inject.WithServerTiming(true), nil))
	got := do(t, http.MethodGet, base+"/render", nil)
	sc := tagSpan(t, got.body)
	assert.True(t, strings.Contains(got.header.Get("Server-Timing"), sc.SentryTrace()), "Server-Timing %q", got.header.Get("Server-Timing"))
}

// TestNilOptions checks that nil options are skipped, as the core skips
// them.
func TestNilOptions(t *testing.T) {
	t.Parallel()
	h := injectfiberv3.NewHandler(nil, injectfiberv3.WithInject(nil), injectfiberv3.WithPropagator(nil), injectfiberv3.WithTraceContext(nil))
	base, _ := tracedApp(t, nil, h)
	tagSpan(t, do(t, http.MethodGet, base+"/string", nil).body)
}

// TestNested checks two handlers, one on the app and one on a group: the
// page gets one set of tags.
func TestNested(t *testing.T) {
	t.Parallel()
	base, _ := tracedApp(t, []fiber.Handler{injectfiberv3.Middleware()}, injectfiberv3.Middleware())
	for _, path := range []string{"/string", "/writer", "/own"} {
		tagSpan(t, do(t, http.MethodGet, base+path, nil).body)
	}
}
