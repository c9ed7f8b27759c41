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
// meta tags into the <head> of the HTML pages of the handlers it wraps, and
// names the page's span in the headers of the request they serve. See the
// package documentation.
//
// Only a navigation is touched: a request that inject.Middleware would rewrite
// (not HEAD, not htmx, Turbo, fetch or XMLHttpRequest, see
// [inject.Middleware]) whose Accept names text/html, as every browser's
// navigation does. Any other request goes on exactly as it came: the client's
// sentry-trace, baggage and traceparent reach the upstream unchanged, so an
// API call made by the page continues the browser's own span; with Caddy's
// tracing directive, the upstream gets Caddy's propagation, as without
// tracemeta. The response of such a request is not rewritten.
//
// The span a navigation's page and upstream request name is chosen by the
// same trust rules on every path (OrgID, StrictTraceContinuation), those of
// [tracecontext.Propagator]:
//
//   - Without Caddy's tracing directive, a span of tracemeta's own that
//     continues the incoming sentry-trace and baggage (or traceparent) when
//     the rules allow, or starts a trace.
//   - With it, the OpenTelemetry span of the request, which Caddy exports,
//     when Caddy started its trace or continued one the rules allow, with the
//     incoming DSC that passed them (never the baggage as Caddy's tracing
//     read it). When Caddy continued a client trace the rules refuse (a bare
//     traceparent under strict continuation with OrgID set, a baggage of
//     another sentry-org_id), the page starts a new trace of its own instead,
//     with a new trace id: Caddy's span stays in the client's trace and is
//     not named.
//   - When the upstream's response names a span of that trace (Server-Timing
//     or traceresponse), that span, unless its baggage carries a DSC the
//     rules refuse (another org). Its DSC is used only when the trace's
//     decision was still deferred, and only a Server-Timing sentry-trace
//     brings a decision (a W3C flag is not a Sentry sampling decision).
//
// The navigation's request to the upstream names the same span in
// sentry-trace and baggage (and traceparent with the traceparent format),
// so the application continues it. With Caddy's tracing directive and its
// span named, the traceparent Caddy's tracing wrote stays as it is, with its
// OpenTelemetry decision; a traceparent of any other trace (the client's
// trace the rules refused) is replaced by the page's span, so that the
// application continues the page's trace, not the refused one.
//
// The sentry-trace sampled flag of the page and the sentry-sampled of its
// baggage always agree: the flag is the decision, and the DSC is made to
// say the same.
//
// The zero value is ready for Provision: sentry-trace and baggage, every trace
// it starts left with a deferred sampling decision.
type Handler struct {
	// Release is the sentry-release of the traces Caddy starts.
	Release string `json:"release,omitempty"`
	// Environment is the sentry-environment of the traces Caddy starts.
	Environment string `json:"environment,omitempty"`
	// PublicKey is the sentry-public_key of the traces Caddy starts: the
	// public key of the DSN of the Sentry project the browser reports to,
	// 32 lower-case hex digits.
	PublicKey string `json:"public_key,omitempty"`
	// SampleRate, when set, makes Caddy the head of the traces it starts
	// (or continues without a decision): each is sampled with this
	// probability, in [0, 1], and the page carries the decision, which
	// the browser SDK follows. Nil, the default, leaves the decision
	// deferred: the page's sentry-trace has no sampled flag and its
	// baggage no sentry-sampled, so the browser SDK decides by its own
	// tracesSampleRate (from the same sentry-sample_rand). With Caddy's
	// tracing directive the same holds for the page; Caddy's OpenTelemetry
	// sampler decides only whether Caddy exports its own span.
	SampleRate *float64 `json:"sample_rate,omitempty"`
	// OrgID is the Sentry organization id, digits: the sentry-org_id of the
	// traces Caddy starts, and what an incoming trace's org id is checked
	// against.
	OrgID string `json:"org_id,omitempty"`
	// StrictTraceContinuation continues an incoming trace only when its
	// sentry-org_id and OrgID are both present and equal, or both absent.
	StrictTraceContinuation bool `json:"strict_trace_continuation,omitempty"`
	// Formats are the tags rendered into the page: any of "sentry-trace",
	// "baggage", "traceparent" and "datadog" (dd-trace-id and dd-trace-time,
	// which Datadog's browser RUM SDK reads). Empty means sentry-trace and
	// baggage. With "traceparent" the request to the upstream carries
	// traceparent too.
	Formats []string `json:"formats,omitempty"`

	prop        *tracecontext.Propagator // continues traces and writes the upstream's headers
	traceparent bool                     // the upstream request gets traceparent too
	otel        tracecontext.Source      // the span of Caddy's tracing directive
	handler     http.Handler             // inject.Middleware around serveNext
	logger      *zap.Logger
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
	opts := []tracecontext.Option{
		tracecontext.WithPublicKey(h.PublicKey),
		tracecontext.WithRelease(h.Release),
		tracecontext.WithEnvironment(h.Environment),
		tracecontext.WithOrgID(h.OrgID),
		tracecontext.WithStrictTraceContinuation(h.StrictTraceContinuation),
		tracecontext.WithTraceparent(formats&render.Traceparent != 0),
		tracecontext.WithErrorHandler(func(err error) {
			h.logger.Debug("trace header not used", zap.Error(err))
		}),
	}
	if h.SampleRate != nil {
		// Without a rate the Propagator leaves the decision deferred.
		opts = append(opts, tracecontext.WithSampleRate(*h.SampleRate))
	}
	prop, err := tracecontext.NewPropagator(opts...)
	if err != nil {
		return fmt.Errorf("tracemeta: %w", err)
	}
	h.prop = prop
	h.traceparent = formats&render.Traceparent != 0
	// With Caddy's tracing directive, the span's ids come from
	// OpenTelemetry; its DSC and decision are tracemeta's (see spanOf).
	h.otel = tmotel.Source()
	h.handler = reencoding(inject.Middleware(
		inject.WithSource(source{}),
		inject.WithRender(render.WithFormats(formats)),
		inject.WithSkip(notNavigation),
		inject.WithSkipHook(skipHook),
		inject.WithLogger(ctx.Slogger()),
		inject.WithExistingTags(),
	)(http.HandlerFunc(serveNext)))
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

// ServeHTTP implements caddyhttp.MiddlewareHandler. Nothing of the request
// changes here: inject.Middleware first decides, from the request alone,
// whether it is a navigation, and serveNext continues the trace only then.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request, next caddyhttp.Handler) error {
	x := &exchange{Context: r.Context(), h: h, req: r, next: next, logger: h.logger}
	h.handler.ServeHTTP(w, r.WithContext(x))
	return x.err
}

