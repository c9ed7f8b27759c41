//go:build linux

package benchmarks_test

import (
	"runtime"
	"syscall"
	"testing"
	"time"
)

// rusageThread is Linux's RUSAGE_THREAD, which package syscall does not
// name: the resource usage of the calling thread.
const rusageThread = 1

// threadCPU returns the CPU time, user and system, of the calling thread.
func threadCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}

// cpuTimer measures the CPU time of the benchmark's goroutine, locked to its
// thread, and reports it per op as cpu-ns/op: unlike ns/op, which is wall
// time, it leaves out the time the thread waited for a CPU, which on a
// machine shared with other work is most of the variance.
type cpuTimer struct {
	start time.Duration
	ok    bool
}

// startCPU locks the goroutine to its thread and starts the timer; call it
// right before the loop, and report after it.
func startCPU() *cpuTimer {
	runtime.LockOSThread()
	t := &cpuTimer{}
	t.start, t.ok = threadCPU()
	return t
}

// report adds cpu-ns/op to b's results and unlocks the thread.
func (t *cpuTimer) report(b *testing.B, ops int) {
	end, ok := threadCPU()
	runtime.UnlockOSThread()
	if t.ok && ok && ops > 0 {
		b.ReportMetric(float64(end-t.start)/float64(ops), "cpu-ns/op")
	}
}
