package inject

import (
	"log/slog"
	"net/http"
)

// middlewareConfig holds the settings of the Middleware.
type middlewareConfig struct {
	writer       writerConfig                         // the settings of the Writers, and the Source and render options
	cachePolicy  func(http.Header) bool               // reports a shared-cacheable response; nil means SharedCacheable
	skip         func(*http.Request) bool             // the user's skip predicate; nil means none
	skipHook     func(r *http.Request, reason Reason) // told why a response was not rewritten; nil means none
	logger       *slog.Logger                         // debug records of skipped responses; nil means none
	serverTiming bool                                 // set the Server-Timing header when the headers go out
}

// newMiddlewareConfig returns the defaults with opts applied; nil options
// are skipped.
func newMiddlewareConfig(opts []Option) middlewareConfig {
	c := middlewareConfig{writer: defaultWriterConfig()}
	for _, o := range opts {
		if o != nil {
			o.applyMiddleware(&c)
		}
	}
	return c
}

// WithCachePolicy sets the function that reports whether a shared cache (a
// CDN or a reverse proxy) may store a response with header h. The
// [Middleware] passes such responses through untouched, because one stored
// trace id would join every later visitor into a single trace. The default
// is [SharedCacheable]; a nil policy restores it. To rewrite cacheable
// responses as well, pass a policy that returns false.
func WithCachePolicy(policy func(h http.Header) bool) Option {
	// nil stands for SharedCacheable, which the middleware then applies to
	// the headers it read already.
	return middlewareOption(func(c *middlewareConfig) { c.cachePolicy = policy })
}

// WithSkip sets a predicate that the [Middleware] asks before the handler
// runs: when it returns true, the request is served without the middleware
// (its response is not rewritten, and template entry points render the tags
// themselves). The skip hook and the logger see [ReasonSkipped].
func WithSkip(skip func(r *http.Request) bool) Option {
	return middlewareOption(func(c *middlewareConfig) { c.skip = skip })
}

// WithSkipHook sets a function the [Middleware] calls once for every response
// it does not rewrite, with the reason. It runs on the request's goroutine,
// before the response is complete, and must not use the ResponseWriter.
func WithSkipHook(hook func(r *http.Request, reason Reason)) Option {
	return middlewareOption(func(c *middlewareConfig) { c.skipHook = hook })
}

// WithLogger makes the [Middleware] log at debug level why it did not rewrite
// a response, and at warn level when it recovered from a failure of its own,
// and, once, when it sees a response that a layer inside it compressed (the
// compression middleware belongs outside). The default logs nothing.
func WithLogger(l *slog.Logger) Option {
	return middlewareOption(func(c *middlewareConfig) { c.logger = l })
}

// WithServerTiming makes the [Middleware] add a Server-Timing header naming
// the trace (read by the Sentry browser SDK when the page has no meta tags)
// to every response it would rewrite, when the Source has a span at the
// moment the headers go out. The default is off.
func WithServerTiming(on bool) Option {
	return middlewareOption(func(c *middlewareConfig) { c.serverTiming = on })
}