// notNavigation is the skip predicate of inject.Middleware: a request whose
// Accept does not name text/html is not a browser's navigation (a fetch()
// from a browser without Fetch Metadata, an API client, curl's */*), so its
// response is not rewritten and its request not touched.
func notNavigation(r *http.Request) bool { return !acceptsHTML(r.Header) }

// spanOf returns the span that the page of the navigation r and its upstream
// request name, by the rules of the Handler's documentation, and whether it
// is the OpenTelemetry span of Caddy's tracing directive.
func (h *Handler) spanOf(r *http.Request) (tracecontext.SpanContext, bool) {
	span := trace.SpanFromContext(r.Context())
	own, traced := h.otel.SpanContext(r.Context())
	if !traced {
		return h.prop.ContinueRequest(r), false
	}
	if p, ok := span.(interface{ Parent() trace.SpanContext }); ok && span.IsRecording() && !p.Parent().IsValid() {
		// Caddy's tracing started this trace: its DSC and decision
		// are those of a trace tracemeta starts, with Caddy's ids. The
		// baggage Caddy's tracing read belongs to no trace of ours.
		head := h.prop.Continue(nil)
		own.Sampled, own.DSC = head.Sampled, head.DSC
		own.DSC.TraceID = own.TraceID.String()
		return own, true
	}
	// Caddy continued the client's trace (or, for a span it does not
	// record, may have): the request's headers are the client's but for
	// traceparent, which Caddy's tracing replaced by its span's, of the
	// same trace. The rules decide on them whether the trace may be
	// continued, and which DSC comes with it.
	in := h.prop.ContinueRequest(r)
	if in.ParentSpanID.IsValid() && in.TraceID == own.TraceID {
		own.Sampled, own.DSC, own.Baggage = in.Sampled, in.DSC, in.Baggage
		return own, true
	}
	return in, false
}

