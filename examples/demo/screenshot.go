package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tracemeta/tracemeta/examples/internal/browsertest"
	"github.com/tracemeta/tracemeta/examples/internal/collector"
)

// Screenshot files that -screenshot writes.
const (
	pageShot      = "demo-page.png"
	waterfallShot = "demo-waterfall.png"
)

// screenshots loads the frontend in a headless Chromium, waits until the
// collector holds the whole trace of the pageload, and writes a PNG of the
// page and one of the collector's waterfall of that trace into dir.
func screenshots(ctx context.Context, d *demo, chromium, dir string, out io.Writer) error {
	if d.Collector == nil {
		return errors.New("demo: -screenshot needs the embedded collector (unset SENTRY_DSN)")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	profile, err := os.MkdirTemp("", "tracemeta-chromium-")
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer os.RemoveAll(profile)
	opts := append([]chromedp.ExecAllocatorOption{chromedp.ExecPath(chromium)}, browsertest.Flags(profile)...)
	opts = append(opts, chromedp.Flag("hide-scrollbars", true), chromedp.Flag("force-color-profile", "srgb"))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	browser, cancel := chromedp.NewContext(allocCtx)
	defer cancel()

	if err := chromedp.Do(browser,
		chromedp.EmulateViewport(900, 300),
		chromedp.Navigate(d.FrontendURL+"/"),
		chromedp.WaitVisible(chromedp.CSS("#trace-id")),
	); err != nil {
		return fmt.Errorf("demo: loading the page: %w", err)
	}
	traceID, err := chromedp.Run(browser, chromedp.Evaluate[string](`document.getElementById('trace-id').textContent`))
	if err != nil {
		return fmt.Errorf("demo: reading the page's trace id: %w", err)
	}
	if err := waitWholeTrace(ctx, d.Collector, traceID); err != nil {
		return err
	}
	page, err := chromedp.Run(browser, chromedp.FullScreenshot(100))
	if err != nil {
		return fmt.Errorf("demo: screenshot of the page: %w", err)
	}

	if err := chromedp.Do(browser,
		chromedp.EmulateViewport(1100, 400),
		chromedp.Navigate(d.CollectorURL+"/?trace="+traceID),
		chromedp.WaitVisible(chromedp.CSS(".wf")),
	); err != nil {
		return fmt.Errorf("demo: loading the collector's view: %w", err)
	}
	waterfall, err := chromedp.Run(browser, chromedp.FullScreenshot(100))
	if err != nil {
		return fmt.Errorf("demo: screenshot of the waterfall: %w", err)
	}
	for name, png := range map[string][]byte{pageShot: page, waterfallShot: waterfall} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, png, 0o644); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		fmt.Fprintf(out, "wrote %s (%d KiB)\n", path, len(png)>>10)
	}
	return nil
}

// waitWholeTrace waits until the collector holds the pageload of trace and
// the server spans of the three services, then a moment more for the
// browser's last child spans.
func waitWholeTrace(ctx context.Context, c *collector.Collector, trace string) error {
	for _, want := range []func(collector.Span) bool{
		func(s collector.Span) bool { return s.Op == "pageload" },
		func(s collector.Span) bool { return s.Service == "frontend" && s.Op == "http.server" },
		func(s collector.Span) bool { return s.Service == "orders" && s.Op == "http.server" },
		func(s collector.Span) bool { return s.Service == "payment" && s.Op == "http.server" },
	} {
		if _, err := c.WaitSpan(ctx, func(s collector.Span) bool { return s.TraceID == trace && want(s) }); err != nil {
			return fmt.Errorf("demo: waiting for trace %s in the collector: %w", trace, err)
		}
	}
	select {
	case <-time.After(time.Second):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
