package pagecheck_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/examples/internal/pagecheck"
)

func TestMetaTags(t *testing.T) {
	tests := []struct {
		name string
		page string
		want map[string][]string
	}{
		{
			name: "head tags, escaped content",
			page: `<!doctype html><html><head><meta charset="utf-8"><meta name="sentry-trace" content="a-b-1">` +
				`<META NAME="baggage" CONTENT="sentry-release=r&lt;1&gt;"></head><body></body></html>`,
			want: map[string][]string{"sentry-trace": {"a-b-1"}, "baggage": {"sentry-release=r<1>"}},
		},
		{
			name: "repeated tags in order, a tag without content ignored",
			page: `<head><meta name="x" content="1"><meta name="x"><meta name="x" content="2"></head>`,
			want: map[string][]string{"x": {"1", "2"}},
		},
		{
			name: "markup in a comment or a script is no tag",
			page: `<head><!-- <meta name="x" content="1"> --><script>"<meta name='x' content='2'>"</script></head>`,
			want: map[string][]string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := pagecheck.MetaTags(strings.NewReader(tt.page))
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}