// exchange is the state of one request that the handler shares with the
// Source and the response writer: it is the request's context.
type exchange struct {
	context.Context

	h        *Handler
	req      *http.Request            // the request as it reached the handler
	sc       tracecontext.SpanContext // the navigation's span, the upstream request's parent
	upstream tracecontext.SpanContext // the span the upstream's response named in sc's trace, unchecked
	next     caddyhttp.Handler        // the rest of Caddy's chain
	err      error                    // what next returned
	logger   *zap.Logger

	entered bool          // serveNext has started: later skips are about the response
	skipped inject.Reason // why inject.Middleware skips the request, before serveNext
	traced  bool          // sc is the navigation's span, which the context carries

	// once is the response's render.Once, which the exchange carries
	// itself (see tracecontext.OnceValue), so that inject.Middleware needs no
	// context of its own; the exchange carries sc the same way
	// (tracecontext.SpanContextValue), for the handlers after it.
	once render.Once

	// The writers of a navigation, and the upstream request's
	// Accept-Encoding value, live in the exchange: one allocation per
	// request for all of them.
	enc            encodingWriter // reencoding's, when it wraps Caddy's writer
	rw             responseWriter // serveNext's, around inject.Middleware's
	acceptEncoding [1]string
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
	if x.traced {
		if v, ok := tracecontext.SpanContextValue(key, &x.sc); ok {
			return v
		}
	}
	return x.Context.Value(key)
}

func exchangeFrom(ctx context.Context) *exchange {
	x, _ := ctx.Value(exchangeKey{}).(*exchange)
	return x
}

// skipHook records that inject.Middleware passes a request through
// whatever its response: then the request goes on untouched.
func skipHook(r *http.Request, reason inject.Reason) {
	if x := exchangeFrom(r.Context()); x != nil && !x.entered {
		x.skipped = reason
	}
}

// continueTrace continues the trace of the navigation r and makes r the
// request the upstream gets: its headers name the span, in a copy of the
// header map, so that the request Caddy logs is the one that came in (r is
// the handler's own copy of it, see ServeHTTP; the header copy shares the
// value slices, which Inject and serveNext replace, never change in place).
// A request inject.Middleware reported as not rewritten (a HEAD, whose
// response it still gives its GET's headers) has no page to name the span
// in: it keeps the client's trace headers.
func (x *exchange) continueTrace(r *http.Request) {
	sc, otelSpan := x.h.spanOf(r)
	x.sc = sc
	x.traced = true
	header := upstreamHeader(r.Header, x.h.traceparent)
	r.Header = header
	if x.skipped != inject.ReasonNone {
		return
	}
	traceparent, tracestate := header["Traceparent"], header["Tracestate"]
	x.h.prop.Inject(x, header)
	switch {
	case otelSpan && traceparent != nil:
		// Caddy's tracing named this very span in traceparent, with
		// its OpenTelemetry decision, which the services it traces
		// follow: kept.
		header["Traceparent"] = traceparent
		delete(header, "Tracestate")
		if tracestate != nil {
			header["Tracestate"] = tracestate
		}
	case !otelSpan && len(header["Traceparent"]) > 0 && !namesTrace(header["Traceparent"][0], sc.TraceID):
		// A traceparent of a trace the page does not continue (refused
		// by the trust rules, or another than sentry-trace's) would
		// split the application from the page.
		header["Traceparent"] = []string{sc.Traceparent()}
		delete(header, "Tracestate")
	}
}

// mapGroupSlots is how many entries a Go map holds in its first group, its
// whole storage while it is small (Go's maps are Swiss tables): a small map
// that is full grows into a table on any assignment, even of a key it has.
const mapGroupSlots = 8

