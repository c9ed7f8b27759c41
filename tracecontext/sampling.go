package tracecontext

import (
	"math/rand/v2"
	"strconv"
)

// sampleRandScale is 10^6: sample_rand has six decimals
// (https://develop.sentry.dev/sdk/telemetry/traces/#propagated-random-value),
// so a generated one is an integer n in [0, 10^6) standing for n / 10^6.
const sampleRandScale = 1_000_000

// appendSampleRand appends n / 10^6 with six decimals: "0.012345".
func appendSampleRand(dst []byte, n uint32) []byte {
	dst = append(dst, '0', '.')
	var digits [6]byte
	for i := len(digits) - 1; i >= 0; i-- {
		digits[i] = byte('0' + n%10)
		n /= 10
	}
	return append(dst, digits[:]...)
}

// parseSampleRand parses a sentry-sample_rand value: a number in [0, 1).
func parseSampleRand(s string) (float64, bool) {
	if s == "" {
		return 0, false
	}
	if v, ok := parseFraction(s); ok {
		return v, true
	}
	v, err := strconv.ParseFloat(s, 64)
	return v, err == nil && v >= 0 && v < 1
}

// fractionScale holds 10^n for the n digits parseFraction reads.
var fractionScale = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}

// parseFraction parses s when it is "0." and 1 to 15 decimal digits, the
// way the SDKs write sample_rand, and returns exactly what
// strconv.ParseFloat returns for it: the digits as an integer below 10^15,
// which float64 holds exactly, divided by 10^n, which it holds too, is the
// correctly rounded quotient (strconv's own exact fast path). ok is false
// for any other s.
func parseFraction(s string) (float64, bool) {
	if len(s) < 3 || len(s) > 2+len(fractionScale)-1 || s[0] != '0' || s[1] != '.' {
		return 0, false
	}
	var m uint64
	for i := 2; i < len(s); i++ {
		c := s[i] - '0'
		if c > 9 {
			return 0, false
		}
		m = m*10 + uint64(c)
	}
	return float64(m) / fractionScale[len(s)-2], true
}

// parseSampleRate parses a sentry-sample_rate value: a number in [0, 1].
func parseSampleRate(s string) (float64, bool) {
	if s == "" {
		return 0, false
	}
	if v, ok := parseFraction(s); ok {
		return v, true
	}
	v, err := strconv.ParseFloat(s, 64)
	return v, err == nil && validRate(v)
}

// sampledBelow returns how many n in [0, 10^6) have n / 10^6 < rate: the
// sample_rand values that a service sampling at rate samples. Computing it
// with the same division a downstream SDK does when it parses "0.xxxxxx" keeps
// every service's decision the same for the same sample_rand.
func sampledBelow(rate float64) uint32 {
	if !(rate > 0) {
		return 0
	}
	if rate >= 1 {
		return sampleRandScale
	}
	k := uint32(rate * sampleRandScale)
	for k > 0 && float64(k-1)/sampleRandScale >= rate {
		k--
	}
	for k < sampleRandScale && float64(k)/sampleRandScale < rate {
		k++
	}
	return k
}

// newSampleRand returns a sample_rand for a trace whose decision is d, made
// upstream at sample rate rate (hasRate false when unknown): uniform in
// [0, rate) when sampled and in [rate, 1) when not, so that
// sample_rand < sample_rate holds exactly when the trace is sampled, as the
// Sentry specification requires of an SDK that continues a trace without a
// sample_rand. Otherwise, and when the decision contradicts the rate (sampled
// at rate 0), uniform in [0, 1).
func newSampleRand(d Decision, rate float64, hasRate bool) uint32 {
	if hasRate {
		k := sampledBelow(rate)
		switch {
		case d == DecisionSampled && k > 0:
			return rand.Uint32N(k)
		case d == DecisionNotSampled && k < sampleRandScale:
			return k + rand.Uint32N(sampleRandScale-k)
		}
	}
	return rand.Uint32N(sampleRandScale)
}
