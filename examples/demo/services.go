package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/getsentry/sentry-go"
	sentryhttp "github.com/getsentry/sentry-go/http"
	sentryhttpclient "github.com/getsentry/sentry-go/httpclient"

	"github.com/tracemeta/tracemeta/examples/internal/collector"
	"github.com/tracemeta/tracemeta/inject"
	tmsentrygo "github.com/tracemeta/tracemeta/tracecontext/sentrygo"
)

// Release and environment of every service and of the browser, so that the
// Dynamic Sampling Context the browser continues matches the services'.
const (
	release     = "tracemeta-demo@1.0.0"
	environment = "demo"
	// collectorKey is the public key of the DSN that sends to the embedded
	// collector; the collector accepts any.
	collectorKey = "demo"
)

// config is how the demo runs.
type config struct {
	host      string   // interface to listen on
	port      int      // the frontend's; the others use port+1, port+2 and port+9; 0 picks free ports
	dsn       string   // a real Sentry DSN; empty runs the embedded collector
	bundleDir string   // holds sentry.js, served at /static/
	spotlight *sidecar // when not nil, every service and the browser also send to it
	out       io.Writer
	// printDelay is how long after a pageload arrives its trace is printed,
	// so that spans still in flight make it into the tree.
	printDelay time.Duration
}

// demo is the three services, and the collector when no DSN was given.
type demo struct {
	FrontendURL, OrdersURL, PaymentURL, CollectorURL string
	Collector                                        *collector.Collector // nil with a DSN

	servers []*http.Server
	clients []*sentry.Client
	printed sync.Map // trace ids already printed
	wg      sync.WaitGroup
}

// start listens on every port first (so each service knows where the next
// one is), then serves. With a DSN there is no collector.
func start(cfg config) (_ *demo, err error) {
	d := &demo{}
	names := []string{"frontend", "orders", "payment", "collector"}
	offsets := []int{0, 1, 2, 9}
	if cfg.dsn != "" {
		names = names[:3]
	}
	var listeners []net.Listener
	defer func() {
		if err != nil {
			for _, ln := range listeners {
				ln.Close()
			}
		}
	}()
	urls := make([]string, 4)
	for i, name := range names {
		port := 0
		if cfg.port != 0 {
			port = cfg.port + offsets[i]
		}
		ln, err := net.Listen("tcp", net.JoinHostPort(cfg.host, strconv.Itoa(port)))
		if err != nil {
			return nil, fmt.Errorf("demo: %s: %w (choose other ports with -port)", name, err)
		}
		listeners = append(listeners, ln)
		urls[i] = "http://" + ln.Addr().String()
	}
	d.FrontendURL, d.OrdersURL, d.PaymentURL, d.CollectorURL = urls[0], urls[1], urls[2], urls[3]

	dsn := cfg.dsn
	handlers := make([]http.Handler, len(names))
	if dsn == "" {
		d.Collector = collector.New(collector.WithOnSpans(func(spans []collector.Span) { d.onSpans(cfg, spans) }))
		handlers[3] = d.Collector
		if dsn, err = collector.DSN(d.CollectorURL, collectorKey, "1"); err != nil {
			return nil, err
		}
	}

	var spotlightDSN string
	if cfg.spotlight != nil {
		if spotlightDSN, err = cfg.spotlight.DSN(); err != nil {
			return nil, err
		}
	}
	var clients [3]*sentry.Client
	for i, name := range names[:3] {
		opts := sentry.ClientOptions{
			Dsn:              dsn,
			ServerName:       name,
			Release:          release,
			Environment:      environment,
			EnableTracing:    true,
			TracesSampleRate: 1,
		}
		if spotlightDSN != "" {
			opts.Transport = newTeeTransport(spotlightDSN)
		}
		clients[i], err = sentry.NewClient(opts)
		if err != nil {
			return nil, fmt.Errorf("demo: sentry client for %s: %w", name, err)
		}
		d.clients = append(d.clients, clients[i])
	}
	handlers[0] = newFrontend(clients[0], frontendConfig{
		ordersURL: d.OrdersURL, dsn: dsn, bundleDir: cfg.bundleDir,
		collectorURL: d.CollectorURL, spotlight: cfg.spotlight,
	})
	handlers[1] = withSentry(clients[1], newOrders(d.PaymentURL))
	handlers[2] = withSentry(clients[2], newPayment())

	for i, ln := range listeners {
		srv := &http.Server{Handler: handlers[i], ReadHeaderTimeout: 10 * time.Second}
		d.servers = append(d.servers, srv)
		d.wg.Add(1)
		go func() {
			defer d.wg.Done()
			_ = srv.Serve(ln) // ends with ErrServerClosed on close
		}()
	}
	return d, nil
}

// close stops the servers and sends what the Sentry clients still hold.
func (d *demo) close(ctx context.Context) error {
	var errs []error
	for _, srv := range d.servers {
		errs = append(errs, srv.Shutdown(ctx))
	}
	d.wg.Wait()
	for _, c := range d.clients {
		c.FlushWithContext(ctx)
	}
	return errors.Join(errs...)
}

