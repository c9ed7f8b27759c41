package tracecontext

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestParseFraction checks that the fast path for "0.ddd" returns the bits
// strconv.ParseFloat returns, and leaves every other value to it.
func TestParseFraction(t *testing.T) {
	values := []string{"0.0", "0.5", "0.25", "0.118452", "0.999999", "0.1", "0.3", "0.7", "0.000001",
		"0.999999999999999", "0.123456789012345", "0.000000000000001", "0.100000000000000"}
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 1; n <= 15; n++ {
		for range 2000 {
			var b strings.Builder
			b.WriteString("0.")
			for range n {
				b.WriteByte(byte('0' + rng.IntN(10)))
			}
			values = append(values, b.String())
		}
	}
	for _, s := range values {
		got, ok := parseFraction(s)
		require.True(t, ok, s)
		want, err := strconv.ParseFloat(s, 64)
		require.NoError(t, err)
		require.Equal(t, math.Float64bits(want), math.Float64bits(got), s)
	}
	for _, s := range []string{"", "0", "0.", "1.0", "1", ".5", "00.5", "0.5e1", "0.1_2", "0.-1", "0.5 ", " 0.5",
		"0.1234567890123456", "0x1p-2", "0.a"} {
		_, ok := parseFraction(s)
		assert.False(t, ok, "%q", s)
	}
	// What the fast path leaves to strconv is parsed as before.
	v, ok := parseSampleRand("0.1234567890123456")
	assert.True(t, ok)
	assert.InDelta(t, 0.1234567890123456, v, 0)
	_, ok = parseSampleRand("1")
	assert.False(t, ok)
	v, ok = parseSampleRate("1")
	assert.True(t, ok)
	assert.Equal(t, 1.0, v)
}
