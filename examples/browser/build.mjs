// Builds the browser bundles into the directory given as the only argument:
//   sentry.js  the @sentry/browser SDK as the global `Sentry`
//   otel.js    OpenTelemetry document-load tracing as the global `TracemetaOtel`
//   datadog.js @datadog/browser-rum as the global `DD_RUM`
// Usage: node build.mjs <outdir>
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const outdir = process.argv[2];
if (!outdir) {
  console.error('usage: node build.mjs <outdir>');
  process.exit(2);
}

const bundles = [
  { entry: 'src/sentry.js', out: 'sentry.js', globalName: 'Sentry' },
  { entry: 'src/otel.js', out: 'otel.js', globalName: 'TracemetaOtel' },
  // It sets window.DD_RUM itself, as the CDN bundle does.
  { entry: 'src/datadog.js', out: 'datadog.js' },
];

await Promise.all(
  bundles.map((b) =>
    build({
      entryPoints: [path.join(here, b.entry)],
      outfile: path.join(outdir, b.out),
      bundle: true,
      format: 'iife',
      globalName: b.globalName,
      platform: 'browser',
      target: ['es2020'],
      minify: true,
      sourcemap: false,
      logLevel: 'warning',
    }),
  ),
);
