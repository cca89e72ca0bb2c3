//go:build unix && !linux

package emulator_test

import "syscall"

// sysProcAttr puts the emulator in its own process group, so cleanup can
// stop all of it.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
