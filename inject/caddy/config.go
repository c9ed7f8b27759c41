package injectcaddy

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tracemeta/tracemeta/render"
)

// errInvalid is wrapped by every configuration error, with the value.
var errInvalid = errors.New("invalid value")

// maxTextLen bounds release and environment: Sentry drops an environment
// longer than 64 characters and a release longer than 200.
const maxTextLen = 200

// formatNames maps the names of the formats option to render's formats.
var formatNames = [...]struct {
	name   string
	format render.Format
}{
	{"sentry-trace", render.SentryTrace},
	{"baggage", render.Baggage},
	{"traceparent", render.Traceparent},
	{"datadog", render.Datadog},
}

// parseFormats returns the formats named by names, render.DefaultFormats for
// none.
func parseFormats(names []string) (render.Format, error) {
	if len(names) == 0 {
		return render.DefaultFormats, nil
	}
	var f render.Format
	for _, n := range names {
		found := false
		for _, fn := range formatNames {
			if fn.name == n {
				if f&fn.format != 0 {
					return 0, fmt.Errorf("%w: %q named twice", errInvalid, n)
				}
				f |= fn.format
				found = true
			}
		}
		if !found {
			return 0, fmt.Errorf("%w: %q (want sentry-trace, baggage, traceparent or datadog)", errInvalid, n)
		}
	}
	return f, nil
}

// checkText accepts a release or an environment: printable UTF-8 without
// control characters, at most maxTextLen bytes.
func checkText(s string) error {
	if len(s) > maxTextLen || !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return fmt.Errorf("%w: %q (printable UTF-8, at most %d bytes)", errInvalid, s, maxTextLen)
	}
	return nil
}

// checkPublicKey accepts the public key of a Sentry DSN: 32 lower-case hex
// digits.
func checkPublicKey(s string) error {
	if len(s) != 32 || strings.ContainsFunc(s, func(r rune) bool { return !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') }) {
		return fmt.Errorf("%w: %q (32 lower-case hex digits)", errInvalid, s)
	}
	return nil
}

// checkOrgID accepts a Sentry organization id: decimal digits.
func checkOrgID(s string) error {
	if len(s) > 20 || strings.ContainsFunc(s, func(r rune) bool { return r < '0' || r > '9' }) {
		return fmt.Errorf("%w: %q (decimal digits)", errInvalid, s)
	}
	return nil
}

// checkSampleRate accepts a probability.
func checkSampleRate(f float64) error {
	if math.IsNaN(f) || f < 0 || f > 1 {
		return invalidSampleRate(strconv.FormatFloat(f, 'g', -1, 64))
	}
	return nil
}

// parseSampleRate reads a sample rate written as text: a number that
// checkSampleRate accepts. Whatever is wrong with it, the error is the same.
func parseSampleRate(s string) (float64, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || checkSampleRate(f) != nil {
		return 0, invalidSampleRate(s)
	}
	return f, nil
}

// invalidSampleRate is the error of a sample rate written v.
func invalidSampleRate(v string) error {
	return fmt.Errorf("%w: %s (a number in [0, 1])", errInvalid, v)
}

// acceptsHTML reports whether a request may load an HTML page: its Accept
// header names text/html, as every browser's does for a navigation. Only
// such a request is a navigation the module touches; a script, a stylesheet
// or an API call fetched without Fetch Metadata goes on as it came.
func acceptsHTML(h http.Header) bool {
	for _, v := range h["Accept"] {
		if containsFold(v, "text/html") {
			return true
		}
	}
	return false
}

// containsFold reports whether s contains the lower-case ASCII sub, in any
// case, without allocating.
func containsFold[T string | []byte](s T, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if equalFoldAt(s, i, sub) {
			return true
		}
	}
	return false
}

// equalFoldAt reports whether s[i:] starts with the lower-case ASCII sub, in
// any case.
func equalFoldAt[T string | []byte](s T, i int, sub string) bool {
	if len(s)-i < len(sub) {
		return false
	}
	for j := 0; j < len(sub); j++ {
		c := s[i+j]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != sub[j] {
			return false
		}
	}
	return true
}
