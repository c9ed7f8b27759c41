//go:build !unix

package inject_test

import "time"

// processCPU returns 0: the platform's CPU time is not read, and
// BenchmarkHostileUpstream reports none.
func processCPU() time.Duration { return 0 }
