package emulatortest

import "syscall"

// sysProcAttr puts the emulator in its own process group, so that Stop
// ends all of it, and has the kernel kill it if the test binary dies
// before its cleanup runs (a go test timeout, say).
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
