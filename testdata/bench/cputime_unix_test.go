//go:build unix

package bench

import (
	"syscall"
	"time"
)

// processCPUTime is the CPU time this process has used so far, user and
// system, on every thread: the garbage collector's work included.
func processCPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
