package tracecontext_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/tracecontext"
)

const (
	testTraceHex = "12312012123120121231201212312012"
	testSpanHex  = "1121201211212012"
)

func mustTraceID(t testing.TB, s string) tracecontext.TraceID {
	t.Helper()
	sc, err := tracecontext.ParseSentryTrace(s + "-1111111111111111")
	require.NoError(t, err)
	return sc.TraceID
}

func mustSpanID(t testing.TB, s string) tracecontext.SpanID {
	t.Helper()
	sc, err := tracecontext.ParseSentryTrace("11111111111111111111111111111111-" + s)
	require.NoError(t, err)
	return sc.SpanID
}

// Vectors: sentry-javascript (the 12312012...-1121201211212012 header of
// packages/core/test/lib/tracing and browser tests), sentry-python
// (tests/tracing/test_sampling.py uses the same header;
// tests/integrations/otlp uses 771a43a4...-1234567890abcdef-1), sentry-go
// tracing_test.go TestParseTraceParentContext ("xxx-malformed",
// d49d9bf6...-1cc4b26ab9094ef0-1/-0), and hostile inputs of our own, among
// them the shapes the JavaScript regular expression accepts but sentry-go
// does not.
func TestParseSentryTrace(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		trace   string
		span    string
		sampled tracecontext.Decision
		err     error
	}{
		{name: "sampled", in: testTraceHex + "-" + testSpanHex + "-1", trace: testTraceHex, span: testSpanHex, sampled: tracecontext.DecisionSampled},
		{name: "not sampled", in: testTraceHex + "-" + testSpanHex + "-0", trace: testTraceHex, span: testSpanHex, sampled: tracecontext.DecisionNotSampled},
		{name: "deferred", in: testTraceHex + "-" + testSpanHex, trace: testTraceHex, span: testSpanHex, sampled: tracecontext.DecisionDeferred},
		{name: "javascript vector", in: "12312012123120121231201212312012-1121201211212012-0", trace: "12312012123120121231201212312012", span: "1121201211212012", sampled: tracecontext.DecisionNotSampled},
		{name: "sentry-go sampled", in: "d49d9bf66f13450b81f65bc51cf49c03-1cc4b26ab9094ef0-1", trace: "d49d9bf66f13450b81f65bc51cf49c03", span: "1cc4b26ab9094ef0", sampled: tracecontext.DecisionSampled},
		{name: "sentry-go unsampled", in: "d49d9bf66f13450b81f65bc51cf49c03-1cc4b26ab9094ef0-0", trace: "d49d9bf66f13450b81f65bc51cf49c03", span: "1cc4b26ab9094ef0", sampled: tracecontext.DecisionNotSampled},
		{name: "python otlp vector", in: "771a43a4192642f0b136d5159a501700-1234567890abcdef-1", trace: "771a43a4192642f0b136d5159a501700", span: "1234567890abcdef", sampled: tracecontext.DecisionSampled},
		{name: "leading and trailing spaces", in: "  " + testTraceHex + "-" + testSpanHex + "-1  ", trace: testTraceHex, span: testSpanHex, sampled: tracecontext.DecisionSampled},
		{name: "tabs", in: "\t" + testTraceHex + "-" + testSpanHex + "\t", trace: testTraceHex, span: testSpanHex, sampled: tracecontext.DecisionDeferred},

		{name: "empty", in: "", err: tracecontext.ErrInvalidTraceID},
		{name: "sentry-go malformed", in: "xxx-malformed", err: tracecontext.ErrInvalidTraceID},
		{name: "only spaces", in: " \t ", err: tracecontext.ErrInvalidTraceID},
		{name: "only a dash", in: "-", err: tracecontext.ErrInvalidTraceID},
		{name: "upper-case trace id", in: strings.ToUpper("abcdef0123456789abcdef0123456789") + "-" + testSpanHex, err: tracecontext.ErrInvalidTraceID},
		{name: "upper-case span id", in: testTraceHex + "-ABCDEF0123456789", err: tracecontext.ErrInvalidSpanID},
		{name: "trace id only", in: testTraceHex, err: tracecontext.ErrInvalidSentryTrace},
		{name: "trace id and dash", in: testTraceHex + "-", err: tracecontext.ErrInvalidSpanID},
		{name: "span id only (javascript accepts)", in: testSpanHex, err: tracecontext.ErrInvalidTraceID},
		{name: "no separator (javascript accepts)", in: testTraceHex + testSpanHex, err: tracecontext.ErrInvalidSentryTrace},
		{name: "flag without separator", in: testTraceHex + "-" + testSpanHex + "1", err: tracecontext.ErrInvalidSentryTrace},
		{name: "trailing dash (javascript accepts)", in: testTraceHex + "-" + testSpanHex + "-", err: tracecontext.ErrInvalidSampled},
		{name: "flag 2", in: testTraceHex + "-" + testSpanHex + "-2", err: tracecontext.ErrInvalidSampled},
		{name: "flag true", in: testTraceHex + "-" + testSpanHex + "-true", err: tracecontext.ErrInvalidSampled},
		{name: "flag 01", in: testTraceHex + "-" + testSpanHex + "-01", err: tracecontext.ErrInvalidSampled},
		{name: "short trace id", in: testTraceHex[1:] + "-" + testSpanHex, err: tracecontext.ErrInvalidTraceID},
		{name: "long trace id", in: testTraceHex + "0-" + testSpanHex, err: tracecontext.ErrInvalidSentryTrace},
		{name: "short span id", in: testTraceHex + "-" + testSpanHex[1:], err: tracecontext.ErrInvalidSpanID},
		{name: "long span id", in: testTraceHex + "-" + testSpanHex + "0", err: tracecontext.ErrInvalidSentryTrace},
		{name: "zero trace id", in: strings.Repeat("0", 32) + "-" + testSpanHex, err: tracecontext.ErrInvalidTraceID},
		{name: "zero span id", in: testTraceHex + "-" + strings.Repeat("0", 16), err: tracecontext.ErrInvalidSpanID},
		{name: "non-hex", in: "g2312012123120121231201212312012-" + testSpanHex, err: tracecontext.ErrInvalidTraceID},
		{name: "newline", in: testTraceHex + "-" + testSpanHex + "\n", err: tracecontext.ErrInvalidSentryTrace},
		{name: "markup", in: testTraceHex + "-" + testSpanHex + "\"><script>", err: tracecontext.ErrInvalidSentryTrace},
		{name: "traceparent", in: "00-" + testTraceHex + "-" + testSpanHex + "-01", err: tracecontext.ErrInvalidTraceID},
		{name: "inner space", in: testTraceHex + " -" + testSpanHex, err: tracecontext.ErrInvalidSentryTrace},
		{name: "non-breaking space", in: "\u00a0" + testTraceHex + "-" + testSpanHex, err: tracecontext.ErrInvalidTraceID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc, err := tracecontext.ParseSentryTrace(tt.in)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				assert.Contains(t, err.Error(), strconv.Quote(tt.in), "the error names the input")
				assert.Equal(t, tracecontext.SpanContext{}, sc)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.trace, sc.TraceID.String())
			assert.Equal(t, tt.span, sc.SpanID.String())
			assert.Equal(t, tt.sampled, sc.Sampled)
			assert.Equal(t, strings.Trim(tt.in, " \t"), sc.SentryTrace(), "canonical form")
		})
	}
}

