// Package tracecontext is the trace model of tracemeta: trace and span
// identifiers, the sampling decision, the Dynamic Sampling Context (DSC), the
// wire formats that carry them (sentry-trace, W3C traceparent/tracestate and
// W3C baggage), continuing a trace from an incoming request, propagating it on
// outgoing requests, and storing it in a [context.Context].
//
// Everything else in tracemeta reads the active span through a [Source]; the
// default one reads what [NewContext] stored, which is what [Middleware] does
// for every request it serves.
//
// # Services without a tracing SDK
//
// A Go service in the middle of a chain (a BFF, a proxy) continues the
// incoming trace with [Propagator.Middleware], propagates it with
// [Propagator.Transport], and lets browsers on other origins send the headers
// with [Propagator.CORS], all from one [Propagator] built once:
//
//	p, err := tracecontext.NewPropagator(
//		tracecontext.WithSampleRate(0.25),
//		tracecontext.WithPublicKey("49d0f7386ad645858ae85020e393bef3"),
//		tracecontext.WithRelease("bff@1.4.0"),
//		tracecontext.WithOrgID("4505"),
//		tracecontext.WithPropagationTargets("https://api.internal/"),
//	)
//	if err != nil {
//		log.Fatal(err)
//	}
//	client := &http.Client{Transport: p.Transport(nil)}
//	http.ListenAndServe(":8080", p.CORS(p.Middleware(app)))
//
// The functions [Middleware], [Transport], [CORS] and [Continue] build a
// Propagator from their options each, for a one-off use.
//
// # Decisions this package makes
//
//   - sentry-trace is parsed by the grammar every Sentry SDK accepts (see
//     [ParseSentryTrace]); traceparent by the W3C rules (see
//     [ParseTraceparent]). Upper-case hex is refused by both.
//   - sentry-trace wins over traceparent; traceparent is a fallback, on by
//     default ([WithAcceptTraceparent]), and emitted only with
//     [WithTraceparent].
//   - A bad incoming header never fails a request: the trace starts anew and
//     the rate-limited hook of [WithErrorHandler] is told why.
//   - Baggage members that are invalid or beyond the limits are dropped whole
//     ([ParseBaggage]); other vendors' members are kept for the application
//     but never forwarded by [Transport] nor rendered into a page.
//   - Without a sample rate, traces stay deferred ("tracing without
//     performance"): the browser or the next service decides, from the same
//     sample_rand.
//   - An incoming DSC is frozen; the only thing ever added to it is a
//     sample_rand it lacked.
//
// Specifications:
//   - sentry-trace and the DSC: https://develop.sentry.dev/sdk/telemetry/traces/
//   - traceparent/tracestate: https://www.w3.org/TR/trace-context/
//   - baggage: https://www.w3.org/TR/baggage/
package tracecontext
