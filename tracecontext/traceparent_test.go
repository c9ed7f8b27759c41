package tracecontext_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/tracecontext"
)

// Vectors: the W3C trace-context test suite, w3c/trace-context test/test.py
// (test_traceparent_version_0x00 ... test_traceparent_ows_handling), whose
// trace id 12345678901234567890123456789012 and parent id 1234567890123456
// are used throughout, plus the specification's example
// (https://www.w3.org/TR/trace-context/#examples-of-http-traceparent-headers).
func TestParseTraceparent(t *testing.T) {
	const (
		w3cTrace = "12345678901234567890123456789012"
		w3cSpan  = "1234567890123456"
		w3c      = "00-" + w3cTrace + "-" + w3cSpan + "-01"
	)
	tests := []struct {
		name    string
		in      string
		trace   string
		span    string
		sampled tracecontext.Decision
		err     error
	}{
		{name: "w3c valid", in: w3c, trace: w3cTrace, span: w3cSpan, sampled: tracecontext.DecisionSampled},
		{name: "spec example sampled", in: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", trace: "4bf92f3577b34da6a3ce929d0e0e4736", span: "00f067aa0ba902b7", sampled: tracecontext.DecisionSampled},
		{name: "spec example not sampled", in: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", trace: "4bf92f3577b34da6a3ce929d0e0e4736", span: "00f067aa0ba902b7", sampled: tracecontext.DecisionNotSampled},
		{name: "unknown flags, sampled bit set", in: "00-" + w3cTrace + "-" + w3cSpan + "-ff", trace: w3cTrace, span: w3cSpan, sampled: tracecontext.DecisionSampled},
		{name: "unknown flags, sampled bit clear", in: "00-" + w3cTrace + "-" + w3cSpan + "-02", trace: w3cTrace, span: w3cSpan, sampled: tracecontext.DecisionNotSampled},
		{name: "version cc", in: "cc-" + w3cTrace + "-" + w3cSpan + "-01", trace: w3cTrace, span: w3cSpan, sampled: tracecontext.DecisionSampled},
		{name: "version cc with future fields", in: "cc-" + w3cTrace + "-" + w3cSpan + "-01-what-the-future-will-be-like", trace: w3cTrace, span: w3cSpan, sampled: tracecontext.DecisionSampled},
		{name: "ows leading space", in: " " + w3c, trace: w3cTrace, span: w3cSpan, sampled: tracecontext.DecisionSampled},
		{name: "ows leading tab", in: "\t" + w3c, trace: w3cTrace, span: w3cSpan, sampled: tracecontext.DecisionSampled},
		{name: "ows trailing space", in: w3c + " ", trace: w3cTrace, span: w3cSpan, sampled: tracecontext.DecisionSampled},
		{name: "ows trailing tab", in: w3c + "\t", trace: w3cTrace, span: w3cSpan, sampled: tracecontext.DecisionSampled},
		{name: "ows both", in: "\t " + w3c + " \t", trace: w3cTrace, span: w3cSpan, sampled: tracecontext.DecisionSampled},

		{name: "version 00 trailing dot", in: w3c + ".", err: tracecontext.ErrInvalidTraceparent},
		{name: "version 00 future fields", in: w3c + "-what-the-future-will-be-like", err: tracecontext.ErrInvalidTraceparent},
		{name: "version cc trailing dot", in: "cc-" + w3cTrace + "-" + w3cSpan + "-01.what-the-future-will-be-like", err: tracecontext.ErrInvalidTraceparent},
		{name: "version ff", in: "ff-" + w3cTrace + "-" + w3cSpan + "-01", err: tracecontext.ErrInvalidTraceparent},
		{name: "version illegal .0", in: ".0-" + w3cTrace + "-" + w3cSpan + "-01", err: tracecontext.ErrInvalidTraceparent},
		{name: "version illegal 0.", in: "0.-" + w3cTrace + "-" + w3cSpan + "-01", err: tracecontext.ErrInvalidTraceparent},
		{name: "version too long 000", in: "000-" + w3cTrace + "-" + w3cSpan + "-01", err: tracecontext.ErrInvalidTraceparent},
		{name: "version too long 0000", in: "0000-" + w3cTrace + "-" + w3cSpan + "-01", err: tracecontext.ErrInvalidTraceparent},
		{name: "version too short", in: "0-" + w3cTrace + "-" + w3cSpan + "-01", err: tracecontext.ErrInvalidTraceparent},
		{name: "version upper case", in: "CC-" + w3cTrace + "-" + w3cSpan + "-01", err: tracecontext.ErrInvalidTraceparent},
		{name: "trace id all zero", in: "00-00000000000000000000000000000000-" + w3cSpan + "-01", err: tracecontext.ErrInvalidTraceID},
		{name: "trace id illegal first", in: "00-.2345678901234567890123456789012-" + w3cSpan + "-01", err: tracecontext.ErrInvalidTraceID},
		{name: "trace id illegal last", in: "00-1234567890123456789012345678901.-" + w3cSpan + "-01", err: tracecontext.ErrInvalidTraceID},
		{name: "trace id too long", in: "00-123456789012345678901234567890123-" + w3cSpan + "-01", err: tracecontext.ErrInvalidTraceparent},
		{name: "trace id too short", in: "00-1234567890123456789012345678901-" + w3cSpan + "-01", err: tracecontext.ErrInvalidTraceparent},
		{name: "trace id upper case", in: "00-4BF92F3577B34DA6A3CE929D0E0E4736-" + w3cSpan + "-01", err: tracecontext.ErrInvalidTraceID},
		{name: "parent id all zero", in: "00-" + w3cTrace + "-0000000000000000-01", err: tracecontext.ErrInvalidSpanID},
		{name: "parent id illegal first", in: "00-" + w3cTrace + "-.234567890123456-01", err: tracecontext.ErrInvalidSpanID},
		{name: "parent id illegal last", in: "00-" + w3cTrace + "-123456789012345.-01", err: tracecontext.ErrInvalidSpanID},
		{name: "parent id too long", in: "00-" + w3cTrace + "-12345678901234567-01", err: tracecontext.ErrInvalidTraceparent},
		{name: "parent id too short", in: "00-" + w3cTrace + "-123456789012345-01", err: tracecontext.ErrInvalidTraceparent},
		{name: "flags illegal first", in: "00-" + w3cTrace + "-" + w3cSpan + "-.0", err: tracecontext.ErrInvalidSampled},
		{name: "flags illegal last", in: "00-" + w3cTrace + "-" + w3cSpan + "-0.", err: tracecontext.ErrInvalidSampled},
		{name: "flags too long", in: "00-" + w3cTrace + "-" + w3cSpan + "-001", err: tracecontext.ErrInvalidTraceparent},
		{name: "flags too short", in: "00-" + w3cTrace + "-" + w3cSpan + "-1", err: tracecontext.ErrInvalidTraceparent},
		{name: "flags upper case", in: "00-" + w3cTrace + "-" + w3cSpan + "-0A", err: tracecontext.ErrInvalidSampled},
		{name: "wrong separator", in: "00_" + w3cTrace + "-" + w3cSpan + "-01", err: tracecontext.ErrInvalidTraceparent},
		{name: "empty", in: "", err: tracecontext.ErrInvalidTraceparent},
		{name: "sentry-trace", in: w3cTrace + "-" + w3cSpan + "-1", err: tracecontext.ErrInvalidTraceparent},
		{name: "markup", in: "00-" + w3cTrace + "-" + w3cSpan + "-01\"><script>alert(1)</script>", err: tracecontext.ErrInvalidTraceparent},
		{name: "newline", in: w3c + "\n", err: tracecontext.ErrInvalidTraceparent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc, err := tracecontext.ParseTraceparent(tt.in)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				assert.Contains(t, err.Error(), strconv.Quote(tt.in))
				assert.Equal(t, tracecontext.SpanContext{}, sc)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.trace, sc.TraceID.String())
			assert.Equal(t, tt.span, sc.SpanID.String())
			assert.Equal(t, tt.sampled, sc.Sampled)
			flags := "00"
			if tt.sampled == tracecontext.DecisionSampled {
				flags = "01"
			}
			assert.Equal(t, "00-"+tt.trace+"-"+tt.span+"-"+flags, sc.Traceparent(), "canonical version 00, unknown flags zeroed")
		})
	}
}

