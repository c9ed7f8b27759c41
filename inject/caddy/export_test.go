package injectcaddy

// ServerTiming exposes parseServerTiming to the tests: the descriptions of
// the sentry-trace, baggage and traceparent entries.
func ServerTiming(values []string) (sentryTrace, baggage, traceparent string) {
	t := parseServerTiming(values)
	return t.sentryTrace, t.baggage, t.traceparent
}

// HoldDecodes takes the whole decode budget, as that many pages being
// decoded at once would, until release is called.
func HoldDecodes() (release func()) {
	decodes.Lock()
	held := decodeBudget - decodes.used
	decodes.used = decodeBudget
	decodes.Unlock()
	return func() {
		decodes.Lock()
		decodes.used -= held
		decodes.Unlock()
	}
}
