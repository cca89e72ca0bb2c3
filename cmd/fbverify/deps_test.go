package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestShippedBinaryLinksNoTestHelper checks what the fbverify binary
// links: no net/http/httptest, no verifytest and no testing, so a user who
// installs the CLI gets no test server or fake signer in it. Minting and
// printing keys go through verify/verifytest/mint and jwks' encoders instead.
func TestShippedBinaryLinksNoTestHelper(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not installed")
	}
	out, err := exec.Command(goCmd, "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 || !slices.Contains(deps, "github.com/fbverify/fbverify/verify") {
		t.Fatalf("go list -deps printed %d packages, not the fbverify binary's: %s", len(deps), out)
	}
	for _, dep := range deps {
		if dep == "net/http/httptest" || dep == "testing" || strings.HasSuffix(dep, "/verifytest") {
			t.Errorf("the fbverify binary links %s", dep)
		}
	}
}
