'use strict';
// A small server-rendered shop page traced with @sentry/node, for Caddy with
// tracemeta to proxy. Sentry is initialised before node:http is loaded, so its
// HTTP instrumentation continues the sentry-trace and baggage that Caddy sends.
//
//   SENTRY_DSN=http://<key>@127.0.0.1:8081/1 PORT=3000 node server.js
//
// Routes:
//   /         the page, with a Server-Timing header naming this app's server
//             span, so the page's tags (rendered by Caddy) name it too
//   /plain    the page without Server-Timing: the tags name Caddy's span
//   /tags     the page with the app's own <meta> tags (Sentry.getTraceMetaTags)
//   /sentry.js  the @sentry/browser SDK, bundled at start
// Pages are gzip-compressed when the request accepts gzip, as most apps do.
const Sentry = require('@sentry/node');

Sentry.init({
  dsn: process.env.SENTRY_DSN,
  tracesSampleRate: 1.0,
  release: process.env.SENTRY_RELEASE || 'shop@1.4.0',
  environment: process.env.SENTRY_ENVIRONMENT || 'production',
});

const http = require('node:http');
const zlib = require('node:zlib');
const esbuild = require('esbuild');

const browserDSN = process.env.SENTRY_BROWSER_DSN || process.env.SENTRY_DSN || '';
const port = Number(process.env.PORT || 3000);

// The unmodified @sentry/browser SDK as the global Sentry.
const sdk = esbuild.buildSync({
  stdin: { contents: "export * from '@sentry/browser';", resolveDir: __dirname },
  bundle: true,
  format: 'iife',
  globalName: 'Sentry',
  platform: 'browser',
  target: ['es2020'],
  minify: true,
  write: false,
  logLevel: 'warning',
}).outputFiles[0].contents;

function escapeHTML(s) {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(ownTags) {
  const trace = Sentry.getTraceData()['sentry-trace'] || '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Shop</title>
${ownTags}<script src="/sentry.js"></script>
<script>
Sentry.init({
  dsn: ${JSON.stringify(browserDSN).replace(/</g, '\\u003c')},
  integrations: [Sentry.browserTracingIntegration()],
  tracesSampleRate: 1.0,
});
</script>
</head>
<body>
<h1>Shop</h1>
<p>Rendered by Node in server span <code>${escapeHTML(trace)}</code>.</p>
</body>
</html>
`;
}

function send(req, res, status, type, body) {
  let buf = Buffer.from(body);
  res.setHeader('Content-Type', type);
  res.setHeader('Vary', 'Accept-Encoding');
  if (/\bgzip\b/.test(req.headers['accept-encoding'] || '')) {
    buf = zlib.gzipSync(buf);
    res.setHeader('Content-Encoding', 'gzip');
  }
  res.setHeader('Content-Length', buf.length);
  res.writeHead(status);
  res.end(buf);
}

const server = http.createServer((req, res) => {
  const path = new URL(req.url, 'http://localhost').pathname;
  switch (path) {
    case '/':
    case '/timing': {
      const data = Sentry.getTraceData();
      const entries = [`sentry-trace;desc="${data['sentry-trace']}"`];
      if (data.baggage) entries.push(`baggage;desc="${data.baggage}"`);
      res.setHeader('Server-Timing', entries.join(', '));
      send(req, res, 200, 'text/html; charset=utf-8', page(''));
      return;
    }
    case '/plain':
      send(req, res, 200, 'text/html; charset=utf-8', page(''));
      return;
    case '/tags':
      send(req, res, 200, 'text/html; charset=utf-8', page(Sentry.getTraceMetaTags() + '\n'));
      return;
    case '/sentry.js':
      send(req, res, 200, 'text/javascript; charset=utf-8', sdk);
      return;
    default:
      send(req, res, 404, 'text/plain; charset=utf-8', 'not found\n');
  }
});

server.listen(port, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});

// The test harness stops the app with SIGTERM: send what Sentry holds first.
process.on('SIGTERM', () => {
  server.close();
  Sentry.close(2000).finally(() => process.exit(0));
});
