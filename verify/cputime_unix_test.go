//go:build unix

package verify_test

import (
	"syscall"
	"testing"
)

// reportCPU, deferred at the start of a benchmark, reports the process's
// CPU time (user and system, every thread, the garbage collector's
// included) per operation as cpu-ns/op. On a shared machine it moves far
// less than ns/op, which counts the time other processes hold the CPU.
func reportCPU(b *testing.B) func() {
	start := cpuNanos()
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64(cpuNanos()-start)/float64(b.N), "cpu-ns/op")
		}
	}
}

func cpuNanos() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
