package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// requireSystemdEnv, set to 1 (ci.sh does), makes a missing
// systemd-analyze a failure instead of a skip.
const requireSystemdEnv = "FBVERIFY_REQUIRE_SYSTEMD"

// verifyUnit runs systemd-analyze verify on the unit text, its ExecStart
// binary replaced by bin, and returns what it printed: it exits 0 on an
// unknown key or a bad value and only prints a warning, so any output is
// a failure.
func verifyUnit(t *testing.T, analyze, bin, unit string) string {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "fbverify-forward-auth.service")
	unit = strings.ReplaceAll(unit, "/usr/local/bin/fbverify-forward-auth", bin)
	if err := os.WriteFile(path, []byte(unit), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(analyze, "verify", path).CombinedOutput()
	if err != nil && len(out) == 0 {
		return err.Error()
	}
	return string(out)
}

// TestSystemdUnitVerifies checks fbverify-forward-auth.service with
// systemd-analyze verify, and that the check catches a broken unit.
func TestSystemdUnitVerifies(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		if os.Getenv(requireSystemdEnv) == "1" {
			t.Fatalf("systemd-analyze is not installed, and %s=1 requires it (apt-get install systemd)", requireSystemdEnv)
		}
		t.Skip("systemd-analyze is not installed (apt-get install systemd)")
	}
	unit, err := os.ReadFile("fbverify-forward-auth.service")
	if err != nil {
		t.Fatal(err)
	}
	bin := buildBinary(t)
	if out := verifyUnit(t, analyze, bin, string(unit)); out != "" {
		t.Errorf("systemd-analyze verify printed:\n%s", out)
	}
	for _, want := range []string{"DynamicUser=yes", "ProtectSystem=strict", "NoNewPrivileges=yes", "PrivateTmp=yes",
		"StateDirectory=fbverify-forward-auth", "--key-snapshot /var/lib/fbverify-forward-auth/"} {
		if !strings.Contains(string(unit), want) {
			t.Errorf("the unit lacks %q", want)
		}
	}
	// The check itself: a misspelt value and an unknown key only warn.
	broken := strings.Replace(string(unit), "ProtectSystem=strict", "ProtectSystem=strcit\nProtectEverything=yes", 1)
	if out := verifyUnit(t, analyze, bin, broken); !strings.Contains(out, "strcit") || !strings.Contains(out, "ProtectEverything") {
		t.Errorf("systemd-analyze verify of a broken unit printed %q, want both faults named", out)
	}
}
