package e2e_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
)

// An upstream service (an edge proxy, say) that started the trace and
// decided it; the page's server continues it, and so must the browser, with
// the upstream DSC frozen.
const (
	upstreamTraceID = "5b8efff798038103d269b633813fc60c"
	upstreamSpanID  = "eee19b7ec3c1b174"
	upstreamBaggage = "sentry-trace_id=" + upstreamTraceID + ",sentry-public_key=" + publicKey +
		",sentry-sample_rate=0.5,sentry-sample_rand=0.123456,sentry-sampled=true,sentry-release=edge%409," +
		"sentry-environment=upstream,othervendor=secret"
)

// TestSentryPageload loads pages that tracemeta put the trace into, each
// with the unmodified @sentry/browser SDK, and checks that the pageload the
// SDK sends continues the server span the page was rendered in.
func TestSentryPageload(t *testing.T) {
	tests := []struct {
		name     string
		path     string
		handler  http.Handler
		headers  map[string]string
		upstream bool
		noTags   bool // the trace comes in the Server-Timing header instead
	}{
		{
			name:    "inject middleware, trace started by the server",
			path:    "/inject",
			handler: injected(htmlPage("inject", false, nil)),
		},
		{
			name:     "inject middleware, trace continued from upstream",
			path:     "/upstream",
			handler:  injected(htmlPage("upstream", false, nil)),
			headers:  map[string]string{"sentry-trace": upstreamTraceID + "-" + upstreamSpanID + "-1", "baggage": upstreamBaggage},
			upstream: true,
		},
		{
			name:    "html/template traceMeta",
			path:    "/funcmap",
			handler: htmlPage("funcmap", true, nil),
		},
		{
			name:    "templ MetaTags component",
			path:    "/templ",
			handler: templPage("templ"),
		},
		{
			name:    "Server-Timing header, no meta tags",
			path:    "/server-timing",
			handler: serverTiming(htmlPage("server-timing", false, nil)),
			noTags:  true,
		},
		{
			name:    "templ MetaTags component behind the inject middleware",
			path:    "/templ-inject",
			handler: injected(templPage("templ and inject")),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newSite(t, page{path: tt.path, handler: tt.handler})
			browser := s.load(t, tt.path, tt.headers)
			wantTags := 1
			if tt.noTags {
				wantTags = 0
			}
			assert.Equal(t, wantTags, metaCount(t, browser, "sentry-trace"), "sentry-trace tags")
			assert.Equal(t, wantTags, metaCount(t, browser, "baggage"), "baggage tags")

			pageload := s.pageload(t, tt.path)
			sc := s.serverSpan(t, tt.path)
			t.Logf("server span %s-%s, browser pageload %s in trace %s, DSC %v",
				sc.TraceID, sc.SpanID, pageload.SpanID, pageload.TraceID, pageload.DSC)
			assertContinues(t, sc, pageload)
			if tt.upstream {
				assert.Equal(t, upstreamTraceID, pageload.TraceID)
				assert.Equal(t, upstreamSpanID, sc.ParentSpanID.String(), "the server continued the upstream span")
				assert.Equal(t, "edge@9", pageload.DSC["release"], "the upstream DSC stays frozen")
				assert.Equal(t, "upstream", pageload.DSC["environment"])
				assert.Equal(t, "0.5", pageload.DSC["sample_rate"])
				assert.Equal(t, "0.123456", pageload.DSC["sample_rand"])
				assert.NotContains(t, pageload.DSC, "othervendor")
			} else {
				assert.Equal(t, serverRelease, pageload.DSC["release"], "the server's DSC, not the browser's")
				assert.Equal(t, serverEnvironment, pageload.DSC["environment"])
			}
		})
	}
}

// TestCacheablePageStartsNewTrace loads a page that a shared cache may
// store: the middleware leaves it untouched, so the browser starts its own
// trace instead of joining the one of whichever visitor filled the cache.
func TestCacheablePageStartsNewTrace(t *testing.T) {
	t.Parallel()
	const path = "/cacheable"
	s := newSite(t, page{path: path, handler: injected(htmlPage("cacheable", false, http.Header{"Cache-Control": {"public, max-age=60"}}))})
	browser := s.load(t, path, nil)
	assert.Zero(t, metaCount(t, browser, "sentry-trace"), "no tags in a shared-cacheable page")
	assert.Zero(t, metaCount(t, browser, "baggage"))

	pageload := s.pageload(t, path)
	sc := s.serverSpan(t, path)
	t.Logf("server trace %s, browser pageload %s in its own trace %s", sc.TraceID, pageload.SpanID, pageload.TraceID)
	assert.NotEqual(t, sc.TraceID.String(), pageload.TraceID, "a new trace")
	assert.Empty(t, pageload.ParentSpanID, "the pageload is the head of its trace")
	assert.Equal(t, pageload.TraceID, pageload.DSC["trace_id"])
	assert.Equal(t, browserRelease, pageload.DSC["release"], "the browser's own DSC")
}

// TestOTelDocumentLoad loads a page with OpenTelemetry's document-load
// instrumentation, which continues the trace of <meta name="traceparent">.
func TestOTelDocumentLoad(t *testing.T) {
	t.Parallel()
	const path = "/otel"
	s := newSite(t, page{path: path, handler: injected(otelPage(), allFormats)})
	browser := s.load(t, path, nil)
	assert.Equal(t, 1, metaCount(t, browser, "traceparent"))

	load, fetch := documentLoad(t, browser)

	sc := s.serverSpan(t, path)
	t.Logf("server traceparent %s, documentLoad %s in trace %s", sc.Traceparent(), load.SpanID, load.TraceID)
	assert.Equal(t, sc.TraceID.String(), load.TraceID)
	assert.Equal(t, sc.SpanID.String(), load.ParentSpanID, "the server span is the documentLoad's parent")
	assert.Equal(t, sc.TraceID.String(), fetch.TraceID)
	assert.Equal(t, load.SpanID, fetch.ParentSpanID)
}
