// The unmodified @sentry/browser SDK, exposed as the global `Sentry` the way
// Sentry's own CDN bundles do.
export * from '@sentry/browser';
