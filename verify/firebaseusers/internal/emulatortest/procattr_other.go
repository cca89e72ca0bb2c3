//go:build unix && !linux

package emulatortest

import "syscall"

// sysProcAttr puts the emulator in its own process group, so that Stop
// ends all of it.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
