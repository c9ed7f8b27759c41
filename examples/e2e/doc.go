// Package e2e holds tracemeta's end-to-end tests in a real browser: headless
// Chromium loads pages served through tracemeta's middleware and templates
// with the unmodified Sentry browser SDK or OpenTelemetry's document-load
// instrumentation, and the tests check that the browser's pageload continues
// the server's trace. The package itself is only the pages they serve.
//
// Run from the examples directory:
//
//	go test ./e2e -v
//
// The tests need Chromium (/usr/bin/chromium, or $CHROMIUM) and Node.js with
// npm (to bundle the SDKs); without them they skip, unless
// TRACEMETA_REQUIRE_BROWSER=1, which makes them fail.
package e2e
