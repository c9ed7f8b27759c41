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

func TestTempl(t *testing.T) {
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	rec := httptest.NewRecorder()
	newHandler().ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.Code)
	body := rec.Body.String()
	tags, err := pagecheck.MetaTags(strings.NewReader(body))
	require.NoError(t, err)
	require.Len(t, tags["sentry-trace"], 1)
	require.Len(t, tags["baggage"], 1)
	assert.True(t, strings.HasPrefix(tags["sentry-trace"][0], "4bf92f3577b34da6a3ce929d0e0e4736-"),
		"the W3C traceparent is continued: %s", tags["sentry-trace"][0])
	assert.True(t, strings.HasSuffix(tags["sentry-trace"][0], "-1"))
	assert.Contains(t, tags["baggage"][0], "sentry-release=templ%401.0.0")
	assert.Less(t, strings.Index(body, `name="sentry-trace"`), strings.Index(body, "<title>"))
}