// onSpans prints the trace of every pageload once, a moment after it arrived.
func (d *demo) onSpans(cfg config, spans []collector.Span) {
	for _, s := range spans {
		if s.Op != "pageload" {
			continue
		}
		if _, seen := d.printed.LoadOrStore(s.TraceID, true); seen {
			continue
		}
		time.AfterFunc(cfg.printDelay, func() {
			t, ok := d.Collector.Trace(s.TraceID)
			if !ok {
				return
			}
			page := s.Attributes["url.full"]
			if page == "" {
				page = s.Name
			}
			fmt.Fprintf(cfg.out, "\npageload of %s (%s/#%s)\n", page, d.CollectorURL, s.TraceID)
			_ = collector.WriteText(cfg.out, t) // a closed terminal loses the print, nothing else
		})
	}
}

// withSentry gives each request a hub of the service's own client (three
// services share this process; in production each would use the global hub
// of its own process), then lets sentryhttp start the server transaction,
// continuing the trace of the request's sentry-trace and baggage headers.
func withSentry(client *sentry.Client, next http.Handler) http.Handler {
	traced := sentryhttp.New(sentryhttp.Options{}).Handle(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hub := sentry.NewHub(client, sentry.NewScope())
		traced.ServeHTTP(w, r.WithContext(sentry.SetHubOnContext(r.Context(), hub)))
	})
}

// tracedClient propagates the trace on outgoing requests and records an
// http.client span for each.
func tracedClient() *http.Client {
	return &http.Client{Transport: sentryhttpclient.NewSentryRoundTripper(nil), Timeout: 5 * time.Second}
}

type order struct {
	ID      int    `json:"id"`
	Item    string `json:"item"`
	Payment string `json:"payment"`
}

//go:embed page.html
var pageHTML string

var pageTemplate = template.Must(template.New("page").Parse(pageHTML))

// frontendConfig is what the frontend needs to know of the other services.
type frontendConfig struct {
	ordersURL    string
	dsn          string   // of the browser SDK
	bundleDir    string   // holds sentry.js
	collectorURL string   // "" with a Sentry DSN
	spotlight    *sidecar // nil without -spotlight
}

// pageData is what page.html renders.
type pageData struct {
	Orders               []order
	DSN                  string
	Release, Environment string
	TraceID              string // of the request's span: the trace the pageload joins
	TraceURL             string // the trace in the collector; "" with a Sentry DSN
	SpotlightURL         string // Spotlight's UI; "" without -spotlight
	SpotlightStream      string // where the browser SDK forwards to Spotlight
}

// newFrontend is the server-rendered frontend: GET / asks the orders API for
// the orders and renders them. inject.Middleware puts the sentry-trace and
// baggage of sentryhttp's server span into the page's <head>, where the
// browser SDK's pageload picks them up. The SDK bundle under /static/ is
// served untraced.
func newFrontend(sentryClient *sentry.Client, cfg frontendConfig) http.Handler {
	client := tracedClient()
	source := tmsentrygo.Source()
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		var orders []order
		if err := getJSON(r.Context(), client, cfg.ordersURL+"/api/orders", &orders); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		data := pageData{Orders: orders, DSN: cfg.dsn, Release: release, Environment: environment}
		// The same Source inject.Middleware reads: the page shows the
		// trace its tags name.
		if sc, ok := source.SpanContext(r.Context()); ok {
			data.TraceID = sc.TraceID.String()
			if cfg.collectorURL != "" {
				data.TraceURL = cfg.collectorURL + "/?trace=" + data.TraceID
			}
		}
		if cfg.spotlight != nil {
			data.SpotlightURL, data.SpotlightStream = cfg.spotlight.URL+"/", cfg.spotlight.StreamURL()
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		err := pageTemplate.Execute(w, data)
		if err != nil {
			panic(http.ErrAbortHandler) // the page is half written; cut the connection
		}
	})
	mux := http.NewServeMux()
	mux.Handle("GET /", withSentry(sentryClient, inject.Middleware(inject.WithSource(tmsentrygo.Source()))(page)))
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServer(http.Dir(cfg.bundleDir))))
	return mux
}

// newOrders is the orders API: GET /api/orders asks the payment service for
// the status of each order's payment.
func newOrders(paymentURL string) http.Handler {
	client := tracedClient()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/orders", func(w http.ResponseWriter, r *http.Request) {
		orders := []order{{ID: 1, Item: "tea"}, {ID: 2, Item: "scones"}}
		for i := range orders {
			var p struct {
				Status string `json:"status"`
			}
			url := fmt.Sprintf("%s/api/payments/%d", paymentURL, orders[i].ID)
			if err := getJSON(r.Context(), client, url, &p); err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			orders[i].Payment = p.Status
		}
		writeJSON(w, orders)
	})
	return mux
}

// newPayment is the payment service: GET /api/payments/{id} reports a
// payment's status.
func newPayment() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/payments/{id}", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(3 * time.Millisecond) // a lookup, so the span has a width in the tree
		writeJSON(w, map[string]string{"id": r.PathValue("id"), "status": "paid"})
	})
	return mux
}

func getJSON(ctx context.Context, client *http.Client, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("demo: GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		return fmt.Errorf("demo: GET %s: %w", url, err)
	}
	return nil
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v) // the client went away
}
