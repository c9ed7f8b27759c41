// Package browsertest runs end-to-end tests in a real headless Chromium,
// driven with chromedp. It never downloads a browser: it uses $CHROMIUM or
// the chromium of the system (Debian's package installs /usr/bin/chromium).
//
// Without Chromium, node or npm the tests skip, unless
// TRACEMETA_REQUIRE_BROWSER=1 (CI sets it), which makes them fail instead.
package browsertest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tracemeta/tracemeta/examples/internal/browserbundle"
)

// RequireEnv names the environment variable that, set to 1, turns a missing
// browser or npm into a test failure rather than a skip.
const RequireEnv = "TRACEMETA_REQUIRE_BROWSER"

// ChromiumEnv names the environment variable that points at the Chromium
// binary to use.
const ChromiumEnv = "CHROMIUM"

// ErrNoChromium is returned when no Chromium binary is found.
var ErrNoChromium = errors.New("browsertest: chromium not found")

// ChromiumPath returns the Chromium to run: $CHROMIUM, /usr/bin/chromium, or
// chromium or chromium-browser on $PATH.
func ChromiumPath() (string, error) {
	if p := os.Getenv(ChromiumEnv); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("%w: $%s: %w", ErrNoChromium, ChromiumEnv, err)
		}
		return p, nil
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium", nil
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%w: install Debian's chromium package or set $%s", ErrNoChromium, ChromiumEnv)
}

// Require returns the Chromium to run. When Chromium, node or npm is missing
// it skips t, or fails it when $TRACEMETA_REQUIRE_BROWSER is 1.
func Require(t testing.TB) string {
	t.Helper()
	path, err := ChromiumPath()
	if err == nil {
		err = browserbundle.Available()
	}
	if err != nil {
		if os.Getenv(RequireEnv) == "1" {
			t.Fatalf("browser test required (%s=1): %v", RequireEnv, err)
		}
		t.Skipf("browser test skipped (set %s=1 to make this a failure): %v", RequireEnv, err)
	}
	return path
}

var bundles struct {
	once sync.Once
	dir  string
	b    browserbundle.Bundles
	err  error
}

// Bundles builds the browser bundles once per test binary into a temporary
// directory that [Main] removes. Like [Require], it skips t (or fails it)
// without Chromium, node or npm; it fails t when the build fails.
func Bundles(t testing.TB) browserbundle.Bundles {
	t.Helper()
	Require(t)
	bundles.once.Do(func() {
		start := time.Now()
		bundles.dir, bundles.err = os.MkdirTemp("", "tracemeta-bundles-")
		if bundles.err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		bundles.b, bundles.err = browserbundle.Build(ctx, bundles.dir)
		t.Logf("browser bundles built in %s: %s", time.Since(start).Round(time.Millisecond), bundles.dir)
	})
	if bundles.err != nil {
		t.Fatalf("building the browser bundles: %v", bundles.err)
	}
	return bundles.b
}

// Main runs the tests of m and removes what [Bundles] built. Call it from
// TestMain.
func Main(m *testing.M) int {
	code := m.Run()
	if bundles.dir != "" {
		_ = os.RemoveAll(bundles.dir) // a temp dir left behind harms nothing
	}
	return code
}

// Flags are the Chromium flags every test browser runs with: headless, no
// network of its own (no QUIC, no background or component updates, no
// sync), a fresh profile.
func Flags(userDataDir string) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(userDataDir),
	}
}

// NewBrowser starts a headless Chromium for t with a fresh profile and
// returns a chromedp context for one tab, cancelled when t ends. The page's
// console messages and uncaught exceptions go to t.Log.
func NewBrowser(t testing.TB, chromium string) context.Context {
	t.Helper()
	opts := append([]chromedp.ExecAllocatorOption{chromedp.ExecPath(chromium)}, Flags(t.TempDir())...)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	// Console starts the browser, so a broken Chromium fails here and not in
	// the middle of a test's first action.
	messages := chromedp.Console(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			t.Logf("browser %s", m)
		}
	}()
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
		<-done // no t.Logf after the test ends
	})
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[string](`navigator.userAgent`)); err != nil {
		t.Fatalf("starting %s: %v", chromium, err)
	}
	return ctx
}
