package firebaseuserstest_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/fbverify/fbverify/verify/firebaseusers"
	"github.com/fbverify/fbverify/verify/firebaseusers/firebaseuserstest"
)

// TestStandsInForTheEmulator: a Client pointed at the Server through
// FIREBASE_AUTH_EMULATOR_HOST, as a program under test would be, reads
// its users; calls without the owner token are refused.
func TestStandsInForTheEmulator(t *testing.T) {
	srv := firebaseuserstest.NewServer("p")
	defer srv.Close()
	srv.AddUser("alice")
	srv.SetDisabled("alice", true)
	getenv := func(k string) string {
		if k == firebaseusers.EmulatorHostEnv {
			return srv.Host()
		}
		return ""
	}
	c, err := firebaseusers.NewClient("p", firebaseusers.ClientOptions{Getenv: getenv})
	if err != nil {
		t.Fatal(err)
	}
	u, err := c.Lookup(context.Background(), "alice")
	if err != nil || !u.Disabled {
		t.Fatalf("Lookup = %+v, %v; want alice disabled", u, err)
	}
	if srv.Lookups() != 1 {
		t.Errorf("Lookups() = %d, want 1", srv.Lookups())
	}

	opts := srv.ClientOptions()
	opts.TokenSource = nil
	opts.CredentialsJSON = []byte(`{}`)
	if _, err := firebaseusers.NewClient("p", opts); err == nil {
		t.Fatal("NewClient accepted an empty key")
	}
	resp, err := http.Post(opts.Endpoint+"/projects/p/accounts:lookup", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("call without a token: %s, want 401", resp.Status)
	}
	other, err := firebaseusers.NewClient("other-project", srv.ClientOptions())
	if err != nil {
		t.Fatal(err)
	}
	var apiErr *firebaseusers.APIError
	if _, err := other.Lookup(context.Background(), "alice"); !errors.As(err, &apiErr) || apiErr.Status != http.StatusNotFound {
		t.Errorf("Lookup in another project = %v, want a 404", err)
	}
}
