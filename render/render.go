package render

import (
	"bytes"
	"strconv"
	"time"

	"github.com/tracemeta/tracemeta/tracecontext"
)

// Format selects which meta tags are rendered. Formats combine with |.
type Format uint8

const (
	// SentryTrace renders <meta name="sentry-trace">, read by the Sentry
	// browser SDK.
	SentryTrace Format = 1 << iota
	// Baggage renders <meta name="baggage"> with the DSC, read by the Sentry
	// browser SDK.
	Baggage
	// Traceparent renders <meta name="traceparent">, read by OpenTelemetry's
	// browser document-load instrumentation.
	Traceparent
	// Datadog renders <meta name="dd-trace-id"> and <meta name="dd-trace-time">,
	// read by Datadog's browser RUM SDK (@datadog/browser-rum), which links
	// the page's initial document to the server's trace. See
	// [Renderer.AppendMetaTags] for the encoding.
	Datadog

	// DefaultFormats is what the Sentry browser SDK reads.
	DefaultFormats = SentryTrace | Baggage
)

// Option configures a [Renderer].
type Option func(*config)

type config struct {
	formats Format
	xhtml   bool
	now     func() time.Time // nil is time.Now
}

// WithFormats sets which tags are rendered. The default is [DefaultFormats].
func WithFormats(f Format) Option { return func(c *config) { c.formats = f } }

// WithXHTML makes the tags self-closing ("/>"), for XHTML documents. The
// default is HTML's plain ">".
func WithXHTML(on bool) Option { return func(c *config) { c.xhtml = on } }

// WithClock sets the clock the render time of the [Datadog] tags
// (dd-trace-time) is read from, for tests. The default, and a nil now, is
// time.Now.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// Renderer renders the tags with a fixed configuration. Build it once with
// [New]; its methods do not allocate beyond growing dst. The zero value
// renders nothing.
type Renderer struct {
	cfg config
}

// New returns a Renderer configured by opts; nil options are ignored.
func New(opts ...Option) Renderer {
	if len(opts) == 0 {
		// Options take a pointer to the config, which moves it to the heap:
		// the common call with none stays allocation-free.
		return Renderer{cfg: config{formats: DefaultFormats}}
	}
	c := config{formats: DefaultFormats}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	return Renderer{cfg: c}
}

// AppendMetaTags appends the meta tags for sc to dst, rendered by a Renderer
// configured by opts. Hot paths should build the Renderer once with [New].
func AppendMetaTags(dst []byte, sc tracecontext.SpanContext, opts ...Option) []byte {
	return New(opts...).AppendMetaTags(dst, sc)
}

// AppendMetaTags appends the meta tags for sc to dst, in this order:
//
//	<meta name="sentry-trace" content="{trace_id}-{span_id}-{sampled}">
//	<meta name="baggage" content="sentry-trace_id=...,sentry-public_key=...">
//	<meta name="traceparent" content="00-{trace_id}-{span_id}-{flags}">
//	<meta name="dd-trace-id" content="{trace_id}"><meta name="dd-trace-time" content="{unix_ms}">
//
// each when r's formats ask for it, closed with "/>" under [WithXHTML]. A
// deferred sampling decision renders sentry-trace without the flag, so the
// browser decides. The baggage tag carries the DSC alone
// ([tracecontext.DSC.AppendBaggage]: whole sentry- members, at most 8192
// bytes), never the members of other vendors in sc.Baggage, and is left out
// when the DSC is empty. Every value is HTML-attribute-escaped.
//
// The [Datadog] pair carries the trace id as Datadog's tracers and browser
// SDK correlate it: the decimal of its lower 64 bits (see
// [Renderer.AppendDatadogComment]; no pair when they are zero), and the
// render time in Unix milliseconds, read from the clock of [WithClock] at
// every call. The browser SDK ignores
// a pair more than two minutes older than the page's navigation, which is
// also why a page that a shared cache may store must never carry it.
//
// It appends nothing when sc is invalid. It does not allocate when dst has
// room for the tags and, when the baggage needs escaping (a ' in a value),
// for the unescaped baggage once more: the value is escaped in place, from a
// copy at the end of dst.
func (r Renderer) AppendMetaTags(dst []byte, sc tracecontext.SpanContext) []byte {
	if !sc.IsValid() {
		return dst
	}
	end := metaEnd
	if r.cfg.xhtml {
		end = metaEndXHTML
	}
	if r.cfg.formats&SentryTrace != 0 {
		// The trace and span ids are hex digits and dashes: nothing to escape.
		dst = append(dst, `<meta name="sentry-trace" content="`...)
		dst = sc.AppendSentryTrace(dst)
		dst = append(dst, end...)
	}
	if r.cfg.formats&Baggage != 0 {
		dst = appendBaggageTag(dst, &sc.DSC, end)
	}
	if r.cfg.formats&Traceparent != 0 {
		dst = append(dst, `<meta name="traceparent" content="`...)
		dst = sc.AppendTraceparent(dst)
		dst = append(dst, end...)
	}
	if r.cfg.formats&Datadog != 0 {
		if id, ok := datadogTraceID(sc.TraceID); ok {
			// Decimal digits: nothing to escape.
			dst = append(dst, `<meta name="dd-trace-id" content="`...)
			dst = strconv.AppendUint(dst, id, 10)
			dst = append(dst, end...)
			dst = append(dst, `<meta name="dd-trace-time" content="`...)
			dst = strconv.AppendInt(dst, r.unixMilli(), 10)
			dst = append(dst, end...)
		}
	}
	return dst
}

const (
	metaEnd      = `">`
	metaEndXHTML = `"/>`
)

// appendBaggageTag appends the baggage tag for d, or nothing when d renders
// as empty baggage. d is a pointer so that the DSC is copied once, by the
// call of AppendBaggage, not twice.
func appendBaggageTag(dst []byte, d *tracecontext.DSC, end string) []byte {
	tag := len(dst)
	dst = append(dst, `<meta name="baggage" content="`...)
	start := len(dst)
	dst = d.AppendBaggage(dst)
	if len(dst) == start {
		return dst[:tag]
	}
	// DSC.AppendBaggage writes only A-Z a-z 0-9 - _ . ! ~ * ' ( ) % = and
	// ",", whatever the DSC holds (its values are percent-encoded): of these
	// only ' is escaped, so a baggage without one is already its escape, and
	// one assembly search for ' replaces the scan of every byte. With a ' the
	// full escape runs, which is right for any bytes.
	if bytes.IndexByte(dst[start:], '\'') >= 0 {
		dst = escapeTail(dst, start, attrEscapedLen(dst[start:]))
	}
	return append(dst, end...)
}
