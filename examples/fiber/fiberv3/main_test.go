package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/gofiber/fiber/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/examples/internal/collector"
	"github.com/tracemeta/tracemeta/examples/internal/pagecheck"
	"github.com/tracemeta/tracemeta/tracecontext"
)

const (
	upstreamTrace = "0af7651916cd43dd8448eb211c80319c"
	upstreamSpan  = "b7ad6b7169203331"
)

// serve runs app on a loopback listener until the test ends.
func serve(t *testing.T, app *fiber.App) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- app.Listener(ln, fiber.ListenConfig{DisableStartupMessage: true}) }()
	t.Cleanup(func() {
		http.DefaultClient.CloseIdleConnections()
		require.NoError(t, app.ShutdownWithTimeout(5*time.Second))
		require.NoError(t, <-done)
	})
	return "http://" + ln.Addr().String()
}

func get(t *testing.T, url string, header http.Header) (string, map[string][]string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	req.Header = header
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	tags, err := pagecheck.MetaTags(strings.NewReader(string(body)))
	require.NoError(t, err)
	require.Len(t, tags["sentry-trace"], 1, "one sentry-trace tag in %s", body)
	return string(body), tags
}

// TestPage loads the page without an SDK: injectfiberv3 continues the
// incoming trace.
func TestPage(t *testing.T) {
	base := serve(t, newApp(nil))
	for _, path := range []string{"/", "/?own=1"} {
		_, tags := get(t, base+path, http.Header{"Sentry-Trace": {upstreamTrace + "-" + upstreamSpan + "-1"}})
		assert.True(t, strings.HasPrefix(tags["sentry-trace"][0], upstreamTrace+"-"), tags["sentry-trace"][0])
		require.Len(t, tags["baggage"], 1)
	}
}

// TestSentryTransaction loads the page behind a sentry-go transaction that
// the app starts and puts into c.Context() (sentry-go's fiberv3 integration
// does the same), with a real client sending to a local collector: the tags
// name the transaction the collector receives.
func TestSentryTransaction(t *testing.T) {
	coll := collector.New()
	srv := httptest.NewServer(coll)
	t.Cleanup(srv.Close)
	dsn, err := collector.DSN(srv.URL, "fiberv3key", "1")
	require.NoError(t, err)
	client, err := sentry.NewClient(sentry.ClientOptions{Dsn: dsn, Release: "shop@3.0.0", EnableTracing: true, TracesSampleRate: 1})
	require.NoError(t, err)
	t.Cleanup(func() { client.Close() })
	base := serve(t, newApp(client))

	for _, tt := range []struct {
		name     string
		path     string
		incoming http.Header
	}{
		{name: "inserted by the handler", path: "/", incoming: http.Header{}},
		{name: "rendered by the page", path: "/?own=1", incoming: http.Header{"Sentry-Trace": {upstreamTrace + "-" + upstreamSpan + "-1"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			body, tags := get(t, base+tt.path, tt.incoming)
			sc, err := tracecontext.ParseSentryTrace(tags["sentry-trace"][0])
			require.NoError(t, err)
			require.True(t, client.Flush(5*time.Second))
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			tx, err := coll.WaitSpan(ctx, func(s collector.Span) bool {
				return s.Op == "http.server" && s.SpanID == sc.SpanID.String()
			})
			require.NoError(t, err, "no transaction with the span of the tags in %s", body)
			assert.Equal(t, sc.TraceID.String(), tx.TraceID)
			assert.Equal(t, "GET /", tx.Name)
			if tt.incoming.Get("Sentry-Trace") != "" {
				assert.Equal(t, upstreamTrace, tx.TraceID)
				assert.Equal(t, upstreamSpan, tx.ParentSpanID)
			} else {
				require.Len(t, tags["baggage"], 1)
				assert.Contains(t, tags["baggage"][0], "sentry-release=shop%403.0.0")
			}
		})
	}
}
