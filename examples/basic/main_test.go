package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/examples/internal/pagecheck"
)

func TestBasic(t *testing.T) {
	tests := []struct {
		name        string
		sentryTrace string
		baggage     string
		wantTrace   string // the trace id the tags must carry; empty for a new trace
		wantBaggage []string
	}{
		{
			name:        "new trace",
			wantBaggage: []string{"sentry-public_key=your-dsn-public-key", "sentry-release=basic%401.0.0", "sentry-sampled=true", "sentry-sample_rate=1"},
		},
		{
			name:        "continued trace keeps the upstream DSC",
			sentryTrace: "0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-1",
			baggage:     "sentry-trace_id=0af7651916cd43dd8448eb211c80319c,sentry-public_key=up,sentry-sample_rate=0.5,sentry-sample_rand=0.25,sentry-sampled=true",
			wantTrace:   "0af7651916cd43dd8448eb211c80319c",
			wantBaggage: []string{"sentry-public_key=up", "sentry-sample_rate=0.5", "sentry-sample_rand=0.25"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			if tt.sentryTrace != "" {
				req.Header.Set("sentry-trace", tt.sentryTrace)
				req.Header.Set("baggage", tt.baggage)
			}
			rec := httptest.NewRecorder()
			newHandler().ServeHTTP(rec, req)
			require.Equal(t, http.StatusOK, rec.Code)
			tags, err := pagecheck.MetaTags(rec.Body)
			require.NoError(t, err)
			require.Len(t, tags["sentry-trace"], 1)
			require.Len(t, tags["baggage"], 1)

			traceID, rest, _ := strings.Cut(tags["sentry-trace"][0], "-")
			assert.Len(t, traceID, 32)
			if tt.wantTrace != "" {
				assert.Equal(t, tt.wantTrace, traceID)
				assert.NotContains(t, rest, "b7ad6b7169203331", "the page names the server span, not the upstream one")
			}
			assert.True(t, strings.HasSuffix(rest, "-1"), "sampled: %s", rest)
			for _, m := range tt.wantBaggage {
				assert.Contains(t, strings.Split(tags["baggage"][0], ","), m)
			}
		})
	}
}
