package injectcaddy

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/httpcaddyfile"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/zap"

	"github.com/tracemeta/tracemeta/inject"
	"github.com/tracemeta/tracemeta/render"
	"github.com/tracemeta/tracemeta/tracecontext"
	tmotel "github.com/tracemeta/tracemeta/tracecontext/otel"
)

func init() {
	caddy.RegisterModule(Handler{})
	httpcaddyfile.RegisterHandlerDirective("tracemeta", parseCaddyfile)
	// Inside encode, so compression wraps the rewritten page; outside
	// push, intercept, templates, reverse_proxy and file_server, whose
	// pages it rewrites.
	httpcaddyfile.RegisterDirectiveOrder("tracemeta", httpcaddyfile.After, "encode")
}

// Handler is the Caddy HTTP handler http.handlers.tracemeta: it puts the trace
// meta tags into the <head> of the HTML pages of the handlers it wraps, names
// Caddy's span of the request in the headers of the request they serve, and
// asks an upstream for an uncompressed page. See the package documentation.
//
// The zero value is ready for Provision: sentry-trace and baggage, every trace
// it starts sampled.
type Handler struct {
	// Release is the sentry-release of the traces Caddy starts.
	Release string `json:"release,omitempty"`
	// Environment is the sentry-environment of the traces Caddy starts.
	Environment string `json:"environment,omitempty"`
	// PublicKey is the sentry-public_key of the traces Caddy starts: the
	// public key of the DSN of the Sentry project the browser reports to,
	// 32 lower-case hex digits.
	PublicKey string `json:"public_key,omitempty"`
	// SampleRate is the probability, in [0, 1], that a trace Caddy starts
	// (or continues without a decision) is sampled. Nil means 1. With
	// Caddy's tracing directive, its OpenTelemetry sampler decides instead.
	SampleRate *float64 `json:"sample_rate,omitempty"`
	// OrgID is the Sentry organization id, digits: the sentry-org_id of the
	// traces Caddy starts, and what an incoming trace's org id is checked
	// against.
	OrgID string `json:"org_id,omitempty"`
	// StrictTraceContinuation continues an incoming trace only when its
	// sentry-org_id and OrgID are both present and equal, or both absent.
	StrictTraceContinuation bool `json:"strict_trace_continuation,omitempty"`
	// Formats are the tags rendered into the page: any of "sentry-trace",
	// "baggage" and "traceparent". Empty means sentry-trace and baggage.
	// With "traceparent" the request to the upstream carries traceparent
	// too.
	Formats []string `json:"formats,omitempty"`

	prop    *tracecontext.Propagator // continues traces and writes the upstream's headers
	otel    tracecontext.Source      // the span of Caddy's tracing directive
	handler http.Handler             // inject.Middleware around serveNext
	logger  *zap.Logger
}

// CaddyModule returns the Caddy module information.
func (Handler) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "http.handlers.tracemeta",
		New: func() caddy.Module { return new(Handler) },
	}
}

// Provision implements caddy.Provisioner: it checks the configuration and
// builds what every request shares.
func (h *Handler) Provision(ctx caddy.Context) error {
	h.logger = ctx.Logger()
	if err := h.Validate(); err != nil {
		return err
	}
	formats, _ := parseFormats(h.Formats) // checked by Validate
	rate := 1.0
	if h.SampleRate != nil {
		rate = *h.SampleRate
	}
	opts := []tracecontext.Option{
		tracecontext.WithSampleRate(rate),
		tracecontext.WithPublicKey(h.PublicKey),
		tracecontext.WithRelease(h.Release),
		tracecontext.WithEnvironment(h.Environment),
		tracecontext.WithOrgID(h.OrgID),
		tracecontext.WithStrictTraceContinuation(h.StrictTraceContinuation),
		tracecontext.WithTraceparent(formats&render.Traceparent != 0),
		tracecontext.WithErrorHandler(func(err error) {
			h.logger.Debug("incoming trace header not used", zap.Error(err))
		}),
	}
	prop, err := tracecontext.NewPropagator(opts...)
	if err != nil {
		return fmt.Errorf("tracemeta: %w", err)
	}
	h.prop = prop
	// With Caddy's tracing directive the trace is OpenTelemetry's, and so
	// is its sampling decision: the DSC of a trace it starts names this
	// Sentry project, without a sample rate of its own.
	h.otel = tmotel.Source(tmotel.WithHeadDSC(tracecontext.DSC{
		PublicKey:   h.PublicKey,
		Release:     h.Release,
		Environment: h.Environment,
		OrgID:       h.OrgID,
	}))
	h.handler = inject.Middleware(
		inject.WithSource(source{}),
		inject.WithRender(render.WithFormats(formats)),
		inject.WithSkipHook(skipHook),
		inject.WithLogger(ctx.Slogger()),
	)(http.HandlerFunc(serveNext))
	return nil
}

