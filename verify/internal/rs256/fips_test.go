package rs256

import (
	"crypto"
	"crypto/fips140"
	"crypto/sha256"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestFIPSModeUsesCryptoRSA runs the package's tests again in FIPS 140-3
// mode (GODEBUG=fips140=on): there Keys.Verify must hand every call to
// crypto/rsa and prepare no key, and its verdicts must still match.
func TestFIPSModeUsesCryptoRSA(t *testing.T) {
	if !fips140.Enabled() {
		if os.Getenv("RS256_FIPS_CHILD") != "" {
			t.Fatal("the child process is not in FIPS 140-3 mode")
		}
		cmd := exec.Command(os.Args[0], "-test.run", "^(TestFIPSModeUsesCryptoRSA|TestMatchesCryptoRSA)$/^2048-bit_e=65537$", "-test.count", "1", "-test.v")
		cmd.Env = append(os.Environ(), "GODEBUG=fips140=on", "RS256_FIPS_CHILD=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("tests in FIPS 140-3 mode: %v\n%s", err, out)
		}
		for _, ran := range []string{"--- PASS: TestFIPSModeUsesCryptoRSA", "--- PASS: TestMatchesCryptoRSA/2048-bit_e=65537"} {
			if !strings.Contains(string(out), ran) {
				t.Errorf("the FIPS 140-3 run lacks %q:\n%s", ran, out)
			}
		}
		return
	}
	if !fipsMode() {
		t.Fatal("fipsMode is false while crypto/fips140 is enabled")
	}
	tk := testKeys(t)[0]
	digest := sha256.Sum256([]byte("m"))
	sig := sign(t, tk.priv, crypto.SHA256, digest[:])
	var c Keys
	if err := c.Verify(&tk.priv.PublicKey, &digest, sig); err != nil {
		t.Errorf("valid signature refused: %v", err)
	}
	sig[10] ^= 1
	if err := c.Verify(&tk.priv.PublicKey, &digest, sig); err == nil {
		t.Error("tampered signature accepted")
	}
	if c.Len() != 0 {
		t.Errorf("%d keys prepared in FIPS 140-3 mode, want none", c.Len())
	}
}