func TestTraceparentOfDeferredIsNotSampled(t *testing.T) {
	sc, err := tracecontext.ParseSentryTrace(testTraceHex + "-" + testSpanHex)
	require.NoError(t, err)
	assert.Equal(t, "00-"+testTraceHex+"-"+testSpanHex+"-00", sc.Traceparent())
}

func TestParseTraceparentAllocs(t *testing.T) {
	in := "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := tracecontext.ParseTraceparent(in); err != nil {
			t.Fatal(err)
		}
	})
	assert.Zero(t, allocs)
}

func FuzzParseTraceparent(f *testing.F) {
	for _, s := range []string{
		"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
		"cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future",
		"ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
		" 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03\t",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sc, err := tracecontext.ParseTraceparent(s)
		if err != nil {
			assert.Equal(t, tracecontext.SpanContext{}, sc)
			return
		}
		require.True(t, sc.IsValid())
		require.NotEqual(t, tracecontext.DecisionDeferred, sc.Sampled)
		trimmed := strings.Trim(s, " \t")
		// The ids are the input's, at their fixed offsets.
		assert.Equal(t, trimmed[3:35], sc.TraceID.String())
		assert.Equal(t, trimmed[36:52], sc.SpanID.String())
		canonical := sc.Traceparent()
		again, err := tracecontext.ParseTraceparent(canonical)
		require.NoError(t, err)
		assert.Equal(t, sc, again)
		if strings.HasPrefix(trimmed, "00-") && (trimmed[53:55] == "00" || trimmed[53:55] == "01") {
			assert.Equal(t, trimmed, canonical)
		}
	})
}
