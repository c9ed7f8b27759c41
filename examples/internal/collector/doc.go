// Package collector is a small in-memory trace collector for tracemeta's
// examples and end-to-end tests. It accepts what Sentry SDKs send to a DSN
// whose host is the collector, so an example shows a whole trace, browser
// pageload included, with no Sentry account:
//
//   - envelopes (POST /api/{project}/envelope/), plain or gzip-encoded, with
//     items of type "transaction" (an event with contexts.trace and a spans
//     list) and type "span" (a single span, or the span v2 container
//     {"items": [...]} that @sentry/browser streams by default since v10);
//   - events on the legacy store endpoint (POST /api/{project}/store/);
//   - OTLP/HTTP exports of traces in protobuf, at the path of Sentry's OTLP
//     endpoint (POST /api/{project}/integration/otlp/v1/traces), so that an
//     OpenTelemetry exporter such as Caddy's tracing reports to it as it
//     would to Sentry.
//
// The envelope header's "trace" field, the Dynamic Sampling Context, is kept
// on every span that came with it, so a test can check the DSC the browser
// continued with.
//
// The collector shows each trace as a waterfall on an HTML page (GET /, or
// GET /?trace={id} for one trace: one bar per span on a time axis that ends
// with the pageload and the servers' spans, so that a web vital measured long
// after the pageload is drawn clipped rather than shrinking the server spans;
// each service in a colour of its own that it keeps from trace to trace; and
// the browser span that continued a server span from the page's tags
// marked), as a tree in JSON (GET /traces and
// GET /traces/{id}) and, for terminal output, [WriteText].
// It answers CORS preflights, because the browser SDK posts from the page's
// origin to the collector's.
//
// Span formats:
//   - envelopes: https://develop.sentry.dev/sdk/foundations/transport/envelopes/
//   - transactions: https://develop.sentry.dev/sdk/data-model/event-payloads/transaction/
//   - span v2: https://develop.sentry.dev/sdk/telemetry/spans/span-protocol/
//   - OTLP: https://opentelemetry.io/docs/specs/otlp/#otlphttp
package collector
