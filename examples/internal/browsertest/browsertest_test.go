package browsertest_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/examples/internal/browsertest"
)

func TestChromiumPathFromEnv(t *testing.T) {
	t.Run("missing", func(t *testing.T) {
		t.Setenv(browsertest.ChromiumEnv, filepath.Join(t.TempDir(), "no-such-chromium"))
		_, err := browsertest.ChromiumPath()
		require.ErrorIs(t, err, browsertest.ErrNoChromium)
	})
	t.Run("present", func(t *testing.T) {
		exe := filepath.Join(t.TempDir(), "my-chromium")
		require.NoError(t, writeExecutable(exe))
		t.Setenv(browsertest.ChromiumEnv, exe)
		got, err := browsertest.ChromiumPath()
		require.NoError(t, err)
		assert.Equal(t, exe, got)
	})
}

func TestNewBrowser(t *testing.T) {
	chromium := browsertest.Require(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<!doctype html><title>hello</title><script>console.log('from the page')</script>")
	}))
	defer srv.Close()
	browser := browsertest.NewBrowser(t, chromium)
	require.NoError(t, chromedp.Do(browser, chromedp.Navigate(srv.URL)))
	title, err := chromedp.Run(browser, chromedp.Evaluate[string](`document.title`))
	require.NoError(t, err)
	assert.Equal(t, "hello", title)
	ua, err := chromedp.Run(browser, chromedp.Evaluate[string](`navigator.userAgent`))
	require.NoError(t, err)
	assert.Contains(t, ua, "HeadlessChrome")
	t.Logf("ran %s: %s", chromium, ua)
}
