package inject

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestCommonHTMLTypes checks that the Content-Type values contentTypeReason
// accepts without parsing are the ones parsing accepts too.
func TestCommonHTMLTypes(t *testing.T) {
	for _, ct := range commonHTMLTypes {
		t.Run(ct, func(t *testing.T) {
			assert.Equal(t, ReasonNone, parseContentTypeReason(ct))
			assert.Equal(t, ReasonNone, contentTypeReason(ct))
		})
	}
	for _, tt := range []struct {
		name string
		ct   string
		want Reason
	}{
		{"utf-16", "text/html; charset=utf-16", ReasonEncoding},
		{"plain", "text/plain; charset=utf-8", ReasonContentType},
		{"event stream", "text/event-stream", ReasonEventStream},
		{"upper case type", "TEXT/HTML; Charset=\"UTF-8\"", ReasonNone},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, contentTypeReason(tt.ct))
		})
	}
}