func TestParseSentryTraceErrorsAreDistinct(t *testing.T) {
	_, err := tracecontext.ParseSentryTrace("x")
	require.Error(t, err)
	assert.False(t, errors.Is(err, tracecontext.ErrInvalidSpanID))
	assert.False(t, errors.Is(err, tracecontext.ErrInvalidTraceparent))
}

func TestParseSentryTraceAllocs(t *testing.T) {
	in := testTraceHex + "-" + testSpanHex + "-1"
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := tracecontext.ParseSentryTrace(in); err != nil {
			t.Fatal(err)
		}
	})
	assert.Zero(t, allocs)
}

func FuzzParseSentryTrace(f *testing.F) {
	for _, s := range []string{
		testTraceHex + "-" + testSpanHex + "-1",
		testTraceHex + "-" + testSpanHex + "-0",
		" " + testTraceHex + "-" + testSpanHex + "\t",
		testTraceHex + "-" + testSpanHex + "-",
		testTraceHex + testSpanHex,
		"",
		"-",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sc, err := tracecontext.ParseSentryTrace(s)
		if err != nil {
			assert.Equal(t, tracecontext.SpanContext{}, sc)
			return
		}
		require.True(t, sc.IsValid())
		canonical := sc.SentryTrace()
		// The canonical form is the input without its surrounding blanks.
		assert.Equal(t, strings.Trim(s, " \t"), canonical)
		again, err := tracecontext.ParseSentryTrace(canonical)
		require.NoError(t, err)
		assert.Equal(t, sc, again)
	})
}
