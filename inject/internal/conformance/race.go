//go:build race

package conformance

// RaceEnabled reports a -race build, in which sync.Pool drops a quarter of
// what it is given on purpose, so the memory of pooled code varies.
const RaceEnabled = true
