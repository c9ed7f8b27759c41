// Command demo runs three Go services, a server-rendered frontend, an orders
// API and a payment service, instrumented with sentry-go, and a page that
// loads the Sentry browser SDK. tracemeta's inject.Middleware writes the
// frontend request's trace into the page, so the browser's pageload, the
// frontend request, the orders API call and the payment calls share one
// trace.
//
// By default every span goes to an embedded collector, which prints the
// trace of each pageload as a tree and draws it as a waterfall at its own
// URL; with SENTRY_DSN set, everything goes to that Sentry project instead.
// With -spotlight, every service and the browser also send to Spotlight,
// Sentry's UI for local development, whose sidecar the demo starts.
//
// Usage, from the examples directory:
//
//	go run ./demo [-port 8080] [-spotlight [-spotlight-port 8969]]
//	go run ./demo -port 0 -screenshot DIR
//
// -screenshot loads the page in headless Chromium, writes DIR/demo-page.png
// and DIR/demo-waterfall.png (the collector's view of the page's trace), and
// exits.
//
// The browser SDK bundle is built on start with npm ci and esbuild from the
// lockfile in examples/browser, so the demo needs Node.js and npm.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/tracemeta/tracemeta/examples/internal/browserbundle"
	"github.com/tracemeta/tracemeta/examples/internal/browsertest"
)

func main() {
	err := run(os.Args[1:], os.Stdout)
	switch {
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case err != nil:
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	host := fs.String("host", "127.0.0.1", "interface to listen on")
	port := fs.Int("port", 8080, "port of the frontend; the orders API uses port+1, the payment service port+2, the collector port+9; 0 picks free ports")
	useSpotlight := fs.Bool("spotlight", false, "also send every service and the browser to Spotlight, Sentry's local UI (starts its sidecar from examples/browser/node_modules)")
	spotlightPort := fs.Int("spotlight-port", defaultSpotlightPort, "port of the Spotlight sidecar; 0 picks a free one")
	screenshotDir := fs.String("screenshot", "", "load the page in headless Chromium, save screenshots of it and of its trace into this directory, and exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("demo: unexpected arguments %q", fs.Args())
	}
	var (
		chromium string
		err      error
	)
	if *screenshotDir != "" {
		if chromium, err = browsertest.ChromiumPath(); err != nil {
			return fmt.Errorf("demo: -screenshot: %w", err)
		}
	}

	fmt.Fprintln(out, "building the Sentry browser SDK bundle (npm ci on first run, then esbuild)...")
	dir, err := os.MkdirTemp("", "tracemeta-demo-")
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	bundles, err := browserbundle.Build(ctx, dir)
	cancel()
	if errors.Is(err, browserbundle.ErrNoNode) {
		return fmt.Errorf("%w\nThe demo bundles the unmodified @sentry/browser from npm; install Node.js 18+ and npm (e.g. apt-get install nodejs npm) and run it again", err)
	}
	if err != nil {
		return err
	}

	var side *sidecar
	if *useSpotlight {
		project, err := browserbundle.ProjectDir()
		if err != nil {
			return err
		}
		fmt.Fprintln(out, "starting the Spotlight sidecar...")
		if side, err = startSidecar(context.Background(), project, *spotlightPort); err != nil {
			return err
		}
		defer side.close()
	}

	cfg := config{
		host: *host, port: *port, dsn: os.Getenv("SENTRY_DSN"), bundleDir: bundles.Dir,
		spotlight: side, out: out, printDelay: 1500 * time.Millisecond,
	}
	if *screenshotDir != "" {
		cfg.dsn = "" // the screenshot is of the embedded collector's view
		cfg.out = io.Discard
	}
	d, err := start(cfg)
	if err != nil {
		return err
	}
	if *screenshotDir != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		shotErr := screenshots(ctx, d, chromium, *screenshotDir, out)
		return errors.Join(shotErr, d.close(ctx))
	}
	fmt.Fprintf(out, "\ntracemeta demo\n")
	fmt.Fprintf(out, "  frontend    %s/   <- open this in a browser\n", d.FrontendURL)
	fmt.Fprintf(out, "  orders API  %s/api/orders\n", d.OrdersURL)
	fmt.Fprintf(out, "  payment     %s/api/payments/1\n", d.PaymentURL)
	if side != nil {
		fmt.Fprintf(out, "  spotlight   %s/   (Sentry's local UI: every service and the browser send here too)\n", side.URL)
	}
	if d.Collector != nil {
		fmt.Fprintf(out, "  collector   %s/   (every trace as a waterfall; JSON at %s/traces)\n", d.CollectorURL, d.CollectorURL)
		fmt.Fprintf(out, "\nEach pageload's trace is printed here. Set SENTRY_DSN to send to Sentry instead. Ctrl-C stops.\n")
	} else {
		fmt.Fprintf(out, "\nSending every span to SENTRY_DSN; open the trace in Sentry after a pageload. Ctrl-C stops.\n")
	}

	sig, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-sig.Done()
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return d.close(shutdown)
}
