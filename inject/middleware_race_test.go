//go:build race

package inject_test

// raceEnabled reports a -race build, in which sync.Pool drops a quarter of
// what it is given on purpose, so allocation counts of pooled code vary.
const raceEnabled = true
