//go:build !unix

package bench

import "time"

var processStart = time.Now()

// processCPUTime is, where the process's CPU time cannot be read, the wall
// time since the process started: the Admin SDK gate then compares wall
// time, the collector's work on another thread left out.
func processCPUTime() time.Duration { return time.Since(processStart) }
