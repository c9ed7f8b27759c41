//go:build !race

package templates_test

// raceEnabled: see race_test.go.
const raceEnabled = false