// Validate implements caddy.Validator: every field must hold a value that
// means something.
func (h *Handler) Validate() error {
	var errs []error
	for _, f := range []struct {
		name  string
		check func(string) error
		value string
	}{
		{"release", checkText, h.Release},
		{"environment", checkText, h.Environment},
		{"public_key", checkPublicKey, h.PublicKey},
		{"org_id", checkOrgID, h.OrgID},
	} {
		if f.value == "" {
			continue
		}
		if err := f.check(f.value); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", f.name, err))
		}
	}
	if h.SampleRate != nil {
		if err := checkSampleRate(*h.SampleRate); err != nil {
			errs = append(errs, fmt.Errorf("sample_rate: %w", err))
		}
	}
	if _, err := parseFormats(h.Formats); err != nil {
		errs = append(errs, fmt.Errorf("formats: %w", err))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("tracemeta: %w", err)
	}
	return nil
}

// ServeHTTP implements caddyhttp.MiddlewareHandler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request, next caddyhttp.Handler) error {
	var sc tracecontext.SpanContext
	traced := trace.SpanContextFromContext(r.Context()).IsValid()
	if traced {
		sc, _ = h.otel.SpanContext(r.Context())
	} else {
		sc = h.prop.ContinueRequest(r)
	}
	x := &exchange{Context: tracecontext.NewContext(r.Context(), sc), sc: sc, next: next, logger: h.logger}

	// The upstream continues Caddy's span: the request it gets carries
	// its sentry-trace and baggage (and traceparent), in a copy of the
	// header map, so the request Caddy logs is the one that came in. The
	// copy shares the value slices: Inject and serveNext replace values,
	// never change them in place.
	r = r.WithContext(x)
	r.Header = maps.Clone(r.Header)
	if r.Header == nil {
		r.Header = http.Header{}
	}
	h.prop.Inject(x, r.Header)

	h.handler.ServeHTTP(w, r)
	return x.err
}

// exchange is the state of one request that the handler shares with the
// Source and the response writer: it is the request's context.
type exchange struct {
	context.Context

	sc       tracecontext.SpanContext // Caddy's span of the request
	upstream tracecontext.SpanContext // the upstream's span, valid when it named one of the same trace
	next     caddyhttp.Handler        // the rest of Caddy's chain
	err      error                    // what next returned
	logger   *zap.Logger

	identity bool          // the upstream was asked for an uncompressed page
	entered  bool          // serveNext has started: later skips are about the response
	skipped  inject.Reason // why inject.Middleware skips the request, before serveNext

	// once is the response's render.Once, which the exchange carries
	// itself (see tracecontext.OnceValue), so that inject.Middleware needs no
	// context of its own.
	once render.Once
}

// exchangeKey is the context key under which an exchange finds itself.
type exchangeKey struct{}

// Value implements context.Context.
func (x *exchange) Value(key any) any {
	switch key {
	case exchangeKey{}:
		return x
	}
	if v, ok := tracecontext.OnceValue(key, &x.once); ok {
		return v
	}
	return x.Context.Value(key)
}

func exchangeFrom(ctx context.Context) *exchange {
	x, _ := ctx.Value(exchangeKey{}).(*exchange)
	return x
}

// skipHook records that inject.Middleware passes a request through
// whatever its response: then the upstream is not asked for an
// uncompressed body.
func skipHook(r *http.Request, reason inject.Reason) {
	if x := exchangeFrom(r.Context()); x != nil && !x.entered {
		x.skipped = reason
	}
}

// serveNext runs the rest of Caddy's chain inside inject.Middleware.
func serveNext(w http.ResponseWriter, r *http.Request) {
	x := exchangeFrom(r.Context())
	x.entered = true
	if x.skipped != inject.ReasonNone {
		x.err = x.next.ServeHTTP(w, r)
		return
	}
	if acceptsHTML(r.Header) {
		// Go's transport asks for gzip itself when the request names no
		// encoding, and then decodes it and drops Content-Length: naming
		// identity keeps the upstream's length, so the page's stays true.
		r.Header["Accept-Encoding"] = []string{"identity"}
		x.identity = true
	}
	rw := newResponseWriter(w, r.Context(), x)
	x.err = x.next.ServeHTTP(rw, r)
	if err := rw.finish(); err != nil && x.err == nil {
		x.err = err
	}
}

// source is the Source of the tags: the upstream's span when it named one,
// else Caddy's.
type source struct{}

func (source) SpanContext(ctx context.Context) (tracecontext.SpanContext, bool) {
	x := exchangeFrom(ctx)
	if x == nil {
		return tracecontext.FromContext(ctx)
	}
	if x.upstream.IsValid() {
		return x.upstream, true
	}
	return x.sc, x.sc.IsValid()
}

// Interface guards.
var (
	_ caddy.Provisioner           = (*Handler)(nil)
	_ caddy.Validator             = (*Handler)(nil)
	_ caddyhttp.MiddlewareHandler = (*Handler)(nil)
)
