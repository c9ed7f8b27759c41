package injectcaddy

// ServerTiming exposes parseServerTiming to the tests: the descriptions of
// the sentry-trace, baggage and traceparent entries.
func ServerTiming(values []string) (sentryTrace, baggage, traceparent string) {
	t := parseServerTiming(values)
	return t.sentryTrace, t.baggage, t.traceparent
}
