//go:build !race

package conformance

// RaceEnabled reports a -race build; see race.go.
const RaceEnabled = false
