package inject

import "strconv"

var reasonNames = [...]string{
	ReasonNone:              "none",
	ReasonFragment:          "fragment",
	ReasonLookahead:         "lookahead",
	ReasonEncoding:          "encoding",
	ReasonEmpty:             "empty",
	ReasonAlreadyRendered:   "already-rendered",
	ReasonNoSpan:            "no-span",
	ReasonMethod:            "method",
	ReasonStatus:            "status",
	ReasonContentType:       "content-type",
	ReasonContentEncoding:   "content-encoding",
	ReasonRange:             "range",
	ReasonAttachment:        "attachment",
	ReasonEventStream:       "event-stream",
	ReasonPartialRequest:    "partial-request",
	ReasonCacheable:         "cacheable",
	ReasonHijacked:          "hijacked",
	ReasonSkipped:           "skipped",
	ReasonFailed:            "failed",
	ReasonNoTransform:       "no-transform",
	ReasonExistingTags:      "existing-tags",
	ReasonUnsupportedStream: "unsupported-stream",
}

// String returns a short lower-case name for r, such as "fragment", fit for
// a log attribute or a metric label; "Reason(N)" for a value with no name.
func (r Reason) String() string {
	if int(r) < len(reasonNames) && reasonNames[r] != "" {
		return reasonNames[r]
	}
	return "Reason(" + strconv.Itoa(int(r)) + ")"
}

var statusNames = [...]string{
	StatusScanning: "scanning",
	StatusInjected: "injected",
	StatusSkipped:  "skipped",
}

// String returns a lower-case name for s: "scanning", "injected" or
// "skipped"; "Status(N)" for a value with no name.
func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return "Status(" + strconv.Itoa(int(s)) + ")"
}
