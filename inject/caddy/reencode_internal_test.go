package injectcaddy

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDecodableCodings(t *testing.T) {
	for _, tc := range []struct {
		name   string
		values []string
		want   string
	}{
		{"none", nil, ""},
		{"browser", []string{"gzip, deflate, br, zstd"}, "gzip, zstd"},
		{"client's order", []string{"br, zstd, gzip"}, "zstd, gzip"},
		{"across values", []string{"zstd", "deflate", "GZIP"}, "zstd, gzip"},
		{"x-gzip and star", []string{"x-gzip, *"}, "gzip"},
		{"star alone", []string{"*"}, "gzip"},
		{"each once", []string{"gzip, gzip;q=1, zstd, zstd"}, "gzip, zstd"},
		{"refused", []string{"gzip;q=0, zstd;q=0.000"}, ""},
		{"refused, then accepted", []string{"gzip;q=0, zstd, gzip"}, "zstd, gzip"},
		{"weights", []string{" gzip ; Q=0.5 , zstd;level=3;q=1"}, "gzip, zstd"},
		{"empty items", []string{",,, ,zstd,"}, "zstd"},
		{"not ASCII", []string{"zſtd, gzİp"}, ""},
		{"other codings", []string{"br, deflate, identity"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, decodableCodings(tc.values))
		})
	}
	assert.Zero(t, testing.AllocsPerRun(100, func() { decodableCodings([]string{"gzip, deflate, br, zstd"}) }))
}
