package render

import (
	"encoding/binary"
	"strconv"
	"time"

	"github.com/tracemeta/tracemeta/tracecontext"
)

// AppendDatadogComment appends the HTML comment form of the [Datadog] tags
// for sc to dst, rendered by a Renderer configured by opts. See
// [Renderer.AppendDatadogComment].
func AppendDatadogComment(dst []byte, sc tracecontext.SpanContext, opts ...Option) []byte {
	return New(opts...).AppendDatadogComment(dst, sc)
}

// AppendDatadogComment appends the comment that Datadog's browser RUM SDK
// reads when the page has no dd-trace-id meta tag:
//
//	<!-- DATADOG;trace-id={trace_id};trace-time={unix_ms} -->
//
// The SDK looks for it among the document's own children only (before the
// doctype or after </html>), never inside <head>, so it is for a handler
// that writes it first, before the page; the inject middleware renders the
// meta tags instead. It is written whatever r's formats, with the same values
// as the [Datadog] meta tags.
//
// The trace id is the decimal of the trace id's lower 64 bits. That is the
// id the browser SDK itself sends for every request it traces (a 64-bit id
// in decimal, in x-datadog-trace-id and in the RUM event's _dd.trace_id),
// the id dd-trace-go writes for log correlation when a trace id has no upper
// half, and the part of a 128-bit id Datadog's backend matches: Datadog's
// 128-bit trace ids keep their randomness in the lower 64 bits, so that a
// span carrying only those bits joins the same trace. The SDK copies the
// string unread into the event, so an encoding the backend does not match
// (the 32 hex digits of the full id) would link the page to no trace.
//
// It appends nothing when sc is invalid or its trace id's lower 64 bits are
// zero (a trace id Datadog cannot name), and never allocates when dst has
// room: the values are digits, so nothing needs escaping.
func (r Renderer) AppendDatadogComment(dst []byte, sc tracecontext.SpanContext) []byte {
	if !sc.IsValid() {
		return dst
	}
	id, ok := datadogTraceID(sc.TraceID)
	if !ok {
		return dst
	}
	dst = append(dst, "<!-- DATADOG;trace-id="...)
	dst = strconv.AppendUint(dst, id, 10)
	dst = append(dst, ";trace-time="...)
	dst = strconv.AppendInt(dst, r.unixMilli(), 10)
	return append(dst, " -->"...)
}

// datadogTraceID returns the trace id as Datadog names it: its lower 64
// bits, false when they are zero.
func datadogTraceID(id tracecontext.TraceID) (uint64, bool) {
	lower := binary.BigEndian.Uint64(id[8:])
	return lower, lower != 0
}

// unixMilli returns the render time in Unix milliseconds.
func (r Renderer) unixMilli() int64 {
	if r.cfg.now != nil {
		return r.cfg.now().UnixMilli()
	}
	return time.Now().UnixMilli()
}
