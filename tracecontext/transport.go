package tracecontext

import (
	"context"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
)

// Transport returns an [http.RoundTripper] that propagates the span in each
// request's context (stored by [NewContext], as [Middleware] does) to the
// requests it sends to the propagation targets; see [Propagator.Transport].
// A nil base means [http.DefaultTransport].
func Transport(base http.RoundTripper, opts ...Option) http.RoundTripper {
	return newPropagator(opts).Transport(base)
}

// Transport returns an [http.RoundTripper] that sends each request through
// base (nil means [http.DefaultTransport]), with the trace headers of the
// span in the request's context when its URL matches the propagation targets
// ([WithPropagationTargets], [WithPropagationPatterns]; by default
// localhost and loopback addresses):
//
//   - sentry-trace, replacing any the request had;
//   - baggage: the request's own baggage members, less their sentry- entries,
//     followed by the span's DSC (see [Propagator.Inject]);
//   - traceparent (and tracestate, when one arrived) with [WithTraceparent].
//
// The other vendors' members that arrived with the incoming request
// (SpanContext.Baggage) are never forwarded. The caller's request is never
// modified: a request that gets headers is a shallow copy with its own
// Header, as the [http.RoundTripper] contract requires. A request without a
// valid span in its context, or not to a target, goes through unchanged.
func (p *Propagator) Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &transport{p: p, base: base}
}

type transport struct {
	p    *Propagator
	base http.RoundTripper
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	sc, ok := FromContext(req.Context())
	if !ok || !sc.IsValid() || req.URL == nil || !t.p.isTarget(req.URL) {
		return t.base.RoundTrip(req)
	}
	out := new(http.Request)
	*out = *req
	out.Header = req.Header.Clone()
	if out.Header == nil {
		out.Header = make(http.Header, 3)
	}
	t.p.inject(out.Header, sc)
	return t.base.RoundTrip(out)
}

// Inject writes the trace headers of the span in ctx into h, as
// [Propagator.Transport] does for HTTP requests, for other carriers: the
// handshake headers of a WebSocket, a message's headers. It writes nothing
// when ctx has no valid span. Existing baggage members of h are kept, less
// their sentry- entries, and the span's DSC is appended, as whole members
// within [MaxBaggageBytes] in total; a DSC member that does not fit is left
// out.
func (p *Propagator) Inject(ctx context.Context, h http.Header) {
	sc, ok := FromContext(ctx)
	if !ok || !sc.IsValid() || h == nil {
		return
	}
	p.inject(h, sc)
}

func (p *Propagator) inject(h http.Header, sc SpanContext) {
	// All values are laid out in one buffer and converted to one string, and
	// the header slices share one backing array: three allocations in all.
	var scratch [1024]byte
	buf := sc.AppendSentryTrace(scratch[:0])
	traceEnd := len(buf)
	buf = mergeBaggage(buf, h[headerBaggage], sc.DSC)
	baggageEnd := len(buf)
	if p.cfg.emitTraceparent {
		buf = sc.AppendTraceparent(buf)
	}
	all := string(buf)
	vals := make([]string, 0, 4)
	vals = append(vals, all[:traceEnd])
	h[headerSentryTrace] = vals[0:1:1]
	if baggageEnd > traceEnd {
		vals = append(vals, all[traceEnd:baggageEnd])
		h[headerBaggage] = vals[len(vals)-1 : len(vals) : len(vals)]
	} else {
		delete(h, headerBaggage)
	}
	if p.cfg.emitTraceparent {
		vals = append(vals, all[baggageEnd:])
		h[headerTraceparent] = vals[len(vals)-1 : len(vals) : len(vals)]
		if sc.TraceState != "" {
			vals = append(vals, sc.TraceState)
			h[headerTracestate] = vals[len(vals)-1 : len(vals) : len(vals)]
		}
	}
}

// mergeBaggage appends to dst the members of the baggage header values
// existing, as they were written but without those whose key starts with
// "sentry-", then the members of dsc, as long as the appended bytes stay
// within MaxBaggageBytes. Whole members only, as [ParseBaggage] keeps them:
// an application that copies an incoming header into its outgoing requests
// never sends more than the limit, whatever it received.
func mergeBaggage(dst []byte, existing []string, dsc DSC) []byte {
	start, read := len(dst), 0
	for _, v := range existing {
		v = v[:min(len(v), maxBaggageInput-read)] // a member cut here is too large anyway
		read += len(v)
		for v != "" {
			var m string
			m, v, _ = strings.Cut(v, ",")
			if m = trimOWS(m); m == "" || strings.HasPrefix(m, sentryPrefix) {
				continue
			}
			n := len(m)
			if len(dst) > start {
				n++
			}
			if len(dst)-start+n > MaxBaggageBytes {
				continue
			}
			if len(dst) > start {
				dst = append(dst, ',')
			}
			dst = append(dst, m...)
		}
	}
	if dsc.IsZero() {
		return dst
	}
	if len(dst) == start {
		return dsc.AppendBaggage(dst)
	}
	// The DSC goes after the application's members, within what is left.
	end := len(dst)
	dst = append(dst, ',')
	dst = dsc.appendBaggageWithin(dst, MaxBaggageBytes-(end-start)-1)
	if len(dst) == end+1 {
		dst = dst[:end] // nothing fitted: no dangling comma
	}
	return dst
}

// HeaderValues returns the values that carry the span in ctx, for channels
// other than HTTP requests: the sentry-trace value, the baggage value (the
// DSC only), and the traceparent value. All three are "" when ctx has no
// valid span. The baggage value may also be "" when the DSC is empty.
func HeaderValues(ctx context.Context) (sentryTrace, baggage, traceparent string) {
	sc, ok := FromContext(ctx)
	if !ok || !sc.IsValid() {
		return "", "", ""
	}
	return sc.SentryTrace(), sc.DSC.Baggage(), sc.Traceparent()
}

// isTarget reports whether a request to u gets the trace headers.
func (p *Propagator) isTarget(u *url.URL) bool {
	if !p.cfg.targetsSet {
		return isLoopbackHost(u.Hostname())
	}
	if len(p.cfg.targets) == 0 && len(p.cfg.patterns) == 0 {
		return false
	}
	full := u.String()
	for _, t := range p.cfg.targets {
		if strings.Contains(full, t) {
			return true
		}
	}
	for _, re := range p.cfg.patterns {
		if re.MatchString(full) {
			return true
		}
	}
	return false
}

// isLoopbackHost reports whether host (without port or brackets) is
// localhost, a name under .localhost (RFC 6761 reserves them for loopback),
// or a loopback address: 127.0.0.0/8, ::1, or ::ffff:127.0.0.0/104.
func isLoopbackHost(host string) bool {
	host = strings.TrimSuffix(host, ".")
	if strings.EqualFold(host, "localhost") ||
		(len(host) > len(".localhost") && strings.EqualFold(host[len(host)-len(".localhost"):], ".localhost")) {
		return true
	}
	addr, err := netip.ParseAddr(host)
	return err == nil && addr.Unmap().IsLoopback()
}