// upstreamHeader returns a copy of h, the client's request header, for the
// upstream request, with room for the headers continueTrace and serveNext
// set: sentry-trace, baggage, Accept-Encoding, and traceparent with that
// format. A clone of a small map is as full as the map: a browser's
// navigation has about eight headers, and a clone of them that grows on the
// first assignment costs three allocations more than a map made with room.
func upstreamHeader(h http.Header, traceparent bool) http.Header {
	added := 0
	for _, k := range [...]string{"Sentry-Trace", "Baggage", "Accept-Encoding", "Traceparent"} {
		if _, ok := h[k]; !ok && (traceparent || k != "Traceparent") {
			added++
		}
	}
	if len(h) > mapGroupSlots || len(h)+added < mapGroupSlots {
		if c := maps.Clone(h); c != nil {
			return c
		}
		return make(http.Header, added)
	}
	// A hint past the group's slots makes a table with room.
	c := make(http.Header, max(len(h)+added, mapGroupSlots+1))
	for k, v := range h {
		c[k] = v
	}
	return c
}

// namesTrace reports whether the traceparent value v names a span of the
// trace id.
func namesTrace(v string, id tracecontext.TraceID) bool {
	tp, err := tracecontext.ParseTraceparent(v)
	return err == nil && tp.TraceID == id
}

// serveNext runs the rest of Caddy's chain inside inject.Middleware.
func serveNext(w http.ResponseWriter, r *http.Request) {
	x := exchangeFrom(r.Context())
	x.entered = true
	// inject.Middleware reports every HEAD with ReasonMethod, but hands the
	// HEAD of a page its own writer, to give it the headers of the GET: the
	// upstream is then asked as for the GET, and its headers read alike.
	head := x.skipped == inject.ReasonMethod && r.Method == http.MethodHead && isInjectWriter(w)
	if x.skipped != inject.ReasonNone && !head {
		x.err = x.next.ServeHTTP(w, r)
		return
	}
	x.continueTrace(r)
	nav := acceptsHTML(r.Header)
	var enc *encodingWriter
	if nav {
		// The upstream may compress a navigation's page only with a
		// coding the responseWriter decodes and the encodingWriter
		// encodes again. Without that (encode wraps the handler, or the
		// client takes neither gzip nor zstd) it is asked for identity,
		// which also keeps Go's transport from asking for gzip itself,
		// decoding it and dropping Content-Length. Under encode, the
		// encodingWriter hands encode the start of the page in one write.
		enc = encodingWriterOf(w)
		if enc != nil && enc.offer != "" {
			x.acceptEncoding[0] = enc.offer
		} else {
			x.acceptEncoding[0] = "identity"
		}
		r.Header["Accept-Encoding"] = x.acceptEncoding[:]
		if enc != nil && enc.encodeOutside {
			enc.coalescing = !head
			enc = nil // encode compresses the page: not encoded again here
		}
	}
	rw := &x.rw
	*rw = responseWriter{ResponseWriter: w, x: x, nav: nav, head: r.Method == http.MethodHead, enc: enc}
	defer rw.endDecode() // a panic of the chain gives the decode slot back
	x.err = x.next.ServeHTTP(rw, r)
	if err := rw.finish(); err != nil && x.err == nil {
		x.err = err
	}
}

// source is the Source of the tags: the upstream's span when it named one
// the rules accept, else the navigation's.
type source struct{}

func (source) SpanContext(ctx context.Context) (tracecontext.SpanContext, bool) {
	x := exchangeFrom(ctx)
	if x == nil {
		return tracecontext.FromContext(ctx)
	}
	if !x.sc.IsValid() && x.req != nil {
		// Asked about a request whose trace was not continued, as
		// inject.Middleware asks for a HEAD, whose headers are those
		// of its GET: the span the GET's page would name, which
		// nothing renders or sends.
		x.sc, _ = x.h.spanOf(x.req)
	}
	if x.upstream.IsValid() {
		if sc, ok := adoptUpstream(x.h.prop, x.sc, x.upstream); ok {
			return sc, true
		}
	}
	return x.sc, x.sc.IsValid()
}

// Interface guards.
var (
	_ caddy.Provisioner           = (*Handler)(nil)
	_ caddy.Validator             = (*Handler)(nil)
	_ caddyhttp.MiddlewareHandler = (*Handler)(nil)
)
