<?php
// A shop page served by PHP's built-in server (php -S), an upstream of the
// Caddy module's tests. It renders its own trace meta tags, as a PHP app with
// the Sentry SDK does, when asked to.
//
//   php -S 127.0.0.1:8000 router.php
//
// GET /page takes:
//   own=1          render the app's own sentry-trace and baggage tags, for a
//                  span continuing the request's sentry-trace and baggage
//   framing=length the page in one write with a Content-Length
//   framing=stream the page in one write without a Content-Length
//   framing=flushed  flush() in the middle of the head, then the rest later
//   banner=1       a client-side template holding a <header> in the head
// The page is gzip-compressed by ob_gzhandler when the request accepts gzip.
// GET /fetch is a page whose script loads the Sentry browser SDK from
// /sentry.js and fetches /api/items, for the browser test.
// Every response says what the app got and rendered, for the tests:
// X-Test-Received-Trace (the request's sentry-trace), X-Test-Own-Trace (the
// sentry-trace of the tags it rendered).

$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
$received = $_SERVER['HTTP_SENTRY_TRACE'] ?? '';
header('X-Test-Received-Trace: ' . $received);
header('X-Test-Accept-Encoding: ' . ($_SERVER['HTTP_ACCEPT_ENCODING'] ?? ''));

// continueTrace returns the sentry-trace and baggage of a server span that
// continues the request's trace, or starts one, as the Sentry SDK does.
function continueTrace(string $sentryTrace, string $baggage): array
{
    $span = bin2hex(random_bytes(8));
    if (preg_match('/^([0-9a-f]{32})-([0-9a-f]{16})(?:-([01]))?$/', trim($sentryTrace), $m)) {
        $sampled = $m[3] ?? '';
        $dsc = [];
        foreach (explode(',', $baggage) as $member) {
            $member = trim($member);
            if (str_starts_with($member, 'sentry-')) {
                $dsc[] = $member;
            }
        }
        return [$m[1] . '-' . $span . ($sampled === '' ? '' : '-' . $sampled), implode(',', $dsc)];
    }
    $trace = bin2hex(random_bytes(16));
    return [
        $trace . '-' . $span . '-1',
        'sentry-trace_id=' . $trace . ',sentry-public_key=49d0f7386ad645858ae85020e393bef3,sentry-sample_rate=1,sentry-sampled=true',
    ];
}

if ($path === '/fetch') {
    $dsn = json_encode(getenv('SENTRY_BROWSER_DSN') ?: '', JSON_HEX_TAG);
    header('Content-Type: text/html; charset=utf-8');
    echo <<<HTML
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Items</title>
<script src="/sentry.js"></script>
<script>
Sentry.init({dsn: $dsn, integrations: [Sentry.browserTracingIntegration()], tracesSampleRate: 1.0});
</script>
</head>
<body>
<h1>Items</h1>
<script>
fetch('/api/items').then(r => r.text()).then(text => {
  const out = document.createElement('pre');
  out.id = 'api';
  out.textContent = text;
  document.body.append(out);
}, err => {
  const out = document.createElement('pre');
  out.id = 'api';
  out.textContent = 'error: ' + err;
  document.body.append(out);
});
</script>
</body>
</html>

HTML;
    return true;
}

if ($path !== '/page') {
    http_response_code(404);
    header('Content-Type: text/plain');
    echo "not found\n";
    return true;
}

$framing = $_GET['framing'] ?? 'stream';
$own = '';
if (($_GET['own'] ?? '') === '1') {
    [$trace, $bag] = continueTrace($received, $_SERVER['HTTP_BAGGAGE'] ?? '');
    header('X-Test-Own-Trace: ' . $trace);
    $own = '<meta name="sentry-trace" content="' . htmlspecialchars($trace) . '">' . "\n"
        . '<meta name="baggage" content="' . htmlspecialchars($bag) . '">' . "\n";
}
$banner = ($_GET['banner'] ?? '') === '1'
    ? '<script type="text/template" id="banner"><header class="banner">Sale today</header></script>' . "\n"
    : '';
$first = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Shop</title>\n" . $banner;
$rest = $own . "<link rel=\"stylesheet\" href=\"/shop.css\">\n</head>\n<body>\n<header><h1>Shop</h1></header>\n"
    . str_repeat("<p>Lorem ipsum dolor sit amet, rendered by PHP.</p>\n", 40)
    . "</body>\n</html>\n";

header('Content-Type: text/html; charset=utf-8');
header('Vary: Accept-Encoding');
switch ($framing) {
    case 'length':
        $body = $first . $rest;
        if (str_contains($_SERVER['HTTP_ACCEPT_ENCODING'] ?? '', 'gzip')) {
            $body = gzencode($body);
            header('Content-Encoding: gzip');
        }
        header('Content-Length: ' . strlen($body));
        echo $body;
        break;
    case 'flushed':
        ob_start('ob_gzhandler');
        echo $first;
        ob_flush();
        flush();
        usleep(50000);
        echo $rest;
        ob_end_flush();
        break;
    default:
        ob_start('ob_gzhandler');
        echo $first . $rest;
        ob_end_flush();
}
return true;
