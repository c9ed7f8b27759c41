//go:build race

package templates_test

// raceEnabled: the race detector makes sync.Pool drop a quarter of the items
// put back, so pooled buffers are sometimes allocated afresh.
const raceEnabled = true
