// OpenTelemetry's browser tracing with the document-load instrumentation,
// exposed as the global `TracemetaOtel`. The instrumentation continues the
// trace named by <meta name="traceparent">; finished spans go to the exporter
// given to start(), or are kept in TracemetaOtel.spans.
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { DocumentLoadInstrumentation } from '@opentelemetry/instrumentation-document-load';
import { SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { WebTracerProvider } from '@opentelemetry/sdk-trace-web';

export const spans = [];

// toJSON keeps what a test or a collector needs to rebuild the tree.
function toJSON(span) {
  const ctx = span.spanContext();
  const parent = span.parentSpanContext || undefined;
  return {
    name: span.name,
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    parentSpanId: parent ? parent.spanId : span.parentSpanId || '',
    startTime: span.startTime,
    endTime: span.endTime,
    attributes: span.attributes,
  };
}

// start installs the provider and the document-load instrumentation.
// onSpan, if given, receives each finished span as plain JSON.
export function start(onSpan) {
  const exporter = {
    export(batch, done) {
      for (const s of batch) {
        const json = toJSON(s);
        spans.push(json);
        if (onSpan) onSpan(json);
      }
      done({ code: 0 });
    },
    shutdown() {
      return Promise.resolve();
    },
  };
  const provider = new WebTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [new DocumentLoadInstrumentation()],
  });
  return provider;
}
