package tracecontext

import (
	"encoding/hex"
	"math/rand/v2"
)

// TraceID identifies a trace: 16 bytes, written as 32 lower-case hex digits.
// The zero value is invalid.
type TraceID [16]byte

// SpanID identifies a span: 8 bytes, written as 16 lower-case hex digits.
// The zero value is invalid.
type SpanID [8]byte

// IsValid reports whether t is not all zero.
func (t TraceID) IsValid() bool { return t != TraceID{} }

// String returns t as 32 lower-case hex digits.
func (t TraceID) String() string { return string(t.AppendHex(nil)) }

// AppendHex appends t as 32 lower-case hex digits to dst.
func (t TraceID) AppendHex(dst []byte) []byte { return hex.AppendEncode(dst, t[:]) }

// IsValid reports whether s is not all zero.
func (s SpanID) IsValid() bool { return s != SpanID{} }

// String returns s as 16 lower-case hex digits.
func (s SpanID) String() string { return string(s.AppendHex(nil)) }

// AppendHex appends s as 16 lower-case hex digits to dst.
func (s SpanID) AppendHex(dst []byte) []byte { return hex.AppendEncode(dst, s[:]) }

// NewTraceID returns a random, valid TraceID.
//
// It draws from math/rand/v2's global generator, which is ChaCha8 seeded by
// the runtime from the operating system's entropy: unpredictable to other
// parties, lock-free and allocation-free.
func NewTraceID() TraceID {
	var t TraceID
	for !t.IsValid() {
		putUint64(t[:8], rand.Uint64())
		putUint64(t[8:], rand.Uint64())
	}
	return t
}

// NewSpanID returns a random, valid SpanID. See [NewTraceID] for the source
// of randomness.
func NewSpanID() SpanID {
	var s SpanID
	for !s.IsValid() {
		putUint64(s[:], rand.Uint64())
	}
	return s
}

func putUint64(b []byte, v uint64) {
	_ = b[7]
	for i := range 8 {
		b[i] = byte(v >> (56 - 8*i))
	}
}

// equalHex reports whether s is t in lower-case hex, without allocating.
func (t TraceID) equalHex(s string) bool {
	var other TraceID
	return decodeLowerHex(other[:], s) && other == t
}
