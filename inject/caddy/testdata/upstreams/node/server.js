'use strict';
// A shop page server-rendered by React's renderToPipeableStream, traced by
// @sentry/node, an upstream of the Caddy module's tests. Sentry is initialised
// before node:http is loaded, so it continues the request's sentry-trace and
// baggage.
//
//   SENTRY_DSN=http://<key>@127.0.0.1:<port>/1 node server.js
//   # prints "listening on http://127.0.0.1:PORT"
//
// GET /page takes:
//   own=1             the shell's head carries the app's own sentry-trace and
//                     baggage tags (Sentry.getTraceData, as getTraceMetaTags)
//   framing=length    the whole document at onAllReady, with a Content-Length
//   framing=stream    piped at onShellReady: the shell, then 50 ms later the
//                     content of a Suspense boundary
//   banner=1          a client-side template holding a <header> in the head
// The page is gzip-compressed when the request accepts gzip. Every response
// says what the app got and rendered, for the tests: X-Test-Received-Trace
// (the request's sentry-trace), X-Test-Own-Trace (the sentry-trace of its
// tags).
const Sentry = require('@sentry/node');

Sentry.init({
  dsn: process.env.SENTRY_DSN,
  tracesSampleRate: 1.0,
  release: 'shop@1.4.0',
});

const http = require('node:http');
const zlib = require('node:zlib');
const { Writable } = require('node:stream');
const React = require('react');
const { renderToPipeableStream } = require('react-dom/server');

const h = React.createElement;

// Items resolves 50 ms after the shell is sent, as data loaded on the server
// would.
function Items() {
  const items = React.use(
    new Promise((resolve) => setTimeout(() => resolve(Array.from({ length: 40 }, (_, i) => `Item ${i + 1}, rendered by React.`)), 50)),
  );
  return h('ul', null, items.map((text) => h('li', { key: text }, text)));
}

function Page({ trace, banner }) {
  return h(
    'html',
    { lang: 'en' },
    h(
      'head',
      null,
      h('meta', { charSet: 'utf-8' }),
      h('title', null, 'Shop'),
      banner
        ? h('script', {
            type: 'text/template',
            id: 'banner',
            dangerouslySetInnerHTML: { __html: '<header class="banner">Sale today</header>' },
          })
        : null,
      trace ? h('meta', { name: 'sentry-trace', content: trace['sentry-trace'] }) : null,
      trace && trace.baggage ? h('meta', { name: 'baggage', content: trace.baggage }) : null,
    ),
    h(
      'body',
      null,
      h('header', null, h('h1', null, 'Shop')),
      h(React.Suspense, { fallback: h('p', null, 'Loading…') }, h(Items)),
    ),
  );
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  if (url.pathname !== '/page') {
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('not found\n');
    return;
  }
  const q = url.searchParams;
  const trace = q.get('own') === '1' ? Sentry.getTraceData() : null;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Vary', 'Accept-Encoding');
  res.setHeader('X-Test-Received-Trace', req.headers['sentry-trace'] || '');
  res.setHeader('X-Test-Accept-Encoding', req.headers['accept-encoding'] || '');
  if (trace) res.setHeader('X-Test-Own-Trace', trace['sentry-trace']);
  const gzip = /\bgzip\b/.test(req.headers['accept-encoding'] || '');
  if (gzip) res.setHeader('Content-Encoding', 'gzip');
  const page = h(Page, { trace, banner: q.get('banner') === '1' });

  if (q.get('framing') === 'length') {
    const chunks = [];
    const sink = new Writable({
      write(chunk, _, done) {
        chunks.push(chunk);
        done();
      },
      final(done) {
        let body = Buffer.concat(chunks);
        if (gzip) body = zlib.gzipSync(body);
        res.setHeader('Content-Length', body.length);
        res.end(body);
        done();
      },
    });
    const stream = renderToPipeableStream(page, {
      onAllReady() {
        stream.pipe(sink);
      },
      onError(err) {
        console.error(err);
      },
    });
    return;
  }
  // React calls flush() on a destination that has it after each batch, so a
  // gzip stream sends what React wrote at once.
  let dest = res;
  if (gzip) {
    dest = zlib.createGzip();
    dest.pipe(res);
  }
  const stream = renderToPipeableStream(page, {
    onShellReady() {
      stream.pipe(dest);
    },
    onError(err) {
      console.error(err);
    },
  });
});

server.listen(0, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});

process.on('SIGTERM', () => {
  server.close();
  Sentry.close(2000).finally(() => process.exit(0));
});
