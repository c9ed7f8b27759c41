package injectcaddy_test

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// requireEnv makes the tests that need node and chromium fail, rather than
// skip, when it is 1, as CI sets it.
const requireEnv = "TRACEMETA_REQUIRE_BROWSER"

// skipOrFail skips t, or fails it when requireEnv is 1.
func skipOrFail(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv(requireEnv) == "1" {
		t.Fatalf(format+" ("+requireEnv+"=1)", args...)
	}
	t.Skipf(format, args...)
}

// appDir is the Node app of examples/caddy.
var appDir = filepath.Join("..", "..", "examples", "caddy", "app")

// installApp installs the example app's pinned packages, once a run.
var installApp = sync.OnceValue(func() error { return npmCI(appDir, filepath.Join("@sentry", "node")) })

// nodeApp starts the example Node app with the Sentry DSN dsn and returns its
// host:port. It installs the app's pinned packages first when they are
// missing.
func nodeApp(t testing.TB, dsn string) string {
	t.Helper()
	return startNodeApp(t, "node", appDir, installApp, "PORT=0", "SENTRY_DSN="+dsn)
}

// TestNodeApp proxies the example app, traced by @sentry/node, and checks
// with the server transaction it sends that it continued the trace of the
// page: a child of the span the page names, or, when it names its own span in
// Server-Timing or rendered its own tags, that span itself.
func TestNodeApp(t *testing.T) {
	col := newCollector(t)
	app := nodeApp(t, col.DSN("49d0f7386ad645858ae85020e393bef3"))
	for _, tracing := range []bool{false, true} {
		base := startCaddy(t, withTracing(tracing, "\tencode gzip zstd\n\ttracemeta {\n\t\tpublic_key 49d0f7386ad645858ae85020e393bef3\n\t}\n\treverse_proxy "+app+"\n"))
		for _, tc := range []struct {
			path string
			own  bool // the page names the app's server span
		}{
			{"/plain", false},
			{"/timing", true},
			{"/tags", true},
		} {
			t.Run(fmt.Sprintf("%s/tracing=%v", tc.path, tracing), func(t *testing.T) {
				res, page := navigate(t, base+tc.path, "gzip", nil)
				require.Equal(t, 200, res.StatusCode)
				assert.Equal(t, "gzip", res.Header.Get("Content-Encoding"), "encode compresses the page of a gzip-speaking app")
				span := pageSpan(t, page)
				server := col.waitSpan(t, "server transaction of the app", func(s sentrySpan) bool {
					return s.TraceID == span.TraceID.String() && s.Op == "http.server"
				})
				if tc.own {
					assert.Equal(t, server.SpanID, span.SpanID.String(), "the page names the app's server span")
				} else {
					assert.Equal(t, server.ParentSpanID, span.SpanID.String(), "the app's server span is a child of the span the page names")
				}
				assert.Equal(t, "49d0f7386ad645858ae85020e393bef3", server.DSC["public_key"], "the app continued Caddy's DSC")
			})
		}
	}
}
