package render

import "github.com/tracemeta/tracemeta/tracecontext"

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

	// DefaultFormats is what the Sentry browser SDK reads.
	DefaultFormats = SentryTrace | Baggage
)

// Option configures a [Renderer].
type Option func(*config)

type config struct {
	formats Format
	xhtml   bool
}

// WithFormats sets which tags are rendered. The default is [DefaultFormats].
func WithFormats(f Format) Option { return func(c *config) { c.formats = f } }

// WithXHTML makes the tags self-closing ("/>"), for XHTML documents. The
// default is HTML's plain ">".
func WithXHTML(on bool) Option { return func(c *config) { c.xhtml = on } }

// Renderer renders the tags with a fixed configuration. Build it once with
// [New]; its methods do not allocate beyond growing dst. The zero value
// renders nothing.
type Renderer struct {
	cfg config
}

// New returns a Renderer configured by opts.
func New(opts ...Option) Renderer {
	c := config{formats: DefaultFormats}
	for _, o := range opts {
		o(&c)
	}
	return Renderer{cfg: c}
}

// AppendMetaTags appends the meta tags for sc to dst, rendered by a Renderer
// configured by opts. Hot paths should build the Renderer once with [New].
func AppendMetaTags(dst []byte, sc tracecontext.SpanContext, opts ...Option) []byte {
	return New(opts...).AppendMetaTags(dst, sc)
}

// AppendMetaTags appends the meta tags for sc to dst. It appends nothing
// when sc is invalid.
func (r Renderer) AppendMetaTags(dst []byte, sc tracecontext.SpanContext) []byte {
	panic("unimplemented")
}
