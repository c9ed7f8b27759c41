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
// Specifications:
//   - sentry-trace and the DSC: https://develop.sentry.dev/sdk/telemetry/traces/
//   - traceparent/tracestate: https://www.w3.org/TR/trace-context/
//   - baggage: https://www.w3.org/TR/baggage/
package tracecontext
