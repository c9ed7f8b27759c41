//go:build !linux

package benchmarks_test

import "testing"

// cpuTimer reports nothing where threads' CPU time is not at hand: the
// figures are then wall time only (ns/op).
type cpuTimer struct{}

func startCPU() *cpuTimer { return &cpuTimer{} }

func (*cpuTimer) report(*testing.B, int) {}
