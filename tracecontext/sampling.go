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
	v, err := strconv.ParseFloat(s, 64)
	return v, err == nil && v >= 0 && v < 1
}

// parseSampleRate parses a sentry-sample_rate value: a number in [0, 1].
func parseSampleRate(s string) (float64, bool) {
	if s == "" {
		return 0, false
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
