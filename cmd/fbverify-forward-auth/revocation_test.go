package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fbverify/fbverify/verify/firebaseusers"
	"github.com/fbverify/fbverify/verify/firebaseusers/firebaseuserstest"
	"github.com/fbverify/fbverify/verify/verifytest"
)

// TestCheckRevoked runs the server with --check-revoked against a
// stand-in for Firebase's API, reached as the emulator would be through
// FIREBASE_AUTH_EMULATOR_HOST: revoked and disabled users get 401, and
// Firebase unreachable past the bound gets 503.
func TestCheckRevoked(t *testing.T) {
	firebase := firebaseuserstest.NewServer(testProject)
	defer firebase.Close()
	for _, uid := range []string{"alice", "bob", "carol"} {
		firebase.AddUser(uid)
	}
	t.Setenv(firebaseusers.EmulatorHostEnv, firebase.Host())
	s := verifytest.NewSigner(testProject)
	const ttl = 200 * time.Millisecond
	a := startAuth(t, nil, "--project", testProject, "--keys", keyFile(t, s),
		"--check-revoked", "--revocation-ttl", ttl.String(), "--revocation-max-stale", "400ms")

	signedIn := time.Now().Add(-time.Minute)
	token := func(uid string) string { return s.IDToken(uid, verifytest.AuthTime(signedIn)) }
	status := func(uid string) (int, string) {
		resp, body := do(t, newRequest(t, http.MethodGet, a.url+"/", token(uid)))
		return resp.StatusCode, body
	}
	for _, uid := range []string{"alice", "bob", "carol", "alice", "alice"} {
		if code, body := status(uid); code != http.StatusOK {
			t.Fatalf("%s: %d %s", uid, code, body)
		}
	}
	if n := firebase.Lookups(); n != 3 {
		t.Errorf("%d lookups for 5 requests of 3 users, want 3", n)
	}

	firebase.Revoke("bob", time.Now())
	firebase.SetDisabled("carol", true)
	tests := []struct {
		uid    string
		status int
		code   string
	}{
		{"bob", http.StatusUnauthorized, "token_revoked"},
		{"carol", http.StatusUnauthorized, "user_disabled"},
		{"nobody", http.StatusUnauthorized, "user_disabled"},
		{"alice", http.StatusOK, ""},
	}
	for _, tt := range tests {
		waitFor(t, tt.uid+" "+tt.code, ttl+2*time.Second, func() bool {
			code, body := status(tt.uid)
			return code == tt.status && strings.Contains(body, tt.code)
		})
	}

	firebase.SetDown(true)
	// A failed lookup is a 503 at once; past the bound, the check says it
	// is stale.
	waitFor(t, "503 and a stale check once Firebase is down past the bound", 5*time.Second, func() bool {
		code, body := status("alice")
		return code == http.StatusServiceUnavailable && strings.Contains(body, "revocation_check_failed") &&
			strings.Contains(a.stderr.String(), "revocation check stale")
	})
	_, metrics := do(t, newRequest(t, http.MethodGet, a.url+"/metrics", ""))
	for _, want := range []string{
		`fbverify_revocation_lookups_total{result="found"}`,
		`fbverify_revocation_lookups_total{result="not_found"} 1`,
		`fbverify_revocation_lookups_total{result="error"}`,
		`fbverify_revocation_stale 1`,
		`fbverify_verdicts_total{code="revocation_check_failed"}`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	firebase.SetDown(false)
	waitFor(t, "200 once Firebase is back", 5*time.Second, func() bool {
		code, _ := status("alice")
		return code == http.StatusOK
	})
	_, metrics = do(t, newRequest(t, http.MethodGet, a.url+"/metrics", ""))
	if !strings.Contains(metrics, "fbverify_revocation_stale 0") {
		t.Error("fbverify_revocation_stale is not 0 once Firebase is back")
	}
}

func TestCheckRevokedFlags(t *testing.T) {
	s := verifytest.NewSigner(testProject)
	keys := keyFile(t, s)
	base := []string{"--project", testProject, "--keys", keys, "--addr", "127.0.0.1:0"}
	tests := []struct {
		name   string
		args   []string
		status int
		stderr string
	}{
		{"credentials without the check", []string{"--credentials", keys}, 2, "need --check-revoked"},
		{"ttl without the check", []string{"--revocation-ttl", "1m"}, 2, "need --check-revoked"},
		{"zero ttl", []string{"--check-revoked", "--revocation-ttl", "0s"}, 2, "--revocation-ttl"},
		{"negative bound", []string{"--check-revoked", "--revocation-max-stale", "-1s"}, 2, "--revocation-max-stale"},
		{"missing key file", []string{"--check-revoked", "--credentials", keys + ".missing"}, 2, "no such file"},
		{"not a service account key", []string{"--check-revoked", "--credentials", keys}, 2, "--check-revoked"},
		{"two tenants", []string{"--check-revoked", "--credentials", keys, "--tenant", "a,b"}, 2, "one --tenant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr lockedBuffer
			p := &program{stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }}
			ctx, cancel := contextDone()
			defer cancel()
			if status := p.run(ctx, append(append([]string{}, base...), tt.args...)); status != tt.status ||
				!strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("status %d, stderr %q; want %d with %q", status, stderr.String(), tt.status, tt.stderr)
			}
		})
	}
	t.Run("help", func(t *testing.T) {
		var stdout lockedBuffer
		p := &program{stdout: &stdout, stderr: &lockedBuffer{}, getenv: func(string) string { return "" }}
		ctx, cancel := contextDone()
		defer cancel()
		p.run(ctx, []string{"--help"})
		for _, flag := range []string{"--check-revoked", "--credentials FILE", "--revocation-ttl", "--revocation-max-stale"} {
			if !strings.Contains(stdout.String(), flag) {
				t.Errorf("help lacks %s", flag)
			}
		}
	})
}
