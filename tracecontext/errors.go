package tracecontext

import (
	"errors"
	"fmt"
)

// Sentinel errors of the parsers. Every error a parser returns wraps exactly
// one of them together with the offending input, so callers test with
// [errors.Is]:
//
//	if _, err := tracecontext.ParseSentryTrace(v); errors.Is(err, tracecontext.ErrInvalidTraceID) { ... }
var (
	// ErrInvalidTraceID reports a trace id that is not 32 lower-case hex
	// digits, or is all zero.
	ErrInvalidTraceID = errors.New("tracecontext: invalid trace id")
	// ErrInvalidSpanID reports a span (parent) id that is not 16 lower-case
	// hex digits, or is all zero.
	ErrInvalidSpanID = errors.New("tracecontext: invalid span id")
	// ErrInvalidSampled reports a sentry-trace sampled flag other than "0"
	// or "1", or a traceparent trace-flags field that is not two lower-case
	// hex digits.
	ErrInvalidSampled = errors.New("tracecontext: invalid sampled flag")
	// ErrInvalidSentryTrace reports a sentry-trace value whose shape is wrong
	// (length, separators, trailing bytes).
	ErrInvalidSentryTrace = errors.New("tracecontext: invalid sentry-trace")
	// ErrInvalidTraceparent reports a W3C traceparent value whose shape or
	// version is wrong (length, separators, version ff, trailing bytes).
	ErrInvalidTraceparent = errors.New("tracecontext: invalid traceparent")
	// ErrInvalidBaggage reports a W3C baggage list-member that does not
	// follow the grammar (key not a token, missing '=', a value octet outside
	// baggage-octet, malformed percent-encoding). [ParseBaggage] drops such
	// members and keeps the rest.
	ErrInvalidBaggage = errors.New("tracecontext: invalid baggage member")
	// ErrBaggageTooLarge reports baggage beyond [MaxBaggageMembers] members
	// or [MaxBaggageBytes] bytes. [ParseBaggage] drops the members beyond
	// whole and keeps the rest.
	ErrBaggageTooLarge = errors.New("tracecontext: baggage too large")
)

// ErrInvalidOption reports an [Option] with a value out of range (a sample
// rate outside [0, 1]). [NewPropagator] returns it; the option is ignored.
var ErrInvalidOption = errors.New("tracecontext: invalid option")

// ErrOrgMismatch is reported to the [WithErrorHandler] hook when an incoming
// trace is not continued because of its sentry-org_id (see
// [WithStrictTraceContinuation]).
var ErrOrgMismatch = errors.New("tracecontext: trace of another organization not continued")

// parseError is a parser's error before formatting: the sentinel and an
// optional detail. The zero value means no error.
type parseError struct {
	sentinel error
	detail   string
}

func (e parseError) ok() bool { return e.sentinel == nil }

// wrap returns the error for input s, or nil.
func (e parseError) wrap(s string) error {
	switch {
	case e.sentinel == nil:
		return nil
	case e.detail == "":
		return fmt.Errorf("%w: %q", e.sentinel, truncate(s, maxQuoted))
	}
	return fmt.Errorf("%w: %s: %q", e.sentinel, e.detail, truncate(s, maxQuoted))
}

// maxQuoted bounds the part of a header value that an error quotes, so that
// reporting a hostile value costs no more than reporting a short one.
const maxQuoted = 128

// truncate returns s, or its first n bytes followed by "..." when longer.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
