package render

import "github.com/tracemeta/tracemeta/tracecontext"

// AppendServerTiming appends the Server-Timing header value for sc to dst,
// rendered by a Renderer configured by opts. See [Renderer.AppendServerTiming].
func AppendServerTiming(dst []byte, sc tracecontext.SpanContext, opts ...Option) []byte {
	return New(opts...).AppendServerTiming(dst, sc)
}

// AppendServerTiming appends a Server-Timing header value carrying sc to dst:
//
//	sentry-trace;desc="{sentry-trace}", baggage;desc="{baggage}"
//
// followed by `traceparent;desc="{traceparent}"` when r's formats ask for it.
// It is the second channel the Sentry browser SDK reads at pageload when the
// page has no meta tags: browserTracingIntegration looks up the entry whose
// name is "sentry-trace" (and "baggage") in
// performance.getEntriesByType("navigation")[0].serverTiming and takes its
// description. traceparent;desc="..." is the form some OpenTelemetry
// distributions read. [Datadog] adds nothing here: Datadog's browser SDK
// reads the initial document's trace from the page alone. Add it to the
// response with
//
//	w.Header().Add("Server-Timing", string(r.AppendServerTiming(nil, sc)))
//
// before the headers are written, and only on responses that no shared cache
// stores, for the same reason as the meta tags.
//
// Each description is an RFC 9110 quoted-string (section 5.6.4) that needs
// no escaping: sentry-trace and traceparent are hex digits and dashes, and
// the DSC's baggage is percent-encoded, so it holds only visible ASCII
// without " or \, whatever the DSC's values are. The entries follow the rules of
// [Renderer.AppendMetaTags]: nothing for an invalid sc, no baggage entry for
// an empty DSC, and the DSC alone, never other vendors' baggage. It does not
// allocate when dst has room.
func (r Renderer) AppendServerTiming(dst []byte, sc tracecontext.SpanContext) []byte {
	if !sc.IsValid() {
		return dst
	}
	first := len(dst)
	if r.cfg.formats&SentryTrace != 0 {
		// Hex digits and dashes: a valid quoted-string as it is.
		dst = append(dst, `sentry-trace;desc="`...)
		dst = sc.AppendSentryTrace(dst)
		dst = append(dst, '"')
	}
	if r.cfg.formats&Baggage != 0 {
		dst = appendBaggageTiming(dst, first, sc.DSC)
	}
	if r.cfg.formats&Traceparent != 0 {
		if len(dst) > first {
			dst = append(dst, ", "...)
		}
		dst = append(dst, `traceparent;desc="`...)
		dst = sc.AppendTraceparent(dst)
		dst = append(dst, '"')
	}
	return dst
}

// appendBaggageTiming appends the baggage entry for d, preceded by a
// separator when dst has entries past first, or nothing when d renders as
// empty baggage or as bytes a quoted-string cannot carry.
func appendBaggageTiming(dst []byte, first int, d tracecontext.DSC) []byte {
	entry := len(dst)
	if entry > first {
		dst = append(dst, ", "...)
	}
	dst = append(dst, `baggage;desc="`...)
	start := len(dst)
	dst = d.AppendBaggage(dst)
	if len(dst) == start {
		return dst[:entry]
	}
	// DSC.AppendBaggage writes only A-Z a-z 0-9 - _ . ! ~ * ' ( ) % = and
	// ",", whatever the DSC holds (its values are percent-encoded): visible
	// ASCII without " or \, a quoted-string's content as it is. Scanning it
	// for bytes to refuse or escape would find none.
	return append(dst, '"')
}
