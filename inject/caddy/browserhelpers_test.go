package injectcaddy_test

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/tracecontext"
)

// chromium returns Debian's chromium ($CHROMIUM, else chromium on $PATH),
// never a downloaded browser.
func chromium(t testing.TB) string {
	t.Helper()
	path := os.Getenv("CHROMIUM")
	if path == "" {
		var err error
		if path, err = exec.LookPath("chromium"); err != nil {
			skipOrFail(t, "chromium is not installed (apt-get install chromium)")
		}
	}
	return path
}

// newBrowser starts the headless chromium at path, with a profile of its
// own, for the rest of t (at most a minute), and returns the context of its
// tab.
func newBrowser(t testing.TB, path string) context.Context {
	t.Helper()
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(cancelTimeout)
	return ctx
}

// loadPage navigates the tab of ctx to url, waits for the element the
// selector ready names, and returns the span the page's sentry-trace tag
// names, read in the browser as its SDK reads it.
func loadPage(t testing.TB, ctx context.Context, url, ready string) tracecontext.SpanContext {
	t.Helper()
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(url)))
	require.NoError(t, chromedp.Do(ctx, chromedp.WaitReady(ready)))
	sentryTrace, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('meta[name="sentry-trace"]').content`))
	require.NoError(t, err)
	t.Logf("page: sentry-trace %s", sentryTrace)
	span, err := tracecontext.ParseSentryTrace(sentryTrace)
	require.NoError(t, err)
	return span
}
