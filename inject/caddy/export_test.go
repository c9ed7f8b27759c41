package injectcaddy

// ServerTiming exposes parseServerTiming to the tests: the descriptions of
// the sentry-trace, baggage and traceparent entries.
func ServerTiming(values []string) (sentryTrace, baggage, traceparent string) {
	t := parseServerTiming(values)
	return t.sentryTrace, t.baggage, t.traceparent
}

// HoldDecodes takes every decode slot, as that many pages being decoded at
// once would, until release is called.
func HoldDecodes() (release func()) {
	for range maxConcurrentDecodes {
		decodeSlots <- struct{}{}
	}
	return func() {
		for range maxConcurrentDecodes {
			<-decodeSlots
		}
	}
}
