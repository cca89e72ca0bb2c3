// Package buildinfo says which version of fbverify a program was built
// from, for the --version flag of every program under cmd.
package buildinfo

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Devel is the version of a binary built inside a checkout rather than
// installed with `go install …@version`.
const Devel = "(devel)"

// Version returns the version of the main module the binary was built from:
// the tag given to `go install …@version`, or Devel.
func Version() string {
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		return info.Main.Version
	}
	return Devel
}

// Line is what a program's --version prints: its name, the module version
// and the Go release it was built with, such as
// "fbverify v0.1.0 go1.25.4".
func Line(program string) string {
	return fmt.Sprintf("%s %s %s", program, Version(), runtime.Version())
}
