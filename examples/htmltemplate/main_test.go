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

func TestHTMLTemplate(t *testing.T) {
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("sentry-trace", "0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-1")
	rec := httptest.NewRecorder()
	newHandler().ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.Code)
	body := rec.Body.String()
	tags, err := pagecheck.MetaTags(strings.NewReader(body))
	require.NoError(t, err)
	require.Len(t, tags["sentry-trace"], 1)
	require.Len(t, tags["baggage"], 1)
	assert.True(t, strings.HasPrefix(tags["sentry-trace"][0], "0af7651916cd43dd8448eb211c80319c-"), tags["sentry-trace"][0])
	assert.Contains(t, tags["baggage"][0], "sentry-trace_id=0af7651916cd43dd8448eb211c80319c")
	assert.Contains(t, body, `data-trace="`+tags["sentry-trace"][0]+`"`)
	assert.Less(t, strings.Index(body, `name="sentry-trace"`), strings.Index(body, "<title>"), "the tags come first in <head>")
}
