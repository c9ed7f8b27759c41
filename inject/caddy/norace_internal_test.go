//go:build !race

package injectcaddy

// raceEnabled reports a -race build; see race_internal_test.go.
const raceEnabled = false
