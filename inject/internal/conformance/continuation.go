package conformance

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/inject"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// ContinuationTarget is an adapter that continues the trace itself when no
// SDK in front of it did (inject/fasthttp, inject/fiber, inject/fiberv3).
type ContinuationTarget struct {
	// Serve starts a server whose every path is served by app, behind the
	// adapter built with opts, and returns its base URL. With sdk, a
	// stand-in for the framework's tracing SDK runs in front of the
	// adapter: it puts the context of [WithSDKSpan] where the framework's
	// SDK puts its transaction, and the adapter is given [SDKSource].
	Serve func(t *testing.T, app *App, sdk bool, opts []inject.Option) string
}

// SDKSpan is the span of the stand-in SDK.
var SDKSpan = tracecontext.Continue(nil)

type sdkKey struct{}

// WithSDKSpan returns ctx holding SDKSpan as the stand-in SDK keeps it.
func WithSDKSpan(ctx context.Context) context.Context {
	return context.WithValue(ctx, sdkKey{}, SDKSpan)
}

// SDKSource is the stand-in SDK's Source: SDKSpan, where WithSDKSpan put it.
var SDKSource = tracecontext.SourceFunc(func(ctx context.Context) (tracecontext.SpanContext, bool) {
	sc, ok := ctx.Value(sdkKey{}).(tracecontext.SpanContext)
	return sc, ok
})

// RecordContext files the span the request's handlers find in ctx (with
// tracecontext.FromContext), for the request with id.
func (a *App) RecordContext(id string, ctx context.Context) {
	sc, ok := tracecontext.FromContext(ctx)
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.spans == nil {
		a.spans = map[string]tracecontext.SpanContext{}
	}
	if ok {
		a.spans[id] = sc
	}
}

func (a *App) spanOf(id string) (tracecontext.SpanContext, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	sc, ok := a.spans[id]
	return sc, ok
}

const (
	upstreamTrace = "5b8efff798038103d269b633813fc60c"
	upstreamSpan  = "eee19b7ec3c1b174"
)

// RunContinuation checks the trace such an adapter continues: without an
// SDK, one trace, continued from the incoming headers (or started) with the
// options of inject.WithTraceContext, named by the tags and found by the
// handlers in the request's context; behind an SDK given with
// inject.WithSource, the SDK's alone: the tags name its span, and the
// handlers' context holds no second trace.
func RunContinuation(t *testing.T, target ContinuationTarget) {
	cases := []Case{{Name: "traced", Steps: htmlPage(Step{Kind: RecordSpan}, Step{Kind: Write, Data: Page})}}
	app := newApp(cases)
	own := target.Serve(t, app, false, []inject.Option{inject.WithTraceContext(tracecontext.WithSampleRate(1))})
	behindSDK := target.Serve(t, app, true, []inject.Option{inject.WithSource(SDKSource), inject.WithServerTiming(true)})
	incoming := http.Header{"Sentry-Trace": {upstreamTrace + "-" + upstreamSpan + "-1"}}
	for _, tt := range []struct {
		name   string
		url    string
		header http.Header
		check  func(t *testing.T, tags, handlers tracecontext.SpanContext, found bool)
	}{
		{"continued", own, incoming, func(t *testing.T, tags, handlers tracecontext.SpanContext, found bool) {
			require.True(t, found, "the handlers find the trace")
			assert.Equal(t, upstreamTrace, tags.TraceID.String(), "the incoming trace")
			assert.NotEqual(t, upstreamSpan, tags.SpanID.String(), "a server span of its own")
			assert.Equal(t, handlers.SentryTrace(), tags.SentryTrace(), "one trace: the tags name the handlers'")
		}},
		{"started", own, nil, func(t *testing.T, tags, handlers tracecontext.SpanContext, found bool) {
			require.True(t, found, "the handlers find the trace")
			assert.Equal(t, handlers.SentryTrace(), tags.SentryTrace(), "one trace: the tags name the handlers'")
			assert.Equal(t, "-1", tags.SentryTrace()[len(tags.SentryTrace())-2:], "sampled by inject.WithTraceContext's rate")
		}},
		{"sdk", behindSDK, nil, func(t *testing.T, tags, handlers tracecontext.SpanContext, found bool) {
			assert.Equal(t, SDKSpan.SentryTrace(), tags.SentryTrace(), "the SDK's span")
			assert.False(t, found, "no second trace in the handlers' context: %s", handlers.SentryTrace())
		}},
		{"sdk-incoming", behindSDK, incoming, func(t *testing.T, tags, handlers tracecontext.SpanContext, found bool) {
			assert.Equal(t, SDKSpan.SentryTrace(), tags.SentryTrace(), "the SDK's span")
			assert.False(t, found, "no second trace in the handlers' context: %s", handlers.SentryTrace())
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			id := app.newID(tt.name, true)
			c := cases[0]
			c.Header = tt.header
			res := fetch(t, app, c, tt.url, id)
			handlers, found := app.spanOf(id)
			tt.check(t, TagSpan(t, res.Body), handlers, found)
		})
	}
}
