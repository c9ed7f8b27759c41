//go:build !race

package inject_test

// raceEnabled reports a -race build; see middleware_race_test.go.
const raceEnabled = false
