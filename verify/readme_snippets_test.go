package verify_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest"
)

// The README's "verify one token directly" snippet, in the production
// form. The token is for another project, so it is refused before any key
// is fetched and the example runs offline.
func Example_quickStart() {
	ctx := context.Background()
	rawToken := verifytest.NewSigner("other-project").IDToken("alice")

	v, err := verify.New("my-firebase-project") // fetches Google's keys on first use, caches them
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()

	http.Handle("/api/", v.Middleware(verify.LogRefusals(slog.Default()))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, ok := verify.TokenFromContext(r.Context()) // ok is false only behind verify.Optional()
		if !ok {
			http.Error(w, "sign in first", http.StatusUnauthorized)
			return
		}
		fmt.Fprintf(w, "hello %s (%s)\n", tok.UID, tok.Email)
	})))

	tok, err := v.Verify(ctx, rawToken) // or verify one token directly
	if errors.Is(err, verify.ErrExpired) {
		// ask the client for a fresh token
	}
	fmt.Println(tok == nil, verify.ErrorCode(err))
	// Output:
	// true invalid_audience
}

// What a test of a service checks with the fake issuer: a valid token, an
// expired one, and a forgery (the genuine header and claims, signed by
// another key).
func TestFakeIssuerTokens(t *testing.T) {
	signer := verifytest.NewSigner("my-project") // fresh RSA key
	defer signer.Close()
	v, _ := signer.Verifier() // JWKS served on loopback, production code path
	token := signer.IDToken("user-1", verifytest.Email("ada@example.com", true))
	expired := signer.IDToken("user-1", verifytest.IssuedAt(time.Now().Add(-2*time.Hour)))
	// A forgery: the genuine token's header and claims, signed by another key.
	header, payload := decodeSegments(t, token)
	forged := verifytest.SignWith(verifytest.GenerateKey().Private, header, payload) // any bytes
	defer v.Close()

	ctx := context.Background()
	tok, err := v.Verify(ctx, token)
	if err != nil || tok.UID != "user-1" || tok.Email != "ada@example.com" || !tok.EmailVerified {
		t.Fatalf("token: %+v, %v", tok, err)
	}
	if _, err := v.Verify(ctx, expired); !errors.Is(err, verify.ErrExpired) {
		t.Errorf("expired: %v, want ErrExpired", err)
	}
	if _, err := v.Verify(ctx, forged); !errors.Is(err, verify.ErrInvalidSignature) {
		t.Errorf("forged: %v, want ErrInvalidSignature", err)
	}
}

// decodeSegments returns the decoded header and payload of token.
func decodeSegments(t testing.TB, token string) (header, payload []byte) {
	t.Helper()
	parts := strings.Split(token, ".")
	header, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		t.Fatal(err)
	}
	payload, err = base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	return header, payload
}

// readmeEmulatorOptions is the README's emulator snippet.
func readmeEmulatorOptions() []verify.Option {
	opts := []verify.Option{}
	if _, ok := verify.EmulatorHost(); ok && os.Getenv("APP_ENV") == "dev" {
		opts = append(opts, verify.InsecureEmulatorMode())
	}
	return opts
}

// The emulator mode is on only with both the emulator's variable and the
// developer's own switch set.
func TestREADMEEmulatorSnippet(t *testing.T) {
	for _, c := range []struct {
		host, env string
		want      int
	}{
		{"", "", 0},
		{"127.0.0.1:9099", "", 0},
		{"", "dev", 0},
		{"127.0.0.1:9099", "prod", 0},
		{"127.0.0.1:9099", "dev", 1},
	} {
		t.Setenv("FIREBASE_AUTH_EMULATOR_HOST", c.host)
		t.Setenv("APP_ENV", c.env)
		if got := len(readmeEmulatorOptions()); got != c.want {
			t.Errorf("host %q, APP_ENV %q: %d options, want %d", c.host, c.env, got, c.want)
		}
	}
}
